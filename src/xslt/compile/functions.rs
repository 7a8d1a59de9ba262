//! EXSLT functions (<http://exslt.org/functions>): the top-level `func:function`, which defines
//! an XPath function in the stylesheet, and the `func:result` instruction that gives its value.
//!
//! As in libexslt, `func:result` is an instruction only where the functions namespace is
//! declared in `extension-element-prefixes` (elsewhere it is a literal result element, and a
//! call that writes it fails: webxsl warns when it compiles such a function). A `func:function`
//! whose name has no prefix or an undeclared one is ignored with a warning. What libexslt rejects when it compiles a function,
//! webxsl rejects too, with the element's position: a `func:result` outside a `func:function`,
//! inside a variable binding or another `func:result`, followed by anything but `xsl:fallback`,
//! or with both `select` and content; two functions of one name and import precedence.
//! Calling them is `exec/functions.rs`.

use super::attrs::is_xml_space;
use super::{Compiler, Decl, XSLT_NS};
use crate::xml::{NodeId, NodeKind};
use crate::xpath::ExpandedName;
use crate::xslt::ast::*;
use crate::xslt::error::XsltError;
use crate::xslt::ext::EXSLT_FUNCTIONS;

impl Compiler {
    /// A top-level element in the functions namespace: `func:function` defines a function;
    /// other names are ignored, as libexslt ignores them.
    pub(super) fn exslt_function_decl(&mut self, d: &Decl) -> Result<(), XsltError> {
        let (m, el) = (d.module, d.node);
        let t = self.tree(m);
        if t.local_name(el) != "function" {
            return Ok(());
        }
        let ignored = |why: String| {
            self.warnings.borrow_mut().push(self.err_el(
                m,
                el,
                "WXSL0005",
                format!("func:function {why}; it is ignored"),
            ));
        };
        if !self
            .extension_namespaces(m, el)
            .iter()
            .any(|u| u == EXSLT_FUNCTIONS)
        {
            // libexslt defines the function all the same, but its func:result is then a
            // literal result element, which a call writes to the result tree: an error.
            self.warnings.borrow_mut().push(self.err_el(
                m,
                el,
                "WXSL0005",
                format!(
                    "the functions namespace is not in extension-element-prefixes here, so func:result is a literal result element and calls of this function fail; declare extension-element-prefixes=\"{}\"",
                    t.prefix(el)
                ),
            ));
        }
        let Some(raw) = self.attr(&t, el, "name") else {
            return Err(self.err_el(m, el, "XTSE0010", "func:function needs a name attribute"));
        };
        let raw = raw.trim().to_owned();
        let name = match raw.split_once(':') {
            None => {
                ignored(format!(
                    "name=\"{raw}\" has no prefix (an EXSLT function is in a namespace)"
                ));
                return Ok(());
            }
            Some((p, _)) if t.lookup_namespace(el, p).is_none_or(str::is_empty) => {
                ignored(format!("name=\"{raw}\": the prefix '{p}' is not declared"));
                return Ok(());
            }
            Some(_) => self.qname(m, el, "name", &raw)?,
        };
        let mut scope: Vec<ExpandedName> = Vec::new();
        let (params, has_body) = self.leading_params(m, el, "a func:function", &mut scope)?;
        let body = self.body(m, el, &mut scope, &["param"])?;
        let loc = self.loc(m, t.span(el).start);
        if let Some(other) = self.functions.get(&name) {
            if other.precedence == d.precedence {
                return Err(self.err_attr(
                    m,
                    el,
                    "name",
                    "XTSE0770",
                    format!("the function {raw}() is defined twice"),
                ));
            }
            if other.precedence > d.precedence {
                return Ok(());
            }
        }
        self.functions.insert(
            name.clone(),
            UserFunction {
                name,
                params,
                body: has_body.then_some(body),
                precedence: d.precedence,
                loc,
            },
        );
        Ok(())
    }

    /// An element of the functions namespace in a body, where that namespace is an extension
    /// namespace: `func:result`, or `None` for any other name (not an instruction webxsl
    /// knows; the caller runs its `xsl:fallback`).
    pub(super) fn exslt_function_instr(
        &mut self,
        m: usize,
        el: NodeId,
        scope: &mut Vec<ExpandedName>,
    ) -> Result<Option<InstrKind>, XsltError> {
        let t = self.tree(m);
        if t.local_name(el) != "result" {
            return Ok(None);
        }
        // Where it may be: inside a func:function, not in a variable binding or a func:result.
        let mut in_function = false;
        for a in t.ancestors(el) {
            if t.has_name(a, EXSLT_FUNCTIONS, "function") {
                in_function = t.parent(a) == t.root_element();
                break;
            }
            let binding = ["variable", "param", "with-param"]
                .iter()
                .any(|n| t.has_name(a, XSLT_NS, n));
            if binding || t.has_name(a, EXSLT_FUNCTIONS, "result") {
                return Err(self.err_el(
                    m,
                    el,
                    "XTSE0010",
                    format!(
                        "func:result is not allowed inside <{}>",
                        t.qualified_name(a)
                    ),
                ));
            }
        }
        if !in_function {
            return Err(self.err_el(
                m,
                el,
                "XTSE0010",
                "func:result is only allowed inside a func:function",
            ));
        }
        let mut next = t.next_sibling(el);
        while let Some(s) = next {
            let allowed = match t.kind(s) {
                NodeKind::Element => t.has_name(s, XSLT_NS, "fallback"),
                NodeKind::Text => is_xml_space(t.value(s)),
                _ => true,
            };
            if !allowed {
                return Err(self.err_el(
                    m,
                    s,
                    "XTSE0010",
                    "only xsl:fallback may follow func:result",
                ));
            }
            next = t.next_sibling(s);
        }
        let select = self.opt_xexpr(m, el, "select")?;
        let body = self.body(m, el, scope, &[])?;
        if select.is_some() && !body.is_empty() {
            return Err(self.err_el(
                m,
                el,
                "XTSE0620",
                "func:result has both a select attribute and content",
            ));
        }
        Ok(Some(InstrKind::FuncResult { select, body }))
    }
}
