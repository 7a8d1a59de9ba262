//! Does a source list allow what was blocked: CSP3's matching of source expressions
//! (`*`, schemes, hosts with wildcards, ports, `'self'`), for an origin or a scheme.

use super::Blocked;
use crate::reports::default_port;

/// Whether `sources` allow what a group blocked (origins and schemes; paths in host sources
/// restrict, so a source with a path does not allow a whole origin).
pub fn allows(sources: &[String], blocked: &Blocked, same_origin: bool, http_pages: bool) -> bool {
    let lower: Vec<String> = sources.iter().map(|s| s.to_ascii_lowercase()).collect();
    match blocked {
        Blocked::Scheme(s) => lower.iter().any(|v| v == s),
        Blocked::Origin(o) => {
            let Some((scheme, host, port)) = split_origin(o) else {
                return false;
            };
            lower
                .iter()
                .any(|v| source_matches(v, scheme, host, port, same_origin, http_pages))
        }
        _ => false,
    }
}

/// `(scheme, host, port)` of an origin made by [`crate::reports::origin_of`], the port defaulted.
fn split_origin(o: &str) -> Option<(&str, &str, Option<u16>)> {
    let (scheme, rest) = o.split_once("://")?;
    let (host, port) = if rest.starts_with('[') {
        let end = rest.find(']')? + 1;
        let port = rest[end..].strip_prefix(':').and_then(|p| p.parse().ok());
        (&rest[..end], port)
    } else {
        match rest.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()),
            None => (rest, None),
        }
    };
    Some((scheme, host, port.or(default_port(scheme))))
}

/// CSP3's "does a source expression match a URL", for an origin.
fn source_matches(
    v: &str,
    scheme: &str,
    host: &str,
    port: Option<u16>,
    same_origin: bool,
    http_pages: bool,
) -> bool {
    let network = matches!(scheme, "http" | "https" | "ws" | "wss");
    match v {
        "*" => return network,
        "'self'" => return same_origin,
        _ => {}
    }
    if v.starts_with('\'') {
        return false;
    }
    // A scheme source: `https:` also allows `wss:`, `http:` allows everything secure too.
    if let Some(s) = v.strip_suffix(':').filter(|s| !s.contains('/')) {
        return match s {
            "http" => network,
            "https" => scheme == "https" || scheme == "wss",
            "ws" => scheme == "ws" || scheme == "wss",
            other => other == scheme,
        };
    }
    let (src_scheme, rest) = match v.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, v),
    };
    let scheme_ok = match src_scheme {
        Some(s) => {
            s == scheme || (s == "http" && scheme == "https") || (s == "ws" && scheme == "wss")
        }
        None => match scheme {
            "https" | "wss" => true,
            "http" | "ws" => http_pages,
            _ => false,
        },
    };
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if !(path.is_empty() || path == "/") || !scheme_ok {
        return false;
    }
    let (src_host, src_port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !hostport.ends_with(']') => (h, Some(p)),
        _ => (hostport, None),
    };
    let host_ok = match src_host.strip_prefix("*.") {
        Some(suffix) => host.ends_with(&format!(".{suffix}")),
        None => src_host == "*" || src_host == host,
    };
    let port_ok = match src_port {
        Some("*") => true,
        Some(p) => p.parse::<u16>().ok() == port || (p == "80" && port == Some(443)),
        None => port == default_port(scheme),
    };
    host_ok && port_ok
}
