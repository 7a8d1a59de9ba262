//! Header profiles: the headers a site should send, written once (TOML or JSON), validated,
//! and turned into templates (`crate::generate`) or applied directly.
//!
//! ```toml
//! name = "example"
//! description = "What this profile is for"
//! collection = "customHeaders"        # or "redirectHeaders"
//! locations = false                   # also patch <location> sections' own collections
//! remove-inherited = false            # put <remove name="X"/> before each new <add name="X">
//!
//! [headers]
//! X-Content-Type-Options = "nosniff"
//! Strict-Transport-Security = { max-age = 31536000, include-subdomains = true, preload = false }
//!
//! [headers.Content-Security-Policy]   # directive = source list ([] for none)
//! default-src = ["'self'"]
//! upgrade-insecure-requests = []
//!
//! [headers.Permissions-Policy]        # feature = allowlist ([] is "nobody")
//! camera = []
//! geolocation = ["self", "https://maps.example"]
//!
//! remove = ["X-Powered-By"]           # headers not to send: each goes where IIS can drop it
//! strip = ["X-Generator"]             # headers the application sends, blanked by URL Rewrite
//! server-headers = ["X-Custom"]       # custom headers the server's own config adds
//! logout-paths = ["account/logout"]   # where Clear-Site-Data is sent (never site-wide)
//!
//! [cookies]                           # system.web/httpCookies
//! require-ssl = true
//! http-only = true
//! same-site = "Lax"                   # Strict, Lax or None
//!
//! [server]
//! enable-version-header = false       # system.web/httpRuntime (X-AspNet-Version)
//! remove-server-header = true         # system.webServer/security/requestFiltering (IIS 10)
//! ```

pub mod csp;
pub mod permissions;
pub mod presets;
pub mod removals;

use std::path::Path;

use crate::diag::{Diagnostic, Pos, line_col, line_text};
use crate::model::CollectionKind;
use permissions::Allow;

/// A validated header profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// Short name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Which collection to patch.
    pub collection: CollectionKind,
    /// Also patch the collections inside `<location>` sections.
    pub locations: bool,
    /// Put `<remove name="X"/>` before each new `<add name="X">` (safe against headers set at
    /// the server level, which would otherwise make IIS answer 500.19).
    pub remove_inherited: bool,
    /// Headers to set, in order.
    pub headers: Vec<Header>,
    /// Headers not to send. Each goes where IIS can drop it ([`Profile::removal`]): a
    /// `<remove>` for custom headers inherited from the server, a switch for `Server` and
    /// `X-AspNet-Version`, URL Rewrite for those in `strip`; nothing for the others.
    pub remove: Vec<String>,
    /// Headers the application (or a module) sends, blanked by URL Rewrite outbound rules.
    pub strip: Vec<String>,
    /// Custom headers the server's own configuration adds (besides IIS's `X-Powered-By`): a
    /// `<remove>` in web.config drops those.
    pub server_headers: Vec<String>,
    /// Paths (`<location path>`) of the logout responses, the only ones that get
    /// `Clear-Site-Data`.
    pub logout_paths: Vec<String>,
    /// `system.web/httpCookies` settings.
    pub cookies: Cookies,
    /// `httpRuntime` and `requestFiltering` settings.
    pub server: Server,
}

/// A header to set.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Its name as written.
    pub name: String,
    /// Its value.
    pub value: HeaderValue,
}

/// A header value, plain or structured.
#[derive(Clone, Debug, PartialEq)]
pub enum HeaderValue {
    /// A plain value.
    Text(String),
    /// Strict-Transport-Security.
    Hsts {
        /// `max-age` in seconds.
        max_age: u64,
        /// `includeSubDomains`.
        include_subdomains: bool,
        /// `preload`.
        preload: bool,
    },
    /// Content-Security-Policy: directives and their values.
    Csp(Vec<(String, Vec<String>)>),
    /// Permissions-Policy: features and their allowlists.
    Permissions(Vec<(String, Vec<Allow>)>),
}

impl HeaderValue {
    /// The header value as sent.
    pub fn render(&self) -> String {
        match self {
            HeaderValue::Text(t) => t.clone(),
            HeaderValue::Hsts {
                max_age,
                include_subdomains,
                preload,
            } => {
                let mut s = format!("max-age={max_age}");
                if *include_subdomains {
                    s.push_str("; includeSubDomains");
                }
                if *preload {
                    s.push_str("; preload");
                }
                s
            }
            HeaderValue::Csp(d) => csp::render(d),
            HeaderValue::Permissions(p) => p
                .iter()
                .map(|(f, a)| permissions::render_member(f, a))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// `system.web/httpCookies` attributes (unset: left alone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cookies {
    /// `requireSSL`.
    pub require_ssl: Option<bool>,
    /// `httpOnlyCookies`.
    pub http_only: Option<bool>,
    /// `sameSite`: `Strict`, `Lax` or `None`.
    pub same_site: Option<String>,
}

impl Cookies {
    /// Whether anything is set.
    pub fn is_empty(&self) -> bool {
        self.require_ssl.is_none() && self.http_only.is_none() && self.same_site.is_none()
    }

    /// The attributes to set, as (name, value).
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if let Some(b) = self.require_ssl {
            v.push(("requireSSL", b.to_string()));
        }
        if let Some(b) = self.http_only {
            v.push(("httpOnlyCookies", b.to_string()));
        }
        if let Some(s) = &self.same_site {
            v.push(("sameSite", s.clone()));
        }
        v
    }
}

/// Server settings (unset: left alone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Server {
    /// `system.web/httpRuntime/@enableVersionHeader`.
    pub enable_version_header: Option<bool>,
    /// `system.webServer/security/requestFiltering/@removeServerHeader`.
    pub remove_server_header: Option<bool>,
}

/// An error in a profile, with its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProfileError {
    /// What is wrong.
    pub message: String,
    /// The file (or preset).
    pub file: Option<String>,
    /// Where.
    pub pos: Option<Pos>,
    /// The offending line.
    pub source_line: Option<String>,
}

impl ProfileError {
    /// A printable diagnostic.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::error(self.message.clone());
        if let Some(f) = &self.file {
            d = d.in_file(f.clone());
        }
        if let Some(p) = self.pos {
            d = d.at(p);
        }
        d.source_line = self.source_line.clone();
        d
    }
}

/// Whether `s` is an RFC 9110 token (a valid header name).
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The first character of a header value that would break the response (CR, LF, NUL or another
/// control character but tab), with its position.
pub fn bad_value_char(v: &str) -> Option<(usize, char)> {
    // Byte by byte: the control characters are U+0000..=U+001F, U+007F and U+0080..=U+009F,
    // the last written 0xC2 0x80..=0x9F (0xC2 only ever starts a character).
    // Eight bytes at a time while none is below 0x20, 0x7F or 0xC2 (a value is mostly such
    // bytes: a CSP is hundreds of them).
    use crate::xml::words::{has_below, has_byte, word_at};
    let b = v.as_bytes();
    let mut from = 0;
    while let Some(x) = word_at(b, from) {
        if has_below(x, 0x20) || has_byte(x, 0x7F) || has_byte(x, 0xC2) {
            break;
        }
        from += 8;
    }
    let i = (from..b.len()).find(|&i| match b[i] {
        c if c < 0x20 => c != b'\t',
        0x7F => true,
        0xC2 => b.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)),
        _ => false,
    })?;
    Some((i, v[i..].chars().next()?))
}

/// A generic parsed value (from TOML or JSON), keeping key order.
#[derive(Clone, Debug)]
enum Val {
    Str(String),
    Int(i64),
    Bool(bool),
    Float,
    Arr(Vec<Val>),
    Table(Vec<(String, Val)>),
}

impl Val {
    fn kind(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Int(_) => "an integer",
            Val::Bool(_) => "a boolean",
            Val::Float => "a number",
            Val::Arr(_) => "a list",
            Val::Table(_) => "a table",
        }
    }
}

fn from_toml(v: toml::Value) -> Val {
    match v {
        toml::Value::String(s) => Val::Str(s),
        toml::Value::Integer(i) => Val::Int(i),
        toml::Value::Float(_) => Val::Float,
        toml::Value::Boolean(b) => Val::Bool(b),
        toml::Value::Datetime(d) => Val::Str(d.to_string()),
        toml::Value::Array(a) => Val::Arr(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Val::Table(t.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

fn from_json(v: serde_json::Value) -> Val {
    match v {
        serde_json::Value::String(s) => Val::Str(s),
        serde_json::Value::Number(n) => n.as_i64().map_or(Val::Float, Val::Int),
        serde_json::Value::Bool(b) => Val::Bool(b),
        serde_json::Value::Null => Val::Str(String::new()),
        serde_json::Value::Array(a) => Val::Arr(a.into_iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Val::Table(o.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

/// Reads a profile: a preset name, or a TOML or JSON file.
pub fn load(name_or_path: &str) -> Result<Profile, ProfileError> {
    if let Some(p) = presets::get(name_or_path) {
        return Ok(p);
    }
    let path = Path::new(name_or_path);
    let text = std::fs::read_to_string(path).map_err(|e| ProfileError {
        message: if path.exists() {
            format!("cannot read the profile: {e}")
        } else {
            format!(
                "no preset or file named \"{name_or_path}\" (presets: {})",
                presets::NAMES.join(", ")
            )
        },
        file: Some(name_or_path.to_owned()),
        pos: None,
        source_line: None,
    })?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    parse(&text, json, Some(name_or_path))
}

/// Parses and validates a profile from TOML (or JSON when `json`).
pub fn parse(text: &str, json: bool, file: Option<&str>) -> Result<Profile, ProfileError> {
    let err_at = |message: String, offset: Option<usize>| {
        let pos = offset.map(|o| line_col(text, o));
        ProfileError {
            message,
            file: file.map(str::to_owned),
            pos,
            source_line: pos.and_then(|p| line_text(text, p.line).map(str::to_owned)),
        }
    };
    let root = if json {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            let pos = Pos::new(e.line() as u32, e.column() as u32);
            ProfileError {
                message: format!("not valid JSON: {e}"),
                file: file.map(str::to_owned),
                pos: Some(pos),
                source_line: line_text(text, pos.line).map(str::to_owned),
            }
        })?;
        from_json(v)
    } else {
        let v: toml::Table = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_owned();
            err_at(format!("not valid TOML: {msg}"), e.span().map(|s| s.start))
        })?;
        from_toml(toml::Value::Table(v))
    };
    Builder {
        text,
        err_at: &err_at,
    }
    .profile(root)
}

struct Builder<'a> {
    text: &'a str,
    err_at: &'a dyn Fn(String, Option<usize>) -> ProfileError,
}

impl Builder<'_> {
    /// The position of a key (searching after `after`), for messages.
    fn find(&self, key: &str, after: usize) -> Option<usize> {
        let rest = self.text.get(after..)?;
        [format!("\"{key}\""), format!("'{key}'"), key.to_owned()]
            .iter()
            .filter_map(|k| rest.find(k.as_str()))
            .min()
            .map(|i| after + i)
    }

    fn err(&self, message: String, key: &str, after: usize) -> ProfileError {
        (self.err_at)(message, self.find(key, after))
    }

    fn profile(&self, root: Val) -> Result<Profile, ProfileError> {
        let Val::Table(top) = root else {
            return Err((self.err_at)(
                "a profile is a table of settings".into(),
                Some(0),
            ));
        };
        let mut p = Profile {
            name: "custom".into(),
            description: String::new(),
            collection: CollectionKind::CustomHeaders,
            locations: false,
            remove_inherited: false,
            headers: Vec::new(),
            remove: Vec::new(),
            strip: Vec::new(),
            server_headers: Vec::new(),
            logout_paths: Vec::new(),
            cookies: Cookies::default(),
            server: Server::default(),
        };
        for (k, v) in top {
            match k.as_str() {
                "name" => p.name = self.string(&k, v, 0)?,
                "description" => p.description = self.string(&k, v, 0)?,
                "collection" => {
                    p.collection = match self.string(&k, v, 0)?.as_str() {
                        "customHeaders" => CollectionKind::CustomHeaders,
                        "redirectHeaders" => CollectionKind::RedirectHeaders,
                        other => {
                            return Err(self.err(format!("collection must be \"customHeaders\" or \"redirectHeaders\", not \"{other}\""), &k, 0));
                        }
                    }
                }
                "locations" => p.locations = self.boolean(&k, v, 0)?,
                "remove-inherited" => p.remove_inherited = self.boolean(&k, v, 0)?,
                "headers" => p.headers = self.headers(v)?,
                "remove" => p.remove = self.header_names(&k, v)?,
                "strip" => p.strip = self.header_names(&k, v)?,
                "server-headers" => p.server_headers = self.header_names(&k, v)?,
                "logout-paths" => {
                    let Val::Arr(items) = v else {
                        return Err(self.err(
                            format!("logout-paths must be a list of paths, not {}", v.kind()),
                            &k,
                            0,
                        ));
                    };
                    for item in items {
                        let path = self.string(&k, item, 0)?;
                        // <location path> is relative to the application: no leading '/'.
                        let clean = path.trim().trim_matches('/').to_owned();
                        if clean.is_empty() || clean == "." || clean.contains(['"', '<', '&']) {
                            return Err(self.err(
                                format!("\"{path}\" is not a logout path (a path of the application, e.g. account/logout)"),
                                &path,
                                0,
                            ));
                        }
                        p.logout_paths.push(clean);
                    }
                }
                "cookies" => p.cookies = self.cookies(v)?,
                "server" => p.server = self.server(v)?,
                other => {
                    return Err(self.err(
                        format!("unknown setting \"{other}\" (expected name, description, collection, locations, remove-inherited, headers, remove, strip, server-headers, logout-paths, cookies, server)"),
                        other,
                        0,
                    ));
                }
            }
        }
        for (i, h) in p.headers.iter().enumerate() {
            if p.headers[..i]
                .iter()
                .any(|o| o.name.eq_ignore_ascii_case(&h.name))
            {
                return Err(self.err(
                    format!(
                        "header {} is set twice (names are case-insensitive)",
                        h.name
                    ),
                    &h.name,
                    0,
                ));
            }
            if p.remove.iter().any(|r| r.eq_ignore_ascii_case(&h.name)) {
                return Err(self.err(
                    format!("header {} is both set and removed", h.name),
                    &h.name,
                    0,
                ));
            }
            if p.strip.iter().any(|r| r.eq_ignore_ascii_case(&h.name)) {
                return Err(self.err(
                    format!("header {} is both set and stripped", h.name),
                    &h.name,
                    0,
                ));
            }
        }
        Ok(p)
    }

    /// A list of header names (`remove`, `strip`, `server-headers`).
    fn header_names(&self, key: &str, v: Val) -> Result<Vec<String>, ProfileError> {
        let Val::Arr(items) = v else {
            return Err(self.err(
                format!("{key} must be a list of header names, not {}", v.kind()),
                key,
                0,
            ));
        };
        let mut out = Vec::new();
        for item in items {
            let name = self.string(key, item, 0)?;
            if !is_token(&name) {
                return Err(self.err(format!("\"{name}\" is not a valid header name"), &name, 0));
            }
            out.push(name);
        }
        Ok(out)
    }

    fn string(&self, key: &str, v: Val, after: usize) -> Result<String, ProfileError> {
        match v {
            Val::Str(s) => Ok(s),
            other => Err(self.err(
                format!("{key} must be a string, not {}", other.kind()),
                key,
                after,
            )),
        }
    }

    fn boolean(&self, key: &str, v: Val, after: usize) -> Result<bool, ProfileError> {
        match v {
            Val::Bool(b) => Ok(b),
            other => Err(self.err(
                format!("{key} must be true or false, not {}", other.kind()),
                key,
                after,
            )),
        }
    }

    fn headers(&self, v: Val) -> Result<Vec<Header>, ProfileError> {
        let Val::Table(entries) = v else {
            return Err(self.err(
                format!("headers must be a table of header names, not {}", v.kind()),
                "headers",
                0,
            ));
        };
        let base = self.find("headers", 0).unwrap_or(0);
        let mut out = Vec::new();
        for (name, v) in entries {
            if !is_token(&name) {
                return Err(self.err(
                    format!("\"{name}\" is not a valid header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)"),
                    &name,
                    base,
                ));
            }
            let lname = name.to_ascii_lowercase();
            let value = match v {
                Val::Str(s) => {
                    if let Some((_, c)) = bad_value_char(&s) {
                        let what = match c {
                            '\r' | '\n' => "a line break: it would split the HTTP response (response splitting)".to_owned(),
                            '\0' => "a NUL character".to_owned(),
                            c => format!("the control character U+{:04X}", c as u32),
                        };
                        return Err(self.err(
                            format!("the value of {name} contains {what}"),
                            &name,
                            base,
                        ));
                    }
                    HeaderValue::Text(s)
                }
                Val::Table(t) if lname == "strict-transport-security" => {
                    self.hsts(&name, t, base)?
                }
                Val::Table(t)
                    if lname == "content-security-policy"
                        || lname == "content-security-policy-report-only" =>
                {
                    self.csp(&name, t, base)?
                }
                Val::Table(t) if lname == "permissions-policy" => {
                    self.permissions(&name, t, base)?
                }
                other => {
                    return Err(self.err(
                        format!("the value of {name} must be a string (tables are for Strict-Transport-Security, Content-Security-Policy and Permissions-Policy), not {}", other.kind()),
                        &name,
                        base,
                    ));
                }
            };
            out.push(Header { name, value });
        }
        Ok(out)
    }

    fn hsts(
        &self,
        name: &str,
        t: Vec<(String, Val)>,
        base: usize,
    ) -> Result<HeaderValue, ProfileError> {
        let at = self.find(name, base).unwrap_or(base);
        let (mut max_age, mut include_subdomains, mut preload) = (None, false, false);
        for (k, v) in t {
            match (k.as_str(), v) {
                ("max-age", Val::Int(i)) if i >= 0 => max_age = Some(i as u64),
                ("max-age", other) => {
                    return Err(self.err(
                        format!("max-age must be a number of seconds, not {}", other.kind()),
                        "max-age",
                        at,
                    ));
                }
                ("include-subdomains", v) => {
                    include_subdomains = self.boolean("include-subdomains", v, at)?
                }
                ("preload", v) => preload = self.boolean("preload", v, at)?,
                (other, _) => {
                    return Err(self.err(format!("unknown {name} setting \"{other}\" (max-age, include-subdomains, preload)"), other, at));
                }
            }
        }
        let max_age =
            max_age.ok_or_else(|| self.err(format!("{name} needs max-age"), name, base))?;
        Ok(HeaderValue::Hsts {
            max_age,
            include_subdomains,
            preload,
        })
    }

    fn words(&self, key: &str, v: Val, at: usize) -> Result<Vec<String>, ProfileError> {
        match v {
            Val::Arr(items) => items.into_iter().map(|i| self.string(key, i, at)).collect(),
            Val::Str(s) => Ok(s.split_ascii_whitespace().map(str::to_owned).collect()),
            Val::Bool(true) => Ok(Vec::new()),
            other => Err(self.err(
                format!("{key} must be a list of values, not {}", other.kind()),
                key,
                at,
            )),
        }
    }

    fn csp(
        &self,
        name: &str,
        t: Vec<(String, Val)>,
        base: usize,
    ) -> Result<HeaderValue, ProfileError> {
        let at = self.find(name, base).unwrap_or(base);
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for (k, v) in t {
            let d = k.to_ascii_lowercase();
            if csp::directive_status(&d).is_none() {
                let guess = csp::DIRECTIVES
                    .iter()
                    .map(|(n, _)| *n)
                    .min_by_key(|n| strsim::levenshtein(n, &d))
                    .filter(|n| strsim::levenshtein(n, &d) <= 3);
                let hint = guess.map_or(String::new(), |g| format!(" (did you mean {g}?)"));
                return Err(self.err(
                    format!("unknown Content-Security-Policy directive \"{k}\"{hint}"),
                    &k,
                    at,
                ));
            }
            if out.iter().any(|(o, _)| *o == d) {
                return Err(self.err(format!("directive {d} is given twice"), &k, at));
            }
            let values = self.words(&k, v, at)?;
            for w in &values {
                if w.contains(';') || w.contains(',') || bad_value_char(w).is_some() {
                    return Err(self.err(
                        format!(
                            "the value \"{w}\" of {d} cannot contain ';', ',' or control characters"
                        ),
                        w,
                        at,
                    ));
                }
            }
            out.push((d, values));
        }
        Ok(HeaderValue::Csp(out))
    }

    fn permissions(
        &self,
        name: &str,
        t: Vec<(String, Val)>,
        base: usize,
    ) -> Result<HeaderValue, ProfileError> {
        let at = self.find(name, base).unwrap_or(base);
        let mut out: Vec<(String, Vec<Allow>)> = Vec::new();
        for (feature, v) in t {
            let ok = feature
                .bytes()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
                && feature.bytes().all(|c| {
                    c.is_ascii_lowercase()
                        || c.is_ascii_digit()
                        || c == b'-'
                        || c == b'_'
                        || c == b'.'
                });
            if !ok {
                return Err(self.err(format!("\"{feature}\" is not a valid Permissions-Policy feature name (lower-case letters, digits, '-')"), &feature, at));
            }
            if out.iter().any(|(f, _)| *f == feature) {
                return Err(self.err(format!("feature {feature} is given twice"), &feature, at));
            }
            let mut allow = Vec::new();
            for w in self.words(&feature, v, at)? {
                allow.push(match w.as_str() {
                    "*" => Allow::All,
                    "self" | "'self'" => Allow::SelfOrigin,
                    "src" | "'src'" => Allow::Src,
                    "none" | "'none'" => continue,
                    o if o.starts_with("https://") || o.starts_with("http://") => Allow::Origin(o.trim_end_matches('/').to_owned()),
                    o => {
                        return Err(self.err(format!("\"{o}\" is not an allowlist entry of {feature} (*, self, src or an origin such as https://example.com)"), o, at));
                    }
                });
            }
            out.push((feature, allow));
        }
        Ok(HeaderValue::Permissions(out))
    }

    fn cookies(&self, v: Val) -> Result<Cookies, ProfileError> {
        let Val::Table(t) = v else {
            return Err(self.err(
                format!("cookies must be a table, not {}", v.kind()),
                "cookies",
                0,
            ));
        };
        let at = self.find("cookies", 0).unwrap_or(0);
        let mut c = Cookies::default();
        for (k, v) in t {
            match k.as_str() {
                "require-ssl" => c.require_ssl = Some(self.boolean(&k, v, at)?),
                "http-only" => c.http_only = Some(self.boolean(&k, v, at)?),
                "same-site" => {
                    let s = self.string(&k, v, at)?;
                    c.same_site = Some(match s.to_ascii_lowercase().as_str() {
                        "strict" => "Strict".into(),
                        "lax" => "Lax".into(),
                        "none" => "None".into(),
                        _ => {
                            return Err(self.err(
                                format!("same-site must be Strict, Lax or None, not \"{s}\""),
                                &k,
                                at,
                            ));
                        }
                    });
                }
                other => return Err(self.err(
                    format!(
                        "unknown cookies setting \"{other}\" (require-ssl, http-only, same-site)"
                    ),
                    other,
                    at,
                )),
            }
        }
        Ok(c)
    }

    fn server(&self, v: Val) -> Result<Server, ProfileError> {
        let Val::Table(t) = v else {
            return Err(self.err(
                format!("server must be a table, not {}", v.kind()),
                "server",
                0,
            ));
        };
        let at = self.find("server", 0).unwrap_or(0);
        let mut s = Server::default();
        for (k, v) in t {
            match k.as_str() {
                "enable-version-header" => s.enable_version_header = Some(self.boolean(&k, v, at)?),
                "remove-server-header" => s.remove_server_header = Some(self.boolean(&k, v, at)?),
                other => {
                    return Err(self.err(format!("unknown server setting \"{other}\" (enable-version-header, remove-server-header)"), other, at));
                }
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Profile, ProfileError> {
        parse(s, false, Some("p.toml"))
    }

    #[test]
    fn structured_headers_render() {
        let prof = p(r#"
name = "t"
[headers]
X-A = "1"
Strict-Transport-Security = { max-age = 31536000, include-subdomains = true }
[headers.Content-Security-Policy]
default-src = ["'self'"]
upgrade-insecure-requests = []
[headers.Permissions-Policy]
camera = []
geolocation = ["self", "https://maps.example/"]
fullscreen = "*"
"#)
        .unwrap();
        let v: Vec<String> = prof.headers.iter().map(|h| h.value.render()).collect();
        assert_eq!(
            v,
            vec![
                "1",
                "max-age=31536000; includeSubDomains",
                "default-src 'self'; upgrade-insecure-requests",
                "camera=(), geolocation=(self \"https://maps.example\"), fullscreen=*",
            ]
        );
    }

    #[test]
    fn errors_name_the_problem_and_the_place() {
        let e = p("[headers]\n\"X-A\" = \"a\\r\\nSet-Cookie: x=1\"\n").unwrap_err();
        assert!(e.message.contains("response splitting"), "{e}");
        assert_eq!(e.pos, Some(Pos::new(2, 1)));
        let e = p("[headers.Content-Security-Policy]\ndefault-src = [\"'self'\"]\nscirpt-src = [\"'self'\"]\n").unwrap_err();
        assert!(e.message.contains("unknown Content-Security-Policy directive \"scirpt-src\" (did you mean script-src?)"), "{e}");
        assert_eq!(e.pos.map(|p| p.line), Some(3));
        let e = p("[headers]\n\"X A\" = \"1\"\n").unwrap_err();
        assert!(e.message.contains("not a valid header name"), "{e}");
        let e = p("colection = \"customHeaders\"\n").unwrap_err();
        assert!(e.message.contains("unknown setting \"colection\""), "{e}");
        let e = p("[headers]\nX-A = \"1\"\nx-a = \"2\"\n").unwrap_err();
        assert!(e.message.contains("set twice"), "{e}");
        let e = p("[headers]\nX-A = 1\n").unwrap_err();
        assert!(e.message.contains("must be a string"), "{e}");
        let e = p("[headers]\nX-A = \"1\"\n[[").unwrap_err();
        assert!(e.message.starts_with("not valid TOML"), "{e}");
        assert_eq!(e.pos.map(|p| p.line), Some(3));
        let e = p("[headers.Permissions-Policy]\ncamera = [\"example.com\"]\n").unwrap_err();
        assert!(e.message.contains("not an allowlist entry"), "{e}");
        let e = p("[cookies]\nsame-site = \"loose\"\n").unwrap_err();
        assert!(e.message.contains("Strict, Lax or None"), "{e}");
    }

    #[test]
    fn json_profiles() {
        let prof = parse(
            r#"{"name": "j", "headers": {"X-Frame-Options": "DENY", "Strict-Transport-Security": {"max-age": 600}}, "remove": ["Server"], "cookies": {"require-ssl": true}}"#,
            true,
            None,
        )
        .unwrap();
        assert_eq!(prof.headers[1].value.render(), "max-age=600");
        assert_eq!(prof.remove, vec!["Server"]);
        assert_eq!(
            prof.cookies.attributes(),
            vec![("requireSSL", "true".to_string())]
        );
        let e = parse("{\"headers\": 3", true, None).unwrap_err();
        assert!(e.message.starts_with("not valid JSON"), "{e}");
    }

    #[test]
    fn tokens_and_values() {
        assert!(is_token("X-Frame-Options"));
        assert!(is_token("$wsep"));
        assert!(!is_token("X Frame"));
        assert!(!is_token("X:Y"));
        assert!(!is_token(""));
        assert_eq!(bad_value_char("a\tb"), None);
        assert_eq!(bad_value_char("a\nb"), Some((1, '\n')));
        assert_eq!(bad_value_char("a\u{0}"), Some((1, '\0')));
        // The byte scan finds what the definition (a control character but tab) finds, at the
        // same place, around every character whose UTF-8 form is near the control ones.
        let by_chars = |v: &str| v.char_indices().find(|&(_, c)| c.is_control() && c != '\t');
        let chars = (0..0x800u32)
            .chain([0x2028, 0xFEFF, 0xFFFD, 0x1_0000, 0x10_FFFF])
            .filter_map(char::from_u32);
        for c in chars {
            for v in [
                format!("{c}"),
                format!("a\u{e9}{c}b"),
                format!("\u{100}{c}\u{80}"),
            ] {
                assert_eq!(bad_value_char(&v), by_chars(&v), "{v:?}");
            }
            // At every place of the words the scan skips.
            for k in 0..17 {
                let v = format!("{}{c}{}", "x".repeat(k), "\u{e9}y".repeat(5));
                assert_eq!(bad_value_char(&v), by_chars(&v), "{v:?}");
            }
        }
    }
}
