//! The application as the rule families see it: its elements (below `<configuration>` and each
//! `<location path=".">`), the headers it sends, and where a missing setting is reported.

use super::checker::{Checker, Entry};
use crate::model::{CollectionKind, HeaderCollection, Scope, effective_headers};
use crate::xml::{NodeId, Tree};

/// What the application sends.
pub(super) struct Site<'a> {
    /// Every header collection of the file.
    pub(super) collections: &'a [HeaderCollection],
    /// The headers the application sends, merged as IIS does (the top-level `customHeaders`,
    /// then `<location path=".">`), but those its outbound rules blank.
    pub(super) entries: Vec<Entry>,
    /// The headers its outbound rules blank (see [`super::leaks::stripped_headers`]).
    stripped: Vec<String>,
    /// Where to point at when something is missing: the application's `customHeaders`, or its
    /// nearest parent.
    pub(super) anchor_at: usize,
}

impl<'a> Site<'a> {
    /// The application of a file with these header collections, whose outbound rules blank
    /// the `stripped` headers.
    pub(super) fn new(
        c: &Checker<'_>,
        collections: &'a [HeaderCollection],
        stripped: Vec<String>,
    ) -> Self {
        let t = c.tree();
        let root = t
            .root_element()
            .expect("parsed documents have a root element");
        let anchor = collections
            .iter()
            .find(|x| {
                x.kind == CollectionKind::CustomHeaders
                    && (x.scope == Scope::TopLevel || x.scope.is_application())
            })
            .map(|x| x.element)
            .or_else(|| {
                app_elements(t, &["system.webServer", "httpProtocol"])
                    .first()
                    .copied()
            })
            .or_else(|| app_elements(t, &["system.webServer"]).first().copied())
            .unwrap_or(root);
        let mut site = Site {
            collections,
            entries: Vec::new(),
            stripped,
            anchor_at: c.node_offset(anchor),
        };
        let entries = effective_headers(collections, CollectionKind::CustomHeaders)
            .application
            .into_iter()
            .filter(|e| !site.is_stripped(&e.name))
            .map(|e| Entry {
                name: e.name,
                value: e.value,
                node: e.node,
            })
            .collect();
        site.entries = entries;
        site
    }

    /// Whether an outbound rule blanks header `name`.
    pub(super) fn is_stripped(&self, name: &str) -> bool {
        self.stripped
            .contains(&name.replace('_', "-").to_ascii_lowercase())
    }

    /// The header `name` the application sends (the first, case-insensitively).
    pub(super) fn find(&self, name: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// The names and values of the headers the application sends.
    pub(super) fn headers(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .map(|e| (e.name.clone(), e.value.clone()))
            .collect()
    }
}

/// The elements at `names` below `<configuration>` and below each `<location path=".">`, in
/// the order IIS applies them (top level first).
pub(super) fn app_elements(t: &Tree, names: &[&str]) -> Vec<NodeId> {
    let Some(root) = t
        .root_element()
        .filter(|&r| t.local_name(r) == "configuration")
    else {
        return Vec::new();
    };
    let mut holders = vec![root];
    holders.extend(t.element_children(root).filter(|&l| {
        t.local_name(l) == "location"
            && Scope::is_application_path(t.attribute_value(l, "", "path").unwrap_or(""))
    }));
    let mut out = Vec::new();
    for h in holders {
        let mut level = vec![h];
        for n in names {
            level = level
                .iter()
                .flat_map(|&p| t.element_children(p).filter(|&c| t.local_name(c) == *n))
                .collect();
        }
        out.extend(level);
    }
    out
}

/// The value of an attribute as IIS sees it when the element appears at several levels: the
/// last one that sets it wins. Lower-cased and trimmed, with its element.
pub(super) fn effective_attr(
    t: &Tree,
    elements: &[NodeId],
    name: &str,
) -> Option<(String, NodeId)> {
    elements.iter().rev().find_map(|&e| {
        t.attribute_value(e, "", name)
            .map(|v| (v.trim().to_ascii_lowercase(), e))
    })
}
