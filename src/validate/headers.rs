//! Header rules on a web.config: every `<add>` through the value rules of [`super::values`]
//! (placed at the element, or inside its `value` attribute), and what the application sends as
//! a whole (`missing-header`, `clear-site-data-sitewide`).

use super::checker::{Checker, Entry};
use super::site::Site;
use super::values::{self, Spot};
use crate::model::{HeaderCollection, HeaderOp};

/// Checks the name and value of every header `<add>` of every collection, in file order.
pub(super) fn entries(c: &mut Checker<'_>, collections: &[HeaderCollection]) {
    for coll in collections {
        for e in &coll.entries {
            if let HeaderOp::Add { name, value } = &e.op {
                entry(
                    c,
                    &Entry {
                        name: name.clone(),
                        value: value.clone(),
                        node: e.node,
                    },
                );
            }
        }
    }
}

/// Checks one header entry: its name, its value's characters, then the rules of the header.
fn entry(c: &mut Checker<'_>, e: &Entry) {
    values::check_header(&e.name, &e.value, &mut |id, spot, message| {
        let at = match spot {
            Spot::Header => c.node_offset(e.node),
            Spot::Value(i) => c.value_offset(e, i),
        };
        c.add(id, at, message);
    });
}

/// `clear-site-data-sitewide`: the application sends Clear-Site-Data on every response.
pub(super) fn clear_site_data(c: &mut Checker<'_>, site: &Site<'_>) {
    if let Some(e) = site.find("Clear-Site-Data") {
        let at = c.node_offset(e.node);
        c.add(
            "clear-site-data-sitewide",
            at,
            values::clear_site_data(&e.value),
        );
    }
}

/// `missing-header`: a recommended security header the application does not send (at the
/// site's anchor).
pub(super) fn missing(c: &mut Checker<'_>, site: &Site<'_>) {
    let sent: Vec<(&str, &str)> = site
        .entries
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_str()))
        .collect();
    for message in values::missing(&sent, true) {
        c.add("missing-header", site.anchor_at, message);
    }
}
