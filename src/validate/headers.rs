//! Header rules: name and value syntax of every entry (`header-name-invalid`,
//! `header-value-invalid`), the value of each security header (`deprecated-header`,
//! `hsts-weak`, `referrer-policy-unsafe`, `xfo-invalid`, `xcto-invalid`; CSP and
//! Permissions-Policy values go to [`super::csp`] and [`super::permissions`]), and what the
//! application sends as a whole (`missing-header`, `clear-site-data-sitewide`).

use super::checker::{Checker, Entry};
use super::site::Site;
use super::{csp, permissions};
use crate::model::{HeaderCollection, HeaderOp};
use crate::profile::{bad_value_char, is_token};

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
    let at = c.node_offset(e.node);
    if !is_token(&e.name) {
        c.add(
            "header-name-invalid",
            at,
            format!("\"{}\" is not a valid header name", e.name),
        );
    }
    if let Some((i, ch)) = bad_value_char(&e.value) {
        let what = match ch {
            '\r' => "a carriage return (CR)".to_owned(),
            '\n' => "a line feed (LF)".to_owned(),
            '\0' => "a NUL character".to_owned(),
            ch => format!("the control character U+{:04X}", ch as u32),
        };
        let off = c.value_offset(e, i);
        c.add(
            "header-value-invalid",
            off,
            format!("the value of {} contains {what}", e.name),
        );
    }
    let v = e.value.trim();
    match e.name.to_ascii_lowercase().as_str() {
        "x-xss-protection" if v != "0" => {
            c.add(
                "deprecated-header",
                at,
                format!("X-XSS-Protection: {v} is deprecated: send 0 or nothing"),
            );
        }
        "expect-ct" | "public-key-pins" | "public-key-pins-report-only" | "p3p" => {
            c.add(
                "deprecated-header",
                at,
                format!("{} is deprecated and ignored by browsers", e.name),
            );
        }
        "feature-policy" => permissions::feature_policy(c, at),
        "strict-transport-security" => hsts(c, e, v),
        "referrer-policy" => referrer(c, e, v),
        "x-frame-options" => {
            let u = v.to_ascii_uppercase();
            if u.starts_with("ALLOW-FROM") {
                c.add(
                    "xfo-invalid",
                    c.value_offset(e, 0),
                    "X-Frame-Options ALLOW-FROM is not supported by browsers".into(),
                );
            } else if u != "DENY" && u != "SAMEORIGIN" {
                c.add(
                    "xfo-invalid",
                    c.value_offset(e, 0),
                    format!("X-Frame-Options \"{v}\" is not DENY or SAMEORIGIN"),
                );
            }
        }
        "x-content-type-options" if !v.eq_ignore_ascii_case("nosniff") => {
            c.add(
                "xcto-invalid",
                c.value_offset(e, 0),
                format!("X-Content-Type-Options \"{v}\" is not nosniff"),
            );
        }
        "content-security-policy" | "content-security-policy-report-only" => csp::check(c, e),
        "permissions-policy" => permissions::check(c, e),
        _ => {}
    }
}

/// `hsts-weak`: Strict-Transport-Security (trimmed value `v`) without a max-age of six months.
fn hsts(c: &mut Checker<'_>, e: &Entry, v: &str) {
    let mut max_age: Option<Option<u64>> = None;
    for d in v.split(';') {
        let d = d.trim();
        if let Some((k, val)) = d.split_once('=') {
            if k.trim().eq_ignore_ascii_case("max-age") {
                max_age = Some(val.trim().trim_matches('"').parse::<u64>().ok());
            }
        }
    }
    let off = c.value_offset(e, 0);
    match max_age {
        None => c.add(
            "hsts-weak",
            off,
            "Strict-Transport-Security has no max-age: browsers ignore it".into(),
        ),
        Some(None) => c.add(
            "hsts-weak",
            off,
            "Strict-Transport-Security max-age is not a number of seconds".into(),
        ),
        Some(Some(a)) if a < 15_552_000 => c.add(
            "hsts-weak",
            off,
            format!("Strict-Transport-Security max-age={a} is under six months (15552000 seconds)"),
        ),
        Some(Some(_)) => {}
    }
}

/// `referrer-policy-unsafe`: a Referrer-Policy (trimmed value `v`) that browsers do not
/// understand or that leaks URLs.
fn referrer(c: &mut Checker<'_>, e: &Entry, v: &str) {
    const VALID: [&str; 8] = [
        "no-referrer",
        "no-referrer-when-downgrade",
        "origin",
        "origin-when-cross-origin",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
        "unsafe-url",
    ];
    // Browsers use the last policy they understand.
    let effective = v
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .rfind(|t| VALID.contains(&t.as_str()));
    let off = c.value_offset(e, 0);
    match effective.as_deref() {
        None => c.add(
            "referrer-policy-unsafe",
            off,
            format!("Referrer-Policy \"{v}\" is not a valid policy"),
        ),
        Some(p @ ("unsafe-url" | "no-referrer-when-downgrade")) => {
            c.add(
                "referrer-policy-unsafe",
                off,
                format!("Referrer-Policy {p} sends full URLs to other sites"),
            );
        }
        Some(p @ ("origin" | "origin-when-cross-origin")) => {
            c.add(
                "referrer-policy-unsafe",
                off,
                format!("Referrer-Policy {p} sends the origin even over plain HTTP"),
            );
        }
        Some(_) => {}
    }
}

/// `clear-site-data-sitewide`: the application sends Clear-Site-Data on every response.
pub(super) fn clear_site_data(c: &mut Checker<'_>, site: &Site<'_>) {
    if let Some(e) = site.find("Clear-Site-Data") {
        let at = c.node_offset(e.node);
        c.add(
            "clear-site-data-sitewide",
            at,
            format!(
                "Clear-Site-Data: {} is sent on every response: each one clears the visitor's data (logs everyone out continuously)",
                e.value
            ),
        );
    }
}

/// `missing-header`: a recommended security header the application does not send (at the
/// site's anchor).
pub(super) fn missing(c: &mut Checker<'_>, site: &Site<'_>) {
    let frame_ancestors = site.entries.iter().any(|e| {
        e.name.eq_ignore_ascii_case("content-security-policy") && csp::has_frame_ancestors(e)
    });
    for (name, why) in [
        (
            "Strict-Transport-Security",
            "browsers may be downgraded to plain HTTP",
        ),
        (
            "Content-Security-Policy",
            "nothing limits where scripts, styles and frames come from",
        ),
        ("X-Content-Type-Options", "browsers may sniff content types"),
        (
            "X-Frame-Options",
            "other sites may frame this one (clickjacking)",
        ),
        ("Referrer-Policy", "full URLs may leak to other sites"),
        ("Permissions-Policy", "browser features are not restricted"),
    ] {
        if name == "X-Frame-Options" && frame_ancestors {
            continue;
        }
        let replaced = name == "Permissions-Policy" && site.has("Feature-Policy");
        if !site.has(name) && !replaced {
            c.add(
                "missing-header",
                site.anchor_at,
                format!("{name} is not set: {why}"),
            );
        }
    }
}
