//! Compiling a stylesheet: load modules (`xsl:import`/`xsl:include`, local files only), assign
//! import precedence, then compile declarations and template bodies into instruction trees.
//! Every error points at the offending element or attribute (and, for XPath errors, at the
//! column inside the attribute).
//!
//! [`Stylesheet::from_str`] runs a `Compiler` through these files, in order:
//!
//! - `modules.rs`: read the principal module, flatten `xsl:include`s, follow `xsl:import`s
//!   depth-first and give every top-level element its import precedence;
//! - `decls.rs`: compile the top-level declarations (`xsl:template`, `xsl:output`, `xsl:key`...);
//! - `instructions.rs`: compile template bodies, one instruction or literal result element at
//!   a time;
//! - `attrs.rs`: what the others share: attribute checks, QNames, XPath expressions, patterns
//!   and attribute value templates.
//!
//! This file holds the compiled [`Stylesheet`] and the final assembly (`Compiler::finish`): rules
//! sorted per mode, `xsl:output` merged by precedence.

mod attrs;
mod decls;
mod functions;
mod instructions;
mod modules;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{LineIndex, Pos};
use crate::xml::document::raw_value_offset;
use crate::xml::{NodeId, Tree};
use crate::xpath::pattern::parse_pattern;
use crate::xpath::{ExpandedName, StaticContext, XPathError};
use crate::xslt::ast::*;
use crate::xslt::error::XsltError;
use crate::xslt::serialize::OutputSpec;

pub(crate) use attrs::is_qname;
use modules::ModuleSource;

pub use crate::xslt::XSLT_NS;
pub use crate::xslt::ext::{EXSLT_COMMON, LIBXSLT_NS, MSXSL_NS};

/// A loaded stylesheet module.
#[derive(Debug)]
pub struct Module {
    /// Its file, if it came from one.
    pub path: Option<PathBuf>,
    /// The parsed module (also what `document('')` returns).
    pub tree: Arc<Tree>,
    pub(crate) lines: LineIndex,
}

/// A template rule in a mode's search list.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub template: usize,
    pub alternative: usize,
    pub priority: f64,
    pub precedence: u32,
}

/// The template rules of one mode, in the order they are tried, with an index by name: most
/// nodes have only a few candidate rules, and the index finds them without trying the others.
#[derive(Debug, Default)]
pub(crate) struct RuleSet {
    pub all: Vec<Rule>,
    /// Rules whose pattern needs the node's local name to be the key (indices into `all`).
    by_name: rustc_hash::FxHashMap<Arc<str>, Vec<u32>>,
    /// Rules whose pattern needs the parent's local name to be the key.
    by_parent: rustc_hash::FxHashMap<Arc<str>, Vec<u32>>,
    /// The other rules.
    any: Vec<u32>,
    /// When the other rules are exactly an identity template's `@*` and `node()`, that
    /// template: a node no indexed rule can match gets it without trying patterns.
    pub(crate) identity: Option<usize>,
    /// Whether that template's body is exactly `<xsl:copy><xsl:apply-templates
    /// select="@*|node()"/></xsl:copy>` (no parameters): then a subtree where no indexed rule
    /// can match any node comes out as a deep copy of itself.
    pub(crate) identity_copies: bool,
}

impl RuleSet {
    /// Indexes the rules of one mode, given in the order they are tried.
    fn new(all: Vec<Rule>, templates: &[Template]) -> RuleSet {
        use crate::xpath::pattern::IndexKey;
        let mut set = RuleSet {
            all,
            ..RuleSet::default()
        };
        for (i, r) in set.all.iter().enumerate() {
            let alt = &templates[r.template]
                .pattern
                .as_ref()
                .expect("rules have patterns")
                .alternatives[r.alternative];
            match alt.index_key() {
                IndexKey::Name(l) => set.by_name.entry(l).or_default().push(i as u32),
                IndexKey::Parent(l) => set.by_parent.entry(l).or_default().push(i as u32),
                IndexKey::Any => set.any.push(i as u32),
            }
        }
        set.identity = set.identity_template(templates);
        set.identity_copies = set.identity.is_some_and(|t| copies_its_node(&templates[t]));
        set
    }

    /// The template whose rules are all of [`RuleSet::any`], if they are exactly `@*` and
    /// `node()` without predicates: they match every attribute and every child node.
    fn identity_template(&self, templates: &[Template]) -> Option<usize> {
        use crate::xpath::ast::{Axis, NodeTest};
        use crate::xpath::pattern::{Anchor, Sep};
        let [a, b] = self.any.as_slice() else {
            return None;
        };
        let (a, b) = (&self.all[*a as usize], &self.all[*b as usize]);
        if a.template != b.template {
            return None;
        }
        let alternatives = &templates[a.template].pattern.as_ref()?.alternatives;
        let kind = |r: &Rule| {
            let alt = &alternatives[r.alternative];
            match (&alt.anchor, alt.steps.as_slice()) {
                (Anchor::Anywhere, [step]) if step.sep == Sep::Child && step.preds.is_empty() => {
                    match (step.axis, &step.test) {
                        (Axis::Attribute, NodeTest::Wildcard) => Some(true),
                        (Axis::Child, NodeTest::Node) => Some(false),
                        _ => None,
                    }
                }
                _ => None,
            }
        };
        match (kind(a)?, kind(b)?) {
            (true, false) | (false, true) => Some(a.template),
            _ => None,
        }
    }

    /// Whether a rule is indexed under this local name: a node with it may get another rule
    /// than the identity template.
    pub fn indexes_name(&self, local: &str) -> bool {
        self.by_name.contains_key(local)
    }

    /// Whether a rule is indexed under this parent's local name: a node under such a parent
    /// may get another rule than the identity template.
    pub fn indexes_parent(&self, parent_local: &str) -> bool {
        self.by_parent.contains_key(parent_local)
    }

    /// The identity template (see [`RuleSet::identity`]) when no indexed rule can match a node
    /// with this local name and parent local name.
    pub fn only_identity(&self, local: &str, parent_local: &str) -> Option<usize> {
        let t = self.identity?;
        (!self.by_name.contains_key(local) && !self.by_parent.contains_key(parent_local))
            .then_some(t)
    }

    /// The rules that may match a node with this local name and parent local name, in order.
    pub fn candidates<'s>(&'s self, local: &str, parent_local: &str) -> Candidates<'s> {
        const NONE: &[u32] = &[];
        Candidates {
            lists: [
                self.by_name.get(local).map_or(NONE, |v| v.as_slice()),
                self.by_parent
                    .get(parent_local)
                    .map_or(NONE, |v| v.as_slice()),
                self.any.as_slice(),
            ],
        }
    }
}

/// Whether a template's body copies its node and applies templates (default mode, no sort, no
/// parameters) to its attributes and children: `<xsl:copy><xsl:apply-templates
/// select="@*|node()"/></xsl:copy>`, the union in either order.
fn copies_its_node(t: &Template) -> bool {
    use crate::xpath::ast::{Axis, ExprKind, NodeTest, PathStart};
    use crate::xslt::ast::InstrKind;
    let [copy] = t.body.as_slice() else {
        return false;
    };
    let InstrKind::Copy { use_sets, body } = &copy.kind else {
        return false;
    };
    let [apply] = body.as_slice() else {
        return false;
    };
    let InstrKind::ApplyTemplates {
        select: Some(select),
        mode: None,
        sorts,
        params,
    } = &apply.kind
    else {
        return false;
    };
    // One unpredicated relative step: Some(true) for `@*`, Some(false) for `node()`.
    let step = |e: &crate::xpath::ast::Expr| match &e.kind {
        ExprKind::Path(PathStart::Context, steps) => match steps.as_slice() {
            [s] if s.preds.is_empty() => match (s.axis, &s.test) {
                (Axis::Attribute, NodeTest::Wildcard) => Some(true),
                (Axis::Child, NodeTest::Node) => Some(false),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    let ExprKind::Union(a, b) = &select.expr.kind else {
        return false;
    };
    t.params.is_empty()
        && use_sets.is_empty()
        && sorts.is_empty()
        && params.is_empty()
        && matches!(
            (step(a), step(b)),
            (Some(true), Some(false)) | (Some(false), Some(true))
        )
}

/// Merges the index lists of a [`RuleSet`] back into rule order.
pub(crate) struct Candidates<'s> {
    lists: [&'s [u32]; 3],
}

impl Iterator for Candidates<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (k, l) in self.lists.iter().enumerate() {
            if let Some(&v) = l.first()
                && best.is_none_or(|b| v < self.lists[b][0])
            {
                best = Some(k);
            }
        }
        let b = best?;
        let v = self.lists[b][0];
        self.lists[b] = &self.lists[b][1..];
        Some(v as usize)
    }
}

/// A compiled stylesheet, ready to transform documents.
#[derive(Debug)]
pub struct Stylesheet {
    pub(crate) modules: Vec<Module>,
    pub(crate) templates: Vec<Template>,
    pub(crate) named: HashMap<ExpandedName, usize>,
    pub(crate) rules: rustc_hash::FxHashMap<Option<ExpandedName>, RuleSet>,
    pub(crate) globals: Vec<Global>,
    pub(crate) keys: HashMap<ExpandedName, Vec<KeyDef>>,
    /// Functions defined with `func:function`, by name.
    pub(crate) functions: HashMap<ExpandedName, UserFunction>,
    pub(crate) attribute_sets: HashMap<ExpandedName, Vec<AttributeSet>>,
    pub(crate) decimal_formats: HashMap<Option<ExpandedName>, DecimalFormat>,
    pub(crate) space_rules: Vec<SpaceRule>,
    pub(crate) output: OutputSpec,
    pub(crate) warnings: Vec<XsltError>,
}

impl Stylesheet {
    /// Problems that do not stop the stylesheet (libxslt ignores them too), e.g. an attribute
    /// an XSLT element does not define.
    pub fn warnings(&self) -> &[XsltError] {
        &self.warnings
    }

    /// Reads and compiles a stylesheet file (imports and includes relative to it).
    pub fn from_file(path: &Path) -> Result<Stylesheet, XsltError> {
        Compiler::default().run(ModuleSource::File(path.to_path_buf()))
    }

    /// Compiles a stylesheet from text; `base` is the file it stands for (imports resolve
    /// against its directory).
    pub fn from_str(text: &str, base: Option<&Path>) -> Result<Stylesheet, XsltError> {
        Compiler::default().run(ModuleSource::Text(
            text.to_owned(),
            base.map(Path::to_path_buf),
        ))
    }

    /// The merged `xsl:output` settings.
    pub fn output(&self) -> &OutputSpec {
        &self.output
    }

    /// The principal module's file.
    pub fn path(&self) -> Option<&Path> {
        self.modules.first().and_then(|m| m.path.as_deref())
    }

    /// Whether `xsl:strip-space` asks to strip whitespace-only text under some element.
    pub fn strips_space(&self) -> bool {
        self.space_rules.iter().any(|r| r.strip)
    }

    /// Whether whitespace-only text children of an element named (`uri`, `local`) are
    /// stripped from source documents.
    pub fn strips(&self, uri: &str, local: &str) -> bool {
        let mut best: Option<(u32, f64, bool)> = None;
        for r in &self.space_rules {
            let matches = r.uri.as_deref().is_none_or(|u| u == uri)
                && r.local.as_deref().is_none_or(|l| l == local);
            if !matches {
                continue;
            }
            let key = (r.precedence, r.priority());
            if best.is_none_or(|(p, q, _)| key.0 > p || (key.0 == p && key.1 >= q)) {
                best = Some((key.0, key.1, r.strip));
            }
        }
        best.is_some_and(|b| b.2)
    }

    /// The file and position of a location, for messages.
    pub(crate) fn locate(&self, loc: Loc) -> (Option<PathBuf>, Pos, Option<String>) {
        let m = &self.modules[loc.module as usize];
        let text = m.tree.source();
        let pos = m.lines.pos(text, loc.offset as usize);
        let line = crate::diag::line_text(text, pos.line).map(str::to_owned);
        (m.path.clone(), pos, line)
    }

    /// An error at a location.
    pub(crate) fn error_at(
        &self,
        loc: Loc,
        code: &'static str,
        message: impl Into<String>,
    ) -> XsltError {
        let (file, pos, source_line) = self.locate(loc);
        XsltError {
            code,
            message: message.into(),
            file,
            pos: Some(pos),
            source_line,
        }
    }

    /// An XPath error inside the expression whose attribute value starts at `loc`.
    pub(crate) fn xpath_error(&self, loc: Loc, e: &XPathError) -> XsltError {
        let m = &self.modules[loc.module as usize];
        let raw = &m.tree.source()[loc.offset as usize..];
        let offset = loc.offset as usize + raw_value_offset(raw, e.span.start);
        self.error_at(
            Loc {
                module: loc.module,
                offset: offset as u32,
            },
            e.code,
            e.message.clone(),
        )
    }
}

/// A top-level element with its module and precedence.
#[derive(Clone, Copy)]
struct Decl {
    module: usize,
    node: NodeId,
    precedence: u32,
    imports_from: u32,
}

/// The state of one compilation: modules loaded so far, declarations in precedence order, and
/// what has been compiled.
#[derive(Default)]
struct Compiler {
    modules: Vec<Module>,
    /// Files on the current import/include chain, for cycle detection.
    chain: Vec<PathBuf>,
    next_precedence: u32,
    decls: Vec<Decl>,
    /// Namespace aliases: stylesheet URI → (result prefix, result URI), with precedence.
    aliases: HashMap<String, (String, String, u32)>,
    templates: Vec<Template>,
    named: HashMap<ExpandedName, (usize, u32)>,
    globals: HashMap<ExpandedName, Global>,
    keys: HashMap<ExpandedName, Vec<KeyDef>>,
    functions: HashMap<ExpandedName, UserFunction>,
    attribute_sets: HashMap<ExpandedName, Vec<AttributeSet>>,
    decimal_formats: HashMap<Option<ExpandedName>, (DecimalFormat, u32)>,
    space_rules: Vec<SpaceRule>,
    output: Vec<(u32, OutputSpec, Vec<&'static str>)>,
    /// Principal module is a literal result element (simplified stylesheet).
    simplified: Option<(usize, NodeId)>,
    warnings: std::cell::RefCell<Vec<XsltError>>,
}

impl Compiler {
    /// Compiles the stylesheet whose principal module is `src`.
    fn run(mut self, src: ModuleSource) -> Result<Stylesheet, XsltError> {
        let (m, root) = self.load(src, None)?;
        let el = self.modules[m]
            .tree
            .root_element()
            .expect("parsed documents have a root element");
        let _ = root;
        let tree = self.modules[m].tree.clone();
        if tree.has_name(el, XSLT_NS, "stylesheet") || tree.has_name(el, XSLT_NS, "transform") {
            self.process_module(m)?;
        } else if tree.attribute(el, XSLT_NS, "version").is_some() {
            // A literal result element as the stylesheet: one template matching "/".
            self.simplified = Some((m, el));
            self.next_precedence = 1;
        } else {
            return Err(self.err(
                m,
                tree.span(el).start,
                "XTSE0150",
                "this is not a stylesheet: the root element is neither xsl:stylesheet nor xsl:transform, and has no xsl:version attribute",
            ));
        }
        self.compile_declarations()?;
        if let Some((m, el)) = self.simplified {
            let loc = self.loc(m, self.modules[m].tree.span(el).start);
            let lit = self.instruction_or_literal(m, el, &mut Vec::new())?;
            self.templates.push(Template {
                pattern: Some(parse_pattern("/", &StaticContext::empty()).expect("'/' parses")),
                name: None,
                mode: None,
                priority: None,
                params: Vec::new(),
                body: lit.into_iter().collect(),
                precedence: 1,
                imports_from: 0,
                loc,
            });
        }
        self.finish()
    }

    /// A location in module `module`.
    fn loc(&self, module: usize, offset: usize) -> Loc {
        Loc {
            module: module as u32,
            offset: offset as u32,
        }
    }

    /// An error at a byte offset of module `module`.
    fn err(
        &self,
        module: usize,
        offset: usize,
        code: &'static str,
        message: impl Into<String>,
    ) -> XsltError {
        let m = &self.modules[module];
        let text = m.tree.source();
        let pos = m.lines.pos(text, offset);
        XsltError {
            code,
            message: message.into(),
            file: m.path.clone(),
            pos: Some(pos),
            source_line: crate::diag::line_text(text, pos.line).map(str::to_owned),
        }
    }

    /// An error at element `el`.
    fn err_el(
        &self,
        m: usize,
        el: NodeId,
        code: &'static str,
        message: impl Into<String>,
    ) -> XsltError {
        let start = self.modules[m].tree.span(el).start;
        self.err(m, start, code, message)
    }

    /// An error at the value of attribute `attr` of `el` (at `el` if it has none).
    fn err_attr(
        &self,
        m: usize,
        el: NodeId,
        attr: &str,
        code: &'static str,
        message: impl Into<String>,
    ) -> XsltError {
        let t = &self.modules[m].tree;
        match t.attribute(el, "", attr) {
            Some(a) => self.err(m, t.attr_value_span(a).start, code, message),
            None => self.err_el(m, el, code, message),
        }
    }

    /// Sorts the template rules of each mode, merges `xsl:output` by precedence and builds the
    /// [`Stylesheet`].
    fn finish(self) -> Result<Stylesheet, XsltError> {
        let mut rules: HashMap<Option<ExpandedName>, Vec<Rule>> = HashMap::new();
        for (i, tpl) in self.templates.iter().enumerate() {
            if let Some(p) = &tpl.pattern {
                for (k, alt) in p.alternatives.iter().enumerate() {
                    rules.entry(tpl.mode.clone()).or_default().push(Rule {
                        template: i,
                        alternative: k,
                        priority: tpl.priority.unwrap_or_else(|| alt.default_priority()),
                        precedence: tpl.precedence,
                    });
                }
            }
        }
        for list in rules.values_mut() {
            // Highest precedence, then priority, then the last in the stylesheet.
            list.sort_by(|a, b| {
                b.precedence
                    .cmp(&a.precedence)
                    .then(
                        b.priority
                            .partial_cmp(&a.priority)
                            .unwrap_or(std::cmp::Ordering::Equal),
                    )
                    .then(b.template.cmp(&a.template))
            });
        }
        // xsl:output: lower precedence first, higher overrides attribute by attribute.
        let mut outputs = self.output;
        outputs.sort_by_key(|(p, _, _)| *p);
        let mut output = OutputSpec::default();
        for (_, spec, set) in outputs {
            for a in set {
                match a {
                    "method" => output.method = spec.method.clone(),
                    "version" => output.version = spec.version.clone(),
                    "encoding" => output.encoding = spec.encoding.clone(),
                    "doctype-public" => output.doctype_public = spec.doctype_public.clone(),
                    "doctype-system" => output.doctype_system = spec.doctype_system.clone(),
                    "media-type" => output.media_type = spec.media_type.clone(),
                    "omit-xml-declaration" => {
                        output.omit_xml_declaration = spec.omit_xml_declaration
                    }
                    "standalone" => output.standalone = spec.standalone,
                    "indent" => output.indent = spec.indent,
                    _ => {}
                }
            }
            output
                .cdata_section_elements
                .extend(spec.cdata_section_elements);
        }
        let mut globals: Vec<Global> = self.globals.into_values().collect();
        globals.sort_by_key(|g| (g.loc.module, g.loc.offset));
        let rules = rules
            .into_iter()
            .map(|(mode, list)| (mode, RuleSet::new(list, &self.templates)))
            .collect();
        Ok(Stylesheet {
            modules: self.modules,
            templates: self.templates,
            named: self.named.into_iter().map(|(k, (i, _))| (k, i)).collect(),
            rules,
            globals,
            keys: self.keys,
            functions: self.functions,
            attribute_sets: self.attribute_sets,
            decimal_formats: self
                .decimal_formats
                .into_iter()
                .map(|(k, (v, _))| (k, v))
                .collect(),
            space_rules: self.space_rules,
            output,
            warnings: self.warnings.into_inner(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template index of the default mode's identity shortcut, if any.
    fn identity(templates: &str) -> Option<usize> {
        let xsl = format!(
            r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">{templates}</xsl:stylesheet>"#
        );
        let sheet = Stylesheet::from_str(&xsl, None).unwrap();
        sheet.rules.get(&None).and_then(|set| set.identity)
    }

    #[test]
    fn only_a_plain_identity_template_gets_the_shortcut() {
        let body = r#"<xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>"#;
        let t = |m: &str| format!(r#"<xsl:template match="{m}">{body}</xsl:template>"#);
        assert_eq!(identity(&t("@*|node()")), Some(0));
        assert_eq!(identity(&t("node()|@*")), Some(0));
        // Indexed rules beside it keep the shortcut (they are tried for their names).
        let with_rule = format!("{}{}", t("node()|@*"), t("customHeaders"));
        assert_eq!(identity(&with_rule), Some(0));
        for other in [
            "@*|*",
            "@*|node()[1]",
            "node()",
            "@*|text()",
            "@x|node()",
            "/|@*|node()",
        ] {
            assert_eq!(identity(&t(other)), None, "{other}");
        }
        // Another unindexed rule (text(), *): the shortcut would skip it.
        assert_eq!(
            identity(&format!("{}{}", t("@*|node()"), t("text()"))),
            None
        );
        assert_eq!(identity(&format!("{}{}", t("@*|node()"), t("*"))), None);
    }

    /// Whether the default mode's identity template copies its node (see
    /// [`RuleSet::identity_copies`]).
    fn copies(template: &str) -> bool {
        let xsl = format!(
            r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:attribute-set name="s"/><xsl:template match="@*|node()">{template}</xsl:template></xsl:stylesheet>"#
        );
        let sheet = Stylesheet::from_str(&xsl, None).unwrap();
        sheet
            .rules
            .get(&None)
            .is_some_and(|set| set.identity_copies)
    }

    #[test]
    fn only_a_plain_identity_body_copies_subtrees() {
        for plain in [
            r#"<xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>"#,
            r#"<xsl:copy><xsl:apply-templates select="node() | @*"/></xsl:copy>"#,
            "\n  <xsl:copy>\n    <xsl:apply-templates select=\"@*|node()\"/>\n  </xsl:copy>\n",
        ] {
            assert!(copies(plain), "{plain}");
        }
        for other in [
            r#"<xsl:copy><xsl:apply-templates select="node()"/></xsl:copy>"#,
            r#"<xsl:copy><xsl:apply-templates select="@*|*"/></xsl:copy>"#,
            r#"<xsl:copy><xsl:apply-templates select="@*|node()[1]"/></xsl:copy>"#,
            r#"<xsl:copy><xsl:apply-templates select="@*|node()" mode="m"/></xsl:copy>"#,
            r#"<xsl:copy><xsl:apply-templates select="@*|node()"><xsl:sort/></xsl:apply-templates></xsl:copy>"#,
            r#"<xsl:copy><xsl:apply-templates select="@*|node()"><xsl:with-param name="p" select="1"/></xsl:apply-templates></xsl:copy>"#,
            r#"<xsl:copy><xsl:apply-templates select="@*"/><xsl:apply-templates select="node()"/></xsl:copy>"#,
            r#"<xsl:copy use-attribute-sets="s"><xsl:apply-templates select="@*|node()"/></xsl:copy>"#,
            r#"<xsl:param name="p"/><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>"#,
            r#"<xsl:copy><xsl:apply-templates select="@*|node()"/><x/></xsl:copy>"#,
            r#"<xsl:copy-of select="."/>"#,
        ] {
            assert!(!copies(other), "{other}");
        }
    }
}
