//! Validation: check web.config files as IIS, browsers and a security reviewer would.
//!
//! Every finding has a stable rule id (see [`RULES`]), a severity, a position and a hint. The
//! headers a site sends are those of the application (the top-level `customHeaders`, then
//! `<location path=".">`), merged as IIS does ([`crate::model::effective_headers`]); the
//! security grade ([`grade`]) is computed from them, and [`report`] renders the results.
//!
//! The rules are checked by family, each in a private module of its own (`iis`: IIS's
//! collections; `headers`: header syntax and values, missing headers; `leaks`: what announces
//! the server's software; `cookies`; `profile`), reporting to one checker that places and
//! records the findings. [`RULES`] stays the one table of ids, severities and hints: a new
//! family is a module, a step in [`validate_document`] and its rows in [`RULES`].
//!
//! The rules on a header's value (syntax, HSTS, Referrer-Policy, X-Frame-Options,
//! X-Content-Type-Options, CSP, Permissions-Policy, deprecated and missing headers) live in
//! [`values`], on a plain name and value: `validate` places their findings in the file,
//! [`served`] at the index of a header a server sent (what `webxsl probe` checks).
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

pub mod intent;
pub mod served;
pub mod values;

mod checker;
mod cookies;
mod headers;
mod iis;
mod leaks;
mod profile;
mod site;

use crate::diag::{Pos, Severity};
use crate::iis::IisVersion;
use crate::model::header_collections;
use crate::profile::Profile;
use crate::xml::{Document, Limits, XmlError};
use checker::Checker;
use site::Site;

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

/// A rule (for the rule tables: validate's here, probe's in `crate::probe::rules`).
pub(crate) const fn rule(
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
pub static RULES: &[Rule] = &[
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
        "Remove 'unsafe-inline' from script-src (and script-src-elem/-attr): give the scripts that need it a nonce or a hash; with a nonce, 'unsafe-inline' is ignored by browsers and may stay for old ones.",
    ),
    rule(
        "csp-unsafe-eval",
        Warning,
        "The CSP allows eval()",
        "Remove 'unsafe-eval' once the code no longer needs eval() or new Function().",
    ),
    rule(
        "csp-unsafe-hashes-without-hash",
        Info,
        "'unsafe-hashes' is set but no hash: it allows nothing",
        "Add the hashes of the event handlers you allow ('sha256-...'), or remove 'unsafe-hashes'.",
    ),
    rule(
        "csp-broad-source",
        Warning,
        "A CSP script, object or base-uri source is a wildcard or a plain scheme",
        "Replace *, data:, http: and https: with the exact origins you load from (or use nonces and 'strict-dynamic', which make browsers ignore them).",
    ),
    rule(
        "csp-allowlist-bypass",
        Warning,
        "A CSP source hosts JSONP endpoints, AngularJS or Flash files that defeat the allowlist",
        "Load the script you need from your own origin, or replace host allowlists with nonces and 'strict-dynamic' (the host lists are csp-evaluator's).",
    ),
    rule(
        "csp-strict-dynamic-without-nonce",
        Warning,
        "'strict-dynamic' without a nonce or hash: CSP3 browsers block every script",
        "Add a nonce ('nonce-RANDOM', new on every response) or the hashes of your scripts next to 'strict-dynamic'.",
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
        Warning,
        "A nonce- or hash-based CSP does not restrict base-uri",
        "Add base-uri 'none' (or 'self'): an injected <base> redirects the relative URLs of nonced scripts.",
    ),
    rule(
        "csp-insecure-source",
        Warning,
        "A CSP source is loaded over http://",
        "Load it over https://.",
    ),
    rule(
        "csp-ip-source",
        Info,
        "A CSP source is an IP address",
        "Browsers never match an IP address in a host source: use the host name (and never localhost in production).",
    ),
    rule(
        "csp-invalid-keyword",
        Warning,
        "A CSP keyword is misspelled or lacks its single quotes",
        "Keywords, nonces and hashes are quoted: 'self', 'none', 'nonce-...', 'sha256-...'; without quotes browsers read them as host names.",
    ),
    rule(
        "csp-nonce-length",
        Warning,
        "A CSP nonce is shorter than 8 characters",
        "Use a fresh random nonce of 128 bits or more (22+ base64 characters) on every response.",
    ),
    rule(
        "csp-nonce-charset",
        Warning,
        "A CSP nonce is not base64: browsers ignore it",
        "Nonces use the base64 (or base64url) alphabet, with at most two '=' at the end.",
    ),
    rule(
        "csp-report-to-only",
        Info,
        "The CSP reports only through report-to",
        "Add report-uri too: browsers without the Reporting API (Firefox, Safari) only send reports to report-uri.",
    ),
    rule(
        "csp-deprecated-directive",
        Warning,
        "A CSP directive is deprecated and ignored",
        "Remove it (reflected-xss, referrer, disown-opener, prefetch-src, plugin-types, block-all-mixed-content, navigate-to, require-sri-for).",
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
        "manifest-drift",
        Error,
        "webxsl check: the file is not what webxsl.toml makes of it",
        "Run webxsl sync (or apply the change the diff shows), then commit the file.",
    ),
    rule(
        "grade-below-minimum",
        Error,
        "webxsl check: the result grades below the entry's min-grade",
        "Fix the findings that cost points (the grade lists them), or lower min-grade in webxsl.toml.",
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

/// Validates one document.
pub fn validate(path: &str, bytes: &[u8], opts: &ValidateOptions) -> FileReport {
    // The copy is the one decoding would make.
    validate_owned(path, bytes.to_vec(), opts)
}

/// [`validate`] for bytes the caller gives up: UTF-8 (the usual case) becomes the document's
/// text and then the report's without a copy, which matters on a large file.
pub fn validate_owned(path: &str, bytes: Vec<u8>, opts: &ValidateOptions) -> FileReport {
    match Document::parse_owned_or_back(bytes, &Limits::default()) {
        Ok(doc) => report_of(path, doc, opts),
        Err((e, text)) => malformed(path, text, &e),
    }
}

/// The report of a document, which gives the report its text.
fn report_of(path: &str, doc: Document, opts: &ValidateOptions) -> FileReport {
    let mut report = check(path, &doc, opts);
    report.text = doc.into_text();
    report
}

/// The report of a file that is not well-formed XML: its one `xml-malformed` finding.
fn malformed(path: &str, text: String, e: &XmlError) -> FileReport {
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

/// Validates a parsed document: the rule families in turn, then the findings in file order.
pub fn validate_document(path: &str, doc: &Document, opts: &ValidateOptions) -> FileReport {
    let mut report = check(path, doc, opts);
    report.text = doc.text().to_owned();
    report
}

/// [`validate_document`] but for the report's text, left empty.
fn check(path: &str, doc: &Document, opts: &ValidateOptions) -> FileReport {
    let t = doc.tree();
    let mut c = Checker::new(t, doc.text());
    let collections = header_collections(t);
    // Every entry: name and value checks.
    headers::entries(&mut c, &collections);
    // Duplicates in every collection with a unique key, as IIS merges them (server defaults,
    // top level, <location path=".">, other locations).
    iis::check(&mut c, opts.iis);
    // The headers the application sends (but those its outbound rules blank).
    let site = Site::new(&c, &collections, leaks::stripped_headers(t));
    headers::clear_site_data(&mut c, &site);
    headers::missing(&mut c, &site);
    // Information leaks, with the cookies between two of them (the order findings at one
    // offset keep).
    leaks::powered_by(&mut c, &site);
    leaks::aspnet_version(&mut c, &site);
    cookies::check(&mut c);
    leaks::server(&mut c, &site);
    // The profile's headers.
    if let Some(p) = &opts.profile {
        profile::check(&mut c, &site, p);
    }
    let headers = site.headers();
    let mut findings = c.into_findings();
    findings.retain(|(_, f)| !opts.ignore.iter().any(|i| i == f.rule));
    findings.sort_by_key(|(o, _)| *o);
    FileReport {
        path: path.to_owned(),
        findings: findings.into_iter().map(|(_, f)| f).collect(),
        grade: Some(grade::grade(&headers)),
        headers,
        text: String::new(),
    }
}
