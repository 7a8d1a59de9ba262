//! The header-value rules, on a name and a value alone: they know nothing of where the header
//! came from. `validate` runs them on each `<add>` of a web.config (placing a finding at the
//! element or inside its `value` attribute), `webxsl probe` on each header a server sent
//! (placing it at the header's index in the response).
//!
//! A rule reports a [`Spot`] inside the header; the caller turns it into its own kind of place.
//! Findings come in the order the rules run, which is the order `validate` always used.

use crate::profile::{bad_value_char, csp, is_token, permissions};

/// Where inside one header a finding points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spot {
    /// The header as a whole (a config's `<add>` element).
    Header,
    /// Byte `i` of the header's value.
    Value(usize),
}

/// Receives each finding of the header rules: rule id, spot, message (the hint is the rule's).
pub type Out<'a> = dyn FnMut(&'static str, Spot, String) + 'a;

/// Checks one header: its name, its value's characters, then the rules of that header
/// (`header-name-invalid`, `header-value-invalid`, `deprecated-header`, `pp-feature-policy`,
/// `hsts-weak`, `referrer-policy-unsafe`, `xfo-invalid`, `xcto-invalid`, `csp-*`, `pp-*`).
pub fn check_header(name: &str, value: &str, out: &mut Out<'_>) {
    if !is_token(name) {
        out(
            "header-name-invalid",
            Spot::Header,
            format!("\"{name}\" is not a valid header name"),
        );
    }
    if let Some((i, ch)) = bad_value_char(value) {
        let what = match ch {
            '\r' => "a carriage return (CR)".to_owned(),
            '\n' => "a line feed (LF)".to_owned(),
            '\0' => "a NUL character".to_owned(),
            ch => format!("the control character U+{:04X}", ch as u32),
        };
        out(
            "header-value-invalid",
            Spot::Value(i),
            format!("the value of {name} contains {what}"),
        );
    }
    let v = value.trim();
    match name.to_ascii_lowercase().as_str() {
        "x-xss-protection" if v != "0" => {
            out(
                "deprecated-header",
                Spot::Header,
                format!("X-XSS-Protection: {v} is deprecated: send 0 or nothing"),
            );
        }
        "expect-ct" | "public-key-pins" | "public-key-pins-report-only" | "p3p" => {
            out(
                "deprecated-header",
                Spot::Header,
                format!("{name} is deprecated and ignored by browsers"),
            );
        }
        "feature-policy" => out(
            "pp-feature-policy",
            Spot::Header,
            "Feature-Policy was replaced by Permissions-Policy".into(),
        ),
        "strict-transport-security" => hsts(v, out),
        "referrer-policy" => referrer(v, out),
        "x-frame-options" => {
            let u = v.to_ascii_uppercase();
            if u.starts_with("ALLOW-FROM") {
                out(
                    "xfo-invalid",
                    Spot::Value(0),
                    "X-Frame-Options ALLOW-FROM is not supported by browsers".into(),
                );
            } else if u != "DENY" && u != "SAMEORIGIN" {
                out(
                    "xfo-invalid",
                    Spot::Value(0),
                    format!("X-Frame-Options \"{v}\" is not DENY or SAMEORIGIN"),
                );
            }
        }
        "x-content-type-options" if !v.eq_ignore_ascii_case("nosniff") => {
            out(
                "xcto-invalid",
                Spot::Value(0),
                format!("X-Content-Type-Options \"{v}\" is not nosniff"),
            );
        }
        "content-security-policy" | "content-security-policy-report-only" => {
            let enforced = !name.eq_ignore_ascii_case("content-security-policy-report-only");
            for f in csp::check(value, enforced) {
                out(f.rule, Spot::Value(f.offset), f.message);
            }
        }
        "permissions-policy" => permissions_policy(value, out),
        _ => {}
    }
}

/// `hsts-weak`: Strict-Transport-Security (trimmed value `v`) without a max-age of six months.
fn hsts(v: &str, out: &mut Out<'_>) {
    let mut max_age: Option<Option<u64>> = None;
    for d in v.split(';') {
        let d = d.trim();
        if let Some((k, val)) = d.split_once('=')
            && k.trim().eq_ignore_ascii_case("max-age")
        {
            max_age = Some(val.trim().trim_matches('"').parse::<u64>().ok());
        }
    }
    let message = match max_age {
        None => "Strict-Transport-Security has no max-age: browsers ignore it".into(),
        Some(None) => "Strict-Transport-Security max-age is not a number of seconds".into(),
        Some(Some(a)) if a < 15_552_000 => {
            format!("Strict-Transport-Security max-age={a} is under six months (15552000 seconds)")
        }
        Some(Some(_)) => return,
    };
    out("hsts-weak", Spot::Value(0), message);
}

/// `referrer-policy-unsafe`: a Referrer-Policy (trimmed value `v`) that browsers do not
/// understand or that leaks URLs.
fn referrer(v: &str, out: &mut Out<'_>) {
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
    let message = match effective.as_deref() {
        None => format!("Referrer-Policy \"{v}\" is not a valid policy"),
        Some(p @ ("unsafe-url" | "no-referrer-when-downgrade")) => {
            format!("Referrer-Policy {p} sends full URLs to other sites")
        }
        Some(p @ ("origin" | "origin-when-cross-origin")) => {
            format!("Referrer-Policy {p} sends the origin even over plain HTTP")
        }
        Some(_) => return,
    };
    out("referrer-policy-unsafe", Spot::Value(0), message);
}

/// Permissions-Policy: the structured-field syntax (`pp-syntax`), each feature's status in
/// browsers (`pp-unknown-feature`, `pp-retired-feature`, `pp-experimental-feature`) and
/// duplicates (`pp-duplicate-feature`).
fn permissions_policy(value: &str, out: &mut Out<'_>) {
    use permissions::FeatureStatus;
    let members = match permissions::parse(value) {
        Err(err) => {
            out(
                "pp-syntax",
                Spot::Value(err.offset),
                format!("Permissions-Policy: {}", err.message),
            );
            return;
        }
        Ok(m) => m,
    };
    let mut seen: Vec<&str> = Vec::new();
    for m in &members {
        let at = Spot::Value(m.offset);
        match permissions::feature_status(&m.feature) {
            None => {
                let note = if m.feature == "interest-cohort" {
                    " (FLoC, never shipped)"
                } else {
                    ""
                };
                out(
                    "pp-unknown-feature",
                    at,
                    format!(
                        "Permissions-Policy feature {} is unknown to browsers{note}",
                        m.feature
                    ),
                );
            }
            Some(FeatureStatus::Retired) => out(
                "pp-retired-feature",
                at,
                format!("Permissions-Policy feature {} is retired", m.feature),
            ),
            Some(s @ (FeatureStatus::Proposed | FeatureStatus::Experimental)) => {
                let s = if s == FeatureStatus::Proposed {
                    "proposed"
                } else {
                    "experimental"
                };
                out(
                    "pp-experimental-feature",
                    at,
                    format!("Permissions-Policy feature {} is only {s}", m.feature),
                );
            }
            Some(FeatureStatus::Standardized) => {}
        }
        if seen.contains(&m.feature.as_str()) {
            out(
                "pp-duplicate-feature",
                at,
                format!("Permissions-Policy feature {} is given twice", m.feature),
            );
        }
        seen.push(&m.feature);
    }
}

/// Whether a Content-Security-Policy value sets frame-ancestors (which replaces
/// X-Frame-Options).
pub fn has_frame_ancestors(policy: &str) -> bool {
    csp::parse(policy)
        .iter()
        .any(|d| d.name == "frame-ancestors")
}

/// The security headers every site should send, with what is at risk without each: what
/// `missing-header` looks for, in this order (reports list them first).
pub static RECOMMENDED: &[(&str, &str)] = &[
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
];

/// `missing-header`: the message for each recommended security header that a list of sent
/// headers lacks, in a fixed order. `https`: whether the headers come over HTTPS (or are a
/// config's, which is taken as served over HTTPS); Strict-Transport-Security is only expected
/// there.
pub fn missing(headers: &[(&str, &str)], https: bool) -> Vec<String> {
    let has = |n: &str| headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n));
    let frame_ancestors = headers
        .iter()
        .any(|(h, v)| h.eq_ignore_ascii_case("content-security-policy") && has_frame_ancestors(v));
    let mut found = Vec::new();
    for &(name, why) in RECOMMENDED {
        if (name == "X-Frame-Options" && frame_ancestors)
            || (name == "Strict-Transport-Security" && !https)
        {
            continue;
        }
        let replaced = name == "Permissions-Policy" && has("Feature-Policy");
        if !has(name) && !replaced {
            found.push(format!("{name} is not set: {why}"));
        }
    }
    found
}

/// The recommended header a `missing-header` message of [`missing`] is about (for reports that
/// show it in the header's row).
pub fn missing_header_of(message: &str) -> Option<&'static str> {
    RECOMMENDED.iter().map(|(name, _)| *name).find(|name| {
        message
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(" is not set:"))
    })
}

/// `clear-site-data-sitewide`: the message for a Clear-Site-Data header sent with `value`.
pub fn clear_site_data(value: &str) -> String {
    format!(
        "Clear-Site-Data: {value} is sent on every response: each one clears the visitor's data (logs everyone out continuously)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_missing_message_names_its_header() {
        let messages = missing(&[], true);
        assert_eq!(messages.len(), RECOMMENDED.len());
        for (m, (name, _)) in messages.iter().zip(RECOMMENDED) {
            assert_eq!(missing_header_of(m), Some(*name));
        }
        assert_eq!(missing_header_of("X-Frame-Options \"A\" is not DENY"), None);
    }
}
