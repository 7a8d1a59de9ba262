//! What every declaration and instruction compiler needs: attribute checks (required, allowed,
//! `yes`/`no`), forwards-compatible mode, QNames, XPath expressions and patterns (with errors
//! positioned inside the attribute) and attribute value templates.

use std::sync::Arc;

use super::{Compiler, XSLT_NS};
use crate::xml::document::raw_value_offset;
use crate::xml::{NodeId, NodeKind, Tree};
use crate::xpath::ast::Expr;
use crate::xpath::pattern::{Pattern, parse_pattern};
use crate::xpath::value::namespace_bindings;
use crate::xpath::{ExpandedName, StaticContext, XPathError, parse};
use crate::xslt::ast::{Avt, AvtPart, Loc, NsContext, XExpr};
use crate::xslt::error::XsltError;
use crate::xslt::ext;

/// Whether `s` is all XML whitespace (space, tab, CR, LF).
pub(super) fn is_xml_space(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// Whether `s` is an NCName (a name without a colon).
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{B7}'))
}

/// Whether `s` is a QName (`NCName` or `NCName:NCName`).
pub(crate) fn is_qname(s: &str) -> bool {
    match s.split_once(':') {
        Some((p, l)) => is_ncname(p) && is_ncname(l),
        None => is_ncname(s),
    }
}

impl Compiler {
    /// Module `m`'s tree (shared, so it can be held while `self` is borrowed mutably).
    pub(super) fn tree(&self, m: usize) -> Arc<Tree> {
        self.modules[m].tree.clone()
    }

    /// The value of attribute `name` (no namespace) of `el`.
    pub(super) fn attr<'t>(&self, tree: &'t Tree, el: NodeId, name: &str) -> Option<&'t str> {
        tree.attribute_value(el, "", name)
    }

    /// The value of attribute `name`, or XTSE0010 if `el` lacks it.
    pub(super) fn required(&self, m: usize, el: NodeId, name: &str) -> Result<&str, XsltError> {
        let t = &self.modules[m].tree;
        t.attribute_value(el, "", name).ok_or_else(|| {
            self.err_el(
                m,
                el,
                "XTSE0010",
                format!("xsl:{} requires the {name} attribute", t.local_name(el)),
            )
        })
    }

    /// Whether `el` is in forwards-compatible mode: the nearest `[xsl:]version` in scope is not
    /// 1.0.
    pub(super) fn forwards_compatible(&self, m: usize, el: NodeId) -> bool {
        let t = &self.modules[m].tree;
        let mut cur = Some(el);
        while let Some(n) = cur {
            if t.kind(n) == NodeKind::Element {
                let v = if t.namespace_uri(n) == XSLT_NS {
                    t.attribute_value(n, "", "version")
                } else {
                    t.attribute_value(n, XSLT_NS, "version")
                };
                if let Some(v) = v {
                    return v.trim() != "1.0" && v.trim() != "1";
                }
            }
            cur = t.parent(n);
        }
        false
    }

    /// Warns (XTSE0090) about attributes in no namespace that `el` does not define, unless in
    /// forwards-compatible mode.
    pub(super) fn check_attrs(
        &self,
        m: usize,
        el: NodeId,
        allowed: &[&str],
    ) -> Result<(), XsltError> {
        let t = &self.modules[m].tree;
        if self.forwards_compatible(m, el) {
            return Ok(());
        }
        for a in t.attributes(el) {
            if t.namespace_uri(a).is_empty() && !allowed.contains(&t.local_name(a)) {
                // An error in XSLT 2.0; XSLT 1.0 processors (libxslt included) ignore it.
                self.warnings.borrow_mut().push(self.err(
                    m,
                    t.span(a).start,
                    "XTSE0090",
                    format!(
                        "xsl:{} has no attribute {}; it is ignored",
                        t.local_name(el),
                        t.local_name(a)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Resolves a QName in an attribute value (no default namespace).
    pub(super) fn qname(
        &self,
        m: usize,
        el: NodeId,
        attr: &str,
        value: &str,
    ) -> Result<ExpandedName, XsltError> {
        let t = &self.modules[m].tree;
        let v = value.trim();
        if !is_qname(v) {
            return Err(self.err_attr(
                m,
                el,
                attr,
                "XTSE0020",
                format!("\"{v}\" is not a valid QName"),
            ));
        }
        match v.split_once(':') {
            None => Ok(ExpandedName::local(v)),
            Some((p, l)) => match t.lookup_namespace(el, p) {
                Some(u) if !u.is_empty() => Ok(ExpandedName::new(u, l)),
                _ => Err(self.err_attr(
                    m,
                    el,
                    attr,
                    "XTSE0280",
                    format!("namespace prefix '{p}' is not declared"),
                )),
            },
        }
    }

    /// Resolves the QName in attribute `attr`, if present.
    pub(super) fn qname_attr(
        &self,
        m: usize,
        el: NodeId,
        attr: &str,
    ) -> Result<Option<ExpandedName>, XsltError> {
        let t = self.tree(m);
        match self.attr(&t, el, attr) {
            None => Ok(None),
            Some(v) => self.qname(m, el, attr, v).map(Some),
        }
    }

    /// Resolves a whitespace-separated list of QNames (`use-attribute-sets`).
    pub(super) fn qname_list(
        &self,
        m: usize,
        el: NodeId,
        attr: &str,
        v: &str,
    ) -> Result<Vec<ExpandedName>, XsltError> {
        v.split_whitespace()
            .map(|q| self.qname(m, el, attr, q))
            .collect()
    }

    /// Where the value of attribute `attr` starts (or `el`, without it).
    fn value_loc(&self, m: usize, el: NodeId, attr: &str) -> Loc {
        let t = &self.modules[m].tree;
        let off = t
            .attribute(el, "", attr)
            .map_or(t.span(el).start, |a| t.attr_value_span(a).start);
        self.loc(m, off)
    }

    /// An XPath error inside attribute `attr`, positioned at its column in the source text.
    fn xpath_error(&self, m: usize, el: NodeId, attr: &str, e: &XPathError) -> XsltError {
        let t = &self.modules[m].tree;
        let start = t
            .attribute(el, "", attr)
            .map_or(t.span(el).start, |a| t.attr_value_span(a).start);
        let raw = &t.source()[start..];
        self.err(
            m,
            start + raw_value_offset(raw, e.span.start),
            e.code,
            e.message.clone(),
        )
    }

    /// Runs a parser with the namespaces in scope at `el` and the host functions.
    fn static_ctx_parse<T>(
        &self,
        m: usize,
        el: NodeId,
        f: impl FnOnce(&StaticContext<'_>) -> Result<T, XPathError>,
    ) -> Result<T, XPathError> {
        let t = self.modules[m].tree.clone();
        let resolve = move |p: &str| -> Option<String> {
            t.lookup_namespace(el, p)
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
        };
        let ctx = StaticContext {
            namespaces: &resolve,
            functions: ext::signatures(),
        };
        f(&ctx)
    }

    /// Compiles `text`, the value of attribute `attr`, as an XPath expression.
    fn compile_expr(
        &self,
        m: usize,
        el: NodeId,
        attr: &str,
        text: &str,
    ) -> Result<Expr, XsltError> {
        let t = self.modules[m].tree.clone();
        let mut e = self
            .static_ctx_parse(m, el, |ctx| parse(text, ctx))
            .map_err(|e| self.xpath_error(m, el, attr, &e))?;
        resolve_qname_literals(&mut e, &t, el).map_err(|e| self.xpath_error(m, el, attr, &e))?;
        Ok(e)
    }

    /// Compiles required attribute `attr` as an XPath expression.
    pub(super) fn xexpr(&self, m: usize, el: NodeId, attr: &str) -> Result<XExpr, XsltError> {
        let text = self.required(m, el, attr)?.to_owned();
        Ok(XExpr {
            expr: self.compile_expr(m, el, attr, &text)?,
            loc: self.value_loc(m, el, attr),
        })
    }

    /// Compiles attribute `attr` as an XPath expression, if present.
    pub(super) fn opt_xexpr(
        &self,
        m: usize,
        el: NodeId,
        attr: &str,
    ) -> Result<Option<XExpr>, XsltError> {
        let t = self.tree(m);
        match self.attr(&t, el, attr) {
            None => Ok(None),
            Some(_) => self.xexpr(m, el, attr).map(Some),
        }
    }

    /// Compiles required attribute `attr` as a pattern.
    pub(super) fn pattern(&self, m: usize, el: NodeId, attr: &str) -> Result<Pattern, XsltError> {
        let text = self.required(m, el, attr)?.to_owned();
        let t = self.modules[m].tree.clone();
        let mut p = self
            .static_ctx_parse(m, el, |ctx| parse_pattern(&text, ctx))
            .map_err(|e| self.xpath_error(m, el, attr, &e))?;
        for alt in &mut p.alternatives {
            if let crate::xpath::pattern::Anchor::Expr(e) = &mut alt.anchor {
                resolve_qname_literals(e, &t, el).map_err(|e| self.xpath_error(m, el, attr, &e))?;
            }
            for step in &mut alt.steps {
                for pred in &mut step.preds {
                    resolve_qname_literals(pred, &t, el)
                        .map_err(|e| self.xpath_error(m, el, attr, &e))?;
                }
            }
        }
        Ok(p)
    }

    /// Parses an attribute value template.
    pub(super) fn avt(
        &self,
        m: usize,
        el: NodeId,
        attr: &str,
        attr_uri: &str,
    ) -> Result<Avt, XsltError> {
        let t = self.tree(m);
        let a = t.attribute(el, attr_uri, attr).expect("caller checked");
        let text = t.value(a).to_owned();
        let value_start = t.attr_value_span(a).start;
        let raw = &t.source()[value_start..];
        let mut parts = Vec::new();
        let mut lit = String::new();
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'{' if b.get(i + 1) == Some(&b'{') => {
                    lit.push('{');
                    i += 2;
                }
                b'}' if b.get(i + 1) == Some(&b'}') => {
                    lit.push('}');
                    i += 2;
                }
                b'}' => {
                    return Err(self.err(
                        m,
                        value_start + raw_value_offset(raw, i),
                        "XTSE0370",
                        "unescaped '}' in an attribute value template (write '}}')",
                    ));
                }
                b'{' => {
                    // Find the closing brace, skipping string literals.
                    let start = i + 1;
                    let mut j = start;
                    let mut quote: Option<u8> = None;
                    while j < b.len() {
                        match (quote, b[j]) {
                            (Some(q), c) if c == q => quote = None,
                            (None, b'"' | b'\'') => quote = Some(b[j]),
                            (None, b'}') => break,
                            _ => {}
                        }
                        j += 1;
                    }
                    if j >= b.len() {
                        return Err(self.err(
                            m,
                            value_start + raw_value_offset(raw, i),
                            "XTSE0350",
                            "unclosed '{' in an attribute value template",
                        ));
                    }
                    if !lit.is_empty() {
                        parts.push(AvtPart::Lit(std::mem::take(&mut lit).into()));
                    }
                    let expr_text = &text[start..j];
                    let tt = t.clone();
                    let mut expr = self
                        .static_ctx_parse(m, el, |ctx| parse(expr_text, ctx))
                        .map_err(|e| {
                            self.err(
                                m,
                                value_start + raw_value_offset(raw, start + e.span.start),
                                e.code,
                                e.message.clone(),
                            )
                        })?;
                    resolve_qname_literals(&mut expr, &tt, el).map_err(|e| {
                        self.err(
                            m,
                            value_start + raw_value_offset(raw, start + e.span.start),
                            e.code,
                            e.message.clone(),
                        )
                    })?;
                    parts.push(AvtPart::Expr(XExpr {
                        expr,
                        loc: self.loc(m, value_start + raw_value_offset(raw, start)),
                    }));
                    i = j + 1;
                }
                _ => {
                    let c = text[i..].chars().next().expect("in bounds");
                    lit.push(c);
                    i += c.len_utf8();
                }
            }
        }
        if !lit.is_empty() {
            parts.push(AvtPart::Lit(lit.into()));
        }
        Ok(Avt { parts })
    }

    /// Parses attribute `attr` (no namespace) as an attribute value template, if present.
    pub(super) fn opt_avt(
        &self,
        m: usize,
        el: NodeId,
        attr: &str,
    ) -> Result<Option<Avt>, XsltError> {
        let t = self.tree(m);
        if t.attribute(el, "", attr).is_none() {
            return Ok(None);
        }
        self.avt(m, el, attr, "").map(Some)
    }

    /// Reads a `yes`/`no` attribute, if present.
    pub(super) fn yes_no(
        &self,
        m: usize,
        el: NodeId,
        attr: &str,
    ) -> Result<Option<bool>, XsltError> {
        let t = self.tree(m);
        match self.attr(&t, el, attr).map(str::trim) {
            None => Ok(None),
            Some("yes") => Ok(Some(true)),
            Some("no") => Ok(Some(false)),
            Some(v) => Err(self.err_attr(
                m,
                el,
                attr,
                "XTSE0020",
                format!("{attr} must be \"yes\" or \"no\", not \"{v}\""),
            )),
        }
    }

    /// The namespaces in scope at `el` (for names computed at run time).
    pub(super) fn ns_context(&self, m: usize, el: NodeId) -> NsContext {
        let t = &self.modules[m].tree;
        Arc::new(
            t.namespaces(el)
                .iter()
                .map(|b| (Arc::from(t.atom(b.prefix)), Arc::from(t.atom(b.uri))))
                .collect(),
        )
    }
}

/// Resolves what host function calls in `e` need from the stylesheet element `el` holding the
/// expression: literal QName arguments, and the in-scope namespaces for those that take them
/// (see [`ext::resolve_host_arguments`]).
fn resolve_qname_literals(e: &mut Expr, tree: &Tree, el: NodeId) -> Result<(), XPathError> {
    let resolve = |p: &str| tree.lookup_namespace(el, p).map(str::to_owned);
    let in_scope = || ext::encode_namespaces(&namespace_bindings(tree, el));
    ext::resolve_host_arguments(e, &resolve, &in_scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qnames() {
        assert!(is_qname("a"));
        assert!(is_qname("p:a-b.c"));
        assert!(!is_qname("1a"));
        assert!(!is_qname("a:"));
        assert!(!is_qname("a:b:c"));
        assert!(!is_qname(""));
    }
}
