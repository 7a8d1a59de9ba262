//! Information leaks (`server-header-leak`): the headers that announce the server's software
//! (X-Powered-By, X-AspNet-Version, Server), and which of them the application removes,
//! including with URL Rewrite outbound rules that blank them.

use super::checker::Checker;
use super::site::{Site, app_elements, effective_attr};
use crate::model::{CollectionKind, HeaderOp, Scope};
use crate::xml::Tree;

/// The response headers the application's URL Rewrite outbound rules blank (a rule whose match
/// is the server variable `RESPONSE_<Name>` and whose action rewrites it to nothing), in lower
/// case with `-` for `_`.
pub(super) fn stripped_headers(t: &Tree) -> Vec<String> {
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
            if let (Some(v), true) = (var, blank)
                && v.len() > 9
                && v[..9].eq_ignore_ascii_case("RESPONSE_")
            {
                out.push(v[9..].replace('_', "-").to_ascii_lowercase());
            }
        }
    }
    out
}

/// X-Powered-By: added by the application, or (IIS sends it by default) not removed.
pub(super) fn powered_by(c: &mut Checker<'_>, site: &Site<'_>) {
    let removed = site
        .collections
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
        || site.is_stripped("X-Powered-By");
    if let Some(e) = site.find("X-Powered-By") {
        let at = c.node_offset(e.node);
        c.add_hinted(
            "server-header-leak",
            at,
            format!("X-Powered-By: {} announces the server's software", e.value),
            "Remove this <add> and add <remove name=\"X-Powered-By\"/> instead.",
        );
    } else if !removed {
        c.add_hinted(
            "server-header-leak",
            site.anchor_at,
            "X-Powered-By (ASP.NET, set by IIS by default) is not removed".into(),
            "Add <remove name=\"X-Powered-By\"/> to the top-level customHeaders.",
        );
    }
}

/// X-AspNet-Version: sent unless httpRuntime enableVersionHeader is "false" (checked only when
/// the file has a system.web).
pub(super) fn aspnet_version(c: &mut Checker<'_>, site: &Site<'_>) {
    let t = c.tree();
    let Some(&sw) = app_elements(t, &["system.web"]).last() else {
        return;
    };
    let runtimes = app_elements(t, &["system.web", "httpRuntime"]);
    let version = effective_attr(t, &runtimes, "enableVersionHeader");
    if version.as_ref().is_none_or(|(v, _)| v != "false") && !site.is_stripped("X-AspNet-Version") {
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
}

/// Server: sent unless requestFiltering removeServerHeader is "true".
pub(super) fn server(c: &mut Checker<'_>, site: &Site<'_>) {
    let t = c.tree();
    let filtering = app_elements(t, &["system.webServer", "security", "requestFiltering"]);
    let server = effective_attr(t, &filtering, "removeServerHeader");
    if server.as_ref().is_none_or(|(v, _)| v != "true") && !site.is_stripped("Server") {
        let root = t
            .root_element()
            .expect("parsed documents have a root element");
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
}
