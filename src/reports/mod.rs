//! Content-Security-Policy violation reports: read what browsers send, learn a policy change
//! from them, and collect them over HTTP for sites that have no collector.
//!
//! ```text
//!  browser ──POST──▶ collect (HTTP, limits) ──▶ one normalised JSON line per report   collect.rs
//!                                                   │
//!  files, globs, stdin ──▶ parse: csp-report bodies, Reporting API batches,             parse.rs
//!                          JSON lines/arrays, log lines with a prefix ──▶ [Report]
//!                                                   │      (bad lines counted, file:line)
//!                          learn: group by (disposition, directive, blocked origin),     learn.rs
//!                          noise and inline/eval apart ──▶ the smallest change to the
//!                          profile's CSP (a Proposal)
//!                                                   │
//!                          edit: the profile file through toml_edit, comments and        edit.rs
//!                          order kept ──▶ new text (written, or shown as a diff)
//! ```
//!
//! ```
//! use webxsl::reports::{learn, parse};
//!
//! let line = r#"{"csp-report": {"document-uri": "https://shop.example/", "effective-directive": "img-src",
//!   "blocked-uri": "https://img.cdn.example:8443/a.png", "disposition": "enforce"}}"#;
//! let parsed = parse::parse_text("reports.jsonl", line);
//! assert_eq!(parsed.reports.len(), 1);
//! let policy = vec![("default-src".to_owned(), vec!["'self'".to_owned()])];
//! let learned = learn::learn(&parsed.reports, &learn::LearnOptions::default());
//! let proposal = learn::propose(&policy, &learned, learn::Disposition::Enforce);
//! // img-src did not exist: it starts from what it inherited from default-src.
//! assert_eq!(
//!     webxsl::profile::csp::render(&proposal.after),
//!     "default-src 'self'; img-src 'self' https://img.cdn.example:8443"
//! );
//! ```
//!
//! The normalised report ([`Report`]) is what `collect` writes, one JSON object per line, and
//! what `learn` reads back; its field names are those of the `application/csp-report` body, so
//! a bare csp-report body is also a valid line.

pub mod collect;
pub mod edit;
pub mod learn;
pub mod parse;
pub mod time;

use serde::{Deserialize, Serialize};

/// One CSP violation, whatever shape it arrived in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Report {
    /// When the collector received it (RFC 3339, UTC), or the time a log line's prefix gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    /// Reporting API only: how long (milliseconds) the browser held the report before sending
    /// it; the violation happened `age` before `received`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u64>,
    /// The shape it arrived in: `csp-report` (report-uri) or `reports+json` (report-to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The page whose policy was violated.
    #[serde(default)]
    pub document_uri: String,
    /// The page's referrer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// What was blocked: a URL, or `inline`, `eval`, `wasm-eval`, `data`, `blob`...
    #[serde(default)]
    pub blocked_uri: String,
    /// The directive that blocked it (`script-src-elem`, `img-src`...), lower-case.
    #[serde(default)]
    pub effective_directive: String,
    /// The directive as the browser names it (older browsers: the whole directive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violated_directive: Option<String>,
    /// The whole policy that was violated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_policy: Option<String>,
    /// `enforce` (Content-Security-Policy) or `report` (…-Report-Only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    /// The HTTP status of the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// The script or stylesheet where the violation happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_file: Option<String>,
    /// Its line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_number: Option<u32>,
    /// Its column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_number: Option<u32>,
    /// The first 40 characters of the inline script, style or eval'd code (only with
    /// `'report-sample'` in the policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_sample: Option<String>,
    /// The browser that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

impl Report {
    /// Whether the report comes from a report-only policy.
    pub fn is_report_only(&self) -> bool {
        self.disposition
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case("report"))
    }

    /// When the violation happened, in milliseconds since 1970 (UTC), if known.
    pub fn time_ms(&self) -> Option<i64> {
        let at = time::parse_rfc3339(self.received.as_deref()?)?;
        Some(at - self.age.map_or(0, |a| a.min(i64::MAX as u64) as i64))
    }
}

/// The origin of a URL: `scheme://host[:port]`, lower-case, the default port dropped; `None`
/// for a URL with no `//` authority (`data:`, `blob:`, `inline`...) or a host that is not a
/// plain name or address (a `*`, a space...).
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = after.strip_prefix(':');
        if !after.is_empty() && port.is_none() {
            return None;
        }
        (format!("[{}]", h.to_ascii_lowercase()), port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
            None => (hostport.to_ascii_lowercase(), None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '[' | ']' | ':'));
    if !host_ok {
        return None;
    }
    let port = match port {
        None | Some("") => None,
        Some(p) => {
            let n: u16 = p.parse().ok()?;
            (Some(n) != default_port(&scheme)).then_some(n)
        }
    };
    Some(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The port a scheme uses when a URL gives none.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// A URL without its query and fragment (pages are shown so; queries may hold tokens).
pub fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_keep_scheme_host_and_port_only() {
        let o = |u: &str| origin_of(u);
        assert_eq!(
            o("https://cdn.example.com:8443/x.js").as_deref(),
            Some("https://cdn.example.com:8443")
        );
        assert_eq!(
            o("https://CDN.Example.com:443/a/b?c#d").as_deref(),
            Some("https://cdn.example.com")
        );
        assert_eq!(
            o("HTTP://a.example:80").as_deref(),
            Some("http://a.example")
        );
        assert_eq!(
            o("wss://user:pw@live.example:8080/socket").as_deref(),
            Some("wss://live.example:8080")
        );
        assert_eq!(
            o("https://[::1]:9000/").as_deref(),
            Some("https://[::1]:9000")
        );
        assert_eq!(
            o("https://a.example?x=1").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(o("inline"), None);
        assert_eq!(o("data:image/png;base64,AAAA"), None);
        assert_eq!(o("https://*.example.com/"), None);
        assert_eq!(o("https:///x"), None);
        assert_eq!(o("https://a.example:99999/"), None);
        assert_eq!(o("1ab://x.example"), None);
    }

    #[test]
    fn report_time_is_received_minus_age() {
        let r = Report {
            received: Some("2026-11-30T10:00:10Z".into()),
            age: Some(10_000),
            ..Report::default()
        };
        assert_eq!(
            r.time_ms(),
            time::parse_rfc3339("2026-11-30T10:00:00Z"),
            "{r:?}"
        );
        assert!(!r.is_report_only());
    }
}
