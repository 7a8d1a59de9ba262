//! The URLs the probe fetches: `http` and `https` only, a host, a port and a path with its
//! query; resolving a `Location` against the URL that sent it (RFC 3986, section 5.2).
//!
//! Deliberately small: no user info (refused), no internationalised host names (refused:
//! give the punycode form), the fragment dropped, spaces and non-ASCII bytes of a path
//! percent-encoded as browsers do.

use std::fmt;

/// `http` or `https`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// The default port.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// An absolute `http` or `https` URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Url {
    /// The scheme.
    pub scheme: Scheme,
    /// The host, in lower case; an IPv6 address without its brackets.
    pub host: String,
    /// The port (the scheme's default when none is written).
    pub port: u16,
    /// The path and query, starting with `/`.
    pub path: String,
}

impl Url {
    /// Parses an absolute URL.
    pub fn parse(s: &str) -> Result<Url, String> {
        let s = s.trim();
        let (scheme, rest) = match s.split_once("://") {
            Some((sch, rest)) if sch.eq_ignore_ascii_case("http") => (Scheme::Http, rest),
            Some((sch, rest)) if sch.eq_ignore_ascii_case("https") => (Scheme::Https, rest),
            Some((sch, _)) => return Err(format!("scheme {sch}: only http and https")),
            None => return Err("not an absolute http:// or https:// URL".into()),
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let (host, port) = authority_parts(authority, scheme)?;
        Ok(Url {
            scheme,
            host,
            port,
            path: normalize_path(tail),
        })
    }

    /// Resolves a reference (a `Location` header) against this URL.
    pub fn join(&self, reference: &str) -> Result<Url, String> {
        let r = reference.trim();
        // WHATWG: a backslash in a special URL is a slash.
        let r = r.replace('\\', "/");
        if let Some(i) = r.find(':') {
            let scheme = &r[..i];
            if !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            {
                let rest = &r[i + 1..];
                let lower = scheme.to_ascii_lowercase();
                if lower != "http" && lower != "https" {
                    return Err(format!(
                        "a redirect to scheme {scheme}: only http and https"
                    ));
                }
                if !rest.starts_with("//") {
                    // "http:path" is relative to a base of the same scheme.
                    if lower == self.scheme.as_str() {
                        return self.join(rest);
                    }
                    return Url::parse(&format!("{lower}://{}", rest.trim_start_matches('/')));
                }
                return Url::parse(&format!("{lower}:{rest}"));
            }
        }
        if let Some(rest) = r.strip_prefix("//") {
            return Url::parse(&format!("{}://{rest}", self.scheme.as_str()));
        }
        let r = r.split('#').next().unwrap_or("");
        let (base_path, base_query) = match self.path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (self.path.as_str(), None),
        };
        let path = if r.is_empty() {
            match base_query {
                Some(q) => format!("{base_path}?{q}"),
                None => base_path.to_owned(),
            }
        } else if r.starts_with('?') {
            format!("{base_path}{r}")
        } else if r.starts_with('/') {
            r.to_owned()
        } else {
            let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
            format!("{dir}{r}")
        };
        Ok(Url {
            scheme: self.scheme,
            host: self.host.clone(),
            port: self.port,
            path: normalize_path(&path),
        })
    }

    /// The same host with another scheme and that scheme's default port, path `/`.
    pub fn with_scheme(&self, scheme: Scheme) -> Url {
        Url {
            scheme,
            host: self.host.clone(),
            port: scheme.default_port(),
            path: "/".into(),
        }
    }

    /// Whether the scheme is https.
    pub fn is_https(&self) -> bool {
        self.scheme == Scheme::Https
    }

    /// The `Host` header: the host, and the port when it is not the scheme's default.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == self.scheme.default_port() {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}{}",
            self.scheme.as_str(),
            self.host_header(),
            self.path
        )
    }
}

/// Host and port of an authority (`host`, `host:port`, `[v6]:port`).
fn authority_parts(authority: &str, scheme: Scheme) -> Result<(String, u16), String> {
    if authority.contains('@') {
        return Err("user names and passwords in URLs are not supported".into());
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| "an IPv6 address without its closing ]".to_owned())?;
        if h.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("[{h}] is not an IPv6 address"));
        }
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| format!("unexpected {p:?} after the host"))?,
            ),
        };
        (h.to_ascii_lowercase(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
            None => (authority.to_ascii_lowercase(), None),
        }
    };
    if host.is_empty() {
        return Err("no host".into());
    }
    if !host.contains(':')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
    {
        return Err(format!(
            "host {host:?}: only ASCII host names (write an internationalised name in its xn-- form)"
        ));
    }
    let port = match port {
        None | Some("") => scheme.default_port(),
        Some(p) => p.parse::<u16>().map_err(|_| format!("port {p:?}"))?,
    };
    Ok((host, port))
}

/// A path and query as sent: the fragment dropped, `.` and `..` segments removed, spaces,
/// control characters and non-ASCII bytes percent-encoded, `/` when empty.
fn normalize_path(tail: &str) -> String {
    let tail = tail.split('#').next().unwrap_or("");
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    for (i, seg) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match *seg {
            "." | "%2e" | "%2E" => {
                if last {
                    segments.push("");
                }
            }
            ".." | "%2e%2e" | "%2E%2E" | ".%2e" | "%2e." => {
                segments.pop();
                if last {
                    segments.push("");
                }
            }
            s => segments.push(s),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    let mut encoded = String::with_capacity(out.len());
    for c in out.chars() {
        if c.is_ascii_graphic() {
            encoded.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                encoded.push_str(&format!("%{b:02X}"));
            }
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn parses_what_deployment_scripts_write() {
        assert_eq!(u("https://Example.COM").to_string(), "https://example.com/");
        assert_eq!(
            u("http://a.example:8080/x?y#z").to_string(),
            "http://a.example:8080/x?y"
        );
        assert_eq!(
            u("https://a.example:443/").to_string(),
            "https://a.example/"
        );
        assert_eq!(u("http://[::1]:81/").host, "::1");
        assert_eq!(u("http://[::1]:81/").to_string(), "http://[::1]:81/");
        assert_eq!(u("http://127.0.0.1:9/a b").path, "/a%20b");
        assert!(Url::parse("ftp://a.example/").is_err());
        assert!(Url::parse("a.example").is_err());
        assert!(Url::parse("http://user:pw@a.example/").is_err());
        assert!(Url::parse("http://a.example:99999/").is_err());
        assert!(Url::parse("http://exämple.com/").is_err());
    }

    #[test]
    fn resolves_locations_as_browsers_do() {
        let base = u("http://a.example/dir/page?q=1");
        let j = |r: &str| base.join(r).unwrap().to_string();
        assert_eq!(j("https://b.example/x"), "https://b.example/x");
        assert_eq!(j("//c.example/y"), "http://c.example/y");
        assert_eq!(j("/root"), "http://a.example/root");
        assert_eq!(j("other"), "http://a.example/dir/other");
        assert_eq!(j("../up"), "http://a.example/up");
        assert_eq!(j("./"), "http://a.example/dir/");
        assert_eq!(j("?r=2"), "http://a.example/dir/page?r=2");
        assert_eq!(j(""), "http://a.example/dir/page?q=1");
        assert_eq!(j("HTTPS://A.example"), "https://a.example/");
        assert_eq!(j("\\\\d.example\\p"), "http://d.example/p");
        assert!(base.join("javascript:alert(1)").is_err());
    }
}
