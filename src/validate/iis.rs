//! IIS's collection rules, as [`crate::iis`] replays them: `duplicate-header`,
//! `duplicate-entry`, `duplicate-inherited`, `duplicate-setting` and `remove-no-effect`.

use super::checker::Checker;
use super::rule_by_id;
use crate::iis::{IisVersion, analyze};

/// Duplicates in every collection with a unique key, as IIS merges them (server defaults, top
/// level, `<location path=".">`, other locations), and header `<remove>`s that stop nothing.
pub(super) fn check(c: &mut Checker<'_>, iis: IisVersion) {
    let analysis = analyze(c.tree(), iis);
    for (n, name) in &analysis.useless_removes {
        let at = c.node_offset(*n);
        c.add(
            "remove-no-effect",
            at,
            format!("<remove name=\"{name}\"/> has no effect: nothing sets {name} at this point (not the server, not a parent level, not an earlier entry)"),
        );
    }
    for d in analysis.duplicates {
        let f = d.describe(&|n| c.pos(c.node_offset(n)).line);
        let at = c.node_offset(d.second);
        let hint = f.hint.unwrap_or_else(|| rule_by_id(f.rule).hint.to_owned());
        c.add_hinted(f.rule, at, f.message, &hint);
    }
}
