//! What a web.config means the application to send, and not to send, with where it says so:
//! the input of `webxsl probe --config` (drift between intent and what a server serves).

use super::leaks::stripped_headers;
use super::site::{app_elements, effective_attr};
use crate::diag::Pos;
use crate::model::{CollectionKind, HeaderOp, Scope, effective_headers, header_collections};
use crate::xml::Document;

/// A header the config sets or removes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intended {
    /// The header name, as written.
    pub name: String,
    /// The value it sets (`None` for a removal).
    pub value: Option<String>,
    /// Where the config says so.
    pub pos: Pos,
    /// How, for a removal: `<remove>`, `<clear/>`, a setting, an outbound rule.
    pub how: &'static str,
}

/// The application's intent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Intent {
    /// Headers set (the application's customHeaders as IIS merges them: top level, then
    /// `<location path=".">`).
    pub sets: Vec<Intended>,
    /// Headers it stops: `<remove>` (and `<clear/>` for IIS's own X-Powered-By) in those
    /// collections, `removeServerHeader`, `enableVersionHeader="false"`, URL Rewrite outbound
    /// rules that blank a header.
    pub removes: Vec<Intended>,
}

/// Reads the intent of a parsed web.config.
pub fn intent(doc: &Document) -> Intent {
    let t = doc.tree();
    let lines = t.line_index();
    let pos = |n| lines.pos(doc.text(), t.span(n).start);
    let collections = header_collections(t);
    let stripped = stripped_headers(t);
    let is_stripped = |n: &str| stripped.contains(&n.replace('_', "-").to_ascii_lowercase());
    let mut out = Intent::default();
    for e in effective_headers(&collections, CollectionKind::CustomHeaders).application {
        if !is_stripped(&e.name) {
            out.sets.push(Intended {
                name: e.name,
                value: Some(e.value),
                pos: pos(e.node),
                how: "<add>",
            });
        }
    }
    let sets = |n: &str| out.sets.iter().any(|s| s.name.eq_ignore_ascii_case(n));
    let mut removes: Vec<Intended> = Vec::new();
    for c in collections.iter().filter(|x| {
        x.kind == CollectionKind::CustomHeaders
            && (x.scope == Scope::TopLevel || x.scope.is_application())
    }) {
        for e in &c.entries {
            let (name, how) = match &e.op {
                HeaderOp::Remove { name } => (name.clone(), "<remove>"),
                HeaderOp::Clear => ("X-Powered-By".to_owned(), "<clear/>"),
                HeaderOp::Add { .. } => continue,
            };
            if !sets(&name) {
                removes.push(Intended {
                    name,
                    value: None,
                    pos: e.pos,
                    how,
                });
            }
        }
    }
    let filtering = app_elements(t, &["system.webServer", "security", "requestFiltering"]);
    if let Some((v, n)) = effective_attr(t, &filtering, "removeServerHeader")
        && v == "true"
    {
        removes.push(Intended {
            name: "Server".into(),
            value: None,
            pos: pos(n),
            how: "requestFiltering removeServerHeader=\"true\"",
        });
    }
    let runtimes = app_elements(t, &["system.web", "httpRuntime"]);
    if let Some((v, n)) = effective_attr(t, &runtimes, "enableVersionHeader")
        && v == "false"
    {
        removes.push(Intended {
            name: "X-AspNet-Version".into(),
            value: None,
            pos: pos(n),
            how: "httpRuntime enableVersionHeader=\"false\"",
        });
    }
    for rules in app_elements(t, &["system.webServer", "rewrite", "outboundRules"]) {
        for rule in t.element_children(rules) {
            let name = stripped_headers_of_rule(t, rule);
            if let Some(name) = name {
                removes.push(Intended {
                    name,
                    value: None,
                    pos: pos(rule),
                    how: "a URL Rewrite outbound rule",
                });
            }
        }
    }
    // One entry per name: the first place that removes it.
    for r in removes {
        if !out
            .removes
            .iter()
            .any(|x| x.name.eq_ignore_ascii_case(&r.name))
        {
            out.removes.push(r);
        }
    }
    out
}

/// The header an outbound rule blanks, if it is one of [`stripped_headers`]' rules.
fn stripped_headers_of_rule(t: &crate::xml::Tree, rule: crate::xml::NodeId) -> Option<String> {
    if t.local_name(rule) != "rule" {
        return None;
    }
    let m = t
        .element_children(rule)
        .find(|&c| t.local_name(c) == "match")?;
    let var = t.attribute_value(m, "", "serverVariable")?;
    let name = var
        .get(9..)
        .filter(|_| var.len() > 9 && var[..9].eq_ignore_ascii_case("RESPONSE_"))?;
    let name = name.replace('_', "-");
    // Only the rules stripped_headers counts (enabled, rewriting to nothing).
    stripped_headers(t)
        .contains(&name.to_ascii_lowercase())
        .then_some(name)
}
