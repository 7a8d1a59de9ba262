//! The MDN HTTP Observatory's grade of what a probe recorded: the header tests of
//! [`crate::validate::grade`] on the final response, with the tests a configuration cannot
//! know run on the responses themselves — strict-transport-security (no HTTPS, an invalid
//! certificate), redirection (the http:// chain), cookies (the cookie jar of the chain) and
//! cross-origin-resource-sharing. tests/grade.rs compares the result with the Observatory's
//! own analyzer on generated response sets.
//!
//! The Observatory's inputs map to a probe's recording as follows: its `https` and `auto`
//! responses are the final response of the chain (the URL given, redirects followed), its
//! cookie jar is filled from every `Set-Cookie` of that chain, its `http` response and
//! `httpRedirects` are the http:// check's chain (none when nothing answered on http://), its
//! CORS response is the final response (the probe sends no `Origin`, so universal access is
//! never seen). Not modelled: the HSTS preload list (nothing counts as preloaded), robots.txt's
//! cookies, `<meta http-equiv>` headers and the subresource-integrity test (taken as a page
//! that loads no script).

use super::Observed;
use super::cookies::{self, Jar};
use super::http::Response;
use crate::validate::grade::{Grade, TestResult, header_tests, total};

/// The Observatory's inputs, as the probe recorded them.
pub struct Recorded<'a> {
    /// The final response (the Observatory's `auto` and `cors`).
    pub auto: &'a Response,
    /// The HTTPS session's final response, and whether every certificate on its way was valid.
    pub https: Option<(&'a Response, bool)>,
    /// The http:// session's chain (URL and status of each response), and whether every
    /// certificate on its way was valid; `None` when nothing answered on http://.
    pub http: Option<(Vec<(&'a super::url::Url, u16)>, bool)>,
    /// The cookie jar of the HTTPS session.
    pub jar: Jar,
}

impl<'a> Recorded<'a> {
    /// What a probe's observation gives the Observatory.
    pub fn from(o: &'a Observed) -> Recorded<'a> {
        let auto = o.chain.last().expect("a chain has a response");
        let https_from = o.chain.iter().position(|r| r.url.is_https());
        let https = https_from.map(|i| {
            let part = &o.chain[i..];
            (auto, part.iter().all(|r| r.verified))
        });
        let http = o.http.as_ref().map(|route| {
            (
                route.iter().map(|r| (&r.url, r.status)).collect(),
                route.iter().all(|r| r.verified),
            )
        });
        let mut jar = Jar::default();
        for r in &o.chain[https_from.unwrap_or(0)..] {
            for v in r.values("set-cookie") {
                jar.set(v, &r.url);
            }
        }
        Recorded {
            auto,
            https,
            http,
            jar,
        }
    }
}

/// The grade.
pub fn grade(rec: &Recorded<'_>) -> Grade {
    let mut tests = header_tests(&rec.auto.headers);
    let hsts = tests
        .iter_mut()
        .find(|t| t.test == "strict-transport-security")
        .expect("header_tests runs the HSTS test");
    match rec.https {
        None => {
            hsts.result = "hsts-not-implemented-no-https";
            hsts.modifier = -20;
        }
        Some((_, false)) => {
            hsts.result = "hsts-invalid-cert";
            hsts.modifier = -20;
        }
        Some((_, true)) => {}
    }
    let hsts_pass = hsts.result == "hsts-implemented-max-age-at-least-six-months";
    tests.push(cookie_test(rec, hsts_pass));
    tests.push(cors_test(rec.auto));
    tests.push(redirection_test(rec));
    tests.push(TestResult {
        test: "subresource-integrity",
        result: "sri-not-implemented-but-no-scripts-loaded",
        modifier: 0,
    });
    total(tests)
}

fn test(test: &'static str, result: &'static str, modifier: i32) -> TestResult {
    TestResult {
        test,
        result,
        modifier,
    }
}

/// The redirection test, on the http:// chain.
fn redirection_test(rec: &Recorded<'_>) -> TestResult {
    let t = |r, m| test("redirection", r, m);
    let Some((route, verified)) = &rec.http else {
        return t("redirection-not-needed-no-http", 0);
    };
    if !verified {
        return t("redirection-invalid-cert", -20);
    }
    let (first, last) = (route[0].0, route[route.len() - 1].0);
    if route.len() == 1 {
        t("redirection-missing", -20)
    } else if !last.is_https() {
        t("redirection-not-to-https", -20)
    } else if !route[1].0.is_https() {
        t("redirection-not-to-https-on-initial-redirection", -10)
    } else if !first.is_https() && route[1].0.host != first.host {
        t("redirection-off-host-from-http", -5)
    } else {
        t("redirection-to-https", 0)
    }
}

/// The cookies test: the jar's cookies, and the raw `Set-Cookie`s of the final response for
/// a malformed SameSite.
fn cookie_test(rec: &Recorded<'_>, hsts: bool) -> TestResult {
    // From best to worst, as the Observatory orders them.
    const GOODNESS: [&str; 7] = [
        "cookies-without-secure-flag-but-protected-by-hsts",
        "cookies-without-secure-flag",
        "cookies-session-without-secure-flag-but-protected-by-hsts",
        "cookies-samesite-flag-invalid",
        "cookies-anticsrf-without-samesite-flag",
        "cookies-session-without-httponly-flag",
        "cookies-session-without-secure-flag",
    ];
    let rank = |r: &str| GOODNESS.iter().position(|g| *g == r);
    let mut result: Option<&'static str> = None;
    let mut worse = |new: &'static str| {
        result = match result {
            None => Some(new),
            Some(old) if rank(new) > rank(old) => Some(new),
            keep => keep,
        };
    };
    if rec
        .auto
        .values("set-cookie")
        .any(cookies::invalid_same_site)
    {
        worse("cookies-samesite-flag-invalid");
    }
    let all: Vec<&cookies::Cookie> = rec
        .jar
        .cookies
        .iter()
        .map(|k| &k.cookie)
        .filter(|c| !c.name.is_empty() && c.name != "heroku-session-affinity")
        .collect();
    let result = if all.is_empty() {
        "cookies-not-found"
    } else {
        let mut missing_same_site = false;
        for c in &all {
            let key = c.name.to_lowercase();
            let session = key.contains("login") || key.contains("sess");
            let anticsrf = key.contains("csrf");
            if !c.secure && c.same_site == Some("none") {
                worse("cookies-samesite-flag-invalid");
            }
            if !c.secure && hsts {
                worse("cookies-without-secure-flag-but-protected-by-hsts");
            } else if !c.secure {
                worse("cookies-without-secure-flag");
            }
            if anticsrf && c.same_site.is_none() {
                worse("cookies-anticsrf-without-samesite-flag");
            }
            if session && !c.secure && hsts {
                worse("cookies-session-without-secure-flag-but-protected-by-hsts");
            } else if session && !c.secure {
                worse("cookies-session-without-secure-flag");
            }
            if session && !c.http_only {
                worse("cookies-session-without-httponly-flag");
            }
            if c.same_site.is_none() {
                missing_same_site = true;
            }
        }
        match result {
            Some(r) => r,
            None if missing_same_site => "cookies-secure-with-httponly-sessions",
            None => "cookies-secure-with-httponly-sessions-and-samesite",
        }
    };
    let modifier = match result {
        "cookies-secure-with-httponly-sessions-and-samesite" => 5,
        "cookies-secure-with-httponly-sessions" | "cookies-not-found" => 0,
        "cookies-without-secure-flag-but-protected-by-hsts" => -5,
        "cookies-session-without-secure-flag-but-protected-by-hsts" => -10,
        "cookies-without-secure-flag"
        | "cookies-samesite-flag-invalid"
        | "cookies-anticsrf-without-samesite-flag" => -20,
        "cookies-session-without-httponly-flag" => -30,
        "cookies-session-without-secure-flag" => -40,
        _ => 0,
    };
    test("cookies", result, modifier)
}

/// The CORS test on the final response (no `Origin` sent: public or restricted access only).
fn cors_test(auto: &Response) -> TestResult {
    let t = |r| test("cross-origin-resource-sharing", r, 0);
    let acao: Vec<&str> = auto.values("access-control-allow-origin").collect();
    if acao.is_empty() {
        return t("cross-origin-resource-sharing-not-implemented");
    }
    let joined = acao.join(", ");
    let v: String = joined.chars().take(256).collect();
    if v.trim().to_lowercase() == "*" {
        t("cross-origin-resource-sharing-implemented-with-public-access")
    } else {
        t("cross-origin-resource-sharing-implemented-with-restricted-access")
    }
}
