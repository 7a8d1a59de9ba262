//! Content-Security-Policy: the directives browsers know, parsing a policy string, rendering one,
//! and checking one (`check.rs`: what a CSP Level 3 browser would let through, as Google's
//! csp-evaluator judges it; `bypass.rs`: hosts known to defeat an allowlist).

pub mod bypass;
mod check;

pub use check::{CspFinding, check};

/// Directives of CSP Level 3 (and the ones still widely sent), with whether they are deprecated.
pub static DIRECTIVES: &[(&str, Status)] = &[
    ("default-src", Status::Current),
    ("script-src", Status::Current),
    ("script-src-elem", Status::Current),
    ("script-src-attr", Status::Current),
    ("style-src", Status::Current),
    ("style-src-elem", Status::Current),
    ("style-src-attr", Status::Current),
    ("img-src", Status::Current),
    ("font-src", Status::Current),
    ("connect-src", Status::Current),
    ("media-src", Status::Current),
    ("object-src", Status::Current),
    ("frame-src", Status::Current),
    ("child-src", Status::Current),
    ("worker-src", Status::Current),
    ("manifest-src", Status::Current),
    ("fenced-frame-src", Status::Current),
    ("base-uri", Status::Current),
    ("form-action", Status::Current),
    ("frame-ancestors", Status::Current),
    ("sandbox", Status::Current),
    ("report-uri", Status::Current),
    ("report-to", Status::Current),
    ("upgrade-insecure-requests", Status::Current),
    ("require-trusted-types-for", Status::Current),
    ("trusted-types", Status::Current),
    ("webrtc", Status::Current),
    ("block-all-mixed-content", Status::Deprecated),
    ("plugin-types", Status::Deprecated),
    ("navigate-to", Status::Deprecated),
    ("prefetch-src", Status::Deprecated),
    ("reflected-xss", Status::Deprecated),
    ("referrer", Status::Deprecated),
    ("disown-opener", Status::Deprecated),
    ("require-sri-for", Status::Deprecated),
];

/// Whether a directive is current or deprecated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// In CSP Level 3.
    Current,
    /// Removed or never shipped; browsers ignore it.
    Deprecated,
}

/// The status of a directive name (case-insensitive), `None` if unknown.
pub fn directive_status(name: &str) -> Option<Status> {
    let n = name.to_ascii_lowercase();
    DIRECTIVES.iter().find(|(d, _)| *d == n).map(|(_, s)| *s)
}

/// A parsed directive: name, values, and the byte offset of the name in the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Name, lower-cased.
    pub name: String,
    /// Source expressions or other values.
    pub values: Vec<String>,
    /// Byte offset of the name in the policy string.
    pub offset: usize,
    /// Byte offset of each value in the policy string.
    pub value_offsets: Vec<usize>,
}

/// Splits a policy into directives (`;`-separated, names lower-cased). Empty segments are
/// skipped.
pub fn parse(policy: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut start = 0;
    for seg in policy.split(';') {
        let mut words = words(seg).map(|(i, w)| (start + i, w));
        if let Some((offset, name)) = words.next() {
            let (value_offsets, values) = words.map(|(i, w)| (i, w.to_owned())).unzip();
            out.push(Directive {
                name: name.to_ascii_lowercase(),
                values,
                offset,
                value_offsets,
            });
        }
        start += seg.len() + 1;
    }
    out
}

/// The ASCII-whitespace-separated words of `s`, with their byte offsets.
fn words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split_ascii_whitespace()
        .map(move |w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
}

/// Renders directives as a policy: `name v1 v2; name2 v`.
pub fn render(directives: &[(String, Vec<String>)]) -> String {
    directives
        .iter()
        .map(|(n, v)| {
            if v.is_empty() {
                n.clone()
            } else {
                format!("{n} {}", v.join(" "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_render() {
        let p = parse(" default-src 'self'; Object-Src 'none';; upgrade-insecure-requests ");
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].name, "object-src");
        assert_eq!(p[1].offset, 21);
        assert_eq!(p[2].values, Vec::<String>::new());
        assert_eq!(p[1].value_offsets, vec![32]);
        assert_eq!(
            &" default-src 'self'; Object-Src 'none';; upgrade-insecure-requests "[32..38],
            "'none'"
        );
        let r = render(
            &p.iter()
                .map(|d| (d.name.clone(), d.values.clone()))
                .collect::<Vec<_>>(),
        );
        assert_eq!(
            r,
            "default-src 'self'; object-src 'none'; upgrade-insecure-requests"
        );
        assert_eq!(directive_status("REFERRER"), Some(Status::Deprecated));
        assert_eq!(directive_status("scirpt-src"), None);
    }
}
