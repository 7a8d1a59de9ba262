//! Cookies: `Set-Cookie` parsed as the Observatory's cookie jar (tough-cookie 5, which follows
//! RFC 6265) parses it, and the jar of a redirect chain: which cookies a client keeps, with
//! which flags. The grade's cookies test reads the jar; the cookie rules read each header.

use super::url::Url;

/// One `Set-Cookie`, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cookie {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
    /// `Domain`, lower case, without a leading dot (`None`: a host-only cookie).
    pub domain: Option<String>,
    /// `Path` when it starts with `/`.
    pub path: Option<String>,
    /// `Secure`.
    pub secure: bool,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `SameSite` when it is `strict`, `lax` or `none` (the last one given; an unknown value
    /// resets it).
    pub same_site: Option<&'static str>,
    /// Whether a `SameSite` attribute was given at all.
    pub same_site_given: bool,
}

/// JavaScript's `trim()` white space.
fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
}

/// Parses a `Set-Cookie` value; `None` when a client drops it (no `name=`, control
/// characters in the name or value).
pub fn parse(header: &str) -> Option<Cookie> {
    let s = js_trim(header);
    if s.is_empty() {
        return None;
    }
    let (pair, attrs) = match s.find(';') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    // Chromium's terminators: the pair stops at the first NUL, CR or LF.
    let mut pair = pair;
    for t in ['\n', '\r', '\0'] {
        if let Some(i) = pair.find(t) {
            pair = &pair[..i];
        }
    }
    let eq = pair.find('=').filter(|&i| i > 0)?;
    let name = js_trim(&pair[..eq]);
    let value = js_trim(&pair[eq + 1..]);
    let ctl = |t: &str| t.chars().any(|c| (c as u32) < 0x20);
    if ctl(name) || ctl(value) {
        return None;
    }
    let mut c = Cookie {
        name: name.to_owned(),
        value: value.to_owned(),
        domain: None,
        path: None,
        secure: false,
        http_only: false,
        same_site: None,
        same_site_given: false,
    };
    for av in js_trim(attrs.unwrap_or("")).split(';') {
        let av = js_trim(av);
        if av.is_empty() {
            continue;
        }
        let (key, value) = match av.find('=') {
            Some(i) => (&av[..i], Some(js_trim(&av[i + 1..]))),
            None => (av, None),
        };
        let value = value.filter(|v| !v.is_empty());
        match js_trim(key).to_lowercase().as_str() {
            "domain" => {
                if let Some(v) = value {
                    let d = js_trim(v);
                    let d = d.strip_prefix('.').unwrap_or(d);
                    if !d.is_empty() {
                        c.domain = Some(d.to_lowercase());
                    }
                }
            }
            "path" => c.path = value.filter(|v| v.starts_with('/')).map(str::to_owned),
            "secure" => c.secure = true,
            "httponly" => c.http_only = true,
            "samesite" => {
                c.same_site_given = true;
                c.same_site = match value.map(str::to_lowercase).as_deref() {
                    Some("strict") => Some("strict"),
                    Some("lax") => Some("lax"),
                    Some("none") => Some("none"),
                    _ => None,
                };
            }
            _ => {}
        }
    }
    Some(c)
}

/// The Observatory's check of a raw `Set-Cookie` for a malformed SameSite: an attribute
/// `SameSite` with no value, or one other than Lax, Strict or None (the value is what lies
/// between the first and a second `=`, as its `split("=")` reads it).
pub fn invalid_same_site(header: &str) -> bool {
    js_trim(header).split(';').any(|p| {
        let mut parts = js_trim(p).split('=');
        let key = parts.next().unwrap_or("");
        if !js_trim(key).eq_ignore_ascii_case("samesite") {
            return false;
        }
        match parts.next() {
            None | Some("") => true,
            Some(v) => !["lax", "strict", "none"].contains(&js_trim(v).to_lowercase().as_str()),
        }
    })
}

/// A cookie the jar keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    /// The cookie.
    pub cookie: Cookie,
    /// The domain it is stored under.
    pub domain: String,
    /// Whether it is host-only (no Domain attribute).
    pub host_only: bool,
    /// Its path.
    pub path: String,
}

/// A cookie jar, as a client fills it along a redirect chain.
#[derive(Clone, Debug, Default)]
pub struct Jar {
    /// The cookies kept, in the order first stored.
    pub cookies: Vec<Kept>,
}

impl Jar {
    /// Stores the cookie of a `Set-Cookie` received from `url`, as tough-cookie does: refused
    /// when unparsable, when its Domain does not match the host or is a bare top-level name,
    /// or when it breaks its `__Secure-`/`__Host-` prefix; it replaces a cookie of the same
    /// name, domain and path.
    pub fn set(&mut self, header: &str, url: &Url) {
        let Some(c) = parse(header) else { return };
        let host = url.host.as_str();
        let (domain, host_only) = match &c.domain {
            Some(d) => {
                let is_ip = host.parse::<std::net::IpAddr>().is_ok();
                let matches = host == d
                    || (!is_ip && host.len() > d.len() && host.ends_with(&format!(".{d}")));
                // A public suffix is refused; without a suffix list, a name without a dot
                // stands for one (but localhost).
                if !matches || (!d.contains('.') && d != "localhost") {
                    return;
                }
                (d.clone(), false)
            }
            None => (host.to_owned(), true),
        };
        let path = match &c.path {
            Some(p) => p.clone(),
            None => default_path(&url.path),
        };
        if c.name.starts_with("__Secure-") && !c.secure {
            return;
        }
        if c.name.starts_with("__Host-") && !(c.secure && host_only && path == "/") {
            return;
        }
        let kept = Kept {
            cookie: c,
            domain,
            host_only,
            path,
        };
        match self.cookies.iter_mut().find(|k| {
            k.domain == kept.domain && k.path == kept.path && k.cookie.name == kept.cookie.name
        }) {
            Some(old) => *old = kept,
            None => self.cookies.push(kept),
        }
    }

    /// The `Cookie` header for a request to `url` (cookies whose domain and path match, the
    /// secure ones only over https), if any.
    pub fn header_for(&self, url: &Url) -> Option<String> {
        let path = url.path.split('?').next().unwrap_or("/");
        let list: Vec<String> = self
            .cookies
            .iter()
            .filter(|k| {
                let domain_ok = if k.host_only {
                    url.host == k.domain
                } else {
                    url.host == k.domain || url.host.ends_with(&format!(".{}", k.domain))
                };
                let path_ok = path == k.path
                    || (path.starts_with(&k.path)
                        && (k.path.ends_with('/') || path[k.path.len()..].starts_with('/')));
                domain_ok && path_ok && (!k.cookie.secure || url.is_https())
            })
            .map(|k| format!("{}={}", k.cookie.name, k.cookie.value))
            .collect();
        (!list.is_empty()).then(|| list.join("; "))
    }
}

/// RFC 6265's default-path: the request path up to its last `/` (`/` when that is the first).
fn default_path(path: &str) -> String {
    let p = path.split('?').next().unwrap_or("");
    if !p.starts_with('/') {
        return "/".into();
    }
    match p.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => p[..i].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_tough_cookie() {
        let c = parse("SID=abc; Path=/; Secure; HttpOnly; SameSite=Lax").unwrap();
        assert_eq!((c.name.as_str(), c.value.as_str()), ("SID", "abc"));
        assert!(c.secure && c.http_only);
        assert_eq!(c.same_site, Some("lax"));
        assert_eq!(parse("=abc"), None);
        assert_eq!(parse("abc"), None);
        let c = parse("a=b; SameSite=Lax; SameSite=bogus").unwrap();
        assert_eq!((c.same_site, c.same_site_given), (None, true));
        assert_eq!(
            parse("a=b; Domain=.Example.COM").unwrap().domain.as_deref(),
            Some("example.com")
        );
        assert_eq!(parse("a=b; Path=x").unwrap().path, None);
    }

    #[test]
    fn invalid_same_site_reads_like_the_observatory() {
        assert!(invalid_same_site("a=b; SameSite"));
        assert!(invalid_same_site("a=b; SameSite="));
        assert!(invalid_same_site("a=b; samesite=Relaxed"));
        assert!(!invalid_same_site("a=b; SameSite=Lax=x"));
        assert!(!invalid_same_site("a=b; SameSite=None"));
        assert!(!invalid_same_site("a=b"));
    }

    #[test]
    fn the_jar_keeps_what_a_client_keeps() {
        let u = Url::parse("https://www.example.com/a/b").unwrap();
        let mut j = Jar::default();
        j.set("a=1", &u);
        j.set("a=2", &u);
        j.set("b=1; Domain=example.com", &u);
        j.set("c=1; Domain=other.com", &u);
        j.set("d=1; Domain=com", &u);
        j.set("__Host-e=1; Secure; Path=/", &u);
        j.set("__Host-f=1; Secure", &u);
        j.set("__Secure-g=1", &u);
        let names: Vec<(&str, &str)> = j
            .cookies
            .iter()
            .map(|k| (k.cookie.name.as_str(), k.cookie.value.as_str()))
            .collect();
        assert_eq!(names, [("a", "2"), ("b", "1"), ("__Host-e", "1")]);
        assert_eq!(j.cookies[0].path, "/a");
        let root = Url::parse("https://www.example.com/").unwrap();
        // a and b have the default path /a.
        assert_eq!(j.header_for(&root).as_deref(), Some("__Host-e=1"));
        let under = Url::parse("https://example.com/a/c").unwrap();
        assert_eq!(j.header_for(&under).as_deref(), Some("b=1"));
    }
}
