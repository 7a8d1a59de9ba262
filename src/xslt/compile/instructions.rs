//! Template bodies: text, literal result elements (namespace aliases, excluded prefixes,
//! attribute value templates) and every XSLT instruction, each checked for its attributes and
//! children. Extension elements compile to their `xsl:fallback`. Variable and parameter
//! bindings are here too: global ones (`decls.rs`) have the same shape as local ones.

use std::collections::HashSet;
use std::sync::Arc;

use super::attrs::is_xml_space;
use super::{Compiler, XSLT_NS};
use crate::xml::{NodeId, NodeKind, XML_NS};
use crate::xpath::{ExpandedName, StaticContext, parse};
use crate::xslt::ast::*;
use crate::xslt::error::XsltError;

impl Compiler {
    /// Compiles the children of `parent`, leaving out the XSLT elements named in `skip` (which
    /// the caller handles: a template's xsl:param, a for-each's xsl:sort).
    pub(super) fn body(
        &mut self,
        m: usize,
        parent: NodeId,
        scope: &mut Vec<ExpandedName>,
        skip: &[&str],
    ) -> Result<Body, XsltError> {
        let t = self.tree(m);
        let preserve = {
            let mut cur = Some(parent);
            let mut p = false;
            while let Some(n) = cur {
                if let Some(v) = t.attribute_value(n, XML_NS, "space") {
                    p = v == "preserve";
                    break;
                }
                cur = t.parent(n);
            }
            p
        };
        let mark = scope.len();
        let mut out = Vec::new();
        for c in t.children(parent) {
            match t.kind(c) {
                NodeKind::Text => {
                    let v = t.value(c);
                    if is_xml_space(v) && !preserve {
                        continue;
                    }
                    out.push(Instr {
                        kind: InstrKind::Text {
                            text: v.into(),
                            doe: false,
                        },
                        loc: self.loc(m, t.span(c).start),
                    });
                }
                NodeKind::Element => {
                    if t.namespace_uri(c) == XSLT_NS && skip.contains(&t.local_name(c)) {
                        continue;
                    }
                    if let Some(i) = self.instruction_or_literal(m, c, scope)? {
                        out.push(i);
                    }
                }
                _ => {}
            }
        }
        scope.truncate(mark);
        Ok(out)
    }

    /// The namespaces `extension-element-prefixes` declares in scope at `el`.
    pub(super) fn extension_namespaces(&self, m: usize, el: NodeId) -> Vec<String> {
        let t = &self.modules[m].tree;
        let mut out = Vec::new();
        let mut cur = Some(el);
        while let Some(n) = cur {
            if t.kind(n) == NodeKind::Element {
                let v = if t.namespace_uri(n) == XSLT_NS {
                    t.attribute_value(n, "", "extension-element-prefixes")
                } else {
                    t.attribute_value(n, XSLT_NS, "extension-element-prefixes")
                };
                if let Some(v) = v {
                    for p in v.split_whitespace() {
                        let p = if p == "#default" { "" } else { p };
                        if let Some(u) = t.lookup_namespace(n, p) {
                            out.push(u.to_owned());
                        }
                    }
                }
            }
            cur = t.parent(n);
        }
        out
    }

    /// The namespaces whose nodes a literal result element leaves out: XSLT's, and those
    /// `exclude-result-prefixes` and `extension-element-prefixes` name in scope.
    fn excluded_namespaces(&self, m: usize, el: NodeId) -> HashSet<String> {
        let t = &self.modules[m].tree;
        let mut out: HashSet<String> = HashSet::new();
        out.insert(XSLT_NS.to_owned());
        let mut cur = Some(el);
        while let Some(n) = cur {
            if t.kind(n) == NodeKind::Element {
                let in_xslt = t.namespace_uri(n) == XSLT_NS;
                for attr in ["exclude-result-prefixes", "extension-element-prefixes"] {
                    let v = if in_xslt {
                        t.attribute_value(n, "", attr)
                    } else {
                        t.attribute_value(n, XSLT_NS, attr)
                    };
                    if let Some(v) = v {
                        for p in v.split_whitespace() {
                            let p = if p == "#default" { "" } else { p };
                            if let Some(u) = t.lookup_namespace(n, p) {
                                out.insert(u.to_owned());
                            } else if p == "#all" {
                                for b in t.namespaces(n) {
                                    out.insert(t.atom(b.uri).to_owned());
                                }
                            }
                        }
                    }
                }
            }
            cur = t.parent(n);
        }
        out
    }

    /// The result prefix and URI for a stylesheet namespace, after `xsl:namespace-alias`.
    fn alias(&self, prefix: &str, uri: &str) -> (Arc<str>, Arc<str>) {
        match self.aliases.get(uri) {
            Some((rp, ru, _)) => (rp.as_str().into(), ru.as_str().into()),
            None => (prefix.into(), uri.into()),
        }
    }

    /// The attribute sets `[xsl:]use-attribute-sets` names.
    fn use_sets(
        &self,
        m: usize,
        el: NodeId,
        attr_uri: &str,
    ) -> Result<Vec<ExpandedName>, XsltError> {
        let t = self.tree(m);
        match t.attribute_value(el, attr_uri, "use-attribute-sets") {
            Some(v) => {
                let v = v.to_owned();
                v.split_whitespace()
                    .map(|q| self.qname(m, el, "use-attribute-sets", q))
                    .collect()
            }
            None => Ok(Vec::new()),
        }
    }

    /// The `xsl:fallback` children of an extension or unknown element, as one body.
    fn fallback(
        &mut self,
        m: usize,
        el: NodeId,
        scope: &mut Vec<ExpandedName>,
    ) -> Result<Option<Body>, XsltError> {
        let t = self.tree(m);
        let mut fb: Option<Body> = None;
        for c in t.element_children(el) {
            if t.has_name(c, XSLT_NS, "fallback") {
                let b = self.body(m, c, scope, &[])?;
                fb.get_or_insert_with(Vec::new).extend(b);
            }
        }
        Ok(fb)
    }

    /// Compiles one element of a template body (`None`: it produces nothing, e.g. a stray
    /// `xsl:fallback`).
    pub(super) fn instruction_or_literal(
        &mut self,
        m: usize,
        el: NodeId,
        scope: &mut Vec<ExpandedName>,
    ) -> Result<Option<Instr>, XsltError> {
        let t = self.tree(m);
        let loc = self.loc(m, t.span(el).start);
        let uri = t.namespace_uri(el);
        if uri == XSLT_NS {
            return self
                .instruction(m, el, scope)
                .map(|k| k.map(|kind| Instr { kind, loc }));
        }
        if self.extension_namespaces(m, el).iter().any(|u| u == uri) {
            if uri == crate::xslt::ext::EXSLT_FUNCTIONS
                && let Some(kind) = self.exslt_function_instr(m, el, scope)?
            {
                return Ok(Some(Instr { kind, loc }));
            }
            let fallback = self.fallback(m, el, scope)?;
            return Ok(Some(Instr {
                kind: InstrKind::Unsupported {
                    name: t.qualified_name(el).into_owned(),
                    fallback,
                },
                loc,
            }));
        }
        // A literal result element.
        let excluded = self.excluded_namespaces(m, el);
        let (prefix, uri) = self.alias(t.prefix(el), uri);
        let name = LexName {
            prefix,
            local: t.local_name(el).into(),
            uri,
        };
        let mut namespaces: Vec<(Arc<str>, Arc<str>)> = Vec::new();
        for b in t.namespaces(el) {
            let (p, u) = (t.atom(b.prefix), t.atom(b.uri));
            if excluded.contains(u) {
                continue;
            }
            // xsl:namespace-alias: a namespace node for the stylesheet URI becomes one for the
            // result URI, with the result prefix.
            let entry = self.alias(p, u);
            namespaces.retain(|(q, _)| *q != entry.0);
            namespaces.push(entry);
        }
        let mut attrs = Vec::new();
        for a in t.attributes(el) {
            let auri = t.namespace_uri(a);
            if auri == XSLT_NS {
                let l = t.local_name(a);
                if !matches!(
                    l,
                    "version"
                        | "exclude-result-prefixes"
                        | "extension-element-prefixes"
                        | "use-attribute-sets"
                ) && !self.forwards_compatible(m, el)
                {
                    return Err(self.err(
                        m,
                        t.span(a).start,
                        "XTSE0805",
                        format!("xsl:{l} is not allowed on a literal result element"),
                    ));
                }
                continue;
            }
            let (ap, au) = if auri.is_empty() {
                ("".into(), "".into())
            } else {
                self.alias(t.prefix(a), auri)
            };
            let avt = self.avt(m, el, t.local_name(a), auri)?;
            attrs.push((
                LexName {
                    prefix: ap,
                    local: t.local_name(a).into(),
                    uri: au,
                },
                avt,
            ));
        }
        let use_sets = self.use_sets(m, el, XSLT_NS)?;
        let body = self.body(m, el, scope, &[])?;
        Ok(Some(Instr {
            kind: InstrKind::Literal(Box::new(LiteralElement {
                name,
                namespaces,
                attrs,
                use_sets,
                body,
            })),
            loc,
        }))
    }

    /// The `xsl:sort` children of `xsl:apply-templates` or `xsl:for-each`.
    fn sorts(&mut self, m: usize, el: NodeId) -> Result<Vec<Sort>, XsltError> {
        let t = self.tree(m);
        let mut sorts = Vec::new();
        for c in t.element_children(el) {
            if !t.has_name(c, XSLT_NS, "sort") {
                continue;
            }
            self.check_attrs(
                m,
                c,
                &["select", "lang", "data-type", "order", "case-order"],
            )?;
            let select = match self.opt_xexpr(m, c, "select")? {
                Some(s) => s,
                None => XExpr {
                    expr: parse(".", &StaticContext::empty()).expect("'.' parses"),
                    loc: self.loc(m, t.span(c).start),
                },
            };
            sorts.push(Sort {
                select,
                data_type: self.opt_avt(m, c, "data-type")?,
                order: self.opt_avt(m, c, "order")?,
                case_order: self.opt_avt(m, c, "case-order")?,
                lang: self.opt_avt(m, c, "lang")?,
            });
        }
        Ok(sorts)
    }

    /// The `xsl:with-param` children of `xsl:apply-templates` or `xsl:call-template`.
    fn with_params(
        &mut self,
        m: usize,
        el: NodeId,
        scope: &mut Vec<ExpandedName>,
    ) -> Result<Vec<Binding>, XsltError> {
        let t = self.tree(m);
        let mut params: Vec<Binding> = Vec::new();
        for c in t.element_children(el) {
            if t.has_name(c, XSLT_NS, "with-param") {
                let b = self.binding(m, c, true, scope)?;
                if params.iter().any(|p| p.name == b.name) {
                    return Err(self.err_el(
                        m,
                        c,
                        "XTSE0670",
                        format!("parameter ${} is passed twice", b.name),
                    ));
                }
                params.push(b);
            }
        }
        Ok(params)
    }

    /// A variable or parameter (global, local, or `xsl:with-param`): its name and value.
    pub(super) fn binding(
        &mut self,
        m: usize,
        el: NodeId,
        is_param: bool,
        scope: &mut Vec<ExpandedName>,
    ) -> Result<Binding, XsltError> {
        self.check_attrs(m, el, &["name", "select"])?;
        let t = self.tree(m);
        let name = self.qname(m, el, "name", self.required(m, el, "name")?)?;
        let has_content = t.children(el).any(|c| {
            !(t.kind(c) == NodeKind::Text && is_xml_space(t.value(c)))
                && t.kind(c) != NodeKind::Comment
        });
        let value = if t.attribute(el, "", "select").is_some() {
            if has_content {
                return Err(self.err_el(
                    m,
                    el,
                    "XTSE0620",
                    format!(
                        "xsl:{} has both a select attribute and content",
                        t.local_name(el)
                    ),
                ));
            }
            BindingValue::Select(self.xexpr(m, el, "select")?)
        } else if has_content {
            BindingValue::Body(self.body(m, el, scope, &[])?)
        } else {
            BindingValue::Empty
        };
        Ok(Binding {
            name,
            value,
            is_param,
        })
    }

    /// Only `allowed` XSLT children (and whitespace, comments) may appear.
    fn only_children(&self, m: usize, el: NodeId, allowed: &[&str]) -> Result<(), XsltError> {
        let t = &self.modules[m].tree;
        for c in t.children(el) {
            match t.kind(c) {
                NodeKind::Element
                    if t.namespace_uri(c) == XSLT_NS && allowed.contains(&t.local_name(c)) => {}
                NodeKind::Element => {
                    return Err(self.err_el(
                        m,
                        c,
                        "XTSE0010",
                        format!(
                            "<{}> is not allowed inside xsl:{}",
                            t.qualified_name(c),
                            t.local_name(el)
                        ),
                    ));
                }
                NodeKind::Text if !is_xml_space(t.value(c)) => {
                    return Err(self.err(
                        m,
                        t.span(c).start,
                        "XTSE0010",
                        format!("text is not allowed inside xsl:{}", t.local_name(el)),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Compiles an XSLT instruction (`None`: `xsl:fallback`, which produces nothing here).
    fn instruction(
        &mut self,
        m: usize,
        el: NodeId,
        scope: &mut Vec<ExpandedName>,
    ) -> Result<Option<InstrKind>, XsltError> {
        let t = self.tree(m);
        let name = t.local_name(el).to_owned();
        Ok(Some(match name.as_str() {
            "apply-templates" => {
                self.check_attrs(m, el, &["select", "mode"])?;
                self.only_children(m, el, &["sort", "with-param"])?;
                InstrKind::ApplyTemplates {
                    select: self.opt_xexpr(m, el, "select")?,
                    mode: self.qname_attr(m, el, "mode")?,
                    sorts: self.sorts(m, el)?,
                    params: self.with_params(m, el, scope)?,
                }
            }
            "call-template" => {
                self.check_attrs(m, el, &["name"])?;
                self.only_children(m, el, &["with-param"])?;
                let n = self.qname(m, el, "name", self.required(m, el, "name")?)?;
                InstrKind::CallTemplate {
                    name: n,
                    params: self.with_params(m, el, scope)?,
                }
            }
            "apply-imports" => {
                self.check_attrs(m, el, &[])?;
                InstrKind::ApplyImports
            }
            "for-each" => {
                self.check_attrs(m, el, &["select"])?;
                let select = self.xexpr(m, el, "select")?;
                let sorts = self.sorts(m, el)?;
                let body = self.body_without(m, el, scope, "sort")?;
                InstrKind::ForEach {
                    select,
                    sorts,
                    body,
                }
            }
            "value-of" => {
                self.check_attrs(m, el, &["select", "disable-output-escaping"])?;
                self.only_children(m, el, &[])?;
                InstrKind::ValueOf {
                    select: self.xexpr(m, el, "select")?,
                    doe: self
                        .yes_no(m, el, "disable-output-escaping")?
                        .unwrap_or(false),
                }
            }
            "copy-of" => {
                self.check_attrs(m, el, &["select"])?;
                InstrKind::CopyOf {
                    select: self.xexpr(m, el, "select")?,
                }
            }
            "if" => {
                self.check_attrs(m, el, &["test"])?;
                InstrKind::If {
                    test: self.xexpr(m, el, "test")?,
                    body: self.body(m, el, scope, &[])?,
                }
            }
            "choose" => {
                self.check_attrs(m, el, &[])?;
                self.only_children(m, el, &["when", "otherwise"])?;
                let mut whens = Vec::new();
                let mut otherwise = None;
                for c in t.element_children(el) {
                    if otherwise.is_some() {
                        return Err(self.err_el(
                            m,
                            c,
                            "XTSE0010",
                            "xsl:otherwise must be the last child of xsl:choose",
                        ));
                    }
                    if t.local_name(c) == "when" {
                        self.check_attrs(m, c, &["test"])?;
                        whens.push((self.xexpr(m, c, "test")?, self.body(m, c, scope, &[])?));
                    } else {
                        self.check_attrs(m, c, &[])?;
                        otherwise = Some(self.body(m, c, scope, &[])?);
                    }
                }
                if whens.is_empty() {
                    return Err(self.err_el(
                        m,
                        el,
                        "XTSE0010",
                        "xsl:choose needs at least one xsl:when",
                    ));
                }
                InstrKind::Choose { whens, otherwise }
            }
            "text" => {
                self.check_attrs(m, el, &["disable-output-escaping"])?;
                let mut text = String::new();
                for c in t.children(el) {
                    match t.kind(c) {
                        NodeKind::Text => text.push_str(t.value(c)),
                        NodeKind::Element => {
                            return Err(self.err_el(
                                m,
                                c,
                                "XTSE0010",
                                "xsl:text may contain only text",
                            ));
                        }
                        _ => {}
                    }
                }
                InstrKind::Text {
                    text: text.into(),
                    doe: self
                        .yes_no(m, el, "disable-output-escaping")?
                        .unwrap_or(false),
                }
            }
            "element" => {
                self.check_attrs(m, el, &["name", "namespace", "use-attribute-sets"])?;
                self.required(m, el, "name")?;
                InstrKind::Element {
                    name: self.avt(m, el, "name", "")?,
                    namespace: self.opt_avt(m, el, "namespace")?,
                    ns: self.ns_context(m, el),
                    use_sets: self.use_sets(m, el, "")?,
                    body: self.body(m, el, scope, &[])?,
                }
            }
            "attribute" => {
                self.check_attrs(m, el, &["name", "namespace"])?;
                self.required(m, el, "name")?;
                InstrKind::Attribute {
                    name: self.avt(m, el, "name", "")?,
                    namespace: self.opt_avt(m, el, "namespace")?,
                    ns: self.ns_context(m, el),
                    body: self.body(m, el, scope, &[])?,
                }
            }
            "comment" => {
                self.check_attrs(m, el, &[])?;
                InstrKind::Comment {
                    body: self.body(m, el, scope, &[])?,
                }
            }
            "processing-instruction" => {
                self.check_attrs(m, el, &["name"])?;
                self.required(m, el, "name")?;
                InstrKind::Pi {
                    name: self.avt(m, el, "name", "")?,
                    body: self.body(m, el, scope, &[])?,
                }
            }
            "message" => {
                self.check_attrs(m, el, &["terminate"])?;
                InstrKind::Message {
                    terminate: self.yes_no(m, el, "terminate")?.unwrap_or(false),
                    body: self.body(m, el, scope, &[])?,
                }
            }
            "copy" => {
                self.check_attrs(m, el, &["use-attribute-sets"])?;
                InstrKind::Copy {
                    use_sets: self.use_sets(m, el, "")?,
                    body: self.body(m, el, scope, &[])?,
                }
            }
            "variable" | "param" => {
                if name == "param" {
                    return Err(self.err_el(
                        m,
                        el,
                        "XTSE0010",
                        "xsl:param is only allowed at the top level or at the start of a template",
                    ));
                }
                let b = self.binding(m, el, false, scope)?;
                if scope.contains(&b.name) {
                    return Err(self.err_el(
                        m,
                        el,
                        "XTSE0630",
                        format!("variable ${} is already bound in this template", b.name),
                    ));
                }
                scope.push(b.name.clone());
                InstrKind::Variable(b)
            }
            "number" => InstrKind::Number(Box::new(self.number(m, el)?)),
            "fallback" => return Ok(None),
            other => {
                if self.forwards_compatible(m, el) {
                    InstrKind::Unsupported {
                        name: format!("xsl:{other}"),
                        fallback: self.fallback(m, el, scope)?,
                    }
                } else {
                    return Err(self.err_el(
                        m,
                        el,
                        "XTSE0010",
                        format!("xsl:{other} is not an XSLT 1.0 instruction"),
                    ));
                }
            }
        }))
    }

    /// Compiles a body whose `skip` children (`xsl:sort`) must come first.
    fn body_without(
        &mut self,
        m: usize,
        el: NodeId,
        scope: &mut Vec<ExpandedName>,
        skip: &str,
    ) -> Result<Body, XsltError> {
        let t = self.tree(m);
        let mut seen_other = false;
        for c in t.children(el) {
            let is_skip = t.kind(c) == NodeKind::Element && t.has_name(c, XSLT_NS, skip);
            let blank = t.kind(c) == NodeKind::Text && is_xml_space(t.value(c));
            if is_skip && seen_other {
                return Err(self.err_el(
                    m,
                    c,
                    "XTSE0010",
                    format!("xsl:{skip} must come first in xsl:{}", t.local_name(el)),
                ));
            }
            if !is_skip && !blank && t.kind(c) != NodeKind::Comment {
                seen_other = true;
            }
        }
        self.body(m, el, scope, &[skip])
    }

    /// `xsl:number`.
    fn number(&mut self, m: usize, el: NodeId) -> Result<NumberInstr, XsltError> {
        self.check_attrs(
            m,
            el,
            &[
                "level",
                "count",
                "from",
                "value",
                "format",
                "lang",
                "letter-value",
                "grouping-separator",
                "grouping-size",
            ],
        )?;
        let t = self.tree(m);
        let level = match self.attr(&t, el, "level").map(str::trim) {
            None | Some("single") => NumberLevel::Single,
            Some("multiple") => NumberLevel::Multiple,
            Some("any") => NumberLevel::Any,
            Some(v) => {
                return Err(self.err_attr(
                    m,
                    el,
                    "level",
                    "XTSE0020",
                    format!("level must be single, multiple or any, not \"{v}\""),
                ));
            }
        };
        let count = match self.attr(&t, el, "count") {
            Some(_) => Some(self.pattern(m, el, "count")?),
            None => None,
        };
        let from = match self.attr(&t, el, "from") {
            Some(_) => Some(self.pattern(m, el, "from")?),
            None => None,
        };
        let format = match self.opt_avt(m, el, "format")? {
            Some(a) => a,
            None => Avt {
                parts: vec![AvtPart::Lit("1".into())],
            },
        };
        Ok(NumberInstr {
            level,
            count,
            from,
            value: self.opt_xexpr(m, el, "value")?,
            format,
            lang: self.opt_avt(m, el, "lang")?,
            letter_value: self.opt_avt(m, el, "letter-value")?,
            grouping_separator: self.opt_avt(m, el, "grouping-separator")?,
            grouping_size: self.opt_avt(m, el, "grouping-size")?,
        })
    }
}
