//! `webxsl probe`'s rules on recorded responses: every probe rule fires on a response that
//! breaks it and stays quiet on a close one; a clean site has no finding and grades A+; drift
//! names where the intent is written; every probe rule is in docs/rules.md. The client and the
//! command against real servers: tests/probe_live.rs.

mod support;

use webxsl::probe::drift::Expected;
use webxsl::probe::{Observed, ProbeOptions, Response, Url, check, rules};

/// A clean site's headers: no finding, A+ (validate's clean set).
const GOOD: &[(&str, &str)] = support::CLEAN_HEADERS;

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut v = GOOD.to_vec();
    v.extend_from_slice(extra);
    v
}

// ---------------------------------------------------------------------------------------------
// The rules, on recorded responses.

fn resp(url: &str, status: u16, headers: &[(&str, &str)]) -> Response {
    Response {
        url: Url::parse(url).unwrap(),
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        verified: true,
        body_bytes: 0,
        body_truncated: false,
    }
}

/// A site whose https://example.com/ answers with `headers` and whose http:// redirects there.
fn site(headers: &[(&str, &str)]) -> Observed {
    Observed {
        chain: vec![resp("https://example.com/", 200, headers)],
        http: Some(vec![
            resp(
                "http://example.com/",
                301,
                &[("Location", "https://example.com/")],
            ),
            resp("https://example.com/", 200, headers),
        ]),
        http_error: None,
    }
}

fn with_http(mut o: Observed, route: &[(&str, u16)]) -> Observed {
    o.http = Some(route.iter().map(|(u, s)| resp(u, *s, &[])).collect());
    o
}

fn opts() -> ProbeOptions {
    ProbeOptions::new(Vec::new()).unwrap()
}

fn rule_ids(o: Observed, opts: &ProbeOptions) -> Vec<&'static str> {
    check("https://example.com/", o, opts)
        .findings
        .iter()
        .map(|f| f.rule)
        .collect()
}

/// (rule, what breaks it, a close one that does not).
fn cases() -> Vec<(&'static str, Observed, Observed)> {
    let good = || site(GOOD);
    vec![
        (
            "served-duplicate-header",
            site(&with(&[("x-frame-options", "SAMEORIGIN")])),
            site(&with(&[
                ("Set-Cookie", "a=1; Secure; SameSite=Lax"),
                ("Set-Cookie", "b=1; Secure; SameSite=Lax"),
            ])),
        ),
        (
            "redirect-not-https",
            with_http(good(), &[("http://example.com/", 200)]),
            good(),
        ),
        (
            "redirect-cross-origin-first",
            with_http(
                good(),
                &[
                    ("http://example.com/", 301),
                    ("https://www.example.com/", 200),
                ],
            ),
            with_http(
                good(),
                &[
                    ("http://example.com/", 301),
                    ("https://example.com/", 301),
                    ("https://www.example.com/", 200),
                ],
            ),
        ),
        (
            "hsts-over-http",
            Observed {
                chain: vec![resp("http://example.com/", 200, GOOD)],
                http: Some(vec![resp("http://example.com/", 200, GOOD)]),
                http_error: None,
            },
            good(),
        ),
        (
            "cookie-samesite",
            site(&with(&[("Set-Cookie", "pref=1; Secure")])),
            site(&with(&[("Set-Cookie", "pref=1; Secure; SameSite=Lax")])),
        ),
        (
            "cookie-prefix",
            site(&with(&[(
                "Set-Cookie",
                "__Host-id=1; Secure; Path=/; Domain=example.com; SameSite=Lax",
            )])),
            site(&with(&[(
                "Set-Cookie",
                "__Host-id=1; Secure; Path=/; SameSite=Lax",
            )])),
        ),
        (
            "cookie-not-secure",
            site(&with(&[("Set-Cookie", "pref=1; SameSite=Lax")])),
            site(&with(&[("Set-Cookie", "pref=1; Secure; SameSite=Lax")])),
        ),
        (
            "cookie-not-httponly",
            site(&with(&[(
                "Set-Cookie",
                "ASP.NET_SessionId=x; Secure; SameSite=Lax",
            )])),
            site(&with(&[(
                "Set-Cookie",
                "ASP.NET_SessionId=x; Secure; HttpOnly; SameSite=Lax",
            )])),
        ),
        (
            "cookie-samesite-none-insecure",
            site(&with(&[("Set-Cookie", "a=1; SameSite=None")])),
            site(&with(&[("Set-Cookie", "a=1; SameSite=None; Secure")])),
        ),
        (
            "server-header-leak",
            site(&with(&[("Server", "Microsoft-IIS/10.0")])),
            site(&with(&[("Server", "Microsoft-IIS")])),
        ),
        // validate's header rules run on what was served.
        (
            "xfo-invalid",
            site(
                &GOOD
                    .iter()
                    .map(|&(n, v)| {
                        if n == "X-Frame-Options" {
                            (n, "ALLOWALL")
                        } else {
                            (n, v)
                        }
                    })
                    .collect::<Vec<_>>(),
            ),
            good(),
        ),
        ("missing-header", site(&GOOD[1..]), good()),
    ]
}

#[test]
fn every_probe_rule_fires_on_a_response_that_breaks_it_and_only_then() {
    let o = opts();
    let cases = cases();
    for (rule, bad, close) in cases.iter().cloned() {
        let fired = rule_ids(bad, &o);
        assert!(fired.contains(&rule), "{rule} does not fire: {fired:?}");
        let quiet = rule_ids(close, &o);
        assert!(
            !quiet.contains(&rule),
            "{rule} fires on the close case: {quiet:?}"
        );
    }
    // served-drift has its own test below; every other probe rule has a case.
    for r in rules::RULES {
        assert!(
            r.id == "served-drift" || cases.iter().any(|(id, _, _)| *id == r.id),
            "no test case for {}",
            r.id
        );
    }
}

#[test]
fn a_clean_site_has_no_findings_and_grades_a_plus() {
    let t = check("https://example.com/", site(GOOD), &opts());
    assert!(t.findings.is_empty(), "{:#?}", t.findings);
    assert_eq!(t.grade.unwrap().letter, "A+");
}

#[test]
fn drift_names_the_place_of_the_intent() {
    let mut o = opts();
    o.expected = Some(Expected {
        sets: vec![
            (
                "X-Frame-Options".into(),
                "DENY".into(),
                "web.config:7".into(),
            ),
            (
                "Cross-Origin-Opener-Policy".into(),
                "same-origin".into(),
                "web.config:9".into(),
            ),
        ],
        removes: vec![("X-Powered-By".into(), "web.config:4 (<remove>)".into())],
    });
    let t = check(
        "https://example.com/",
        site(&with(&[
            ("X-Powered-By", "ASP.NET"),
            ("x-frame-options", "SAMEORIGIN"),
        ])),
        &o,
    );
    let drift: Vec<&str> = t
        .findings
        .iter()
        .filter(|f| f.rule == "served-drift")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(drift.len(), 2, "{drift:?}");
    assert!(
        drift
            .iter()
            .any(|m| m.contains("Cross-Origin-Opener-Policy is not served; web.config:9")),
        "{drift:?}"
    );
    assert!(
        drift
            .iter()
            .any(|m| m
                .contains("X-Powered-By: ASP.NET is served; web.config:4 (<remove>) removes it")),
        "{drift:?}"
    );
    // The served X-Frame-Options DENY matches (the second one is a duplicate, not drift).
    assert!(
        !drift.iter().any(|m| m.starts_with("X-Frame-Options")),
        "{drift:?}"
    );
}

#[test]
fn every_probe_rule_is_documented_with_its_severity() {
    let doc =
        std::fs::read_to_string(support::root().join("docs/rules.md")).expect("docs/rules.md");
    for r in rules::RULES {
        let row = format!(
            "| `{}` | {} |",
            r.id,
            format!("{:?}", r.severity).to_lowercase()
        );
        assert!(doc.contains(&row), "docs/rules.md has no row {row}");
    }
}
