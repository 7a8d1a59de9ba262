//! Cookie rules (`cookie-*`): the application's `system.web/httpCookies` settings.

use super::checker::Checker;
use super::site::{app_elements, effective_attr};

/// Checks requireSSL, httpOnlyCookies and sameSite (only when the file has a system.web).
pub(super) fn check(c: &mut Checker<'_>) {
    let t = c.tree();
    let Some(&sw) = app_elements(t, &["system.web"]).last() else {
        return;
    };
    let cookies = app_elements(t, &["system.web", "httpCookies"]);
    let attr = |n: &str| effective_attr(t, &cookies, n);
    let at = c.node_offset(cookies.last().copied().unwrap_or(sw));
    let secure = attr("requireSSL").is_some_and(|(v, _)| v == "true");
    if !secure {
        c.add(
            "cookie-not-secure",
            at,
            "cookies are not restricted to HTTPS: httpCookies requireSSL is not \"true\"".into(),
        );
    }
    if attr("httpOnlyCookies").is_none_or(|(v, _)| v != "true") {
        c.add(
            "cookie-not-httponly",
            at,
            "cookies are readable by scripts: httpCookies httpOnlyCookies is not \"true\"".into(),
        );
    }
    if attr("sameSite").is_some_and(|(v, _)| v == "none") && !secure {
        c.add(
            "cookie-samesite-none-insecure",
            at,
            "sameSite=\"None\" without requireSSL=\"true\": browsers reject these cookies".into(),
        );
    }
}
