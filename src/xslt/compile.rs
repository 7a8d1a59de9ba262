//! Compiling a stylesheet: load modules (`xsl:import`/`xsl:include`, local files only), assign
//! import precedence, then compile declarations and template bodies into instruction trees.
//! Every error points at the offending element or attribute (and, for XPath errors, at the
//! column inside the attribute).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{LineIndex, Pos};
use crate::xml::document::raw_value_offset;
use crate::xml::{Document, Limits, NodeId, NodeKind, Tree, XML_NS};
use crate::xpath::ast::{Expr, ExprKind, Function, HostFunction};
use crate::xpath::pattern::{Pattern, parse_pattern};
use crate::xpath::{ExpandedName, StaticContext, XPathError, parse};
use crate::xslt::ast::*;
use crate::xslt::error::XsltError;
use crate::xslt::serialize::{Method, OutputSpec};

/// The XSLT namespace.
pub const XSLT_NS: &str = "http://www.w3.org/1999/XSL/Transform";
/// EXSLT common (`exsl:node-set`, `exsl:object-type`).
pub const EXSLT_COMMON: &str = "http://exslt.org/common";
/// Microsoft's XSLT extensions (`msxsl:node-set`), common in stylesheets written for .NET.
pub const MSXSL_NS: &str = "urn:schemas-microsoft-com:xslt";

/// libxslt's own extension namespace (`node-set()` only).
pub const LIBXSLT_NS: &str = "http://xmlsoft.org/XSLT/namespace";

/// Functions XSLT adds to XPath, and the supported extension functions.
pub(crate) const HOST_FUNCTIONS: &[HostFunction] = &[
    HostFunction {
        uri: "",
        local: "key",
        min: 2,
        max: Some(2),
    },
    HostFunction {
        uri: "",
        local: "document",
        min: 1,
        max: Some(2),
    },
    HostFunction {
        uri: "",
        local: "format-number",
        min: 2,
        max: Some(3),
    },
    HostFunction {
        uri: "",
        local: "current",
        min: 0,
        max: Some(0),
    },
    HostFunction {
        uri: "",
        local: "unparsed-entity-uri",
        min: 1,
        max: Some(1),
    },
    HostFunction {
        uri: "",
        local: "generate-id",
        min: 0,
        max: Some(1),
    },
    HostFunction {
        uri: "",
        local: "system-property",
        min: 1,
        max: Some(1),
    },
    HostFunction {
        uri: "",
        local: "element-available",
        min: 1,
        max: Some(1),
    },
    HostFunction {
        uri: "",
        local: "function-available",
        min: 1,
        max: Some(1),
    },
    HostFunction {
        uri: EXSLT_COMMON,
        local: "node-set",
        min: 1,
        max: Some(1),
    },
    HostFunction {
        uri: EXSLT_COMMON,
        local: "object-type",
        min: 1,
        max: Some(1),
    },
    HostFunction {
        uri: MSXSL_NS,
        local: "node-set",
        min: 1,
        max: Some(1),
    },
    HostFunction {
        uri: LIBXSLT_NS,
        local: "node-set",
        min: 1,
        max: Some(1),
    },
];

/// Indices into [`HOST_FUNCTIONS`].
pub(crate) mod host {
    pub const KEY: usize = 0;
    pub const DOCUMENT: usize = 1;
    pub const FORMAT_NUMBER: usize = 2;
    pub const CURRENT: usize = 3;
    pub const UNPARSED_ENTITY_URI: usize = 4;
    pub const GENERATE_ID: usize = 5;
    pub const SYSTEM_PROPERTY: usize = 6;
    pub const ELEMENT_AVAILABLE: usize = 7;
    pub const FUNCTION_AVAILABLE: usize = 8;
    pub const EXSL_NODE_SET: usize = 9;
    pub const EXSL_OBJECT_TYPE: usize = 10;
    pub const MSXSL_NODE_SET: usize = 11;
    pub const LIBXSLT_NODE_SET: usize = 12;
}

/// The XSLT instructions (for `element-available()`).
pub(crate) const INSTRUCTIONS: &[&str] = &[
    "apply-imports",
    "apply-templates",
    "attribute",
    "call-template",
    "choose",
    "comment",
    "copy",
    "copy-of",
    "element",
    "fallback",
    "for-each",
    "if",
    "message",
    "number",
    "processing-instruction",
    "text",
    "value-of",
    "variable",
];

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
}

impl RuleSet {
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
        set
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

/// Merges the index lists of a [`RuleSet`] back into rule order.
pub(crate) struct Candidates<'s> {
    lists: [&'s [u32]; 3],
}

impl Iterator for Candidates<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (k, l) in self.lists.iter().enumerate() {
            if let Some(&v) = l.first() {
                if best.is_none_or(|b| v < self.lists[b][0]) {
                    best = Some(k);
                }
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
    pub(crate) rules: HashMap<Option<ExpandedName>, RuleSet>,
    pub(crate) globals: Vec<Global>,
    pub(crate) keys: HashMap<ExpandedName, Vec<KeyDef>>,
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

enum ModuleSource {
    File(PathBuf),
    Text(String, Option<PathBuf>),
}

/// An element of a module: (module index, node).
type ElementRef = (usize, NodeId);

/// A top-level element with its module and precedence.
#[derive(Clone, Copy)]
struct Decl {
    module: usize,
    node: NodeId,
    precedence: u32,
    imports_from: u32,
}

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
    attribute_sets: HashMap<ExpandedName, Vec<AttributeSet>>,
    decimal_formats: HashMap<Option<ExpandedName>, (DecimalFormat, u32)>,
    space_rules: Vec<SpaceRule>,
    output: Vec<(u32, OutputSpec, Vec<&'static str>)>,
    /// Principal module is a literal result element (simplified stylesheet).
    simplified: Option<(usize, NodeId)>,
    warnings: std::cell::RefCell<Vec<XsltError>>,
}

fn is_xml_space(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

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

    fn loc(&self, module: usize, offset: usize) -> Loc {
        Loc {
            module: module as u32,
            offset: offset as u32,
        }
    }

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

    /// Loads a module from a file or text.
    fn load(
        &mut self,
        src: ModuleSource,
        from: Option<(usize, NodeId)>,
    ) -> Result<(usize, NodeId), XsltError> {
        let (bytes, path) = match src {
            ModuleSource::File(p) => {
                let bytes = std::fs::read(&p).map_err(|e| {
                    let mut err = XsltError::new(
                        "XTSE0165",
                        format!("cannot read stylesheet {}: {e}", p.display()),
                    );
                    if let Some((m, el)) = from {
                        err = self.err_el(
                            m,
                            el,
                            "XTSE0165",
                            format!("cannot read stylesheet {}: {e}", p.display()),
                        );
                    }
                    err
                })?;
                (bytes, Some(p))
            }
            ModuleSource::Text(t, p) => (t.into_bytes(), p),
        };
        let doc = Document::parse(&bytes, &Limits::with_dtd()).map_err(|e| {
            let text = crate::xml::encoding::decode(&bytes)
                .map(|(t, _)| t)
                .unwrap_or_default();
            XsltError {
                code: "XTSE0010",
                message: format!("the stylesheet is not well-formed XML: {e}"),
                file: path.clone(),
                pos: Some(e.pos()),
                source_line: crate::diag::line_text(&text, e.pos().line).map(str::to_owned),
            }
        })?;
        let tree = doc.into_tree();
        let lines = LineIndex::new(tree.source());
        let root = tree
            .root_element()
            .expect("parsed documents have a root element");
        self.modules.push(Module {
            path,
            tree: Arc::new(tree),
            lines,
        });
        Ok((self.modules.len() - 1, root))
    }

    fn resolve_href(&self, m: usize, href: &str) -> PathBuf {
        let href = href.strip_prefix("file://").unwrap_or(href);
        let base = self.modules[m]
            .path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        base.join(href)
    }

    fn check_href(&self, m: usize, el: NodeId, href: &str) -> Result<(), XsltError> {
        if href.contains("://") && !href.starts_with("file://") {
            return Err(self.err_attr(
                m,
                el,
                "href",
                "WXSL0003",
                format!("only local files can be imported or included, not {href}"),
            ));
        }
        Ok(())
    }

    /// Top-level elements of a module with its includes flattened: (imports, other declarations).
    fn flatten(&mut self, m: usize) -> Result<(Vec<ElementRef>, Vec<ElementRef>), XsltError> {
        let tree = self.modules[m].tree.clone();
        let root = tree.root_element().expect("root");
        let mut imports = Vec::new();
        let mut decls = Vec::new();
        let mut seen_other = false;
        for c in tree.element_children(root) {
            if tree.has_name(c, XSLT_NS, "import") {
                if seen_other {
                    return Err(self.err_el(
                        m,
                        c,
                        "XTSE0200",
                        "xsl:import must come before every other top-level element",
                    ));
                }
                imports.push((m, c));
            } else if tree.has_name(c, XSLT_NS, "include") {
                seen_other = true;
                let href = self.required(m, c, "href")?.to_owned();
                self.check_href(m, c, &href)?;
                let path = self.resolve_href(m, &href);
                let canon = path.canonicalize().unwrap_or(path.clone());
                if self.chain.contains(&canon) {
                    return Err(self.err_attr(
                        m,
                        c,
                        "href",
                        "XTSE0180",
                        format!("{href} includes itself (directly or indirectly)"),
                    ));
                }
                let (im, iroot) = self.load(ModuleSource::File(path), Some((m, c)))?;
                self.check_stylesheet_root(im, iroot)?;
                self.chain.push(canon);
                let (i2, d2) = self.flatten(im)?;
                self.chain.pop();
                imports.extend(i2);
                decls.extend(d2);
            } else {
                seen_other = true;
                decls.push((m, c));
            }
        }
        Ok((imports, decls))
    }

    fn check_stylesheet_root(&self, m: usize, root: NodeId) -> Result<(), XsltError> {
        let t = &self.modules[m].tree;
        if !(t.has_name(root, XSLT_NS, "stylesheet") || t.has_name(root, XSLT_NS, "transform")) {
            return Err(self.err_el(
                m,
                root,
                "XTSE0165",
                "an imported or included module must be an xsl:stylesheet",
            ));
        }
        if t.attribute_value(root, "", "version").is_none() {
            return Err(self.err_el(
                m,
                root,
                "XTSE0010",
                "xsl:stylesheet needs a version attribute",
            ));
        }
        Ok(())
    }

    fn process_module(&mut self, m: usize) -> Result<(), XsltError> {
        let root = self.modules[m].tree.root_element().expect("root");
        self.check_stylesheet_root(m, root)?;
        if let Some(p) = &self.modules[m].path {
            self.chain.push(p.canonicalize().unwrap_or(p.clone()));
        }
        let (imports, decls) = self.flatten(m)?;
        let imports_from = self.next_precedence;
        for (im, el) in imports {
            let href = self.required(im, el, "href")?.to_owned();
            self.check_href(im, el, &href)?;
            let path = self.resolve_href(im, &href);
            let canon = path.canonicalize().unwrap_or(path.clone());
            if self.chain.contains(&canon) {
                return Err(self.err_attr(
                    im,
                    el,
                    "href",
                    "XTSE0210",
                    format!("{href} imports itself (directly or indirectly)"),
                ));
            }
            let (nm, _) = self.load(ModuleSource::File(path), Some((im, el)))?;
            self.process_module(nm)?;
        }
        let precedence = self.next_precedence;
        self.next_precedence += 1;
        for (dm, node) in decls {
            self.decls.push(Decl {
                module: dm,
                node,
                precedence,
                imports_from,
            });
        }
        if self.modules[m].path.is_some() {
            self.chain.pop();
        }
        Ok(())
    }

    // ----- attribute helpers -----

    fn tree(&self, m: usize) -> Arc<Tree> {
        self.modules[m].tree.clone()
    }

    fn attr<'t>(&self, tree: &'t Tree, el: NodeId, name: &str) -> Option<&'t str> {
        tree.attribute_value(el, "", name)
    }

    fn required(&self, m: usize, el: NodeId, name: &str) -> Result<&str, XsltError> {
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

    fn forwards_compatible(&self, m: usize, el: NodeId) -> bool {
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

    fn check_attrs(&self, m: usize, el: NodeId, allowed: &[&str]) -> Result<(), XsltError> {
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
    fn qname(
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

    fn qname_attr(
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

    fn qname_list(
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

    fn value_loc(&self, m: usize, el: NodeId, attr: &str) -> Loc {
        let t = &self.modules[m].tree;
        let off = t
            .attribute(el, "", attr)
            .map_or(t.span(el).start, |a| t.attr_value_span(a).start);
        self.loc(m, off)
    }

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
            functions: HOST_FUNCTIONS,
        };
        f(&ctx)
    }

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
        resolve_qname_literals(&mut e, &|p| t.lookup_namespace(el, p).map(str::to_owned))
            .map_err(|e| self.xpath_error(m, el, attr, &e))?;
        Ok(e)
    }

    fn xexpr(&self, m: usize, el: NodeId, attr: &str) -> Result<XExpr, XsltError> {
        let text = self.required(m, el, attr)?.to_owned();
        Ok(XExpr {
            expr: self.compile_expr(m, el, attr, &text)?,
            loc: self.value_loc(m, el, attr),
        })
    }

    fn opt_xexpr(&self, m: usize, el: NodeId, attr: &str) -> Result<Option<XExpr>, XsltError> {
        let t = self.tree(m);
        match self.attr(&t, el, attr) {
            None => Ok(None),
            Some(_) => self.xexpr(m, el, attr).map(Some),
        }
    }

    fn pattern(&self, m: usize, el: NodeId, attr: &str) -> Result<Pattern, XsltError> {
        let text = self.required(m, el, attr)?.to_owned();
        let t = self.modules[m].tree.clone();
        let mut p = self
            .static_ctx_parse(m, el, |ctx| parse_pattern(&text, ctx))
            .map_err(|e| self.xpath_error(m, el, attr, &e))?;
        let resolve = |p: &str| t.lookup_namespace(el, p).map(str::to_owned);
        for alt in &mut p.alternatives {
            if let crate::xpath::pattern::Anchor::Expr(e) = &mut alt.anchor {
                resolve_qname_literals(e, &resolve)
                    .map_err(|e| self.xpath_error(m, el, attr, &e))?;
            }
            for step in &mut alt.steps {
                for pred in &mut step.preds {
                    resolve_qname_literals(pred, &resolve)
                        .map_err(|e| self.xpath_error(m, el, attr, &e))?;
                }
            }
        }
        Ok(p)
    }

    /// Parses an attribute value template.
    fn avt(&self, m: usize, el: NodeId, attr: &str, attr_uri: &str) -> Result<Avt, XsltError> {
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
                    resolve_qname_literals(&mut expr, &|p| {
                        tt.lookup_namespace(el, p).map(str::to_owned)
                    })
                    .map_err(|e| {
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

    fn opt_avt(&self, m: usize, el: NodeId, attr: &str) -> Result<Option<Avt>, XsltError> {
        let t = self.tree(m);
        if t.attribute(el, "", attr).is_none() {
            return Ok(None);
        }
        self.avt(m, el, attr, "").map(Some)
    }

    fn yes_no(&self, m: usize, el: NodeId, attr: &str) -> Result<Option<bool>, XsltError> {
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

    fn ns_context(&self, m: usize, el: NodeId) -> NsContext {
        let t = &self.modules[m].tree;
        Arc::new(
            t.namespaces(el)
                .iter()
                .map(|b| (Arc::from(t.atom(b.prefix)), Arc::from(t.atom(b.uri))))
                .collect(),
        )
    }

    // ----- declarations -----

    fn compile_declarations(&mut self) -> Result<(), XsltError> {
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

    fn binding(
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
        let mut params = Vec::new();
        let mut first_other = None;
        for c in t.children(el) {
            match t.kind(c) {
                NodeKind::Element if t.has_name(c, XSLT_NS, "param") => {
                    if first_other.is_some() {
                        return Err(self.err_el(
                            m,
                            c,
                            "XTSE0010",
                            "xsl:param must come before the other content of a template",
                        ));
                    }
                    let b = self.binding(m, c, true, &mut scope)?;
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
                _ => {
                    if first_other.is_none() {
                        first_other = Some(c);
                    }
                }
            }
        }
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

    // ----- bodies -----

    /// Compiles the children of `parent`, leaving out the XSLT elements named in `skip` (which
    /// the caller handles: a template's xsl:param, a for-each's xsl:sort).
    fn body(
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

    fn extension_namespaces(&self, m: usize, el: NodeId) -> Vec<String> {
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

    fn alias(&self, prefix: &str, uri: &str) -> (Arc<str>, Arc<str>) {
        match self.aliases.get(uri) {
            Some((rp, ru, _)) => (rp.as_str().into(), ru.as_str().into()),
            None => (prefix.into(), uri.into()),
        }
    }

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
    fn instruction_or_literal(
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

    // ----- final assembly -----

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

/// Rewrites literal QName arguments of `key()`, `system-property()`, `element-available()`,
/// `function-available()` and `format-number()` into Clark notation (`{uri}local`), resolved
/// against the stylesheet's namespaces at compile time.
fn resolve_qname_literals(
    e: &mut Expr,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Result<(), XPathError> {
    fn walk(e: &mut Expr, resolve: &dyn Fn(&str) -> Option<String>) -> Result<(), XPathError> {
        match &mut e.kind {
            ExprKind::Call(f, args) => {
                let qname_arg = match f {
                    Function::Host(i, _) => match *i {
                        host::KEY
                        | host::SYSTEM_PROPERTY
                        | host::ELEMENT_AVAILABLE
                        | host::FUNCTION_AVAILABLE => Some(0),
                        host::FORMAT_NUMBER => Some(2),
                        _ => None,
                    },
                    _ => None,
                };
                for (k, a) in args.iter_mut().enumerate() {
                    if Some(k) == qname_arg {
                        if let ExprKind::Literal(l) = &a.kind {
                            let v = l.trim();
                            let is_element_available =
                                matches!(f, Function::Host(i, _) if *i == host::ELEMENT_AVAILABLE);
                            let clark = match v.split_once(':') {
                                Some((p, local)) => match resolve(p) {
                                    Some(u) if !u.is_empty() => format!("{{{u}}}{local}"),
                                    _ => {
                                        return Err(XPathError::new(
                                            "XTDE1390",
                                            format!("namespace prefix '{p}' is not declared"),
                                            a.span.clone(),
                                        ));
                                    }
                                },
                                // element-available() alone uses the default namespace.
                                None if is_element_available => match resolve("") {
                                    Some(u) if !u.is_empty() => format!("{{{u}}}{v}"),
                                    _ => v.to_owned(),
                                },
                                None => v.to_owned(),
                            };
                            a.kind = ExprKind::Literal(clark.into());
                            continue;
                        }
                    }
                    walk(a, resolve)?;
                }
                Ok(())
            }
            ExprKind::Or(a, b)
            | ExprKind::And(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Union(a, b) => {
                walk(a, resolve)?;
                walk(b, resolve)
            }
            ExprKind::Neg(a) => walk(a, resolve),
            ExprKind::Filter(a, preds) => {
                walk(a, resolve)?;
                for p in preds {
                    walk(p, resolve)?;
                }
                Ok(())
            }
            ExprKind::Path(start, steps) => {
                if let crate::xpath::ast::PathStart::Expr(a) = start {
                    walk(a, resolve)?;
                }
                for s in steps {
                    for p in &mut s.preds {
                        walk(p, resolve)?;
                    }
                }
                Ok(())
            }
            ExprKind::Literal(_) | ExprKind::Number(_) | ExprKind::Var(_) => Ok(()),
        }
    }
    walk(e, resolve)
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
