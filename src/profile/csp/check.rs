//! What a Content-Security-Policy lets through, judged as a CSP Level 3 browser applies it and
//! as Google's csp-evaluator reports it (`tests/csp_differential.rs` compares the two on
//! generated and real policies; the deliberate differences are listed there and in the README).
//!
//! The pipeline: [`parse`](super::parse) the policy (the first of two directives of one name
//! wins, as in browsers); take the *effective* script directives — a `'nonce-…'` (base64) or a
//! `'sha256-…'`/`'sha384-…'`/`'sha512-…'` hash makes CSP2+ browsers ignore `'unsafe-inline'` in
//! the same directive, and `'strict-dynamic'` makes CSP3 browsers ignore `'unsafe-inline'`,
//! `'self'`, host and scheme sources there (fallbacks for old browsers, not holes); then check:
//! syntax (unknown, deprecated, duplicate directives, a missing `;`, invalid keywords, nonces),
//! sources (plain `http://`, IP addresses) and, for an enforced policy, what it leaves open
//! (inline script, `eval`, broad sources, hosts known to serve JSONP/AngularJS/Flash, missing
//! `object-src`/`script-src`/`base-uri`, `'strict-dynamic'` with nothing to trust).
//!
//! Unlike csp-evaluator, keywords, hash algorithms, `nonce-`, schemes and directive names are
//! compared case-insensitively (CSP's grammar is), and `'unsafe-eval'` is looked for in the
//! directive that governs `eval()` only (`script-src`, else `default-src`).

use super::bypass::{self, flash_bypass, script_bypass};
use super::{Directive, Status, directive_status, parse};

/// One problem of a policy: a rule of `webxsl validate` (`csp-*`) at a byte offset of the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CspFinding {
    /// The rule id (`csp-unsafe-inline`...).
    pub rule: &'static str,
    /// Byte offset in the policy: the value, the directive, or 0 for a missing directive.
    pub offset: usize,
    /// The directive the finding is about (for a missing one, its name).
    pub directive: String,
    /// The source expression or value, if the finding is about one.
    pub value: Option<String>,
    /// What is wrong, in a sentence.
    pub message: String,
}

/// The keywords of CSP Level 3 (and those csp-evaluator knows), with their quotes.
const KEYWORDS: &[&str] = &[
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'wasm-eval'",
    "'wasm-unsafe-eval'",
    "'strict-dynamic'",
    "'unsafe-hashed-attributes'",
    "'unsafe-hashes'",
    "'report-sample'",
    "'block'",
    "'allow'",
    "'inline-speculation-rules'",
    "'trusted-types-eval'",
    "'report-sha256'",
    "'report-sha384'",
    "'report-sha512'",
];

/// The script directives whose `'unsafe-inline'` and sources matter.
const SCRIPT_DIRECTIVES: [&str; 3] = ["script-src", "script-src-attr", "script-src-elem"];

/// The fetch directives, which fall back to `default-src`.
const FETCH_DIRECTIVES: &[&str] = &[
    "child-src",
    "connect-src",
    "default-src",
    "fenced-frame-src",
    "font-src",
    "frame-src",
    "img-src",
    "manifest-src",
    "media-src",
    "object-src",
    "script-src",
    "script-src-attr",
    "script-src-elem",
    "style-src",
    "style-src-attr",
    "style-src-elem",
    "worker-src",
];

/// Whether `v` is a nonce-source with a base64 (or base64url) value: `'nonce-…'`.
pub fn is_nonce(v: &str) -> bool {
    strip_prefix_ci(v, "'nonce-")
        .and_then(|r| r.strip_suffix('\''))
        .is_some_and(is_base64)
}

/// Whether `v` is a hash-source browsers accept: `'sha256-…'`, `'sha384-…'` or `'sha512-…'`
/// with a base64 value.
pub fn is_hash(v: &str) -> bool {
    ["'sha256-", "'sha384-", "'sha512-"].iter().any(|p| {
        strip_prefix_ci(v, p)
            .and_then(|r| r.strip_suffix('\''))
            .is_some_and(is_base64)
    })
}

/// `s` without `prefix`, compared ASCII case-insensitively.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

/// Base64 or base64url, with at most two `=` at the end.
fn is_base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && s.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
}

/// A directive of the effective policy: the values a CSP3 browser applies, with their offsets.
struct Effective<'p> {
    directive: &'p Directive,
    /// Indices into `directive.values` that still count.
    kept: Vec<usize>,
}

impl<'p> Effective<'p> {
    fn values(&self) -> impl Iterator<Item = (usize, &'p str)> + '_ {
        self.kept.iter().map(|&i| {
            (
                self.directive.value_offsets[i],
                self.directive.values[i].as_str(),
            )
        })
    }

    fn has(&self, keyword: &str) -> bool {
        self.values().any(|(_, v)| v.eq_ignore_ascii_case(keyword))
    }
}

/// The policy's directives (the first of each name) and their effective values.
struct Policy<'p> {
    first: Vec<&'p Directive>,
}

impl<'p> Policy<'p> {
    fn get(&self, name: &str) -> Option<&'p Directive> {
        self.first.iter().copied().find(|d| d.name == name)
    }

    /// The directive that governs `name`: itself, else (script-src-elem/-attr, style-src-elem/
    /// -attr) script-src or style-src, else (fetch directives) default-src.
    fn governing(&self, name: &str) -> Option<&'p Directive> {
        if let Some(d) = self.get(name) {
            return Some(d);
        }
        if let Some(base) = name
            .strip_suffix("-elem")
            .or_else(|| name.strip_suffix("-attr"))
            && let Some(d) = self.get(base)
        {
            return Some(d);
        }
        if FETCH_DIRECTIVES.contains(&name) {
            return self.get("default-src");
        }
        None
    }

    /// The effective values of a directive (CSP3): `'unsafe-inline'` dropped next to a nonce or
    /// hash, and, with `'strict-dynamic'`, `'unsafe-inline'`, `'self'`, hosts and schemes too.
    fn effective(&self, d: &'p Directive) -> Effective<'p> {
        let script = d.name == "default-src" || SCRIPT_DIRECTIVES.contains(&d.name.as_str());
        let has = |k: &str| d.values.iter().any(|v| v.eq_ignore_ascii_case(k));
        let trusted = d.values.iter().any(|v| is_nonce(v) || is_hash(v));
        let dynamic = script && has("'strict-dynamic'");
        let kept = (0..d.values.len())
            .filter(|&i| {
                let v = &d.values[i];
                let inline = v.eq_ignore_ascii_case("'unsafe-inline'");
                if script && trusted && inline {
                    return false;
                }
                if dynamic && (inline || v.eq_ignore_ascii_case("'self'") || !v.starts_with('\'')) {
                    return false;
                }
                true
            })
            .collect();
        Effective { directive: d, kept }
    }

    /// The governing directives of `names`, each once.
    fn governing_all(&self, names: &[&str]) -> Vec<&'p Directive> {
        let mut out: Vec<&'p Directive> = Vec::new();
        for n in names {
            if let Some(d) = self.governing(n)
                && !out.iter().any(|o| std::ptr::eq(*o, d))
            {
                out.push(d);
            }
        }
        out
    }
}

/// Checks a policy. `enforced`: a `Content-Security-Policy` (what it leaves open is checked);
/// otherwise a `-Report-Only` one (syntax and sources only).
pub fn check(policy: &str, enforced: bool) -> Vec<CspFinding> {
    let directives = parse(policy);
    let mut out = Vec::new();
    let mut add = |rule, offset, directive: &str, value: Option<&str>, message: String| {
        out.push(CspFinding {
            rule,
            offset,
            directive: directive.to_owned(),
            value: value.map(str::to_owned),
            message,
        })
    };
    let mut first: Vec<&Directive> = Vec::new();
    for d in &directives {
        if first.iter().any(|f| f.name == d.name) {
            add(
                "csp-duplicate-directive",
                d.offset,
                &d.name,
                None,
                format!(
                    "CSP directive {} is given twice: browsers ignore the second",
                    d.name
                ),
            );
        } else {
            first.push(d);
        }
    }
    // Browsers ignore a repeated directive: only the first of each name is checked further.
    for d in &first {
        syntax(d, &mut add);
    }
    let p = Policy { first };
    for d in &p.first {
        sources(&p.effective(d), &mut add);
    }
    reporting(&p, &mut add);
    if enforced {
        open(&p, &mut add);
    }
    out.sort_by_key(|f| f.offset);
    out
}

type Add<'a> = dyn FnMut(&'static str, usize, &str, Option<&str>, String) + 'a;

/// Directive names and the syntax of each value.
fn syntax(d: &Directive, add: &mut Add<'_>) {
    match directive_status(&d.name) {
        None => {
            let guess = if d.name.ends_with(':') {
                " (directive names do not end with ':')".to_owned()
            } else {
                super::DIRECTIVES
                    .iter()
                    .map(|(n, _)| *n)
                    .min_by_key(|n| strsim::levenshtein(n, &d.name))
                    .filter(|n| strsim::levenshtein(n, &d.name) <= 3)
                    .map_or(String::new(), |g| format!(" (did you mean {g}?)"))
            };
            add(
                "csp-unknown-directive",
                d.offset,
                &d.name,
                None,
                format!("unknown CSP directive \"{}\"{guess}", d.name),
            );
        }
        Some(Status::Deprecated) => add(
            "csp-deprecated-directive",
            d.offset,
            &d.name,
            None,
            format!("CSP directive {} is deprecated and ignored", d.name),
        ),
        Some(Status::Current) => {}
    }
    for (&off, v) in d.value_offsets.iter().zip(&d.values) {
        let v = v.as_str();
        if directive_status(v).is_some() && !v.starts_with('\'') {
            add(
                "csp-missing-semicolon",
                off,
                &d.name,
                Some(v),
                format!(
                    "\"{v}\" appears as a source of {}: is a ';' missing before it?",
                    d.name
                ),
            );
            continue;
        }
        if let Some(nonce) = strip_prefix_ci(v, "'nonce-").and_then(|r| r.strip_suffix('\''))
            && !nonce.is_empty()
        {
            if nonce.chars().count() < 8 {
                add(
                    "csp-nonce-length",
                    off,
                    &d.name,
                    Some(v),
                    format!(
                        "the nonce {v} is {} characters long: a nonce needs at least 8 (128 bits of randomness is the norm)",
                        nonce.chars().count()
                    ),
                );
            }
            if !is_base64(nonce) {
                add(
                    "csp-nonce-charset",
                    off,
                    &d.name,
                    Some(v),
                    format!("the nonce {v} is not base64: browsers ignore it"),
                );
                continue;
            }
        }
        let bare = KEYWORDS
            .iter()
            .any(|k| k[1..k.len() - 1].eq_ignore_ascii_case(v))
            || strip_prefix_ci(v, "nonce-").is_some()
            || ["sha256-", "sha384-", "sha512-"]
                .iter()
                .any(|p| strip_prefix_ci(v, p).is_some());
        if bare {
            add(
                "csp-invalid-keyword",
                off,
                &d.name,
                Some(v),
                format!(
                    "\"{v}\" in {} has no single quotes: browsers read it as a host name; write '{v}'",
                    d.name
                ),
            );
        } else if v.starts_with('\'') {
            let valid = match d.name.as_str() {
                "require-trusted-types-for" => v.eq_ignore_ascii_case("'script'"),
                "trusted-types" => ["'allow-duplicates'", "'none'"]
                    .iter()
                    .any(|k| v.eq_ignore_ascii_case(k)),
                _ => {
                    KEYWORDS.iter().any(|k| v.eq_ignore_ascii_case(k)) || is_hash(v) || is_nonce(v)
                }
            };
            if !valid {
                add(
                    "csp-invalid-keyword",
                    off,
                    &d.name,
                    Some(v),
                    format!("{v} is not a CSP keyword{}", keyword_hint(v)),
                );
            }
        }
    }
}

/// A hint for a quoted value that is no keyword.
fn keyword_hint(v: &str) -> &'static str {
    if !v.ends_with('\'') || v.len() < 2 {
        " (its closing quote is missing)"
    } else if strip_prefix_ci(v, "'sha1-").is_some() || strip_prefix_ci(v, "'md5-").is_some() {
        " (hashes are sha256, sha384 or sha512)"
    } else if strip_prefix_ci(v, "'sha").is_some() {
        " (a hash value is base64)"
    } else {
        ""
    }
}

/// Sources in any directive, as browsers apply it (not the fallbacks `'strict-dynamic'`
/// makes them ignore): plain HTTP, IP addresses.
fn sources(e: &Effective<'_>, add: &mut Add<'_>) {
    let d = e.directive;
    for (off, v) in e.values() {
        if strip_prefix_ci(v, "http://").is_some() {
            let what = if d.name == "report-uri" {
                format!("violation reports are sent to {v} over plain HTTP")
            } else {
                format!("{} loads from {v} over plain HTTP", d.name)
            };
            add("csp-insecure-source", off, &d.name, Some(v), what);
        }
        if let Some(hp) = bypass::host_path(v)
            && let Some(ip) = ip_address(&hp.host)
        {
            let message = if ip == "127.0.0.1" {
                format!("{} allows localhost ({v}): remove it in production", d.name)
            } else {
                format!(
                    "{} allows the IP address {ip}: browsers never match an IP address in a host source",
                    d.name
                )
            };
            add("csp-ip-source", off, &d.name, Some(v), message);
        }
    }
}

/// The host as an IP address: a bracketed IPv6 address, or an IPv4 address in any form the URL
/// standard reads (`127.1`, `0x7f.0.0.1`, `2130706433`), written as a dotted quad.
fn ip_address(host: &str) -> Option<String> {
    if host.starts_with('[') && host.ends_with(']') {
        return Some(host.to_owned());
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let number = |p: &str| -> Option<u64> {
        if let Some(hex) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            return if hex.is_empty() {
                Some(0)
            } else {
                u64::from_str_radix(hex, 16).ok()
            };
        }
        if p.len() > 1 && p.starts_with('0') {
            return u64::from_str_radix(&p[1..], 8).ok();
        }
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok())?
    };
    let numbers: Vec<u64> = parts.iter().map(|p| number(p)).collect::<Option<_>>()?;
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|&n| n > 255) || *last >= 1u64 << (8 * (5 - numbers.len())) {
        return None;
    }
    let mut ip = init
        .iter()
        .enumerate()
        .fold(0u64, |a, (i, &n)| a | n << (8 * (3 - i)));
    ip |= last;
    Some(format!(
        "{}.{}.{}.{}",
        ip >> 24,
        (ip >> 16) & 255,
        (ip >> 8) & 255,
        ip & 255
    ))
}

/// `report-to` alone: browsers without the Reporting API report nothing.
fn reporting(p: &Policy<'_>, add: &mut Add<'_>) {
    if let (Some(to), None) = (p.get("report-to"), p.get("report-uri")) {
        add(
            "csp-report-to-only",
            to.offset,
            "report-to",
            None,
            "the CSP reports only through report-to: browsers without the Reporting API (Firefox, Safari) send no violation reports".into(),
        );
    }
}

/// What an enforced policy leaves open.
fn open(p: &Policy<'_>, add: &mut Add<'_>) {
    let scripts = p.governing_all(&SCRIPT_DIRECTIVES);
    for d in &scripts {
        let e = p.effective(d);
        for (off, v) in e.values() {
            if v.eq_ignore_ascii_case("'unsafe-inline'") {
                add(
                    "csp-unsafe-inline",
                    off,
                    &d.name,
                    Some(v),
                    format!("{} allows 'unsafe-inline' scripts", d.name),
                );
            }
        }
        if e.has("'unsafe-hashes'") && !d.values.iter().any(|v| is_hash(v)) {
            let off = e
                .values()
                .find(|(_, v)| v.eq_ignore_ascii_case("'unsafe-hashes'"))
                .map_or(d.offset, |(o, _)| o);
            add(
                "csp-unsafe-hashes-without-hash",
                off,
                &d.name,
                Some("'unsafe-hashes'"),
                format!(
                    "{} has 'unsafe-hashes' but no hash: it allows nothing",
                    d.name
                ),
            );
        }
    }
    // eval() and new Function() are governed by script-src (else default-src) alone.
    if let Some(d) = p.governing("script-src") {
        for (off, v) in p.effective(d).values() {
            if v.eq_ignore_ascii_case("'unsafe-eval'") {
                add(
                    "csp-unsafe-eval",
                    off,
                    &d.name,
                    Some(v),
                    format!("{} allows 'unsafe-eval'", d.name),
                );
            }
        }
    }
    // Broad sources where scripts, plugins and <base> come from.
    let mut broad_in = scripts.clone();
    for d in p
        .governing_all(&["object-src"])
        .into_iter()
        .chain(p.get("base-uri"))
    {
        if !broad_in.iter().any(|o| std::ptr::eq(*o, d)) {
            broad_in.push(d);
        }
    }
    for d in &broad_in {
        let what = match d.name.as_str() {
            "object-src" => "objects",
            "base-uri" => "<base> URLs",
            _ => "scripts",
        };
        for (off, v) in p.effective(d).values() {
            let plain_scheme = ["data:", "http:", "https:"]
                .iter()
                .any(|s| v.eq_ignore_ascii_case(s));
            if plain_scheme || bypass::scheme_free(v) == "*" {
                add(
                    "csp-broad-source",
                    off,
                    &d.name,
                    Some(v),
                    format!("{} allows {what} from {v}", d.name),
                );
            }
        }
    }
    allowlist_bypasses(p, add);
    missing(p, add);
}

/// Hosts known to serve JSONP or AngularJS (scripts) or Flash (objects).
fn allowlist_bypasses(p: &Policy<'_>, add: &mut Add<'_>) {
    for d in p.governing_all(&["script-src", "script-src-elem"]) {
        let e = p.effective(d);
        if e.has("'none'") {
            continue;
        }
        let eval = e.has("'unsafe-eval'");
        for (off, v) in e.values() {
            if let Some(b) = script_bypass(v, eval) {
                let (host, serves) = match (&b.jsonp, &b.angular) {
                    (Some(_), Some(a)) => (a, "JSONP endpoints and AngularJS libraries"),
                    (Some(j), None) => (j, "JSONP endpoints"),
                    (None, Some(a)) => (a, "AngularJS libraries"),
                    (None, None) => continue,
                };
                add(
                    "csp-allowlist-bypass",
                    off,
                    &d.name,
                    Some(v),
                    format!(
                        "{} allows {v}, and {host} is known to host {serves}: any page that can inject HTML runs script through them",
                        d.name
                    ),
                );
            }
        }
    }
    if let Some(d) = p.governing("object-src") {
        let flash_allowed = p.get("plugin-types").is_none_or(|pt| {
            pt.values
                .iter()
                .any(|v| v.eq_ignore_ascii_case("application/x-shockwave-flash"))
        });
        let e = p.effective(d);
        if flash_allowed && !e.has("'none'") {
            for (off, v) in e.values() {
                if let Some(host) = flash_bypass(v) {
                    add(
                        "csp-allowlist-bypass",
                        off,
                        &d.name,
                        Some(v),
                        format!(
                            "{} allows {v}, and {host} is known to host Flash files that run script",
                            d.name
                        ),
                    );
                }
            }
        }
    }
}

/// Directives whose absence leaves a hole.
fn missing(p: &Policy<'_>, add: &mut Add<'_>) {
    let object = p.get("object-src").or_else(|| p.get("default-src"));
    if object.is_none_or(|d| d.values.is_empty()) {
        add(
            "csp-missing-object-src",
            0,
            "object-src",
            None,
            match object {
                Some(d) => format!("{} is empty: plugins may load from anywhere", d.name),
                None => {
                    "the CSP restricts neither object-src nor default-src: plugins may load".into()
                }
            },
        );
    }
    let script = p.governing("script-src");
    match script {
        None => add(
            "csp-missing-script-src",
            0,
            "script-src",
            None,
            "the CSP restricts neither script-src nor default-src: any script may load".into(),
        ),
        Some(d) => {
            let nonce = d.values.iter().any(|v| is_nonce(v));
            let hash = d.values.iter().any(|v| is_hash(v));
            let dynamic = d
                .values
                .iter()
                .any(|v| v.eq_ignore_ascii_case("'strict-dynamic'"));
            if (nonce || (hash && dynamic)) && p.get("base-uri").is_none() {
                add(
                    "csp-missing-base-uri",
                    0,
                    "base-uri",
                    None,
                    format!(
                        "{} trusts nonces or hashes but the CSP does not restrict base-uri: an injected <base> redirects the nonced scripts' relative URLs",
                        d.name
                    ),
                );
            }
            if dynamic && !nonce && !hash {
                let off = d
                    .value_offsets
                    .iter()
                    .zip(&d.values)
                    .find(|(_, v)| v.eq_ignore_ascii_case("'strict-dynamic'"))
                    .map_or(d.offset, |(o, _)| *o);
                add(
                    "csp-strict-dynamic-without-nonce",
                    off,
                    &d.name,
                    Some("'strict-dynamic'"),
                    format!(
                        "{} has 'strict-dynamic' but no nonce or hash to trust: CSP3 browsers block every script",
                        d.name
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(policy: &str) -> Vec<(&'static str, Option<String>)> {
        check(policy, true)
            .into_iter()
            .map(|f| (f.rule, f.value))
            .collect()
    }

    fn has(policy: &str, rule: &str) -> bool {
        rules(policy).iter().any(|(r, _)| *r == rule)
    }

    #[test]
    fn googles_strict_policy_has_no_holes() {
        let p = "object-src 'none'; script-src 'nonce-r4nd0mR4nd0m' 'strict-dynamic' https: 'unsafe-inline'; base-uri 'none'";
        assert_eq!(rules(p), vec![]);
    }

    #[test]
    fn script_src_elem_and_attr_are_checked_on_their_own() {
        let p = "default-src 'self'; object-src 'none'; script-src-elem 'unsafe-inline' data:";
        let r = rules(p);
        assert!(
            r.contains(&("csp-unsafe-inline", Some("'unsafe-inline'".into()))),
            "{r:?}"
        );
        assert!(
            r.contains(&("csp-broad-source", Some("data:".into()))),
            "{r:?}"
        );
        // A nonce in script-src does not excuse script-src-attr.
        assert!(has(
            "script-src 'nonce-abcdefgh'; script-src-attr 'unsafe-inline'; object-src 'none'; base-uri 'none'",
            "csp-unsafe-inline"
        ));
        // 'unsafe-eval' in script-src-elem governs nothing.
        assert!(!has(
            "default-src 'self'; object-src 'none'; script-src-elem 'unsafe-eval'",
            "csp-unsafe-eval"
        ));
    }

    #[test]
    fn only_real_nonces_and_hashes_neutralise_unsafe_inline() {
        let inline = |extra: &str| {
            has(
                &format!("script-src 'unsafe-inline' {extra}; object-src 'none'; base-uri 'self'"),
                "csp-unsafe-inline",
            )
        };
        assert!(!inline("'nonce-abcdefgh'"));
        assert!(!inline("'sha256-abc+/='"));
        assert!(!inline("'SHA384-abc'"), "algorithms are case-insensitive");
        assert!(inline("'sha1-abcdefgh'"));
        assert!(inline("'nonce-abc$defgh'"));
        assert!(inline("'nonce-'"));
    }

    #[test]
    fn keywords_and_nonces_are_checked() {
        let r = rules(
            "script-src self 'self 'bogus' nonce-abc 'nonce-abc' 'sha1-x'; object-src 'none'",
        );
        let invalid: Vec<_> = r
            .iter()
            .filter(|(r, _)| *r == "csp-invalid-keyword")
            .map(|(_, v)| v.clone().unwrap())
            .collect();
        assert_eq!(
            invalid,
            ["self", "'self", "'bogus'", "nonce-abc", "'sha1-x'"]
        );
        assert!(r.contains(&("csp-nonce-length", Some("'nonce-abc'".into()))));
        assert!(has(
            "script-src 'nonce-abcdefgh!'; object-src 'none'",
            "csp-nonce-charset"
        ));
        assert!(has(
            "require-trusted-types-for 'self'",
            "csp-invalid-keyword"
        ));
        assert!(!has(
            "require-trusted-types-for 'script'; default-src 'self'; object-src 'none'",
            "csp-invalid-keyword"
        ));
    }

    #[test]
    fn ip_addresses_are_read_as_urls_read_them() {
        assert_eq!(ip_address("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip_address("1.2.3").as_deref(), Some("1.2.0.3"));
        assert_eq!(ip_address("0x7f.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip_address("2130706433").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip_address("[::1]").as_deref(), Some("[::1]"));
        assert_eq!(ip_address("cdn.example.com"), None);
        assert_eq!(ip_address("1.2.3.4.5"), None);
        assert_eq!(ip_address("256.1.1.1"), None);
    }

    #[test]
    fn sources_hosts_and_reporting() {
        assert!(has(
            "default-src 'self' 10.0.0.1; object-src 'none'",
            "csp-ip-source"
        ));
        assert!(has(
            "default-src 'self' HTTP://a.example; object-src 'none'",
            "csp-insecure-source"
        ));
        assert!(has(
            "script-src www.google.com; object-src 'none'",
            "csp-allowlist-bypass"
        ));
        assert!(!has(
            "script-src 'none' www.google.com; object-src 'none'",
            "csp-allowlist-bypass"
        ));
        assert!(has(
            "default-src 'self'; object-src vk.com",
            "csp-allowlist-bypass"
        ));
        assert!(has(
            "default-src 'self'; report-to csp",
            "csp-report-to-only"
        ));
        assert!(!has(
            "default-src 'self'; report-to csp; report-uri /r",
            "csp-report-to-only"
        ));
        assert!(has(
            "script-src 'strict-dynamic'; object-src 'none'",
            "csp-strict-dynamic-without-nonce"
        ));
        assert!(has(
            "script-src 'self' 'unsafe-hashes'; object-src 'none'",
            "csp-unsafe-hashes-without-hash"
        ));
    }

    #[test]
    fn missing_directives() {
        assert!(has("img-src 'self'", "csp-missing-script-src"));
        assert!(has(
            "default-src 'self'; object-src",
            "csp-missing-object-src"
        ));
        assert!(!has("default-src 'self'", "csp-missing-object-src"));
        assert!(
            !has("default-src 'self'", "csp-missing-base-uri"),
            "only nonce-based policies need it"
        );
        assert!(has(
            "script-src 'nonce-abcdefgh'; object-src 'none'",
            "csp-missing-base-uri"
        ));
        // Report-only policies: syntax only.
        assert!(check("img-src 'self'", false).is_empty());
    }

    #[test]
    fn positions_point_at_the_value() {
        let p = "default-src 'self'; script-src 'self' 'unsafe-inline'";
        let f = check(p, true)
            .into_iter()
            .find(|f| f.rule == "csp-unsafe-inline")
            .unwrap();
        assert_eq!(&p[f.offset..f.offset + 15], "'unsafe-inline'");
    }
}
