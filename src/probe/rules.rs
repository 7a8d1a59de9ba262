//! The rules only a response can show: headers a server sends twice, the redirects from
//! http:// and along the chain, HSTS over plain HTTP, each cookie's flags and prefix, and the
//! headers that announce the server's software. Each rule of [`RULES`] has its row in
//! docs/rules.md; `validate`'s header rules run beside them ([`crate::validate::served`]).

use super::cookies;
use super::http::Response;
use super::{Finding, Observed};
use crate::diag::Severity::{Error, Info, Warning};
use crate::validate::served::Place;
use crate::validate::{Rule, rule};

/// The rules of `webxsl probe` beside `validate`'s header rules.
pub static RULES: &[Rule] = &[
    rule(
        "served-duplicate-header",
        Warning,
        "A single-value header is sent twice (two X-Frame-Options, a CSP from IIS and another from the application)",
        "Send it from one place: a header set both in IIS (web.config, server level) and by the application or a proxy reaches browsers twice; browsers then enforce both CSPs, and ignore or misread the others.",
    ),
    rule(
        "redirect-not-https",
        Warning,
        "http:// does not redirect to https:// (or a redirect goes from https:// back to http://)",
        "Redirect every http:// request to https:// with a 301 (an IIS URL Rewrite rule, or the site's HTTP binding), and never redirect back to http://.",
    ),
    rule(
        "redirect-cross-origin-first",
        Warning,
        "The first redirect from http:// goes to another host",
        "Redirect http://host/ to https://host/ first (same host), then elsewhere: browsers only take HSTS for a host from an HTTPS response of that host.",
    ),
    rule(
        "hsts-over-http",
        Info,
        "Strict-Transport-Security is sent over plain HTTP, where browsers ignore it",
        "Send Strict-Transport-Security on HTTPS responses only (in IIS: an outbound rule with an {HTTPS} condition, or the HSTS settings of the site on IIS 10 1709 and later).",
    ),
    rule(
        "cookie-samesite",
        Warning,
        "A cookie has no SameSite, or an invalid one",
        "Set SameSite=Lax (or Strict) on the cookie: <httpCookies sameSite=\"Lax\"/> in system.web (.NET 4.7.2 and later), or the cookie options of the code that sets it.",
    ),
    rule(
        "cookie-prefix",
        Error,
        "A __Secure- or __Host- cookie breaks its prefix's rules: browsers reject it",
        "A __Secure- cookie needs Secure; a __Host- cookie needs Secure, Path=/ and no Domain.",
    ),
    rule(
        "served-drift",
        Error,
        "A header the config or profile sets is not served, or served with another value; or one it removes is still served",
        "Find what changes the header on its way out: IIS's server level (applicationHost.config), the application's code, a reverse proxy or a CDN; or the published web.config is not the one checked.",
    ),
];

/// The rule with an id, in [`RULES`] or `validate`'s table.
pub fn rule_by_id(id: &str) -> &'static Rule {
    RULES
        .iter()
        .chain(crate::validate::RULES)
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("unknown rule {id}"))
}

/// A finding with its rule's severity and hint.
pub(super) fn finding(id: &'static str, place: Place, message: String) -> Finding {
    let r = rule_by_id(id);
    hinted(id, place, message, r.hint)
}

/// A finding with its rule's severity and a hint of its own.
pub(super) fn hinted(id: &'static str, place: Place, message: String, hint: &str) -> Finding {
    let r = rule_by_id(id);
    Finding {
        rule: r.id,
        severity: r.severity,
        place,
        message,
        hint: hint.to_owned(),
    }
}

/// Headers that take one value: a second one is a mistake somewhere on the way.
const SINGLE: &[&str] = &[
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "Content-Security-Policy-Report-Only",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Embedder-Policy",
    "Cross-Origin-Resource-Policy",
    "X-XSS-Protection",
    "X-Permitted-Cross-Domain-Policies",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Content-Type",
    "Location",
    "Server",
    "X-Powered-By",
    "X-AspNet-Version",
    "X-AspNetMvc-Version",
];

/// `served-duplicate-header`: every single-value header the final response sends more than
/// once, at its second occurrence.
pub(super) fn duplicates(r: &Response, out: &mut Vec<Finding>) {
    for name in SINGLE {
        let at: Vec<usize> = r
            .headers
            .iter()
            .enumerate()
            .filter(|(_, (n, _))| n.eq_ignore_ascii_case(name))
            .map(|(i, _)| i)
            .collect();
        if at.len() < 2 {
            continue;
        }
        let values: Vec<String> = at
            .iter()
            .map(|&i| format!("\"{}\"", r.headers[i].1))
            .collect();
        let same = at
            .iter()
            .all(|&i| r.headers[i].1.trim() == r.headers[at[0]].1.trim());
        let effect = match (name.to_ascii_lowercase().as_str(), same) {
            (_, true) => "the same value twice: set in two places",
            ("content-security-policy", false) => {
                "browsers enforce every policy, so only what all of them allow loads"
            }
            ("strict-transport-security", false) => "browsers use the first one only",
            _ => "browsers may ignore the header or read the values as one invalid value",
        };
        out.push(finding(
            "served-duplicate-header",
            Place::Header(at[1]),
            format!(
                "{name} is sent {} times ({}): {effect}",
                at.len(),
                values.join(", ")
            ),
        ));
    }
}

/// `server-header-leak`: Server with a version, X-Powered-By, X-AspNet-Version and
/// X-AspNetMvc-Version in the final response.
pub(super) fn leaks(r: &Response, out: &mut Vec<Finding>) {
    for (i, (n, v)) in r.headers.iter().enumerate() {
        let (message, hint) = match n.to_ascii_lowercase().as_str() {
            "server" if v.chars().any(|c| c.is_ascii_digit()) => (
                format!("Server: {v} announces the server's software and version"),
                "Set <security><requestFiltering removeServerHeader=\"true\"/></security> in system.webServer (IIS 10 and later), or blank RESPONSE_Server with a URL Rewrite outbound rule; a proxy or CDN in front may add its own.",
            ),
            "x-powered-by" => (
                format!("X-Powered-By: {v} announces the server's software"),
                "Add <remove name=\"X-Powered-By\"/> to customHeaders (IIS's server level adds it), and remove what the application or a proxy adds.",
            ),
            "x-aspnet-version" => (
                format!("X-AspNet-Version: {v} announces the .NET version"),
                "Set <httpRuntime enableVersionHeader=\"false\"/> in system.web.",
            ),
            "x-aspnetmvc-version" => (
                format!("X-AspNetMvc-Version: {v} announces the MVC version"),
                "Set MvcHandler.DisableMvcResponseHeader = true in Application_Start (Global.asax), or blank RESPONSE_X-AspNetMvc-Version with a URL Rewrite outbound rule.",
            ),
            _ => continue,
        };
        out.push(hinted(
            "server-header-leak",
            Place::Header(i),
            message,
            hint,
        ));
    }
}

/// `redirect-not-https` and `redirect-cross-origin-first` on the http:// check, and
/// `redirect-not-https` for a redirect of the chain from https:// to http://.
pub(super) fn redirects(o: &Observed, out: &mut Vec<Finding>) {
    for w in o.chain.windows(2) {
        if w[0].url.is_https() && !w[1].url.is_https() {
            out.push(finding(
                "redirect-not-https",
                Place::Response,
                format!(
                    "{} redirects to {}: from HTTPS back to plain HTTP",
                    w[0].url, w[1].url
                ),
            ));
        }
    }
    let Some(route) = &o.http else { return };
    let first = &route[0];
    let last = &route[route.len() - 1];
    if route.len() == 1 {
        out.push(finding(
            "redirect-not-https",
            Place::Response,
            format!(
                "{} answers {} without redirecting to HTTPS",
                first.url, first.status
            ),
        ));
    } else if !last.url.is_https() {
        out.push(finding(
            "redirect-not-https",
            Place::Response,
            format!("{} ends at {}, not on HTTPS", first.url, last.url),
        ));
    } else if !route[1].url.is_https() {
        out.push(finding(
            "redirect-not-https",
            Place::Response,
            format!(
                "{} redirects first to {}, not to HTTPS (it reaches {} later)",
                first.url, route[1].url, last.url
            ),
        ));
    } else if !first.url.is_https() && route[1].url.host != first.url.host {
        out.push(finding(
            "redirect-cross-origin-first",
            Place::Response,
            format!(
                "{} redirects first to {}, another host: browsers never get HSTS for {}",
                first.url, route[1].url, first.url.host
            ),
        ));
    }
}

/// `hsts-over-http`: Strict-Transport-Security on a response over plain HTTP (the chain's or
/// the http:// check's).
pub(super) fn hsts_over_http(o: &Observed, out: &mut Vec<Finding>) {
    let last = o.chain.len() - 1;
    let mut seen = Vec::new();
    let chain = o
        .chain
        .iter()
        .enumerate()
        .map(|(i, r)| (Some(i) == Some(last), r));
    let http = o.http.iter().flatten().map(|r| (false, r));
    for (is_final, r) in chain.chain(http) {
        if r.url.is_https() || seen.contains(&&r.url) {
            continue;
        }
        seen.push(&r.url);
        if let Some(i) = r
            .headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case("strict-transport-security"))
        {
            let place = if is_final {
                Place::Header(i)
            } else {
                Place::Response
            };
            out.push(finding(
                "hsts-over-http",
                place,
                format!(
                    "{} sends Strict-Transport-Security over plain HTTP: browsers ignore it there",
                    r.url
                ),
            ));
        }
    }
}

/// Whether a cookie name looks like a session or login cookie (ASP.NET's and the usual
/// names).
pub fn session_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "sess",
        "login",
        "auth",
        "identity",
        "token",
        ".aspnetcore.cookies",
    ]
    .iter()
    .any(|k| n.contains(k))
        && !n.contains("csrf")
        && !n.contains("xsrf")
        && !n.contains("requestverification")
        && !n.contains("antiforgery")
}

/// The cookie rules on every `Set-Cookie` of the chain.
pub(super) fn cookies(o: &Observed, out: &mut Vec<Finding>) {
    let last = o.chain.len() - 1;
    for (ri, r) in o.chain.iter().enumerate() {
        for (i, (n, v)) in r.headers.iter().enumerate() {
            if !n.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let Some(c) = cookies::parse(v) else { continue };
            let place = if ri == last {
                Place::Header(i)
            } else {
                Place::Response
            };
            let from = if ri == last {
                String::new()
            } else {
                format!(" (set by {})", r.url)
            };
            let name = &c.name;
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("__secure-") && !c.secure {
                out.push(finding(
                    "cookie-prefix",
                    place,
                    format!("cookie {name}{from} has the __Secure- prefix without Secure: browsers reject it"),
                ));
            } else if lower.starts_with("__host-")
                && !(c.secure && c.domain.is_none() && c.path.as_deref() == Some("/"))
            {
                out.push(finding(
                    "cookie-prefix",
                    place,
                    format!("cookie {name}{from} has the __Host- prefix without Secure, Path=/ and no Domain: browsers reject it"),
                ));
            }
            if !c.secure {
                out.push(hinted(
                    "cookie-not-secure",
                    place,
                    format!("cookie {name}{from} is not Secure: browsers send it over plain HTTP"),
                    "Add Secure: <httpCookies requireSSL=\"true\"/> in system.web for ASP.NET's cookies, or the cookie options of the code that sets it.",
                ));
            }
            if !c.http_only && session_like(name) {
                out.push(hinted(
                    "cookie-not-httponly",
                    place,
                    format!("session cookie {name}{from} is not HttpOnly: scripts can read it"),
                    "Add HttpOnly: <httpCookies httpOnlyCookies=\"true\"/> in system.web for ASP.NET's cookies, or the cookie options of the code that sets it.",
                ));
            }
            if c.same_site == Some("none") && !c.secure {
                out.push(finding(
                    "cookie-samesite-none-insecure",
                    place,
                    format!(
                        "cookie {name}{from} is SameSite=None without Secure: browsers reject it"
                    ),
                ));
            }
            if cookies::invalid_same_site(v) {
                out.push(finding(
                    "cookie-samesite",
                    place,
                    format!("cookie {name}{from} has an invalid SameSite: browsers ignore it"),
                ));
            } else if !c.same_site_given {
                out.push(finding(
                    "cookie-samesite",
                    place,
                    format!("cookie {name}{from} has no SameSite: it is sent with requests from other sites where browsers do not default to Lax"),
                ));
            }
        }
    }
}
