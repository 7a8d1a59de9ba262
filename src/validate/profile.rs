//! `profile-mismatch`: the headers a profile writes (logout-only headers in their locations,
//! see [`crate::profile::removals`]) against those the file sends.

use super::checker::Checker;
use super::site::Site;
use crate::model::{CollectionKind, effective_headers};
use crate::profile::Profile;

/// Checks that the file sends what profile `p` writes, and not what it removes.
pub(super) fn check(c: &mut Checker<'_>, site: &Site<'_>, p: &Profile) {
    if p.collection != CollectionKind::CustomHeaders {
        return;
    }
    let eff = p.effective();
    let locations = effective_headers(site.collections, CollectionKind::CustomHeaders).locations;
    for path in &eff.profile.logout_paths {
        let here = locations
            .iter()
            .find(|(s, _)| s.path().is_some_and(|l| l.trim().trim_matches('/') == path));
        for h in &eff.logout_headers {
            let sent = here.is_some_and(|(_, list)| {
                list.iter()
                    .any(|e| e.name.eq_ignore_ascii_case(&h.name) && e.value == h.value.render())
            });
            if !sent {
                c.add(
                    "profile-mismatch",
                    site.anchor_at,
                    format!(
                        "profile {} sends {} on {path}, the file does not",
                        p.name, h.name
                    ),
                );
            }
        }
    }
    for h in &eff.profile.headers {
        let want = h.value.render();
        match site.find(&h.name) {
            None => c.add(
                "profile-mismatch",
                site.anchor_at,
                format!("profile {} sets {}, the file does not", p.name, h.name),
            ),
            Some(e) if e.value != want => {
                let at = c.node_offset(e.node);
                c.add(
                    "profile-mismatch",
                    at,
                    format!(
                        "{} is \"{}\", profile {} wants \"{want}\"",
                        h.name, e.value, p.name
                    ),
                );
            }
            Some(_) => {}
        }
    }
    for r in &p.remove {
        if let Some(e) = site.find(r) {
            let at = c.node_offset(e.node);
            c.add(
                "profile-mismatch",
                at,
                format!("profile {} removes {r}, the file adds it", p.name),
            );
        }
    }
}
