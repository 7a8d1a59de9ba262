//! Content-Security-Policy rules (`csp-*`): the findings of [`csp::check`] (syntax and sources
//! of every policy; for an enforced one, what it leaves open), placed at their value inside the
//! header's `value` attribute.

use super::checker::{Checker, Entry};
use crate::profile::csp;

/// Checks a Content-Security-Policy or Content-Security-Policy-Report-Only entry.
pub(super) fn check(c: &mut Checker<'_>, e: &Entry) {
    let enforced = !e
        .name
        .eq_ignore_ascii_case("content-security-policy-report-only");
    for f in csp::check(&e.value, enforced) {
        let off = c.value_offset(e, f.offset);
        c.add(f.rule, off, f.message);
    }
}

/// Whether a policy sets frame-ancestors (which replaces X-Frame-Options).
pub(super) fn has_frame_ancestors(e: &Entry) -> bool {
    csp::parse(&e.value)
        .iter()
        .any(|d| d.name == "frame-ancestors")
}
