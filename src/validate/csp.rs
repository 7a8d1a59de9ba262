//! Content-Security-Policy rules (`csp-*`): each directive of a policy (unknown, deprecated,
//! duplicate, a missing `;`, `http://` sources), then, for an enforced policy, what it leaves
//! open (scripts, objects, `base-uri`).

use super::checker::{Checker, Entry};
use crate::profile::csp;

/// Checks a Content-Security-Policy or Content-Security-Policy-Report-Only entry.
pub(super) fn check(c: &mut Checker<'_>, e: &Entry) {
    let directives = csp::parse(&e.value);
    let mut seen: Vec<&str> = Vec::new();
    for d in &directives {
        let off = c.value_offset(e, d.offset);
        match csp::directive_status(&d.name) {
            None => {
                let guess = csp::DIRECTIVES
                    .iter()
                    .map(|(n, _)| *n)
                    .min_by_key(|n| strsim::levenshtein(n, &d.name))
                    .filter(|n| strsim::levenshtein(n, &d.name) <= 3)
                    .map_or(String::new(), |g| format!(" (did you mean {g}?)"));
                c.add(
                    "csp-unknown-directive",
                    off,
                    format!("unknown CSP directive \"{}\"{guess}", d.name),
                );
            }
            Some(csp::Status::Deprecated) => {
                c.add(
                    "csp-deprecated-directive",
                    off,
                    format!("CSP directive {} is deprecated and ignored", d.name),
                );
            }
            Some(csp::Status::Current) => {}
        }
        if seen.contains(&d.name.as_str()) {
            c.add(
                "csp-duplicate-directive",
                off,
                format!(
                    "CSP directive {} is given twice: browsers ignore the second",
                    d.name
                ),
            );
        }
        seen.push(&d.name);
        for v in &d.values {
            if csp::directive_status(v).is_some() && !v.starts_with('\'') {
                c.add(
                    "csp-missing-semicolon",
                    off,
                    format!(
                        "\"{v}\" appears as a source of {}: is a ';' missing before it?",
                        d.name
                    ),
                );
            }
            if v.to_ascii_lowercase().starts_with("http://") {
                c.add(
                    "csp-insecure-source",
                    off,
                    format!("{} loads from {v} over plain HTTP", d.name),
                );
            }
        }
    }
    if e.name
        .eq_ignore_ascii_case("content-security-policy-report-only")
    {
        return;
    }
    let find = |n: &str| directives.iter().find(|d| d.name == n);
    let start = c.value_offset(e, 0);
    let script = find("script-src").or_else(|| find("default-src"));
    let object = find("object-src").or_else(|| find("default-src"));
    let lc = |d: &csp::Directive| {
        d.values
            .iter()
            .map(|v| v.to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    match script {
        None => c.add(
            "csp-missing-script-src",
            start,
            "the CSP restricts neither script-src nor default-src: any script may load".into(),
        ),
        Some(d) => {
            let v = lc(d);
            let off = c.value_offset(e, d.offset);
            let nonce = v
                .iter()
                .any(|s| s.starts_with("'nonce-") || s.starts_with("'sha"));
            if v.iter().any(|s| s == "'unsafe-inline'") && !nonce {
                c.add(
                    "csp-unsafe-inline",
                    off,
                    format!("{} allows 'unsafe-inline' scripts", d.name),
                );
            }
            if v.iter().any(|s| s == "'unsafe-eval'") {
                c.add(
                    "csp-unsafe-eval",
                    off,
                    format!("{} allows 'unsafe-eval'", d.name),
                );
            }
            for s in v.iter().filter(|s| is_broad_source(s)) {
                c.add(
                    "csp-broad-source",
                    off,
                    format!("{} allows scripts from {s}", d.name),
                );
            }
        }
    }
    match object {
        None => c.add(
            "csp-missing-object-src",
            start,
            "the CSP restricts neither object-src nor default-src: plugins may load".into(),
        ),
        Some(d) => {
            let off = c.value_offset(e, d.offset);
            for s in lc(d).iter().filter(|s| is_broad_source(s)) {
                c.add(
                    "csp-broad-source",
                    off,
                    format!("{} allows objects from {s}", d.name),
                );
            }
        }
    }
    match find("base-uri") {
        None => c.add(
            "csp-missing-base-uri",
            start,
            "the CSP does not restrict base-uri".into(),
        ),
        Some(d) => {
            let off = c.value_offset(e, d.offset);
            for s in lc(d).iter().filter(|s| is_broad_source(s)) {
                c.add("csp-broad-source", off, format!("base-uri allows {s}"));
            }
        }
    }
}

/// Whether a policy sets frame-ancestors (which replaces X-Frame-Options).
pub(super) fn has_frame_ancestors(e: &Entry) -> bool {
    csp::parse(&e.value)
        .iter()
        .any(|d| d.name == "frame-ancestors")
}

/// A CSP source that lets any site (or any inline data) in: `*`, a bare scheme, or a scheme
/// with a wildcard host.
fn is_broad_source(s: &str) -> bool {
    matches!(
        s,
        "*" | "data:" | "http:" | "https:" | "http://*" | "https://*"
    )
}
