//! Top-level declarations: `xsl:template`, global `xsl:variable`/`xsl:param`, `xsl:key`,
//! `xsl:attribute-set`, `xsl:output`, `xsl:strip-space`/`xsl:preserve-space`,
//! `xsl:decimal-format` and `xsl:namespace-alias`, each kept or overridden by import precedence.

use std::sync::Arc;

use super::attrs::{is_qname, is_xml_space};
use super::{Compiler, Decl, XSLT_NS};
use crate::xml::{NodeId, NodeKind};
use crate::xpath::ExpandedName;
use crate::xslt::ast::*;
use crate::xslt::error::XsltError;
use crate::xslt::serialize::{Method, OutputSpec};

impl Compiler {
    /// Compiles every top-level element, order-independent declarations first.
    pub(super) fn compile_declarations(&mut self) -> Result<(), XsltError> {
        let decls = self.decls.clone();
        // Order-independent declarations first: aliases are needed by every literal element.
        for d in &decls {
            let t = self.tree(d.module);
            let el = d.node;
            if t.namespace_uri(el) != XSLT_NS {
                continue;
            }
            match t.local_name(el) {
                "namespace-alias" => self.namespace_alias(d)?,
                "output" => self.output_decl(d)?,
                "strip-space" | "preserve-space" => self.space_decl(d)?,
                "decimal-format" => self.decimal_format(d)?,
                _ => {}
            }
        }
        for d in &decls {
            let t = self.tree(d.module);
            let el = d.node;
            if t.namespace_uri(el) == crate::xslt::ext::EXSLT_FUNCTIONS {
                self.exslt_function_decl(d)?;
                continue;
            }
            if t.namespace_uri(el) != XSLT_NS {
                if t.namespace_uri(el).is_empty() && !self.forwards_compatible(d.module, el) {
                    return Err(self.err_el(
                        d.module,
                        el,
                        "XTSE0130",
                        format!(
                            "top-level element <{}> must be in a namespace",
                            t.qualified_name(el)
                        ),
                    ));
                }
                continue;
            }
            match t.local_name(el) {
                "namespace-alias" | "output" | "strip-space" | "preserve-space"
                | "decimal-format" => {}
                "template" => self.template(d)?,
                "variable" | "param" => self.global(d)?,
                "key" => self.key(d)?,
                "attribute-set" => self.attribute_set(d)?,
                other => {
                    if !self.forwards_compatible(d.module, el) {
                        return Err(self.err_el(
                            d.module,
                            el,
                            "XTSE0010",
                            format!("xsl:{other} is not allowed at the top level"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// `xsl:namespace-alias`: the highest precedence wins.
    fn namespace_alias(&mut self, d: &Decl) -> Result<(), XsltError> {
        let (m, el) = (d.module, d.node);
        self.check_attrs(m, el, &["stylesheet-prefix", "result-prefix"])?;
        let t = self.tree(m);
        let lookup = |attr: &str, p: &str| -> Result<(String, String), XsltError> {
            let prefix = if p == "#default" { "" } else { p };
            match t.lookup_namespace(el, prefix) {
                Some(u) => Ok((prefix.to_owned(), u.to_owned())),
                None if prefix.is_empty() => Ok((String::new(), String::new())),
                None => Err(self.err_attr(
                    m,
                    el,
                    attr,
                    "XTSE0812",
                    format!("namespace prefix '{p}' is not declared"),
                )),
            }
        };
        let (_, from) = lookup(
            "stylesheet-prefix",
            self.required(m, el, "stylesheet-prefix")?,
        )?;
        let (rp, ru) = lookup("result-prefix", self.required(m, el, "result-prefix")?)?;
        match self.aliases.get(&from) {
            Some((_, _, p)) if *p > d.precedence => {}
            _ => {
                self.aliases.insert(from, (rp, ru, d.precedence));
            }
        }
        Ok(())
    }

    /// `xsl:output`: remembers which attributes it sets; `finish` merges them by precedence.
    fn output_decl(&mut self, d: &Decl) -> Result<(), XsltError> {
        let (m, el) = (d.module, d.node);
        self.check_attrs(
            m,
            el,
            &[
                "method",
                "version",
                "encoding",
                "omit-xml-declaration",
                "standalone",
                "doctype-public",
                "doctype-system",
                "cdata-section-elements",
                "indent",
                "media-type",
            ],
        )?;
        let t = self.tree(m);
        let mut spec = OutputSpec::default();
        let mut set: Vec<&'static str> = Vec::new();
        if let Some(v) = self.attr(&t, el, "method") {
            spec.method = Some(match v.trim() {
                "xml" => Method::Xml,
                "html" => Method::Html,
                "text" => Method::Text,
                q if q.contains(':') && is_qname(q) => Method::Xml,
                other => {
                    return Err(self.err_attr(
                        m,
                        el,
                        "method",
                        "XTSE1570",
                        format!("unknown output method \"{other}\""),
                    ));
                }
            });
            set.push("method");
        }
        let s = |name: &str| self.attr(&t, el, name).map(str::to_owned);
        if let Some(v) = s("version") {
            spec.version = Some(v);
            set.push("version");
        }
        if let Some(v) = s("encoding") {
            spec.encoding = Some(v);
            set.push("encoding");
        }
        if let Some(v) = s("doctype-public") {
            spec.doctype_public = Some(v);
            set.push("doctype-public");
        }
        if let Some(v) = s("doctype-system") {
            spec.doctype_system = Some(v);
            set.push("doctype-system");
        }
        if let Some(v) = s("media-type") {
            spec.media_type = Some(v);
            set.push("media-type");
        }
        if let Some(v) = self.yes_no(m, el, "omit-xml-declaration")? {
            spec.omit_xml_declaration = Some(v);
            set.push("omit-xml-declaration");
        }
        if let Some(v) = self.yes_no(m, el, "standalone")? {
            spec.standalone = Some(v);
            set.push("standalone");
        }
        if let Some(v) = self.yes_no(m, el, "indent")? {
            spec.indent = Some(v);
            set.push("indent");
        }
        if let Some(v) = s("cdata-section-elements") {
            for q in v.split_whitespace() {
                if !is_qname(q) {
                    return Err(self.err_attr(
                        m,
                        el,
                        "cdata-section-elements",
                        "XTSE0280",
                        format!("\"{q}\" is not a QName"),
                    ));
                }
                // These names use the default namespace too.
                let (p, l) = q.split_once(':').unwrap_or(("", q));
                let uri = t.lookup_namespace(el, p).unwrap_or("").to_owned();
                spec.cdata_section_elements.push((uri, l.to_owned()));
            }
        }
        self.output.push((d.precedence, spec, set));
        Ok(())
    }

    /// `xsl:strip-space` and `xsl:preserve-space`.
    fn space_decl(&mut self, d: &Decl) -> Result<(), XsltError> {
        let (m, el) = (d.module, d.node);
        self.check_attrs(m, el, &["elements"])?;
        let t = self.tree(m);
        let strip = t.local_name(el) == "strip-space";
        let elements = self.required(m, el, "elements")?.to_owned();
        for test in elements.split_whitespace() {
            let (uri, local) = if test == "*" {
                (None, None)
            } else if let Some(p) = test.strip_suffix(":*") {
                match t.lookup_namespace(el, p) {
                    Some(u) => (Some(Arc::from(u)), None),
                    None => {
                        return Err(self.err_attr(
                            m,
                            el,
                            "elements",
                            "XTSE0280",
                            format!("namespace prefix '{p}' is not declared"),
                        ));
                    }
                }
            } else {
                let q = self.qname(m, el, "elements", test)?;
                (Some(q.uri), Some(q.local))
            };
            self.space_rules.push(SpaceRule {
                uri,
                local,
                strip,
                precedence: d.precedence,
            });
        }
        Ok(())
    }

    /// `xsl:decimal-format`: two at the same precedence must agree.
    fn decimal_format(&mut self, d: &Decl) -> Result<(), XsltError> {
        let (m, el) = (d.module, d.node);
        self.check_attrs(
            m,
            el,
            &[
                "name",
                "decimal-separator",
                "grouping-separator",
                "infinity",
                "minus-sign",
                "NaN",
                "percent",
                "per-mille",
                "zero-digit",
                "digit",
                "pattern-separator",
            ],
        )?;
        let t = self.tree(m);
        let name = self.qname_attr(m, el, "name")?;
        let mut f = DecimalFormat::default();
        let ch = |attr: &str, default: char| -> Result<char, XsltError> {
            match self.attr(&t, el, attr) {
                None => Ok(default),
                Some(v) => {
                    let mut cs = v.chars();
                    match (cs.next(), cs.next()) {
                        (Some(c), None) => Ok(c),
                        _ => Err(self.err_attr(
                            m,
                            el,
                            attr,
                            "XTSE0020",
                            format!("{attr} must be a single character"),
                        )),
                    }
                }
            }
        };
        f.decimal_separator = ch("decimal-separator", '.')?;
        f.grouping_separator = ch("grouping-separator", ',')?;
        f.minus_sign = ch("minus-sign", '-')?;
        f.percent = ch("percent", '%')?;
        f.per_mille = ch("per-mille", '\u{2030}')?;
        f.zero_digit = ch("zero-digit", '0')?;
        f.digit = ch("digit", '#')?;
        f.pattern_separator = ch("pattern-separator", ';')?;
        if let Some(v) = self.attr(&t, el, "infinity") {
            f.infinity = v.to_owned();
        }
        if let Some(v) = self.attr(&t, el, "NaN") {
            f.nan = v.to_owned();
        }
        match self.decimal_formats.get(&name) {
            Some((old, p)) if *p == d.precedence && *old != f => {
                return Err(self.err_el(
                    m,
                    el,
                    "XTSE1290",
                    "a decimal format with this name is declared twice with different values",
                ));
            }
            Some((_, p)) if *p > d.precedence => {}
            _ => {
                self.decimal_formats.insert(name, (f, d.precedence));
            }
        }
        Ok(())
    }

    /// `xsl:key`: declarations of one name add up.
    fn key(&mut self, d: &Decl) -> Result<(), XsltError> {
        let (m, el) = (d.module, d.node);
        self.check_attrs(m, el, &["name", "match", "use"])?;
        let name = self.qname(m, el, "name", self.required(m, el, "name")?)?;
        let pattern = self.pattern(m, el, "match")?;
        let use_expr = self.xexpr(m, el, "use")?;
        self.keys
            .entry(name)
            .or_default()
            .push(KeyDef { pattern, use_expr });
        Ok(())
    }

    /// `xsl:attribute-set`: definitions of one name merge at run time, in precedence order.
    fn attribute_set(&mut self, d: &Decl) -> Result<(), XsltError> {
        let (m, el) = (d.module, d.node);
        self.check_attrs(m, el, &["name", "use-attribute-sets"])?;
        let t = self.tree(m);
        let name = self.qname(m, el, "name", self.required(m, el, "name")?)?;
        let use_sets = match self.attr(&t, el, "use-attribute-sets") {
            Some(v) => self.qname_list(m, el, "use-attribute-sets", v)?,
            None => Vec::new(),
        };
        let mut body = Vec::new();
        for c in t.children(el) {
            match t.kind(c) {
                NodeKind::Element if t.has_name(c, XSLT_NS, "attribute") => {
                    if let Some(i) = self.instruction_or_literal(m, c, &mut Vec::new())? {
                        body.push(i);
                    }
                }
                NodeKind::Element => {
                    return Err(self.err_el(
                        m,
                        c,
                        "XTSE0010",
                        "xsl:attribute-set may only contain xsl:attribute",
                    ));
                }
                NodeKind::Text if !is_xml_space(t.value(c)) => {
                    return Err(self.err(
                        m,
                        t.span(c).start,
                        "XTSE0010",
                        "xsl:attribute-set may only contain xsl:attribute",
                    ));
                }
                _ => {}
            }
        }
        let sets = self.attribute_sets.entry(name).or_default();
        sets.push(AttributeSet {
            use_sets,
            body,
            precedence: d.precedence,
        });
        sets.sort_by_key(|s| s.precedence);
        Ok(())
    }

    /// A global `xsl:variable` or `xsl:param`.
    fn global(&mut self, d: &Decl) -> Result<(), XsltError> {
        let (m, el) = (d.module, d.node);
        let is_param = self.tree(m).local_name(el) == "param";
        let binding = self.binding(m, el, is_param, &mut Vec::new())?;
        let loc = self.loc(m, self.modules[m].tree.span(el).start);
        match self.globals.get(&binding.name) {
            Some(g) if g.precedence == d.precedence => {
                return Err(self.err_el(
                    m,
                    el,
                    "XTSE0630",
                    format!("global variable ${} is declared twice", binding.name),
                ));
            }
            Some(g) if g.precedence > d.precedence => {}
            _ => {
                self.globals.insert(
                    binding.name.clone(),
                    Global {
                        binding,
                        precedence: d.precedence,
                        loc,
                    },
                );
            }
        }
        Ok(())
    }

    /// `xsl:template`: its pattern, name, mode, priority, parameters and body.
    fn template(&mut self, d: &Decl) -> Result<(), XsltError> {
        let (m, el) = (d.module, d.node);
        self.check_attrs(m, el, &["match", "name", "priority", "mode"])?;
        let t = self.tree(m);
        let pattern = match self.attr(&t, el, "match") {
            Some(_) => Some(self.pattern(m, el, "match")?),
            None => None,
        };
        let name = self.qname_attr(m, el, "name")?;
        let mode = self.qname_attr(m, el, "mode")?;
        if pattern.is_none() && name.is_none() {
            return Err(self.err_el(
                m,
                el,
                "XTSE0500",
                "xsl:template needs a match or a name attribute",
            ));
        }
        if pattern.is_none() && mode.is_some() {
            return Err(self.err_attr(
                m,
                el,
                "mode",
                "XTSE0500",
                "a template without match cannot have a mode",
            ));
        }
        let priority = match self.attr(&t, el, "priority") {
            None => None,
            Some(v) => match v.trim().parse::<f64>() {
                Ok(p) if p.is_finite() => Some(p),
                _ => {
                    return Err(self.err_attr(
                        m,
                        el,
                        "priority",
                        "XTSE0530",
                        format!("priority must be a number, not \"{v}\""),
                    ));
                }
            },
        };
        let mut scope = Vec::new();
        let (params, _) = self.leading_params(m, el, "a template", &mut scope)?;
        let body = self.body(m, el, &mut scope, &["param"])?;
        let loc = self.loc(m, t.span(el).start);
        let index = self.templates.len();
        if let Some(n) = &name {
            match self.named.get(n) {
                Some((_, p)) if *p == d.precedence => {
                    return Err(self.err_attr(
                        m,
                        el,
                        "name",
                        "XTSE0660",
                        format!("a template named {n} is declared twice"),
                    ));
                }
                Some((_, p)) if *p > d.precedence => {}
                _ => {
                    self.named.insert(n.clone(), (index, d.precedence));
                }
            }
        }
        self.templates.push(Template {
            pattern,
            name,
            mode,
            priority,
            params,
            body,
            precedence: d.precedence,
            imports_from: d.imports_from,
            loc,
        });
        Ok(())
    }

    /// The `xsl:param` children that open a template or a `func:function` (`what`), in scope
    /// as they are declared, and whether anything else follows them.
    pub(super) fn leading_params(
        &mut self,
        m: usize,
        el: NodeId,
        what: &str,
        scope: &mut Vec<ExpandedName>,
    ) -> Result<(Vec<Binding>, bool), XsltError> {
        let t = self.tree(m);
        let mut params = Vec::new();
        let mut other = false;
        for c in t.children(el) {
            match t.kind(c) {
                NodeKind::Element if t.has_name(c, XSLT_NS, "param") => {
                    if other {
                        return Err(self.err_el(
                            m,
                            c,
                            "XTSE0010",
                            format!("xsl:param must come before the other content of {what}"),
                        ));
                    }
                    let b = self.binding(m, c, true, scope)?;
                    if scope.contains(&b.name) {
                        return Err(self.err_el(
                            m,
                            c,
                            "XTSE0580",
                            format!("parameter ${} is declared twice", b.name),
                        ));
                    }
                    scope.push(b.name.clone());
                    params.push(b);
                }
                NodeKind::Text if is_xml_space(t.value(c)) => {}
                NodeKind::Comment | NodeKind::ProcessingInstruction => {}
                _ => other = true,
            }
        }
        Ok((params, other))
    }
}
