//! The grade against its reference: the MDN HTTP Observatory's own scanner and grader
//! (`@mdn/mdn-http-observatory`, installed by `scripts/setup`, driven by
//! `tests/observatory/grade.mjs`) must give the same score and letter as
//! `webxsl::validate::grade` for every generated header set.
//!
//! `webxsl probe`'s grade, which adds the tests a config cannot know (redirection from
//! http://, cookies, CORS, no HTTPS or an invalid certificate), is compared the same way on
//! generated recorded responses, through `tests/observatory/site.mjs`.
//!
//! The Observatory is found at `$WEBXSL_OBSERVATORY` or in `target/observatory`; without it the
//! test fails (it does not skip) and says how to install it.

mod support;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use support::Rng;
use webxsl::validate::grade::grade;

type Set = Vec<(String, String)>;

fn observatory() -> PathBuf {
    let p = std::env::var_os("WEBXSL_OBSERVATORY").map_or_else(
        || support::root().join("target/observatory/node_modules/@mdn/mdn-http-observatory"),
        PathBuf::from,
    );
    assert!(
        p.join("src/scanner/index.js").is_file(),
        "the MDN HTTP Observatory is not installed at {}: run `bash scripts/setup` (or set \
         WEBXSL_OBSERVATORY to a checkout of @mdn/mdn-http-observatory)",
        p.display()
    );
    p
}

/// Grades the sets with the Observatory: (score, letter, results) per set.
fn reference(sets: &[Set]) -> Vec<(i64, String, Vec<String>)> {
    let input = serde_json::to_string(
        &sets
            .iter()
            .map(|s| s.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    run_driver("grade.mjs", &input)
}

/// Runs a driver of tests/observatory on JSON input: (score, letter, results) per entry.
fn run_driver(driver: &str, input: &str) -> Vec<(i64, String, Vec<String>)> {
    let mut child = Command::new("node")
        .arg(support::root().join("tests/observatory").join(driver))
        .arg(observatory())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node (Node.js) is needed: run `bash scripts/setup`");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{driver} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["score"].as_i64().unwrap(),
                r["grade"].as_str().unwrap().to_owned(),
                r["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap_or("").to_owned())
                    .collect(),
            )
        })
        .collect()
}

const CSP_DIRECTIVES: &[&str] = &[
    "default-src",
    "script-src",
    "object-src",
    "style-src",
    "img-src",
    "frame-ancestors",
    "base-uri",
    "form-action",
    "script-src-elem",
    "connect-src",
    "report-uri",
    "upgrade-insecure-requests",
    "DEFAULT-SRC",
];

const CSP_SOURCES: &[&str] = &[
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'strict-dynamic'",
    "'nonce-abc123'",
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "*",
    "https:",
    "http:",
    "data:",
    "blob:",
    "https://cdn.example.com",
    "http://cdn.example.com",
    "https://*.example.com",
    "ws:",
    "'SELF'",
    "/report",
];

const CSP_FIXED: &[&str] = &[
    "default-src 'self'",
    "default-src 'none'",
    "default-src 'none'; script-src 'self'; object-src 'none'",
    "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "script-src 'unsafe-inline'",
    "default-src *",
    "default-src https:",
    "default-src 'self'; script-src 'self' 'unsafe-eval'",
    "frame-ancestors 'none'",
    "upgrade-insecure-requests",
    "default-src 'self'; default-src 'none'",
    "default-src 'self'; report-uri /a; report-uri /b",
    "default-src 'self';;",
    "default-src 'self'; style-src 'self' 'unsafe-inline'",
    "script-src 'nonce-abc' 'strict-dynamic'; object-src 'none'",
    "default-src 'self' data:",
    "short",
    "",
    "   ",
    "default-src 'self'; frame-ancestors https://partner.example",
    "object-src 'none'; script-src 'self' 'unsafe-inline' 'nonce-x'",
];

const HSTS: &[&str] = &[
    "max-age=63072000",
    "max-age=63072000; includeSubDomains; preload",
    "max-age=0",
    "max-age=15552000",
    "max-age=15551999",
    "includeSubDomains",
    "max-age=abc",
    "max-age=\"31536000\"",
    "max-age = 31536000",
    "MAX-AGE=31536000",
    "max-age=-1",
    "max-age=99999999999999999999",
    "max-age=31536000, max-age=0",
    "max-age=31536000;",
    "",
];

const XCTO: &[&str] = &[
    "nosniff",
    "NOSNIFF",
    "nosniff, nosniff",
    "sniff",
    "",
    " nosniff ",
];

const XFO: &[&str] = &[
    "DENY",
    "SAMEORIGIN",
    "deny",
    "ALLOW-FROM https://a.example",
    "DENY, DENY",
    "DENY, SAMEORIGIN",
    "garbage",
    "",
];

const REFERRER: &[&str] = &[
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
    "no-referrer, unsafe-url",
    "unsafe-url, no-referrer",
    "unsafe-url, bogus",
    "garbage",
    "NO-REFERRER",
    "",
];

const CORP: &[&str] = &[
    "same-origin",
    "same-site",
    "cross-origin",
    "SAME-ORIGIN",
    "garbage",
    "",
];

fn random_csp(rng: &mut Rng) -> String {
    if rng.chance(30) {
        return rng.pick(CSP_FIXED).to_string();
    }
    let n = 1 + rng.below(4);
    let mut parts = Vec::new();
    for _ in 0..n {
        let mut d = rng.pick(CSP_DIRECTIVES).to_string();
        for _ in 0..rng.below(4) {
            d.push(' ');
            let source: &&str = rng.pick(CSP_SOURCES);
            d.push_str(source);
        }
        parts.push(d);
    }
    parts.join(if rng.chance(90) { "; " } else { ";" })
}

fn random_set(rng: &mut Rng) -> Set {
    let mut set: Set = Vec::new();
    let mut add = |n: &str, v: String| set.push((n.to_owned(), v));
    if rng.chance(70) {
        add("Content-Security-Policy", random_csp(rng));
    }
    if rng.chance(10) {
        add("Content-Security-Policy-Report-Only", random_csp(rng));
    }
    if rng.chance(70) {
        add("Strict-Transport-Security", rng.pick(HSTS).to_string());
    }
    if rng.chance(70) {
        add("X-Content-Type-Options", rng.pick(XCTO).to_string());
    }
    if rng.chance(70) {
        add("X-Frame-Options", rng.pick(XFO).to_string());
    }
    if rng.chance(60) {
        add("Referrer-Policy", rng.pick(REFERRER).to_string());
    }
    if rng.chance(50) {
        add("Cross-Origin-Resource-Policy", rng.pick(CORP).to_string());
    }
    if rng.chance(20) {
        add("X-XSS-Protection", "1; mode=block".to_string());
    }
    // A header sent twice: the HTTP client joins the values with ", ".
    if rng.chance(10) && !set.is_empty() {
        let (n, _) = set[rng.below(set.len())].clone();
        let v = match n.as_str() {
            "Strict-Transport-Security" => rng.pick(HSTS).to_string(),
            "X-Frame-Options" => rng.pick(XFO).to_string(),
            "Referrer-Policy" => rng.pick(REFERRER).to_string(),
            "Content-Security-Policy" => random_csp(rng),
            _ => "nosniff".to_string(),
        };
        set.push((n.to_ascii_lowercase(), v));
    }
    set
}

/// Every single value of every header, alone and with a strong base, then random sets.
fn header_sets() -> Vec<Set> {
    let base: Set = [
        ("Content-Security-Policy", "default-src 'self'"),
        ("Strict-Transport-Security", "max-age=63072000"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    let mut sets: Vec<Set> = vec![Vec::new(), base.clone()];
    let singles: Vec<(&str, &[&str])> = vec![
        ("Content-Security-Policy", CSP_FIXED),
        ("Strict-Transport-Security", HSTS),
        ("X-Content-Type-Options", XCTO),
        ("X-Frame-Options", XFO),
        ("Referrer-Policy", REFERRER),
        ("Cross-Origin-Resource-Policy", CORP),
    ];
    for (name, values) in singles {
        for v in values {
            sets.push(vec![(name.to_string(), v.to_string())]);
            let mut s: Set = base.iter().filter(|(n, _)| n != name).cloned().collect();
            s.push((name.to_string(), v.to_string()));
            sets.push(s);
        }
    }
    // Every preset's headers.
    for name in webxsl::profile::presets::NAMES {
        let p = webxsl::profile::presets::get(name).unwrap();
        sets.push(
            p.headers
                .iter()
                .map(|h| (h.name.clone(), h.value.render()))
                .collect(),
        );
    }
    let mut rng = Rng::new(0x0b5e_7a70);
    for _ in 0..1500 {
        sets.push(random_set(&mut rng));
    }
    sets
}

#[test]
fn the_grade_agrees_with_the_mdn_http_observatory() {
    let sets = header_sets();
    let theirs = reference(&sets);
    assert_eq!(theirs.len(), sets.len());
    let mut failures = Vec::new();
    let mut letters = std::collections::BTreeSet::new();
    for (set, (score, letter, results)) in sets.iter().zip(&theirs) {
        let ours = grade(set);
        letters.insert(ours.letter);
        if i64::from(ours.score) != *score || ours.letter != letter {
            let our_results: Vec<&str> = ours.tests.iter().map(|t| t.result).collect();
            failures.push(format!(
                "headers {set:?}\n  observatory: {letter} ({score}) {results:?}\n  webxsl:      {} ({}) {our_results:?}",
                ours.letter, ours.score
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} header sets graded differently:\n{}",
        failures.len(),
        sets.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The sets cover the scale, so the comparison means something.
    for l in ["A+", "A", "B", "C", "D", "F"] {
        assert!(
            letters
                .iter()
                .any(|x| x.starts_with(l.trim_end_matches('+'))),
            "no set graded {l}: {letters:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// `webxsl probe`: recorded responses.

use webxsl::probe::{Observed, Response, Url};

/// One recorded response: URL, status, headers, certificate valid.
type Recorded = (String, u16, Set, bool);

/// What a probe records: the chain of the URL, and the http:// check's chain.
struct SiteRecord {
    chain: Vec<Recorded>,
    http: Option<Vec<Recorded>>,
}

const COOKIE_NAMES: &[&str] = &[
    "SID",
    "sessionid",
    "ASP.NET_SessionId",
    "csrftoken",
    "login_token",
    "pref",
    "__Host-h",
    "__Secure-s",
    "heroku-session-affinity",
    "LOGIN",
];

const COOKIE_ATTRS: &[&str] = &[
    "Secure",
    "HttpOnly",
    "SameSite=Lax",
    "SameSite=Strict",
    "SameSite=None",
    "SameSite=bogus",
    "SameSite",
    "samesite=lax=x",
    "Path=/",
    "Path=/a",
    "Domain=example.com",
    "Domain=.example.com",
    "Domain=other.com",
    "Domain=com",
    "Max-Age=0",
    "secure",
];

fn random_cookie(rng: &mut Rng) -> String {
    let mut c = format!("{}=v{}", rng.pick(COOKIE_NAMES), rng.below(3));
    for _ in 0..rng.below(5) {
        c.push_str("; ");
        let attr: &&str = rng.pick(COOKIE_ATTRS);
        c.push_str(attr);
    }
    c
}

fn random_site(rng: &mut Rng) -> SiteRecord {
    let mut page = random_set(rng);
    let mut hop_cookies: Set = Vec::new();
    if rng.chance(50) {
        for _ in 0..1 + rng.below(3) {
            let c = ("Set-Cookie".to_owned(), random_cookie(rng));
            if rng.chance(25) {
                hop_cookies.push(c);
            } else {
                page.push(c);
            }
        }
    }
    let verified = |rng: &mut Rng| !rng.chance(8);
    let status = *rng.pick(&[200, 200, 200, 200, 401, 403, 302]);
    let chain = match rng.below(4) {
        0 => {
            let mut hop = vec![("Location".to_owned(), "https://www.example.com/".to_owned())];
            hop.extend(hop_cookies);
            vec![
                ("https://example.com/".to_owned(), 301, hop, verified(rng)),
                (
                    "https://www.example.com/".to_owned(),
                    status,
                    page,
                    verified(rng),
                ),
            ]
        }
        1 => {
            let mut hop = vec![("Location".to_owned(), "http://example.com/x".to_owned())];
            hop.extend(hop_cookies);
            vec![
                ("https://example.com/".to_owned(), 302, hop, verified(rng)),
                ("http://example.com/x".to_owned(), status, page, true),
            ]
        }
        _ => {
            page.extend(hop_cookies);
            vec![(
                "https://example.com/".to_owned(),
                status,
                page,
                verified(rng),
            )]
        }
    };
    let http_routes: &[&[(&str, u16)]] = &[
        &[("http://example.com/", 200)],
        &[("http://example.com/", 301), ("https://example.com/", 200)],
        &[
            ("http://example.com/", 301),
            ("http://example.com/a", 301),
            ("https://example.com/", 200),
        ],
        &[
            ("http://example.com/", 301),
            ("https://www.example.com/", 200),
        ],
        &[
            ("http://example.com/", 301),
            ("http://www.example.com/", 200),
        ],
        &[
            ("http://example.com/", 302),
            ("https://example.com/", 301),
            ("https://www.example.com/", 200),
        ],
    ];
    let http = if rng.chance(15) {
        None
    } else {
        let route = rng.pick(http_routes);
        Some(
            route
                .iter()
                .map(|(u, s)| {
                    let ok = !u.starts_with("https") || verified(rng);
                    (u.to_string(), *s, Vec::new(), ok)
                })
                .collect(),
        )
    };
    SiteRecord { chain, http }
}

fn response(r: &Recorded) -> Response {
    Response {
        url: Url::parse(&r.0).unwrap(),
        status: r.1,
        headers: r.2.clone(),
        verified: r.3,
        body_bytes: 0,
        body_truncated: false,
    }
}

fn site_json(s: &SiteRecord) -> serde_json::Value {
    let list = |c: &[Recorded]| {
        c.iter()
            .map(|(u, st, h, v)| {
                serde_json::json!({
                    "url": u,
                    "status": st,
                    "headers": h.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>(),
                    "verified": v,
                })
            })
            .collect::<Vec<_>>()
    };
    serde_json::json!({ "chain": list(&s.chain), "http": s.http.as_deref().map(list) })
}

#[test]
fn the_probe_grade_agrees_with_the_mdn_http_observatory_on_recorded_responses() {
    let mut rng = Rng::new(0x9e0b_e5ed);
    let sites: Vec<SiteRecord> = (0..1200).map(|_| random_site(&mut rng)).collect();
    let input = serde_json::to_string(&sites.iter().map(site_json).collect::<Vec<_>>()).unwrap();
    let theirs = run_driver("site.mjs", &input);
    assert_eq!(theirs.len(), sites.len());
    let mut failures = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (site, (score, letter, results)) in sites.iter().zip(&theirs) {
        let observed = Observed {
            chain: site.chain.iter().map(response).collect(),
            http: site.http.as_ref().map(|c| c.iter().map(response).collect()),
            http_error: None,
        };
        let ours = webxsl::probe::grade::grade(&webxsl::probe::grade::Recorded::from(&observed));
        for t in &ours.tests {
            seen.insert(t.result);
        }
        if i64::from(ours.score) != *score || ours.letter != letter {
            let our_results: Vec<&str> = ours.tests.iter().map(|t| t.result).collect();
            failures.push(format!(
                "site {}\n  observatory: {letter} ({score}) {results:?}\n  webxsl:      {} ({}) {our_results:?}",
                site_json(site),
                ours.letter,
                ours.score
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} recorded sites graded differently:\n{}",
        failures.len(),
        sites.len(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The sites reach every outcome of the tests a config cannot know.
    for r in [
        "redirection-to-https",
        "redirection-not-needed-no-http",
        "redirection-off-host-from-http",
        "redirection-not-to-https-on-initial-redirection",
        "redirection-not-to-https",
        "redirection-missing",
        "redirection-invalid-cert",
        "hsts-invalid-cert",
        "cookies-not-found",
        "cookies-secure-with-httponly-sessions-and-samesite",
        "cookies-secure-with-httponly-sessions",
        "cookies-without-secure-flag-but-protected-by-hsts",
        "cookies-without-secure-flag",
        "cookies-samesite-flag-invalid",
        "cookies-anticsrf-without-samesite-flag",
        "cookies-session-without-httponly-flag",
        "cookies-session-without-secure-flag",
        "cookies-session-without-secure-flag-but-protected-by-hsts",
    ] {
        assert!(seen.contains(r), "no site reached {r}");
    }
}
