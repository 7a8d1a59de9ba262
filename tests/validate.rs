//! `webxsl validate`: every rule fires on a config that breaks it and stays quiet on a close
//! one that does not; the samples and every preset's result are validated; the JSON report has
//! its documented shape and the SARIF report passes the official SARIF 2.1.0 schema.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use webxsl::apply::{ApplyOptions, apply_profile};
use webxsl::diag::Severity;
use webxsl::profile::presets;
use webxsl::validate::{FileReport, RULES, ValidateOptions, validate};

/// A clean site: every recommended header, X-Powered-By removed, no Server header, no
/// A clean site's headers: no finding, A+ (validate's clean set).
const BASE: &[(&str, &str)] = support::CLEAN_HEADERS;

/// What to change in the clean site.
#[derive(Clone, Default)]
struct Site {
    /// Headers replaced (same name) or added.
    set: Vec<(&'static str, &'static str)>,
    /// Headers left out.
    without: Vec<&'static str>,
    /// Raw entries appended to the collection.
    raw_entries: &'static str,
    /// Raw XML appended to <configuration>.
    raw_top: &'static str,
    /// Keep the <remove name="X-Powered-By"/>.
    keep_powered_by: bool,
    /// Keep requestFiltering removeServerHeader.
    keep_server: bool,
}

fn site() -> Site {
    Site {
        keep_powered_by: true,
        keep_server: true,
        ..Site::default()
    }
}

impl Site {
    fn set(mut self, name: &'static str, value: &'static str) -> Site {
        self.set.push((name, value));
        self
    }
    fn without(mut self, name: &'static str) -> Site {
        self.without.push(name);
        self
    }
    fn entries(mut self, raw: &'static str) -> Site {
        self.raw_entries = raw;
        self
    }
    fn top(mut self, raw: &'static str) -> Site {
        self.raw_top = raw;
        self
    }
    fn text(&self) -> String {
        let mut headers: Vec<(&str, &str)> = BASE
            .iter()
            .filter(|(n, _)| !self.without.contains(n))
            .copied()
            .collect();
        for (n, v) in &self.set {
            match headers.iter_mut().find(|(x, _)| x == n) {
                Some(h) => h.1 = v,
                None => headers.push((n, v)),
            }
        }
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n",
        );
        if self.keep_powered_by {
            s.push_str("        <remove name=\"X-Powered-By\" />\n");
        }
        for (n, v) in headers {
            s.push_str(&format!(
                "        <add name=\"{}\" value=\"{}\" />\n",
                n,
                support::attr_escape(v)
            ));
        }
        s.push_str(self.raw_entries);
        s.push_str("      </customHeaders>\n    </httpProtocol>\n");
        if self.keep_server {
            s.push_str("    <security>\n      <requestFiltering removeServerHeader=\"true\" />\n    </security>\n");
        }
        s.push_str("  </system.webServer>\n");
        s.push_str(self.raw_top);
        s.push_str("</configuration>\n");
        s
    }
}

fn check(text: &str) -> FileReport {
    validate("web.config", text.as_bytes(), &ValidateOptions::default())
}

fn rules(r: &FileReport) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.rule).collect()
}

const SYSTEM_WEB_GOOD: &str = "  <system.web>\n    <httpRuntime enableVersionHeader=\"false\" />\n    <httpCookies requireSSL=\"true\" httpOnlyCookies=\"true\" sameSite=\"Lax\" />\n  </system.web>\n";

/// (rule, a config that breaks it, a close config that does not).
fn cases() -> Vec<(&'static str, String, String)> {
    let s = site;
    vec![
        (
            "xml-malformed",
            "<configuration>\n  <system.webServer>\n</configuration>\n".into(),
            s().text(),
        ),
        (
            "duplicate-header",
            s().entries("        <add name=\"x-frame-options\" value=\"SAMEORIGIN\" />\n").text(),
            s().entries("        <remove name=\"X-Frame-Options\" />\n        <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />\n").text(),
        ),
        (
            "duplicate-header",
            s().top("  <location path=\"api\">\n    <system.webServer>\n      <httpProtocol>\n        <customHeaders>\n          <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n").text(),
            s().top("  <location path=\"api\">\n    <system.webServer>\n      <httpProtocol>\n        <customHeaders>\n          <clear />\n          <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n").text(),
        ),
        (
            "duplicate-entry",
            s().top("  <location path=\"api\">\n    <system.webServer>\n      <rewrite>\n        <rules>\n          <rule name=\"https\" />\n          <rule name=\"HTTPS\" />\n        </rules>\n      </rewrite>\n    </system.webServer>\n  </location>\n").text(),
            s().top("  <location path=\"api\">\n    <system.webServer>\n      <rewrite>\n        <rules>\n          <rule name=\"https\" />\n          <rule name=\"www\" />\n        </rules>\n      </rewrite>\n    </system.webServer>\n  </location>\n").text(),
        ),
        (
            "duplicate-inherited",
            s().top("  <location path=\"fonts\">\n    <system.webServer>\n      <staticContent>\n        <mimeMap fileExtension=\".woff2\" mimeType=\"font/woff2\" />\n      </staticContent>\n    </system.webServer>\n  </location>\n").text(),
            s().top("  <location path=\"fonts\">\n    <system.webServer>\n      <staticContent>\n        <remove fileExtension=\".woff2\" />\n        <mimeMap fileExtension=\".woff2\" mimeType=\"font/woff2\" />\n      </staticContent>\n    </system.webServer>\n  </location>\n").text(),
        ),
        (
            "duplicate-setting",
            s().top("  <appSettings>\n    <add key=\"Mode\" value=\"a\" />\n    <add key=\"mode\" value=\"b\" />\n  </appSettings>\n").text(),
            s().top("  <appSettings>\n    <add key=\"Mode\" value=\"a\" />\n    <add key=\"Mode2\" value=\"b\" />\n  </appSettings>\n").text(),
        ),
        (
            "remove-no-effect",
            s().entries("        <remove name=\"X-Kong-Request-Id\" />\n").text(),
            s().entries("        <remove name=\"X-Custom\" />\n        <add name=\"X-Custom\" value=\"1\" />\n").text(),
        ),
        (
            "clear-site-data-sitewide",
            s().set("Clear-Site-Data", "\"cookies\"").text(),
            s().top("  <location path=\"account/logout\">\n    <system.webServer>\n      <httpProtocol>\n        <customHeaders>\n          <add name=\"Clear-Site-Data\" value=\"&quot;cookies&quot;\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n").text(),
        ),
        (
            "header-name-invalid",
            s().set("X Custom(1)", "a").text(),
            s().set("X-Custom_1", "a").text(),
        ),
        (
            "header-value-invalid",
            s().entries("        <add name=\"X-Custom\" value=\"a&#10;Set-Cookie: x=1\" />\n").text(),
            s().entries("        <add name=\"X-Custom\" value=\"a&#9;b\" />\n").text(),
        ),
        (
            "missing-header",
            s().without("Strict-Transport-Security").text(),
            // frame-ancestors stands in for X-Frame-Options.
            s().without("X-Frame-Options").text(),
        ),
        (
            "deprecated-header",
            s().set("X-XSS-Protection", "1; mode=block").text(),
            s().set("X-XSS-Protection", "0").text(),
        ),
        (
            "deprecated-header",
            s().set("Expect-CT", "max-age=86400").text(),
            s().set("Expect", "100-continue").text(),
        ),
        (
            "hsts-weak",
            s().set("Strict-Transport-Security", "max-age=300").text(),
            s().set("Strict-Transport-Security", "max-age=15552000").text(),
        ),
        (
            "hsts-weak",
            s().set("Strict-Transport-Security", "includeSubDomains").text(),
            s().set("Strict-Transport-Security", "includeSubDomains; MAX-AGE=31536000").text(),
        ),
        (
            "referrer-policy-unsafe",
            s().set("Referrer-Policy", "unsafe-url").text(),
            // The last policy the browser knows wins.
            s().set("Referrer-Policy", "unsafe-url, strict-origin").text(),
        ),
        (
            "referrer-policy-unsafe",
            s().set("Referrer-Policy", "nope").text(),
            s().set("Referrer-Policy", "no-referrer").text(),
        ),
        (
            "xfo-invalid",
            s().set("X-Frame-Options", "ALLOW-FROM https://a.example").text(),
            s().set("X-Frame-Options", "sameorigin").text(),
        ),
        (
            "xcto-invalid",
            s().set("X-Content-Type-Options", "sniff").text(),
            s().set("X-Content-Type-Options", "NoSniff").text(),
        ),
        (
            "csp-unsafe-inline",
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'").text(),
            // Browsers ignore 'unsafe-inline' next to a nonce.
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-r4nd0m'; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-unsafe-eval",
            s().set("Content-Security-Policy", "default-src 'self' 'unsafe-eval'; object-src 'none'; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-broad-source",
            s().set("Content-Security-Policy", "default-src 'self'; script-src https:; object-src 'none'; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; script-src https://cdn.example.com; img-src https:; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-missing-object-src",
            s().set("Content-Security-Policy", "script-src 'self'; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "script-src 'self'; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-missing-script-src",
            s().set("Content-Security-Policy", "object-src 'none'; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-missing-base-uri",
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-r4nd0mR4nd0m'; object-src 'none'").text(),
            // Without nonces, a rebased relative script URL is still held to the allowlist.
            s().set("Content-Security-Policy", "default-src 'self'; object-src 'none'").text(),
        ),
        (
            "csp-unsafe-hashes-without-hash",
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-hashes'; object-src 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-hashes' 'sha256-0tiLHFQ9Qw3W8Pm1nmIqW87EaN0L4Z6DZRKP2YSq4pQ='; object-src 'none'").text(),
        ),
        (
            "csp-allowlist-bypass",
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'self' https://www.google.com; object-src 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'self' https://cdn.example.com; object-src 'none'").text(),
        ),
        (
            "csp-strict-dynamic-without-nonce",
            s().set("Content-Security-Policy", "script-src 'strict-dynamic' https:; object-src 'none'").text(),
            s().set("Content-Security-Policy", "script-src 'nonce-r4nd0mR4nd0m' 'strict-dynamic' https:; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-ip-source",
            s().set("Content-Security-Policy", "default-src 'self'; img-src 'self' 192.0.2.7; object-src 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; img-src 'self' images.example; object-src 'none'").text(),
        ),
        (
            "csp-invalid-keyword",
            s().set("Content-Security-Policy", "default-src self; object-src 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; object-src 'none'").text(),
        ),
        (
            "csp-nonce-length",
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-abc'; object-src 'none'; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-r4nd0mR4nd0m'; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-nonce-charset",
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-r4nd0m!r4nd0m'; object-src 'none'; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-r4nd0m_r4nd0m=='; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-report-to-only",
            s().set("Content-Security-Policy", "default-src 'self'; object-src 'none'; report-to csp").text(),
            s().set("Content-Security-Policy", "default-src 'self'; object-src 'none'; report-to csp; report-uri /csp-reports").text(),
        ),
        (
            "csp-insecure-source",
            s().set("Content-Security-Policy", "default-src 'self'; img-src http://images.example; object-src 'none'; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; img-src https://images.example; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-deprecated-directive",
            s().set("Content-Security-Policy", "default-src 'self'; reflected-xss block; object-src 'none'; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-unknown-directive",
            s().set("Content-Security-Policy", "defualt-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "DEFAULT-SRC 'self'; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-duplicate-directive",
            s().set("Content-Security-Policy", "default-src 'self'; object-src 'none'; default-src *; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "csp-missing-semicolon",
            s().set("Content-Security-Policy", "default-src 'self' object-src 'none'; base-uri 'none'").text(),
            s().set("Content-Security-Policy", "default-src 'self'; object-src 'none'; base-uri 'none'").text(),
        ),
        (
            "pp-syntax",
            s().set("Permissions-Policy", "camera=(self").text(),
            s().set("Permissions-Policy", "camera=(self \"https://a.example\")").text(),
        ),
        (
            "pp-unknown-feature",
            s().set("Permissions-Policy", "camera=(), interest-cohort=()").text(),
            s().set("Permissions-Policy", "camera=(), microphone=()").text(),
        ),
        (
            "pp-retired-feature",
            s().set("Permissions-Policy", "document-domain=()").text(),
            s().set("Permissions-Policy", "fullscreen=(self)").text(),
        ),
        (
            "pp-experimental-feature",
            s().set("Permissions-Policy", "clipboard-read=()").text(),
            s().set("Permissions-Policy", "payment=()").text(),
        ),
        (
            "pp-duplicate-feature",
            s().set("Permissions-Policy", "camera=(), geolocation=(), camera=(self)").text(),
            s().set("Permissions-Policy", "camera=(), geolocation=(self)").text(),
        ),
        (
            "pp-feature-policy",
            s().without("Permissions-Policy").set("Feature-Policy", "camera 'none'").text(),
            s().set("Feature-Policy-Report", "x").text(),
        ),
        (
            "server-header-leak",
            Site { keep_powered_by: false, ..site() }.text(),
            s().text(),
        ),
        (
            "server-header-leak",
            Site { keep_server: false, ..site() }.text(),
            s().text(),
        ),
        (
            "server-header-leak",
            s().top("  <system.web>\n    <httpRuntime targetFramework=\"4.8\" />\n    <httpCookies requireSSL=\"true\" httpOnlyCookies=\"true\" />\n  </system.web>\n").text(),
            s().top(SYSTEM_WEB_GOOD).text(),
        ),
        (
            "cookie-not-secure",
            s().top("  <system.web>\n    <httpRuntime enableVersionHeader=\"false\" />\n    <httpCookies httpOnlyCookies=\"true\" />\n  </system.web>\n").text(),
            s().top(SYSTEM_WEB_GOOD).text(),
        ),
        (
            "cookie-not-httponly",
            s().top("  <system.web>\n    <httpRuntime enableVersionHeader=\"false\" />\n    <httpCookies requireSSL=\"true\" httpOnlyCookies=\"false\" />\n  </system.web>\n").text(),
            s().top(SYSTEM_WEB_GOOD).text(),
        ),
        (
            "cookie-samesite-none-insecure",
            s().top("  <system.web>\n    <httpRuntime enableVersionHeader=\"false\" />\n    <httpCookies httpOnlyCookies=\"true\" sameSite=\"None\" />\n  </system.web>\n").text(),
            s().top("  <system.web>\n    <httpRuntime enableVersionHeader=\"false\" />\n    <httpCookies requireSSL=\"true\" httpOnlyCookies=\"true\" sameSite=\"None\" />\n  </system.web>\n").text(),
        ),
    ]
}

#[test]
fn every_rule_fires_on_a_config_that_breaks_it_and_not_on_one_that_does_not() {
    let cases = cases();
    for (rule, bad, good) in &cases {
        let r = check(bad);
        assert!(
            rules(&r).contains(rule),
            "{rule} does not fire on:\n{bad}\nfindings: {:?}",
            rules(&r)
        );
        let r = check(good);
        assert!(
            !rules(&r).contains(rule),
            "{rule} fires on:\n{good}\nfindings: {:#?}",
            r.findings
        );
    }
    // Every rule is covered (profile-mismatch has its own test below; manifest-drift and
    // grade-below-minimum are webxsl check's, tested in tests/manifest.rs).
    let elsewhere = ["profile-mismatch", "manifest-drift", "grade-below-minimum"];
    for r in RULES {
        assert!(
            elsewhere.contains(&r.id) || cases.iter().any(|(id, _, _)| *id == r.id),
            "no test case for {}",
            r.id
        );
    }
}

#[test]
fn the_clean_site_has_no_findings_and_grades_a_plus() {
    let r = check(&site().text());
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    let g = r.grade.unwrap();
    assert_eq!(g.letter, "A+", "{g:?}");
}

#[test]
fn findings_point_at_the_offending_place() {
    // The line feed inside the value, written as a character reference.
    let text = site()
        .entries("        <add name=\"X-Custom\" value=\"ab&#10;cd\" />\n")
        .text();
    let r = check(&text);
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "header-value-invalid")
        .unwrap();
    let line = text.lines().nth(f.pos.line as usize - 1).unwrap();
    let at: String = line.chars().skip(f.pos.col as usize - 1).collect();
    assert!(at.starts_with("&#10;cd"), "{line} at {:?}", f.pos);
    assert_eq!(f.severity, Severity::Error);
    // A duplicate names the line of the first entry.
    let text = site()
        .entries("        <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />\n")
        .text();
    let r = check(&text);
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "duplicate-header")
        .unwrap();
    let first = text
        .lines()
        .position(|l| l.contains("\"X-Frame-Options\" value=\"DENY\""))
        .unwrap()
        + 1;
    assert!(
        f.message.contains(&format!("line {first}")),
        "{}",
        f.message
    );
    assert!(
        text.lines()
            .nth(f.pos.line as usize - 1)
            .unwrap()
            .contains("SAMEORIGIN"),
        "{f:?}"
    );
    // A CSP finding points into the value, at the source it is about.
    let text = site()
        .set(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'unsafe-eval'; object-src 'none'; base-uri 'none'",
        )
        .text();
    let r = check(&text);
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "csp-unsafe-eval")
        .unwrap();
    let line = text.lines().nth(f.pos.line as usize - 1).unwrap();
    let at: String = line.chars().skip(f.pos.col as usize - 1).collect();
    assert!(at.starts_with("'unsafe-eval'; object-src"), "{at}");
    // Malformed XML: the parser's position.
    let r = check("<configuration>\n  <a>\n</configuration>\n");
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].pos.line, 3);
    assert!(r.grade.is_none());
}

#[test]
fn the_application_location_counts_as_the_site() {
    let text = "<configuration>\n  <location path=\".\" inheritInChildApplications=\"false\">\n    <system.webServer>\n      <httpProtocol>\n        <customHeaders>\n          <remove name=\"X-Powered-By\" />\n          <add name=\"X-Frame-Options\" value=\"DENY\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n        <add name=\"X-Frame-Options\" value=\"DENY\" />\n      </customHeaders>\n    </httpProtocol>\n  </system.webServer>\n</configuration>\n";
    let r = check(text);
    // Top level and <location path="."> merge: the second X-Frame-Options is a duplicate.
    assert!(rules(&r).contains(&"duplicate-header"), "{:?}", rules(&r));
    assert!(
        !r.findings
            .iter()
            .any(|f| f.rule == "missing-header" && f.message.contains("X-Frame-Options")),
        "{:?}",
        r.findings
    );
}

#[test]
fn profile_mismatch_reports_missing_and_different_headers() {
    let p = presets::get("recommended").unwrap();
    let opts = ValidateOptions {
        profile: Some(p.clone()),
        ..ValidateOptions::default()
    };
    let text = site().set("X-Frame-Options", "SAMEORIGIN").text();
    let r = validate("web.config", text.as_bytes(), &opts);
    let mismatches: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.rule == "profile-mismatch")
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        mismatches
            .iter()
            .any(|m| m.contains("X-Frame-Options is \"SAMEORIGIN\"")),
        "{mismatches:?}"
    );
    assert!(
        mismatches
            .iter()
            .any(|m| m.contains("sets Cross-Origin-Opener-Policy, the file does not")),
        "{mismatches:?}"
    );
    // After applying the profile there is nothing to report.
    let applied = apply_profile(&p, text.as_bytes(), &ApplyOptions::default()).unwrap();
    let r = validate("web.config", &applied.bytes, &opts);
    assert!(
        !rules(&r).contains(&"profile-mismatch"),
        "{:#?}",
        r.findings
    );
}

#[test]
fn ignored_rules_are_dropped() {
    let text = site().without("Strict-Transport-Security").text();
    let opts = ValidateOptions {
        ignore: vec!["missing-header".into()],
        ..ValidateOptions::default()
    };
    let r = validate("web.config", text.as_bytes(), &opts);
    assert!(!rules(&r).contains(&"missing-header"));
    assert!(rules(&check(&text)).contains(&"missing-header"));
}

#[test]
fn the_samples_validate_without_errors() {
    for path in support::samples() {
        let bytes = std::fs::read(&path).unwrap();
        let r = validate(
            &path.display().to_string(),
            &bytes,
            &ValidateOptions::default(),
        );
        assert!(!r.has_errors(), "{}: {:#?}", path.display(), r.findings);
        let g = r.grade.as_ref().unwrap();
        // None of the samples is hardened yet.
        assert!(
            webxsl::validate::grade::rank(g.letter).unwrap() > 0,
            "{}: {g:?}",
            path.display()
        );
        assert!(rules(&r).contains(&"missing-header"), "{}", path.display());
    }
    // The one that already sets X-Frame-Options is not told to set it.
    let path = support::root().join("samples/existing-xfo/web.config");
    let r = validate(
        "x",
        &std::fs::read(path).unwrap(),
        &ValidateOptions::default(),
    );
    assert!(
        !r.findings
            .iter()
            .any(|f| f.message.starts_with("X-Frame-Options is not set")),
        "{:#?}",
        r.findings
    );
}

#[test]
fn every_preset_applied_to_every_sample_validates() {
    for name in presets::NAMES {
        let p = presets::get(name).unwrap();
        for path in support::samples() {
            let what = format!("{name} on {}", path.display());
            let bytes = std::fs::read(&path).unwrap();
            let applied = apply_profile(&p, &bytes, &ApplyOptions::default()).unwrap();
            let opts = ValidateOptions {
                profile: Some(p.clone()),
                ..ValidateOptions::default()
            };
            let r = validate(&what, &applied.bytes, &opts);
            assert!(!r.has_errors(), "{what}: {:#?}", r.findings);
            let found = rules(&r);
            match *name {
                "recommended" => {
                    // Only what the sample already had: a <remove> after a <clear/>.
                    let before = validate(&what, &bytes, &opts);
                    let infos = |r: &FileReport| {
                        r.findings
                            .iter()
                            .filter(|f| f.rule == "remove-no-effect")
                            .count()
                    };
                    assert_eq!(infos(&r), infos(&before), "{what}");
                    assert!(
                        r.findings.iter().all(|f| f.rule == "remove-no-effect"),
                        "{what}: {:#?}",
                        r.findings
                    );
                    assert_eq!(r.grade.as_ref().unwrap().letter, "A+", "{what}");
                }
                "outsystems-guide" => {
                    let flagged = |rule: &str, text: &str| {
                        r.findings
                            .iter()
                            .any(|f| f.rule == rule && f.message.contains(text))
                    };
                    assert!(flagged("deprecated-header", "X-XSS-Protection"), "{what}");
                    assert!(flagged("pp-retired-feature", "document-domain"), "{what}");
                    assert!(flagged("pp-unknown-feature", "interest-cohort"), "{what}");
                }
                _ => {}
            }
            assert!(!found.contains(&"duplicate-header"), "{what}");
        }
    }
}

// ---- reports, through the real binary --------------------------------------------------------

fn webxsl(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_webxsl"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write as _;
        let mut input = child.stdin.take().unwrap();
        if let Some(b) = stdin {
            input.write_all(b).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn sample(name: &str) -> String {
    support::root()
        .join("samples")
        .join(name)
        .join("web.config")
        .display()
        .to_string()
}

/// A directory with a malformed file, a clean one and one with an error-level finding.
/// A directory of configs for `test` alone (tests run in parallel: a shared one would be
/// removed and rewritten under another test's feet).
fn report_dir(test: &str) -> PathBuf {
    let d = support::temp_dir(&format!("validate-reports-{test}"));
    std::fs::write(
        d.join("broken.config"),
        "<configuration>\n  <a>\n</configuration>\n",
    )
    .unwrap();
    std::fs::write(d.join("clean.config"), site().text()).unwrap();
    std::fs::write(
        d.join("duplicate.config"),
        site()
            .entries("        <add name=\"X-Frame-Options\" value=\"DENY\" />\n")
            .text(),
    )
    .unwrap();
    d
}

#[test]
fn human_output_and_exit_codes() {
    let d = report_dir("human_output_and_exit_codes");
    let clean = d.join("clean.config").display().to_string();
    let dup = d.join("duplicate.config").display().to_string();
    let broken = d.join("broken.config").display().to_string();

    let o = webxsl(&["validate", &clean], None);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&format!("{clean}: grade A+ (score")), "{out}");
    assert!(
        out.contains("1 file: 0 errors, 0 warnings, 0 infos"),
        "{out}"
    );

    let o = webxsl(&["validate", &dup], None);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!(
            "{dup}:13:9: error[duplicate-header]: X-Frame-Options is already added at line 10"
        )),
        "{out}"
    );
    assert!(
        out.contains(" 13 |         <add name=\"X-Frame-Options\""),
        "{out}"
    );
    assert!(out.contains("  = hint: "), "{out}");

    let o = webxsl(&["validate", &broken], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains(&format!("{broken}:3:1: error[xml-malformed]:")),
        "{o:?}"
    );

    // Warnings alone pass; --min-grade fails a lower grade.
    let mvc = sample("aspnet-mvc");
    let o = webxsl(&["validate", &mvc], None);
    assert_eq!(o.status.code(), Some(0));
    let o = webxsl(&["validate", "--min-grade", "B", &mvc], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is below --min-grade B"),
        "{o:?}"
    );
    let o = webxsl(&["validate", "--min-grade", "F", &mvc], None);
    assert_eq!(o.status.code(), Some(0));

    // Usage and I/O errors: 2.
    let o = webxsl(&["validate", "--min-grade", "Q", &mvc], None);
    assert_eq!(o.status.code(), Some(2));
    let o = webxsl(&["validate", "--ignore", "missing-headr", &mvc], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("did you mean missing-header?"),
        "{o:?}"
    );
    let missing = d.join("nope.config").display().to_string();
    let o = webxsl(&["validate", &clean, &missing], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.config: error: cannot read"));
    assert!(String::from_utf8_lossy(&o.stdout).contains("grade A+"));

    // Standard input, and --ignore.
    let o = webxsl(
        &["validate", "--ignore", "missing-header,server-header-leak"],
        Some(site().without("Referrer-Policy").text().as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("<stdin>: grade"), "{out}");
    assert!(!out.contains("missing-header"), "{out}");

    // --profile.
    let o = webxsl(&["validate", "--profile", "recommended", &clean], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("error[profile-mismatch]"));

    // --list-rules.
    let o = webxsl(&["validate", "--list-rules"], None);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    for r in RULES {
        assert!(out.contains(r.id), "{}", r.id);
    }
}

#[test]
fn json_output_has_the_documented_shape() {
    let d = report_dir("json_output_has_the_documented_shape");
    let files: Vec<String> = ["broken", "clean", "duplicate"]
        .iter()
        .map(|n| d.join(format!("{n}.config")).display().to_string())
        .collect();
    let mut args = vec!["validate", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let o = webxsl(&args, None);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["files"]);
    let list = v["files"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    for (f, path) in list.iter().zip(&files) {
        let keys: Vec<&String> = f.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["path", "grade", "score", "findings"]);
        assert_eq!(f["path"], path.as_str());
        for finding in f["findings"].as_array().unwrap() {
            let keys: Vec<&String> = finding.as_object().unwrap().keys().collect();
            assert_eq!(
                keys,
                ["rule", "severity", "line", "column", "message", "hint"]
            );
            assert!(RULES.iter().any(|r| finding["rule"] == r.id));
            assert!(["error", "warning", "info"].contains(&finding["severity"].as_str().unwrap()));
            assert!(finding["line"].as_u64().unwrap() >= 1);
            assert!(finding["column"].as_u64().unwrap() >= 1);
            assert!(!finding["message"].as_str().unwrap().is_empty());
            assert!(!finding["hint"].as_str().unwrap().is_empty());
        }
    }
    // Not XML: no grade.
    assert!(list[0]["grade"].is_null() && list[0]["score"].is_null());
    assert_eq!(list[0]["findings"][0]["rule"], "xml-malformed");
    assert_eq!(list[1]["grade"], "A+");
    assert!(list[1]["score"].as_i64().unwrap() >= 100);
    assert_eq!(list[1]["findings"].as_array().unwrap().len(), 0);
    assert_eq!(list[2]["findings"][0]["rule"], "duplicate-header");
    assert_eq!(list[2]["findings"][0]["line"], 13);
    assert_eq!(list[2]["findings"][0]["column"], 9);
}

#[test]
fn sarif_output_passes_the_sarif_2_1_0_schema() {
    let d = report_dir("sarif_output_passes_the_sarif_2_1_0_schema");
    let mut files: Vec<String> = ["broken", "clean", "duplicate"]
        .iter()
        .map(|n| d.join(format!("{n}.config")).display().to_string())
        .collect();
    files.extend(support::samples().iter().map(|p| p.display().to_string()));
    let mut args = vec!["validate", "--format", "sarif"];
    args.extend(files.iter().map(String::as_str));
    let o = webxsl(&args, None);
    assert_eq!(o.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    let validator = support::sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A test that could not fail would be worthless: the schema does reject a broken log.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));

    // serde-sarif's typed model reads it back.
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(log.clone()).unwrap();
    assert_eq!(typed.runs.len(), 1);

    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "webxsl");
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        RULES.len()
    );
    let results = run["results"].as_array().unwrap();
    let dup = results
        .iter()
        .find(|r| r["ruleId"] == "duplicate-header")
        .unwrap();
    assert_eq!(dup["level"], "error");
    let region = &dup["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 13);
    assert_eq!(region["startColumn"], 9);
    assert!(
        dup["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("duplicate.config")
    );
    assert!(results.iter().any(|r| r["level"] == "warning"));
    assert_eq!(
        run["properties"]["grades"].as_array().unwrap().len(),
        files.len()
    );
}

/// A config holding `body` in the collection `c` (its elements nested along its path).
fn in_collection(c: &webxsl::iis::Collection, body: &str, location: Option<&str>) -> String {
    let mut open = String::new();
    let mut close = String::new();
    for p in c.path {
        open.push_str(&format!("<{p}>"));
        close = format!("</{p}>{close}");
    }
    let inner = format!("{open}{body}{close}");
    match location {
        Some(l) => format!("<location path=\"{l}\">{inner}</location>"),
        None => inner,
    }
}

#[test]
fn every_collection_finds_its_duplicates_and_honours_remove_clear_and_locations() {
    use webxsl::iis::{COLLECTIONS, OnDuplicate};
    for c in COLLECTIONS {
        // An entry, and one with the same key (upper-cased where the key ignores case; another
        // attribute differs, so that .NET's exact-copy rule does not apply).
        let entry = |upper: bool, extra: &str| {
            let attrs: String = c
                .keys
                .iter()
                .map(|k| {
                    let v = format!("webxsl-{}", k.name);
                    let v = if upper && !k.case_sensitive {
                        v.to_uppercase()
                    } else {
                        v
                    };
                    format!(" {}=\"{v}\"", k.name)
                })
                .collect();
            format!("<{}{attrs} extra=\"{extra}\" />", c.add[0])
        };
        let remove = c.remove.map(|r| {
            let attrs: String = c
                .keys
                .iter()
                .map(|k| format!(" {}=\"webxsl-{}\"", k.name, k.name))
                .collect();
            format!("<{r}{attrs} />")
        });
        let want = match (c.on_duplicate, c.id) {
            (OnDuplicate::LastWins, _) => "duplicate-setting",
            (_, "customHeaders" | "redirectHeaders") => "duplicate-header",
            _ => "duplicate-entry",
        };
        let config = |inner: String| format!("<configuration>{inner}</configuration>");
        let dup = |text: &str| rules(&check(text)).contains(&want);
        let twice = format!("{}{}", entry(false, "1"), entry(true, "2"));
        assert!(
            dup(&config(in_collection(c, &twice, None))),
            "{}: twice",
            c.id
        );
        assert!(
            dup(&config(format!(
                "{}{}",
                in_collection(c, &entry(false, "1"), None),
                in_collection(c, &entry(true, "2"), Some("sub"))
            ))),
            "{}: inherited by a location",
            c.id
        );
        assert!(
            !dup(&config(format!(
                "{}{}",
                in_collection(c, &entry(false, "1"), Some("a")),
                in_collection(c, &entry(true, "2"), Some("b"))
            ))),
            "{}: two sibling locations",
            c.id
        );
        if let Some(r) = &remove {
            let text = format!("{}{r}{}", entry(false, "1"), entry(true, "2"));
            assert!(
                !dup(&config(in_collection(c, &text, None))),
                "{}: remove",
                c.id
            );
        }
        if let Some(clear) = c.clear {
            let text = format!("{}<{clear} />{}", entry(false, "1"), entry(true, "2"));
            assert!(
                !dup(&config(in_collection(c, &text, None))),
                "{}: clear",
                c.id
            );
        }
    }
}

#[test]
fn server_defaults_depend_on_the_iis_version() {
    let opts = |v: &str| ValidateOptions {
        iis: webxsl::iis::IisVersion::parse(v).unwrap(),
        ..ValidateOptions::default()
    };
    let woff2 = "<configuration><system.webServer><staticContent><mimeMap fileExtension=\".woff2\" mimeType=\"font/woff2\" /></staticContent></system.webServer></configuration>";
    let r = validate("web.config", woff2.as_bytes(), &opts("10"));
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "duplicate-inherited")
        .unwrap();
    assert_eq!((f.pos.line, f.pos.col), (1, 49));
    assert!(f.message.contains("IIS 10"), "{}", f.message);
    assert!(
        f.hint.contains("<remove fileExtension=\".woff2\" />"),
        "{}",
        f.hint
    );
    let r = validate("web.config", woff2.as_bytes(), &opts("8.5"));
    assert!(!rules(&r).contains(&"duplicate-inherited"));
    for (what, body) in [
        (
            "a default handler",
            "<system.webServer><handlers><add name=\"ExtensionlessUrlHandler-Integrated-4.0\" path=\"*.\" verb=\"*\" type=\"t\" /></handlers></system.webServer>",
        ),
        (
            "a default error page",
            "<system.webServer><httpErrors><error statusCode=\"404\" path=\"/404.htm\" /></httpErrors></system.webServer>",
        ),
        (
            "a default document",
            "<system.webServer><defaultDocument><files><add value=\"default.htm\" /></files></defaultDocument></system.webServer>",
        ),
        (
            "machine.config's LocalSqlServer",
            "<connectionStrings><add name=\"LocalSqlServer\" connectionString=\"Server=db\" /></connectionStrings>",
        ),
        (
            "ASP.NET's X-Powered-By",
            "<system.webServer><httpProtocol><customHeaders><add name=\"X-Powered-By\" value=\"x\" /></customHeaders></httpProtocol></system.webServer>",
        ),
    ] {
        let text = format!("<configuration>{body}</configuration>");
        for v in ["10", "8.5"] {
            let r = validate("web.config", text.as_bytes(), &opts(v));
            assert!(
                rules(&r).contains(&"duplicate-inherited"),
                "{what} on IIS {v}: {:?}",
                rules(&r)
            );
        }
    }
}

#[test]
fn every_rule_is_documented_with_its_severity() {
    let doc =
        std::fs::read_to_string(support::root().join("docs/rules.md")).expect("docs/rules.md");
    for r in webxsl::validate::RULES {
        let row = format!(
            "| `{}` | {} |",
            r.id,
            format!("{:?}", r.severity).to_lowercase()
        );
        assert!(doc.contains(&row), "docs/rules.md has no row {row}");
    }
}

/// Many files are validated on every core: the reports, the read errors and the JSON entries
/// still come out in the order the files were given, and the same as one file at a time.
#[test]
fn many_files_report_in_the_order_given() {
    let dir = support::temp_dir("validate-order");
    let samples = support::samples();
    let mut args: Vec<String> = vec!["validate".into(), "--format".into(), "json".into()];
    let mut expected = Vec::new();
    for i in 0..40 {
        let path = if i == 17 {
            // A path that cannot be read, in the middle.
            dir.join("missing").join("web.config")
        } else if i == 23 {
            let p = dir.join(format!("{i}.config"));
            std::fs::write(&p, "<configuration><a></configuration>").unwrap();
            p
        } else {
            let p = dir.join(format!("{i}.config"));
            std::fs::copy(&samples[i % samples.len()], &p).unwrap();
            p
        };
        if i != 17 {
            expected.push(path.display().to_string());
        }
        args.push(path.display().to_string());
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = support::run(&argv);
    assert_eq!(o.status.code(), Some(2), "a file could not be read");
    assert!(
        support::stderr(&o).contains("missing"),
        "{}",
        support::stderr(&o)
    );
    let json: serde_json::Value = serde_json::from_str(&support::stdout(&o)).unwrap();
    let files = json["files"].as_array().expect("files");
    let order: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(order, expected);
    // Each entry is what validating that file alone gives.
    for (f, path) in files.iter().zip(&expected) {
        let alone = support::run(&["validate", "--format", "json", path]);
        let alone: serde_json::Value = serde_json::from_str(&support::stdout(&alone)).unwrap();
        assert_eq!(f, &alone["files"][0], "{path}");
    }
    // The human report, written file by file as the files are done: each file's part is the
    // one it has alone, in the order given, then the totals.
    let human: Vec<&str> = argv
        .iter()
        .copied()
        .filter(|a| *a != "--format" && *a != "json")
        .collect();
    let o = support::run(&human);
    assert_eq!(o.status.code(), Some(2));
    let mut want = String::new();
    for path in &expected {
        let alone = support::stdout(&support::run(&["validate", path]));
        let part = &alone[..alone.rfind("1 file: ").expect("the totals")];
        want.push_str(part);
    }
    let got = support::stdout(&o);
    assert!(got.starts_with(&want), "{got}");
    assert!(
        got[want.len()..].starts_with("39 files: "),
        "{}",
        &got[want.len()..]
    );
}
