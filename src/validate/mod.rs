//! Validation: check web.config files as IIS, browsers and a security reviewer would.
//!
//! Every finding has a stable rule id (see [`RULES`]), a severity, a position and a hint. The
//! headers a site sends are those of the application (the top-level `customHeaders`, then
//! `<location path=".">`), merged as IIS does ([`crate::model::effective_headers`]); the
//! security grade ([`grade`]) is computed from them, and [`report`] renders the results.
//!
//! ```
//! use webxsl::validate::{ValidateOptions, validate};
//!
//! let config = br#"<configuration><system.webServer><httpProtocol><customHeaders>
//!   <add name="X-Frame-Options" value="DENY"/>
//!   <add name="x-frame-options" value="SAMEORIGIN"/>
//! </customHeaders></httpProtocol></system.webServer></configuration>"#;
//! let report = validate("web.config", config, &ValidateOptions::default());
//! assert!(report.has_errors()); // IIS would answer HTTP 500.19
//! let dup = report.findings.iter().find(|f| f.rule == "duplicate-header").unwrap();
//! assert_eq!((dup.pos.line, dup.pos.col), (3, 3));
//! assert_eq!(report.grade.unwrap().letter, "D");
//! ```

pub mod grade;
pub mod report;

use crate::diag::{LineIndex, Pos, Severity};
use crate::iis::{IisVersion, analyze};
use crate::model::{CollectionKind, HeaderOp, Scope, effective_headers, header_collections};
use crate::profile::permissions::{self, FeatureStatus};
use crate::profile::{Profile, bad_value_char, csp, is_token};
use crate::xml::{Document, Limits, NodeId, Tree, XmlError};

/// A validation rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rule {
    /// Stable id.
    pub id: &'static str,
    /// Severity of its findings.
    #[serde(skip)]
    pub severity: Severity,
    /// What it checks.
    pub summary: &'static str,
    /// How to fix a finding.
    pub hint: &'static str,
}

const fn rule(
    id: &'static str,
    severity: Severity,
    summary: &'static str,
    hint: &'static str,
) -> Rule {
    Rule {
        id,
        severity,
        summary,
        hint,
    }
}

use Severity::{Error, Info, Warning};

/// Every rule.
pub const RULES: &[Rule] = &[
    rule(
        "xml-malformed",
        Error,
        "The file is not well-formed XML",
        "Fix the XML at the position shown; IIS refuses the whole file.",
    ),
    rule(
        "duplicate-header",
        Error,
        "A header is added twice to one effective collection",
        "Remove one <add>, or put <remove name=\"...\"/> before the second: IIS answers HTTP 500.19 for a duplicate key.",
    ),
    rule(
        "duplicate-entry",
        Error,
        "An entry is added twice to an IIS collection (mimeMap, handlers, modules, httpErrors, rewrite rules...) or to connectionStrings",
        "Remove one, or put a <remove> with the same key before the second: IIS answers HTTP 500.19 (ASP.NET, for connectionStrings, fails to start).",
    ),
    rule(
        "duplicate-inherited",
        Error,
        "An entry the server level (IIS's default applicationHost.config, or machine.config) already defines is added again",
        "Put <remove> with the same key (or <clear/>) before the <add>, or drop the <add> when the server's entry is what you want.",
    ),
    rule(
        "duplicate-setting",
        Warning,
        "An appSettings key is set twice (the last value silently wins)",
        "Keep one <add> per key; ASP.NET keeps the last one and ignores the others without a word.",
    ),
    rule(
        "remove-no-effect",
        Info,
        "A <remove> of a header that no parent level sets: it stops nothing",
        "A <remove> only drops a custom header inherited from the server level (X-Powered-By). Drop the <remove>; for the Server header set requestFiltering removeServerHeader=\"true\", for X-AspNet-Version httpRuntime enableVersionHeader=\"false\", and blank a header the application sends with a URL Rewrite outbound rule (a webxsl profile's strip).",
    ),
    rule(
        "clear-site-data-sitewide",
        Warning,
        "Clear-Site-Data is sent on every response",
        "Send it only with the logout response: a <location path=\"account/logout\"> section (logout-paths in a webxsl profile).",
    ),
    rule(
        "header-name-invalid",
        Error,
        "A header name is not an RFC 9110 token",
        "Use only letters, digits and !#$%&'*+-.^_`|~ in header names.",
    ),
    rule(
        "header-value-invalid",
        Error,
        "A header value contains CR, LF, NUL or another control character",
        "Remove the control characters: a line break in a header value splits the response.",
    ),
    rule(
        "missing-header",
        Warning,
        "A recommended security header is not set",
        "Add it to customHeaders, or apply a profile: webxsl apply --profile recommended.",
    ),
    rule(
        "deprecated-header",
        Warning,
        "A deprecated header is set",
        "Remove it (for X-XSS-Protection, send 0 or nothing: the XSS auditor is gone and its block mode leaked information).",
    ),
    rule(
        "hsts-weak",
        Warning,
        "Strict-Transport-Security is malformed or its max-age is under six months",
        "Use max-age=31536000 (one year) or more, and includeSubDomains when every subdomain is HTTPS.",
    ),
    rule(
        "referrer-policy-unsafe",
        Warning,
        "Referrer-Policy leaks URLs or is invalid",
        "Use strict-origin-when-cross-origin or no-referrer.",
    ),
    rule(
        "xfo-invalid",
        Warning,
        "X-Frame-Options is not DENY or SAMEORIGIN",
        "Use DENY or SAMEORIGIN; for other origins use CSP frame-ancestors (ALLOW-FROM is ignored by browsers).",
    ),
    rule(
        "xcto-invalid",
        Warning,
        "X-Content-Type-Options is not nosniff",
        "The only value is nosniff.",
    ),
    rule(
        "csp-unsafe-inline",
        Warning,
        "The CSP allows inline scripts",
        "Remove 'unsafe-inline' from script-src (use nonces or hashes for the scripts that need it).",
    ),
    rule(
        "csp-unsafe-eval",
        Warning,
        "The CSP allows eval()",
        "Remove 'unsafe-eval' once the code no longer needs eval() or new Function().",
    ),
    rule(
        "csp-broad-source",
        Warning,
        "A CSP script, object or base-uri source is a wildcard or a plain scheme",
        "Replace *, data:, http: and https: with the exact origins you load from.",
    ),
    rule(
        "csp-missing-object-src",
        Warning,
        "The CSP restricts neither object-src nor default-src",
        "Add object-src 'none'.",
    ),
    rule(
        "csp-missing-script-src",
        Warning,
        "The CSP restricts neither script-src nor default-src",
        "Add default-src 'self' (or a script-src).",
    ),
    rule(
        "csp-missing-base-uri",
        Info,
        "The CSP does not restrict base-uri",
        "Add base-uri 'self' (or 'none'): an injected <base> can redirect relative script URLs.",
    ),
    rule(
        "csp-insecure-source",
        Warning,
        "A CSP source is loaded over http://",
        "Load it over https://.",
    ),
    rule(
        "csp-deprecated-directive",
        Warning,
        "A CSP directive is deprecated and ignored",
        "Remove it (reflected-xss, referrer, disown-opener, prefetch-src, plugin-types, block-all-mixed-content, navigate-to).",
    ),
    rule(
        "csp-unknown-directive",
        Warning,
        "A CSP directive is unknown to browsers",
        "Check the spelling; browsers ignore unknown directives.",
    ),
    rule(
        "csp-duplicate-directive",
        Warning,
        "A CSP directive is given twice",
        "Merge the sources into one directive: browsers ignore the second.",
    ),
    rule(
        "csp-missing-semicolon",
        Warning,
        "A directive name appears as a source: a ';' is probably missing",
        "Separate directives with ';'.",
    ),
    rule(
        "pp-syntax",
        Error,
        "Permissions-Policy is not a valid structured-field dictionary",
        "Write features as feature=() or feature=(self \"https://origin\"), separated by commas.",
    ),
    rule(
        "pp-unknown-feature",
        Warning,
        "A Permissions-Policy feature is unknown to browsers",
        "Remove it (interest-cohort was FLoC, which no browser shipped).",
    ),
    rule(
        "pp-retired-feature",
        Warning,
        "A Permissions-Policy feature is retired",
        "Remove it: browsers no longer support it.",
    ),
    rule(
        "pp-experimental-feature",
        Info,
        "A Permissions-Policy feature is proposed or experimental",
        "Browsers may not support it; keep it only if you need it.",
    ),
    rule(
        "pp-duplicate-feature",
        Warning,
        "A Permissions-Policy feature is given twice",
        "Keep one entry per feature.",
    ),
    rule(
        "pp-feature-policy",
        Warning,
        "Feature-Policy is set: it was replaced by Permissions-Policy",
        "Send Permissions-Policy instead (the syntax differs: camera=() rather than camera 'none').",
    ),
    rule(
        "server-header-leak",
        Warning,
        "The server announces what it runs",
        "Remove X-Powered-By, set httpRuntime enableVersionHeader=\"false\" and requestFiltering removeServerHeader=\"true\".",
    ),
    rule(
        "cookie-not-secure",
        Warning,
        "Cookies may be sent over plain HTTP",
        "Set <httpCookies requireSSL=\"true\"/> in system.web.",
    ),
    rule(
        "cookie-not-httponly",
        Warning,
        "Cookies are readable by scripts",
        "Set <httpCookies httpOnlyCookies=\"true\"/> in system.web.",
    ),
    rule(
        "cookie-samesite-none-insecure",
        Error,
        "SameSite=None cookies without requireSSL",
        "Browsers reject SameSite=None cookies that are not Secure: set requireSSL=\"true\".",
    ),
    rule(
        "profile-mismatch",
        Error,
        "A header the profile sets is missing or differs",
        "Apply the profile: webxsl apply --profile NAME --in-place FILE.",
    ),
];

/// The rule with an id.
pub fn rule_by_id(id: &str) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("unknown rule {id}"))
}

/// A finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Rule id.
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Where.
    pub pos: Pos,
    /// What.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// The result of validating one file.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The file, as named.
    pub path: String,
    /// The findings, in file order.
    pub findings: Vec<Finding>,
    /// The grade (none when the file is not XML).
    pub grade: Option<grade::Grade>,
    /// The headers the site sends (for reports).
    pub headers: Vec<(String, String)>,
    /// The file's text, for snippets.
    pub text: String,
}

impl FileReport {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Options of [`validate`].
#[derive(Clone, Debug, Default)]
pub struct ValidateOptions {
    /// Check that the profile's headers are set.
    pub profile: Option<Profile>,
    /// Rule ids whose findings are dropped (`xml-malformed` cannot be: a file that is not XML
    /// has nothing else to check).
    pub ignore: Vec<String>,
    /// Whose server defaults to assume (the entries applicationHost.config already defines).
    pub iis: IisVersion,
}

/// A header entry with where its element and its value are.
#[derive(Clone, Debug)]
struct Entry {
    name: String,
    value: String,
    node: NodeId,
}

struct Checker<'a> {
    tree: &'a Tree,
    text: &'a str,
    lines: LineIndex,
    findings: Vec<(usize, Finding)>,
}

impl Checker<'_> {
    fn pos(&self, offset: usize) -> Pos {
        self.lines.pos(self.text, offset)
    }

    fn add(&mut self, id: &'static str, offset: usize, message: String) {
        self.add_hinted(id, offset, message, rule_by_id(id).hint);
    }

    fn add_hinted(&mut self, id: &'static str, offset: usize, message: String, hint: &str) {
        let r = rule_by_id(id);
        let pos = self.pos(offset);
        self.findings.push((
            offset,
            Finding {
                rule: id,
                severity: r.severity,
                pos,
                message,
                hint: hint.to_owned(),
            },
        ));
    }

    fn node_offset(&self, n: NodeId) -> usize {
        self.tree.span(n).start
    }

    /// The byte offset of character `i` (a byte offset in the decoded value) of an entry's
    /// value attribute.
    fn value_offset(&self, e: &Entry, i: usize) -> usize {
        match self.tree.attribute(e.node, "", "value") {
            Some(a) => {
                let start = self.tree.attr_value_span(a).start;
                start + crate::xml::document::raw_value_offset(&self.text[start..], i)
            }
            None => self.node_offset(e.node),
        }
    }

    fn entry_checks(&mut self, e: &Entry) {
        let at = self.node_offset(e.node);
        if !is_token(&e.name) {
            self.add(
                "header-name-invalid",
                at,
                format!("\"{}\" is not a valid header name", e.name),
            );
        }
        if let Some((i, c)) = bad_value_char(&e.value) {
            let what = match c {
                '\r' => "a carriage return (CR)".to_owned(),
                '\n' => "a line feed (LF)".to_owned(),
                '\0' => "a NUL character".to_owned(),
                c => format!("the control character U+{:04X}", c as u32),
            };
            let off = self.value_offset(e, i);
            self.add(
                "header-value-invalid",
                off,
                format!("the value of {} contains {what}", e.name),
            );
        }
        let v = e.value.trim();
        match e.name.to_ascii_lowercase().as_str() {
            "x-xss-protection" if v != "0" => {
                self.add(
                    "deprecated-header",
                    at,
                    format!("X-XSS-Protection: {v} is deprecated: send 0 or nothing"),
                );
            }
            "expect-ct" | "public-key-pins" | "public-key-pins-report-only" | "p3p" => {
                self.add(
                    "deprecated-header",
                    at,
                    format!("{} is deprecated and ignored by browsers", e.name),
                );
            }
            "feature-policy" => {
                self.add(
                    "pp-feature-policy",
                    at,
                    "Feature-Policy was replaced by Permissions-Policy".into(),
                );
            }
            "strict-transport-security" => self.hsts(e, v),
            "referrer-policy" => self.referrer(e, v),
            "x-frame-options" => {
                let u = v.to_ascii_uppercase();
                if u.starts_with("ALLOW-FROM") {
                    self.add(
                        "xfo-invalid",
                        self.value_offset(e, 0),
                        "X-Frame-Options ALLOW-FROM is not supported by browsers".into(),
                    );
                } else if u != "DENY" && u != "SAMEORIGIN" {
                    self.add(
                        "xfo-invalid",
                        self.value_offset(e, 0),
                        format!("X-Frame-Options \"{v}\" is not DENY or SAMEORIGIN"),
                    );
                }
            }
            "x-content-type-options" if !v.eq_ignore_ascii_case("nosniff") => {
                self.add(
                    "xcto-invalid",
                    self.value_offset(e, 0),
                    format!("X-Content-Type-Options \"{v}\" is not nosniff"),
                );
            }
            "content-security-policy" | "content-security-policy-report-only" => self.csp(e),
            "permissions-policy" => self.permissions(e),
            _ => {}
        }
    }

    fn hsts(&mut self, e: &Entry, v: &str) {
        let mut max_age: Option<Option<u64>> = None;
        for d in v.split(';') {
            let d = d.trim();
            if let Some((k, val)) = d.split_once('=') {
                if k.trim().eq_ignore_ascii_case("max-age") {
                    max_age = Some(val.trim().trim_matches('"').parse::<u64>().ok());
                }
            }
        }
        let off = self.value_offset(e, 0);
        match max_age {
            None => self.add(
                "hsts-weak",
                off,
                "Strict-Transport-Security has no max-age: browsers ignore it".into(),
            ),
            Some(None) => self.add(
                "hsts-weak",
                off,
                "Strict-Transport-Security max-age is not a number of seconds".into(),
            ),
            Some(Some(a)) if a < 15_552_000 => self.add(
                "hsts-weak",
                off,
                format!(
                    "Strict-Transport-Security max-age={a} is under six months (15552000 seconds)"
                ),
            ),
            Some(Some(_)) => {}
        }
    }

    fn referrer(&mut self, e: &Entry, v: &str) {
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
        let off = self.value_offset(e, 0);
        match effective.as_deref() {
            None => self.add(
                "referrer-policy-unsafe",
                off,
                format!("Referrer-Policy \"{v}\" is not a valid policy"),
            ),
            Some(p @ ("unsafe-url" | "no-referrer-when-downgrade")) => {
                self.add(
                    "referrer-policy-unsafe",
                    off,
                    format!("Referrer-Policy {p} sends full URLs to other sites"),
                );
            }
            Some(p @ ("origin" | "origin-when-cross-origin")) => {
                self.add(
                    "referrer-policy-unsafe",
                    off,
                    format!("Referrer-Policy {p} sends the origin even over plain HTTP"),
                );
            }
            Some(_) => {}
        }
    }

    fn csp(&mut self, e: &Entry) {
        let directives = csp::parse(&e.value);
        let mut seen: Vec<&str> = Vec::new();
        for d in &directives {
            let off = self.value_offset(e, d.offset);
            match csp::directive_status(&d.name) {
                None => {
                    let guess = csp::DIRECTIVES
                        .iter()
                        .map(|(n, _)| *n)
                        .min_by_key(|n| strsim::levenshtein(n, &d.name))
                        .filter(|n| strsim::levenshtein(n, &d.name) <= 3)
                        .map_or(String::new(), |g| format!(" (did you mean {g}?)"));
                    self.add(
                        "csp-unknown-directive",
                        off,
                        format!("unknown CSP directive \"{}\"{guess}", d.name),
                    );
                }
                Some(csp::Status::Deprecated) => {
                    self.add(
                        "csp-deprecated-directive",
                        off,
                        format!("CSP directive {} is deprecated and ignored", d.name),
                    );
                }
                Some(csp::Status::Current) => {}
            }
            if seen.contains(&d.name.as_str()) {
                self.add(
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
                    self.add(
                        "csp-missing-semicolon",
                        off,
                        format!(
                            "\"{v}\" appears as a source of {}: is a ';' missing before it?",
                            d.name
                        ),
                    );
                }
                if v.to_ascii_lowercase().starts_with("http://") {
                    self.add(
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
        let start = self.value_offset(e, 0);
        let script = find("script-src").or_else(|| find("default-src"));
        let object = find("object-src").or_else(|| find("default-src"));
        let lc = |d: &csp::Directive| {
            d.values
                .iter()
                .map(|v| v.to_ascii_lowercase())
                .collect::<Vec<_>>()
        };
        match script {
            None => self.add(
                "csp-missing-script-src",
                start,
                "the CSP restricts neither script-src nor default-src: any script may load".into(),
            ),
            Some(d) => {
                let v = lc(d);
                let off = self.value_offset(e, d.offset);
                let nonce = v
                    .iter()
                    .any(|s| s.starts_with("'nonce-") || s.starts_with("'sha"));
                if v.iter().any(|s| s == "'unsafe-inline'") && !nonce {
                    self.add(
                        "csp-unsafe-inline",
                        off,
                        format!("{} allows 'unsafe-inline' scripts", d.name),
                    );
                }
                if v.iter().any(|s| s == "'unsafe-eval'") {
                    self.add(
                        "csp-unsafe-eval",
                        off,
                        format!("{} allows 'unsafe-eval'", d.name),
                    );
                }
                for s in v.iter().filter(|s| is_broad_source(s)) {
                    self.add(
                        "csp-broad-source",
                        off,
                        format!("{} allows scripts from {s}", d.name),
                    );
                }
            }
        }
        match object {
            None => self.add(
                "csp-missing-object-src",
                start,
                "the CSP restricts neither object-src nor default-src: plugins may load".into(),
            ),
            Some(d) => {
                let off = self.value_offset(e, d.offset);
                for s in lc(d).iter().filter(|s| is_broad_source(s)) {
                    self.add(
                        "csp-broad-source",
                        off,
                        format!("{} allows objects from {s}", d.name),
                    );
                }
            }
        }
        match find("base-uri") {
            None => self.add(
                "csp-missing-base-uri",
                start,
                "the CSP does not restrict base-uri".into(),
            ),
            Some(d) => {
                let off = self.value_offset(e, d.offset);
                for s in lc(d).iter().filter(|s| is_broad_source(s)) {
                    self.add("csp-broad-source", off, format!("base-uri allows {s}"));
                }
            }
        }
    }

    fn permissions(&mut self, e: &Entry) {
        match permissions::parse(&e.value) {
            Err(err) => {
                let off = self.value_offset(e, err.offset);
                self.add(
                    "pp-syntax",
                    off,
                    format!("Permissions-Policy: {}", err.message),
                );
            }
            Ok(members) => {
                let mut seen: Vec<&str> = Vec::new();
                for m in &members {
                    let off = self.value_offset(e, m.offset);
                    match permissions::feature_status(&m.feature) {
                        None => {
                            let note = if m.feature == "interest-cohort" {
                                " (FLoC, never shipped)"
                            } else {
                                ""
                            };
                            self.add(
                                "pp-unknown-feature",
                                off,
                                format!(
                                    "Permissions-Policy feature {} is unknown to browsers{note}",
                                    m.feature
                                ),
                            );
                        }
                        Some(FeatureStatus::Retired) => {
                            self.add(
                                "pp-retired-feature",
                                off,
                                format!("Permissions-Policy feature {} is retired", m.feature),
                            );
                        }
                        Some(s @ (FeatureStatus::Proposed | FeatureStatus::Experimental)) => {
                            let s = if s == FeatureStatus::Proposed {
                                "proposed"
                            } else {
                                "experimental"
                            };
                            self.add(
                                "pp-experimental-feature",
                                off,
                                format!("Permissions-Policy feature {} is only {s}", m.feature),
                            );
                        }
                        Some(FeatureStatus::Standardized) => {}
                    }
                    if seen.contains(&m.feature.as_str()) {
                        self.add(
                            "pp-duplicate-feature",
                            off,
                            format!("Permissions-Policy feature {} is given twice", m.feature),
                        );
                    }
                    seen.push(&m.feature);
                }
            }
        }
    }
}

/// The elements at `names` below `<configuration>` and below each `<location path=".">`, in
/// the order IIS applies them (top level first).
/// The response headers the application's URL Rewrite outbound rules blank (a rule whose match
/// is the server variable `RESPONSE_<Name>` and whose action rewrites it to nothing), in lower
/// case with `-` for `_`.
fn stripped_headers(t: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    for rules in app_elements(t, &["system.webServer", "rewrite", "outboundRules"]) {
        for rule in t
            .element_children(rules)
            .filter(|&r| t.local_name(r) == "rule")
        {
            if t.attribute_value(rule, "", "enabled")
                .is_some_and(|v| v.eq_ignore_ascii_case("false"))
            {
                continue;
            }
            let child = |n: &str| t.element_children(rule).find(|&c| t.local_name(c) == n);
            let var = child("match").and_then(|m| t.attribute_value(m, "", "serverVariable"));
            let blank = child("action").is_some_and(|a| {
                t.attribute_value(a, "", "type")
                    .is_some_and(|v| v.eq_ignore_ascii_case("Rewrite"))
                    && t.attribute_value(a, "", "value").unwrap_or("").is_empty()
            });
            if let (Some(v), true) = (var, blank) {
                if v.len() > 9 && v[..9].eq_ignore_ascii_case("RESPONSE_") {
                    out.push(v[9..].replace('_', "-").to_ascii_lowercase());
                }
            }
        }
    }
    out
}

fn app_elements(t: &Tree, names: &[&str]) -> Vec<NodeId> {
    let Some(root) = t
        .root_element()
        .filter(|&r| t.local_name(r) == "configuration")
    else {
        return Vec::new();
    };
    let mut holders = vec![root];
    holders.extend(t.element_children(root).filter(|&l| {
        t.local_name(l) == "location"
            && Scope::Location(t.attribute_value(l, "", "path").unwrap_or("").to_owned())
                .is_application()
    }));
    let mut out = Vec::new();
    for h in holders {
        let mut level = vec![h];
        for n in names {
            level = level
                .iter()
                .flat_map(|&p| t.element_children(p).filter(|&c| t.local_name(c) == *n))
                .collect();
        }
        out.extend(level);
    }
    out
}

/// The value of an attribute as IIS sees it when the element appears at several levels: the
/// last one that sets it wins. Lower-cased and trimmed, with its element.
fn effective_attr(t: &Tree, elements: &[NodeId], name: &str) -> Option<(String, NodeId)> {
    elements.iter().rev().find_map(|&e| {
        t.attribute_value(e, "", name)
            .map(|v| (v.trim().to_ascii_lowercase(), e))
    })
}

/// Validates one document.
pub fn validate(path: &str, bytes: &[u8], opts: &ValidateOptions) -> FileReport {
    let doc = match Document::parse(bytes, &Limits::default()) {
        Ok(d) => d,
        Err(e) => return malformed(path, bytes, &e),
    };
    validate_document(path, &doc, opts)
}

fn malformed(path: &str, bytes: &[u8], e: &XmlError) -> FileReport {
    let text = crate::xml::encoding::decode(bytes)
        .map(|(t, _)| t)
        .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned());
    let r = rule_by_id("xml-malformed");
    FileReport {
        path: path.to_owned(),
        findings: vec![Finding {
            rule: r.id,
            severity: r.severity,
            pos: e.pos(),
            message: e.to_string(),
            hint: e.hint().unwrap_or(r.hint).to_owned(),
        }],
        grade: None,
        headers: Vec::new(),
        text,
    }
}

/// Validates a parsed document.
pub fn validate_document(path: &str, doc: &Document, opts: &ValidateOptions) -> FileReport {
    let t = doc.tree();
    let text = doc.text();
    let mut c = Checker {
        tree: t,
        text,
        lines: LineIndex::new(text),
        findings: Vec::new(),
    };
    let collections = header_collections(t);
    let root = t
        .root_element()
        .expect("parsed documents have a root element");
    // Every entry: name and value checks.
    for coll in &collections {
        for e in &coll.entries {
            if let HeaderOp::Add { name, value } = &e.op {
                c.entry_checks(&Entry {
                    name: name.clone(),
                    value: value.clone(),
                    node: e.node,
                });
            }
        }
    }
    // Duplicates in every collection with a unique key, as IIS merges them (server defaults,
    // top level, <location path=".">, other locations).
    let analysis = analyze(t, opts.iis);
    for (n, name) in &analysis.useless_removes {
        let at = c.node_offset(*n);
        c.add(
            "remove-no-effect",
            at,
            format!("<remove name=\"{name}\"/> has no effect: nothing sets {name} at this point (not the server, not a parent level, not an earlier entry)"),
        );
    }
    for d in analysis.duplicates {
        let f = d.describe(&|n| c.pos(c.node_offset(n)).line);
        let at = c.node_offset(d.second);
        let hint = f.hint.unwrap_or_else(|| rule_by_id(f.rule).hint.to_owned());
        c.add_hinted(f.rule, at, f.message, &hint);
    }
    // The headers the application sends (but those its outbound rules blank).
    let stripped = stripped_headers(t);
    let is_stripped = |name: &str| stripped.contains(&name.replace('_', "-").to_ascii_lowercase());
    let site: Vec<Entry> = effective_headers(&collections, CollectionKind::CustomHeaders)
        .application
        .into_iter()
        .filter(|e| !is_stripped(&e.name))
        .map(|e| Entry {
            name: e.name,
            value: e.value,
            node: e.node,
        })
        .collect();
    if let Some(e) = site
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case("Clear-Site-Data"))
    {
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
    let headers: Vec<(String, String)> = site
        .iter()
        .map(|e| (e.name.clone(), e.value.clone()))
        .collect();
    let has = |n: &str| site.iter().any(|e| e.name.eq_ignore_ascii_case(n));
    // Where to point at when something is missing: the collection, or its nearest parent.
    let anchor = collections
        .iter()
        .find(|x| {
            x.kind == CollectionKind::CustomHeaders
                && (x.scope == Scope::TopLevel || x.scope.is_application())
        })
        .map(|x| x.element)
        .or_else(|| {
            app_elements(t, &["system.webServer", "httpProtocol"])
                .first()
                .copied()
        })
        .or_else(|| app_elements(t, &["system.webServer"]).first().copied())
        .unwrap_or(root);
    let anchor_at = c.node_offset(anchor);
    let frame_ancestors = site.iter().any(|e| {
        e.name.eq_ignore_ascii_case("content-security-policy")
            && csp::parse(&e.value)
                .iter()
                .any(|d| d.name == "frame-ancestors")
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
        let replaced = name == "Permissions-Policy" && has("Feature-Policy");
        if !has(name) && !replaced {
            c.add(
                "missing-header",
                anchor_at,
                format!("{name} is not set: {why}"),
            );
        }
    }
    // Information leaks.
    let powered_by_removed = collections
        .iter()
        .filter(|x| {
            x.kind == CollectionKind::CustomHeaders
                && (x.scope == Scope::TopLevel || x.scope.is_application())
        })
        .flat_map(|x| &x.entries)
        .any(|e| match &e.op {
            HeaderOp::Clear => true,
            HeaderOp::Remove { name } => name.eq_ignore_ascii_case("X-Powered-By"),
            HeaderOp::Add { .. } => false,
        })
        || is_stripped("X-Powered-By");
    if let Some(e) = site
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case("X-Powered-By"))
    {
        let at = c.node_offset(e.node);
        c.add_hinted(
            "server-header-leak",
            at,
            format!("X-Powered-By: {} announces the server's software", e.value),
            "Remove this <add> and add <remove name=\"X-Powered-By\"/> instead.",
        );
    } else if !powered_by_removed {
        c.add_hinted(
            "server-header-leak",
            anchor_at,
            "X-Powered-By (ASP.NET, set by IIS by default) is not removed".into(),
            "Add <remove name=\"X-Powered-By\"/> to the top-level customHeaders.",
        );
    }
    let system_webs = app_elements(t, &["system.web"]);
    if let Some(&sw) = system_webs.last() {
        let runtimes = app_elements(t, &["system.web", "httpRuntime"]);
        let version = effective_attr(t, &runtimes, "enableVersionHeader");
        if version.as_ref().is_none_or(|(v, _)| v != "false") && !is_stripped("X-AspNet-Version") {
            let at = c.node_offset(
                version
                    .map(|(_, n)| n)
                    .or(runtimes.last().copied())
                    .unwrap_or(sw),
            );
            c.add_hinted(
                "server-header-leak",
                at,
                "X-AspNet-Version is sent: httpRuntime enableVersionHeader is not \"false\"".into(),
                "Set <httpRuntime enableVersionHeader=\"false\"/> in system.web.",
            );
        }
        let cookies = app_elements(t, &["system.web", "httpCookies"]);
        let attr = |n: &str| effective_attr(t, &cookies, n);
        let at = c.node_offset(cookies.last().copied().unwrap_or(sw));
        let secure = attr("requireSSL").is_some_and(|(v, _)| v == "true");
        if !secure {
            c.add(
                "cookie-not-secure",
                at,
                "cookies are not restricted to HTTPS: httpCookies requireSSL is not \"true\""
                    .into(),
            );
        }
        if attr("httpOnlyCookies").is_none_or(|(v, _)| v != "true") {
            c.add(
                "cookie-not-httponly",
                at,
                "cookies are readable by scripts: httpCookies httpOnlyCookies is not \"true\""
                    .into(),
            );
        }
        if attr("sameSite").is_some_and(|(v, _)| v == "none") && !secure {
            c.add(
                "cookie-samesite-none-insecure",
                at,
                "sameSite=\"None\" without requireSSL=\"true\": browsers reject these cookies"
                    .into(),
            );
        }
    }
    let filtering = app_elements(t, &["system.webServer", "security", "requestFiltering"]);
    let server = effective_attr(t, &filtering, "removeServerHeader");
    if server.as_ref().is_none_or(|(v, _)| v != "true") && !is_stripped("Server") {
        let at = c.node_offset(
            filtering
                .last()
                .copied()
                .or_else(|| app_elements(t, &["system.webServer"]).last().copied())
                .unwrap_or(root),
        );
        c.add_hinted(
            "server-header-leak",
            at,
            "the Server header (Microsoft-IIS/x) is sent: requestFiltering removeServerHeader is not \"true\"".into(),
            "Set <security><requestFiltering removeServerHeader=\"true\"/></security> in system.webServer (IIS 10 and later).",
        );
    }
    // The profile's headers.
    if let Some(p) = &opts.profile {
        if p.collection == CollectionKind::CustomHeaders {
            // What the profile writes (logout-only headers in their locations, see
            // profile::removals).
            let eff = p.effective();
            let locations =
                effective_headers(&collections, CollectionKind::CustomHeaders).locations;
            for path in &eff.profile.logout_paths {
                let here = locations
                    .iter()
                    .find(|(s, _)| s.path().is_some_and(|l| l.trim().trim_matches('/') == path));
                for h in &eff.logout_headers {
                    let sent = here.is_some_and(|(_, list)| {
                        list.iter().any(|e| {
                            e.name.eq_ignore_ascii_case(&h.name) && e.value == h.value.render()
                        })
                    });
                    if !sent {
                        c.add(
                            "profile-mismatch",
                            anchor_at,
                            format!(
                                "profile {} sends {} on {path}, the file does not",
                                p.name, h.name
                            ),
                        );
                    }
                }
            }
            for h in &eff.profile.headers {
                let want = h.value.render();
                match site.iter().find(|e| e.name.eq_ignore_ascii_case(&h.name)) {
                    None => c.add(
                        "profile-mismatch",
                        anchor_at,
                        format!("profile {} sets {}, the file does not", p.name, h.name),
                    ),
                    Some(e) if e.value != want => {
                        let at = c.node_offset(e.node);
                        c.add(
                            "profile-mismatch",
                            at,
                            format!(
                                "{} is \"{}\", profile {} wants \"{want}\"",
                                h.name, e.value, p.name
                            ),
                        );
                    }
                    Some(_) => {}
                }
            }
            for r in &p.remove {
                if let Some(e) = site.iter().find(|e| e.name.eq_ignore_ascii_case(r)) {
                    let at = c.node_offset(e.node);
                    c.add(
                        "profile-mismatch",
                        at,
                        format!("profile {} removes {r}, the file adds it", p.name),
                    );
                }
            }
        }
    }
    let mut findings = c.findings;
    findings.retain(|(_, f)| !opts.ignore.iter().any(|i| i == f.rule));
    findings.sort_by_key(|(o, _)| *o);
    FileReport {
        path: path.to_owned(),
        findings: findings.into_iter().map(|(_, f)| f).collect(),
        grade: Some(grade::grade(&headers)),
        headers,
        text: text.to_owned(),
    }
}

/// A CSP source that lets any site (or any inline data) in: `*`, a bare scheme, or a scheme
/// with a wildcard host.
fn is_broad_source(s: &str) -> bool {
    matches!(
        s,
        "*" | "data:" | "http:" | "https:" | "http://*" | "https://*"
    )
}
