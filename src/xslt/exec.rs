//! Executing a compiled stylesheet: template selection, instructions, result-tree building.
//!
//! The executor is the XPath [`Env`]: it owns the documents (the source, result tree fragments,
//! documents read by `document()`), resolves variables (global ones lazily, with cycle
//! detection) and implements XSLT's functions. Result trees are built in [`Tree`] arenas.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use crate::xml::{Document, Limits, NodeId, NodeKind, NsBinding, Tree, XML_NS};
use crate::xpath::ast::Span;
use crate::xpath::eval::{Context, Env, evaluate, to_bool, to_num, to_string};
use crate::xpath::value::{
    DocId, NodeRef, Value, XNodeKind, namespace_bindings, node_kind, sort_dedup, string_value,
};
use crate::xpath::{ExpandedName, XPathError};
use crate::xslt::ast::*;
use crate::xslt::compile::{Stylesheet, is_qname};
use crate::xslt::error::XsltError;
use crate::xslt::ext::{self, Host};
use crate::xslt::number;
use crate::xslt::serialize::OutputSpec;

/// A stylesheet parameter given from outside (command line).
#[derive(Clone, Debug)]
pub enum ParamValue {
    /// `--param NAME XPATH`: an expression evaluated with the source root as context.
    XPath(String),
    /// `--stringparam NAME VALUE`
    String(String),
}

/// Options of one transformation.
#[derive(Clone, Debug)]
pub struct TransformOptions {
    /// Top-level parameters.
    pub params: Vec<(ExpandedName, ParamValue)>,
    /// Whether `document()` may read local files.
    pub allow_document: bool,
    /// Deepest nesting of template invocations (`apply-templates`, `call-template`...).
    pub max_depth: usize,
    /// Most nodes the result (and result tree fragments) may hold.
    pub max_output_nodes: usize,
    /// Most bytes of text and attribute values the result (and fragments) may hold.
    pub max_output_bytes: usize,
    /// Most work one transformation may do: nodes visited by XPath steps, bytes built by
    /// `concat()`, template invocations. Bounds exponential stylesheets and expressions.
    pub max_work: u64,
    /// Limits for documents read by `document()`.
    pub document_limits: Limits,
}

impl Default for TransformOptions {
    fn default() -> Self {
        TransformOptions {
            params: Vec::new(),
            allow_document: false,
            max_depth: 3000,
            max_output_nodes: 20_000_000,
            max_output_bytes: 256 << 20,
            max_work: 100_000_000,
            document_limits: Limits::default(),
        }
    }
}

/// The result of a transformation.
#[derive(Debug)]
pub struct TransformResult {
    /// The result tree.
    pub tree: Tree,
    /// The stylesheet's `xsl:output`.
    pub output: OutputSpec,
    /// `xsl:message` texts, in order.
    pub messages: Vec<String>,
}

impl Stylesheet {
    /// Transforms a source tree.
    ///
    /// Template recursion is limited by `opts.max_depth` (3000 by default, as libxslt); the
    /// stack grows on the heap as needed, so any thread can run any stylesheet.
    pub fn transform(
        &self,
        source: &Tree,
        opts: &TransformOptions,
    ) -> Result<TransformResult, XsltError> {
        let mut ex = Exec::new(self, opts);
        let src = if self.strips_space() {
            let mut t = source.clone();
            strip_whitespace(self, &mut t);
            Slot::Owned(Box::new(t))
        } else {
            Slot::Borrowed(source)
        };
        ex.docs.push(src);
        let root = NodeRef::new(0, NodeId::ROOT);
        ex.ctx = Context::node(root);
        ex.current = root;
        ex.out.push(Frame {
            tree: Tree::new(),
            parent: NodeId::ROOT,
        });
        for i in 0..self.globals.len() {
            ex.global_value(i)?;
        }
        ex.process(root, None, &[])?;
        let frame = ex.out.pop().expect("the result frame");
        Ok(TransformResult {
            tree: frame.tree,
            output: self.output.clone(),
            messages: ex.messages,
        })
    }
}

/// Removes whitespace-only text nodes under elements `xsl:strip-space` names (unless
/// `xml:space="preserve"` is in scope).
fn strip_whitespace(sheet: &Stylesheet, t: &mut Tree) {
    let mut doomed = Vec::new();
    for n in t.descendants(NodeId::ROOT) {
        if t.kind(n) != NodeKind::Text
            || !t
                .value(n)
                .chars()
                .all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
        {
            continue;
        }
        let Some(p) = t.parent(n) else { continue };
        if t.kind(p) != NodeKind::Element || !sheet.strips(t.namespace_uri(p), t.local_name(p)) {
            continue;
        }
        let preserved = std::iter::once(p)
            .chain(t.ancestors(p))
            .find_map(|a| t.attribute_value(a, XML_NS, "space"))
            .is_some_and(|v| v == "preserve");
        if !preserved {
            doomed.push(n);
        }
    }
    for n in doomed {
        t.detach(n);
    }
}

enum Slot<'a> {
    Borrowed(&'a Tree),
    Owned(Box<Tree>),
    Shared(Arc<Tree>),
}

impl Slot<'_> {
    fn tree(&self) -> &Tree {
        match self {
            Slot::Borrowed(t) => t,
            Slot::Owned(t) => t,
            Slot::Shared(t) => t,
        }
    }
}

struct Frame {
    tree: Tree,
    parent: NodeId,
}

enum GlobalState {
    Pending,
    Running,
    Done(Value),
}

/// A key's index over one document: key value → nodes in document order.
type KeyIndex = Rc<HashMap<String, Vec<NodeRef>>>;

/// Stack left before a template invocation grows the stack, and the size of each new segment.
const STACK_RED_ZONE: usize = 256 * 1024;
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// The code of the placeholder error that carries an XSLT error through XPath evaluation.
const TUNNEL: &str = "WXSL-TUNNEL";

pub(crate) struct Exec<'a> {
    sheet: &'a Stylesheet,
    opts: &'a TransformOptions,
    docs: Vec<Slot<'a>>,
    /// Where each document came from (for `document()` base URIs).
    doc_paths: Vec<Option<PathBuf>>,
    out: Vec<Frame>,
    locals: Vec<(ExpandedName, Value)>,
    frame_base: usize,
    globals: Vec<GlobalState>,
    global_index: HashMap<ExpandedName, usize>,
    pub(crate) ctx: Context,
    current: NodeRef,
    template: Option<usize>,
    mode: Option<ExpandedName>,
    depth: usize,
    keys: HashMap<(ExpandedName, DocId), KeyIndex>,
    messages: Vec<String>,
    pending: Option<XsltError>,
    loaded: HashMap<PathBuf, DocId>,
    module_docs: HashMap<u32, DocId>,
    cur_loc: Loc,
    output_nodes: usize,
    output_bytes: usize,
    work: u64,
    ids: HashMap<NodeRef, usize>,
}

impl<'a> Exec<'a> {
    fn new(sheet: &'a Stylesheet, opts: &'a TransformOptions) -> Exec<'a> {
        let global_index = sheet
            .globals
            .iter()
            .enumerate()
            .map(|(i, g)| (g.binding.name.clone(), i))
            .collect();
        let root = NodeRef::new(0, NodeId::ROOT);
        Exec {
            sheet,
            opts,
            docs: Vec::new(),
            doc_paths: vec![None],
            out: Vec::new(),
            locals: Vec::new(),
            frame_base: 0,
            globals: sheet.globals.iter().map(|_| GlobalState::Pending).collect(),
            global_index,
            ctx: Context::node(root),
            current: root,
            template: None,
            mode: None,
            depth: 0,
            keys: HashMap::new(),
            messages: Vec::new(),
            pending: None,
            loaded: HashMap::new(),
            module_docs: HashMap::new(),
            cur_loc: Loc::default(),
            output_nodes: 0,
            output_bytes: 0,
            work: 0,
            ids: HashMap::new(),
        }
    }

    fn err(&self, loc: Loc, code: &'static str, message: impl Into<String>) -> XsltError {
        self.sheet.error_at(loc, code, message)
    }

    /// Converts an XPath error from evaluating `x` (or the XSLT error it carries).
    fn xerr(&mut self, x: &XExpr, e: XPathError) -> XsltError {
        if e.code == TUNNEL {
            if let Some(p) = self.pending.take() {
                return p;
            }
        }
        self.sheet.xpath_error(x.loc, &e)
    }

    /// Stores an XSLT error to be carried through the XPath evaluator.
    fn tunnel(&mut self, e: XsltError, span: &Span) -> XPathError {
        self.pending = Some(e);
        XPathError::new(TUNNEL, "XSLT error", span.clone())
    }

    pub(crate) fn eval(&mut self, x: &XExpr) -> Result<Value, XsltError> {
        let ctx = self.ctx;
        evaluate(&x.expr, &ctx, self).map_err(|e| self.xerr(x, e))
    }

    pub(crate) fn eval_at(&mut self, x: &XExpr, ctx: Context) -> Result<Value, XsltError> {
        evaluate(&x.expr, &ctx, self).map_err(|e| self.xerr(x, e))
    }

    fn eval_string(&mut self, x: &XExpr) -> Result<String, XsltError> {
        let v = self.eval(x)?;
        Ok(to_string(&v, self).to_string())
    }

    fn eval_nodes(&mut self, x: &XExpr, what: &str) -> Result<Vec<NodeRef>, XsltError> {
        match self.eval(x)? {
            Value::Nodes(n) => Ok(n.to_vec()),
            Value::Rtf(_) => Err(self.sheet.xpath_error(
                x.loc,
                &XPathError::type_error(
                    format!("{what} needs a node-set; a result tree fragment cannot be used as one in XSLT 1.0 (use exsl:node-set())"),
                    0..0,
                ),
            )),
            v => Err(self.sheet.xpath_error(
                x.loc,
                &XPathError::type_error(format!("{what} needs a node-set, not a {}", v.type_name()), 0..0),
            )),
        }
    }

    pub(crate) fn avt(&mut self, a: &Avt) -> Result<String, XsltError> {
        let mut s = String::new();
        for p in &a.parts {
            match p {
                AvtPart::Lit(l) => s.push_str(l),
                AvtPart::Expr(x) => s.push_str(&self.eval_string(x)?),
            }
        }
        Ok(s)
    }

    fn opt_avt(&mut self, a: &Option<Avt>) -> Result<Option<String>, XsltError> {
        match a {
            Some(a) => self.avt(a).map(Some),
            None => Ok(None),
        }
    }

    pub(crate) fn tree_of(&self, doc: DocId) -> &Tree {
        self.docs[doc as usize].tree()
    }

    // ----- variables -----

    fn global_value(&mut self, i: usize) -> Result<Value, XsltError> {
        match &self.globals[i] {
            GlobalState::Done(v) => return Ok(v.clone()),
            GlobalState::Running => {
                let g = &self.sheet.globals[i];
                return Err(self.err(
                    g.loc,
                    "XTDE0640",
                    format!("global variable ${} depends on itself", g.binding.name),
                ));
            }
            GlobalState::Pending => {}
        }
        self.globals[i] = GlobalState::Running;
        let g = &self.sheet.globals[i];
        let external = if g.binding.is_param {
            self.opts
                .params
                .iter()
                .rev()
                .find(|(n, _)| *n == g.binding.name)
                .map(|(_, v)| v.clone())
        } else {
            None
        };
        // Globals are evaluated with the root as context and no local variables in sight.
        let saved = (
            self.ctx,
            self.current,
            self.frame_base,
            self.template,
            self.mode.take(),
        );
        let root = NodeRef::new(0, NodeId::ROOT);
        self.ctx = Context::node(root);
        self.current = root;
        self.frame_base = self.locals.len();
        self.template = None;
        let r = match external {
            Some(ParamValue::String(s)) => Ok(Value::str(s)),
            Some(ParamValue::XPath(src)) => self.external_xpath(&src, &g.binding.name),
            None => self.eval_binding(&g.binding.value),
        };
        (
            self.ctx,
            self.current,
            self.frame_base,
            self.template,
            self.mode,
        ) = saved;
        let v = r?;
        self.globals[i] = GlobalState::Done(v.clone());
        Ok(v)
    }

    fn external_xpath(&mut self, src: &str, name: &ExpandedName) -> Result<Value, XsltError> {
        let expr = crate::xpath::parse(
            src,
            &crate::xpath::StaticContext {
                namespaces: &|p| (p == "xml").then(|| XML_NS.to_owned()),
                functions: ext::signatures(),
            },
        )
        .map_err(|e| XsltError::new(e.code, format!("--param {name}: {}", e.message)))?;
        let ctx = self.ctx;
        evaluate(&expr, &ctx, self).map_err(|e| {
            if e.code == TUNNEL {
                if let Some(p) = self.pending.take() {
                    return p;
                }
            }
            XsltError::new(e.code, format!("--param {name}: {}", e.message))
        })
    }

    fn eval_binding(&mut self, v: &BindingValue) -> Result<Value, XsltError> {
        match v {
            BindingValue::Select(x) => self.eval(x),
            BindingValue::Body(b) => self.rtf(b),
            BindingValue::Empty => Ok(Value::str("")),
        }
    }

    /// Instantiates a body into a new tree: a result tree fragment.
    fn rtf(&mut self, body: &[Instr]) -> Result<Value, XsltError> {
        self.out.push(Frame {
            tree: Tree::new(),
            parent: NodeId::ROOT,
        });
        let r = self.exec_body(body);
        let frame = self.out.pop().expect("pushed above");
        r?;
        let id = self.add_tree(frame.tree);
        Ok(Value::Rtf(NodeRef::new(id, NodeId::ROOT)))
    }

    /// The string value of a body's result (for xsl:attribute, xsl:comment, ...).
    fn body_text(&mut self, body: &[Instr]) -> Result<String, XsltError> {
        // Common case: literal text and value-of only.
        if body
            .iter()
            .all(|i| matches!(i.kind, InstrKind::Text { .. }))
        {
            return Ok(body
                .iter()
                .map(|i| match &i.kind {
                    InstrKind::Text { text, .. } => text.as_ref(),
                    _ => "",
                })
                .collect());
        }
        let v = self.rtf(body)?;
        let s = to_string(&v, self).to_string();
        // The fragment was only needed for its text: drop it again.
        if let Value::Rtf(r) = v {
            if r.doc as usize + 1 == self.docs.len() {
                self.docs.pop();
                self.doc_paths.pop();
            }
        }
        Ok(s)
    }

    // ----- output -----

    fn frame(&mut self) -> &mut Frame {
        self.out.last_mut().expect("an output frame")
    }

    fn count_output(&mut self, loc: Loc) -> Result<(), XsltError> {
        self.output_nodes += 1;
        if self.output_nodes > self.opts.max_output_nodes {
            return Err(self.err(
                loc,
                "WXSL0002",
                format!(
                    "the result grew beyond {} nodes",
                    self.opts.max_output_nodes
                ),
            ));
        }
        Ok(())
    }

    fn count_output_bytes(&mut self, bytes: usize, loc: Loc) -> Result<(), XsltError> {
        self.output_bytes += bytes;
        if self.output_bytes > self.opts.max_output_bytes {
            return Err(self.err(
                loc,
                "WXSL0002",
                format!(
                    "the result grew beyond {} MB of text",
                    self.opts.max_output_bytes >> 20
                ),
            ));
        }
        Ok(())
    }

    fn append_text(&mut self, text: &str, raw: bool, loc: Loc) -> Result<(), XsltError> {
        if text.is_empty() {
            return Ok(());
        }
        self.count_output(loc)?;
        self.count_output_bytes(text.len(), loc)?;
        let f = self.frame();
        let p = f.parent;
        if raw {
            f.tree.append_raw_text(p, text);
        } else {
            f.tree.append_text(p, text);
        }
        Ok(())
    }

    /// Creates an element under the current output parent with the given namespace nodes (on
    /// top of the inherited ones) and makes sure its own name's namespace is bound.
    fn start_element(
        &mut self,
        prefix: &str,
        local: &str,
        uri: &str,
        namespaces: &[(Arc<str>, Arc<str>)],
        loc: Loc,
    ) -> Result<NodeId, XsltError> {
        self.count_output(loc)?;
        let f = self.out.last_mut().expect("an output frame");
        let t = &mut f.tree;
        let name = t.intern_name(prefix, local, uri);
        let el = t.append_element(f.parent, name);
        let mut ns: Vec<NsBinding> = t.namespaces(el).to_vec();
        let bind = |t: &mut Tree, ns: &mut Vec<NsBinding>, p: &str, u: &str| {
            let (pa, ua) = (t.intern(p), t.intern(u));
            match ns.iter_mut().find(|b| b.prefix == pa) {
                Some(b) => b.uri = ua,
                None => ns.push(NsBinding {
                    prefix: pa,
                    uri: ua,
                }),
            }
        };
        for (p, u) in namespaces {
            bind(t, &mut ns, p, u);
        }
        let pa = t.intern(prefix);
        let current = ns
            .iter()
            .find(|b| b.prefix == pa)
            .map(|b| t.atom(b.uri).to_owned());
        if current.as_deref().unwrap_or("") != uri {
            bind(t, &mut ns, prefix, uri);
        }
        t.set_namespaces(el, &ns);
        Ok(el)
    }

    /// Adds an attribute to an element of the current output tree, binding its namespace.
    fn add_attribute(&mut self, el: NodeId, prefix: &str, local: &str, uri: &str, value: &str) {
        let f = self.out.last_mut().expect("an output frame");
        let t = &mut f.tree;
        let prefix = if uri.is_empty() {
            String::new()
        } else {
            let bound = |t: &Tree, p: &str| {
                t.namespaces(el)
                    .iter()
                    .rev()
                    .find(|b| t.atom(b.prefix) == p)
                    .map(|b| t.atom(b.uri).to_owned())
            };
            let usable = |t: &Tree, p: &str| {
                !p.is_empty() && p != "xmlns" && bound(t, p).is_none_or(|u| u == uri)
            };
            let chosen = if uri == XML_NS {
                "xml".to_owned()
            } else if usable(t, prefix) {
                prefix.to_owned()
            } else if let Some(b) = t
                .namespaces(el)
                .iter()
                .find(|b| t.atom(b.uri) == uri && !t.atom(b.prefix).is_empty())
            {
                t.atom(b.prefix).to_owned()
            } else {
                let mut k = 1;
                loop {
                    let cand = format!("ns_{k}");
                    if usable(t, &cand) {
                        break cand;
                    }
                    k += 1;
                }
            };
            if chosen != "xml" && bound(t, &chosen).is_none() {
                let (pa, ua) = (t.intern(&chosen), t.intern(uri));
                t.add_namespace(el, pa, ua);
            }
            chosen
        };
        let name = t.intern_name(&prefix, local, uri);
        t.set_attribute(el, name, value);
    }

    /// The attributes of the current output element, as (name, value).
    fn output_attributes(&mut self) -> Vec<(crate::xml::NameId, String)> {
        let f = self.frame();
        let p = f.parent;
        let t = &f.tree;
        if t.kind(p) != NodeKind::Element {
            return Vec::new();
        }
        t.attributes(p)
            .filter_map(|a| t.name_id(a).map(|n| (n, t.value(a).to_owned())))
            .collect()
    }

    /// The output parent if attributes may still be added to it.
    fn attribute_target(&mut self) -> Option<NodeId> {
        let f = self.frame();
        let p = f.parent;
        (f.tree.kind(p) == NodeKind::Element && f.tree.first_child(p).is_none()).then_some(p)
    }

    fn with_parent<R>(&mut self, el: NodeId, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = std::mem::replace(&mut self.frame().parent, el);
        let r = f(self);
        self.frame().parent = saved;
        r
    }

    /// Copies a node (deeply or not) to the current output parent.
    fn copy_node(&mut self, src: NodeRef, deep: bool, loc: Loc) -> Result<(), XsltError> {
        // Work list of (source node, destination parent).
        let mut work: Vec<(NodeRef, NodeId)> = vec![(src, self.frame().parent)];
        while let Some((n, dst)) = work.pop() {
            self.count_output(loc)?;
            let kind = node_kind(self.tree_of(n.doc), n);
            let (st, frame) = (
                self.docs[n.doc as usize].tree(),
                self.out.last_mut().expect("frame"),
            );
            let dt = &mut frame.tree;
            match kind {
                XNodeKind::Root => {
                    if deep {
                        let kids: Vec<NodeId> = st.children(n.node).collect();
                        work.extend(
                            kids.into_iter()
                                .rev()
                                .map(|c| (NodeRef::new(n.doc, c), dst)),
                        );
                    }
                }
                XNodeKind::Element => {
                    let name = dt.intern_name(
                        st.prefix(n.node),
                        st.local_name(n.node),
                        st.namespace_uri(n.node),
                    );
                    let el = dt.append_element(dst, name);
                    let mut ns: Vec<NsBinding> = dt.namespaces(el).to_vec();
                    for (p, u) in namespace_bindings(st, n.node) {
                        if p == "xml" {
                            continue;
                        }
                        let (pa, ua) = (dt.intern(p), dt.intern(u));
                        match ns.iter_mut().find(|b| b.prefix == pa) {
                            Some(b) => b.uri = ua,
                            None => ns.push(NsBinding {
                                prefix: pa,
                                uri: ua,
                            }),
                        }
                    }
                    // An element in no namespace under a default namespace needs xmlns="".
                    let own_prefix = dt.intern(st.prefix(n.node));
                    let own_uri = dt.intern(st.namespace_uri(n.node));
                    match ns.iter_mut().find(|b| b.prefix == own_prefix) {
                        Some(b) => b.uri = own_uri,
                        None => ns.push(NsBinding {
                            prefix: own_prefix,
                            uri: own_uri,
                        }),
                    }
                    dt.set_namespaces(el, &ns);
                    if deep {
                        for a in st.attributes(n.node) {
                            let an =
                                dt.intern_name(st.prefix(a), st.local_name(a), st.namespace_uri(a));
                            dt.set_attribute(el, an, st.value(a));
                        }
                        let kids: Vec<NodeId> = st.children(n.node).collect();
                        work.extend(kids.into_iter().rev().map(|c| (NodeRef::new(n.doc, c), el)));
                    } else {
                        // xsl:copy: the caller continues inside the new element.
                        frame.parent = el;
                    }
                }
                XNodeKind::Attribute => {
                    if dt.kind(dst) == NodeKind::Element && dt.first_child(dst).is_none() {
                        let (p, l, u) = (
                            st.prefix(n.node).to_owned(),
                            st.local_name(n.node).to_owned(),
                            st.namespace_uri(n.node).to_owned(),
                        );
                        let v = st.value(n.node).to_owned();
                        self.add_attribute(dst, &p, &l, &u, &v);
                    }
                }
                XNodeKind::Text => {
                    if st.value(n.node).is_empty() {
                        // An empty CDATA section is still a node: libxslt copies it, and the
                        // element then is written <a></a> rather than <a/>.
                        dt.append_text_node(dst, "");
                    } else if st.is_raw_text(n.node) {
                        dt.append_raw_text(dst, st.value(n.node));
                    } else {
                        dt.append_text(dst, st.value(n.node));
                    }
                }
                XNodeKind::Comment => {
                    dt.append_comment(dst, st.value(n.node));
                }
                XNodeKind::ProcessingInstruction => {
                    dt.append_pi(dst, st.local_name(n.node), st.value(n.node));
                }
                XNodeKind::Namespace => {
                    if dt.kind(dst) == NodeKind::Element {
                        let (p, u) = crate::xpath::value::namespace_node(st, n);
                        let (pa, ua) = (dt.intern(p), dt.intern(u));
                        dt.add_namespace(dst, pa, ua);
                    }
                }
            }
        }
        Ok(())
    }

    // ----- templates -----

    fn find_rule(
        &mut self,
        node: NodeRef,
        mode: &Option<ExpandedName>,
        range: Option<(u32, u32)>,
    ) -> Result<Option<usize>, XsltError> {
        let sheet = self.sheet;
        let Some(set) = sheet.rules.get(mode) else {
            return Ok(None);
        };
        let (local, parent_local) = {
            let tree = self.tree(node.doc);
            let local = if node.ns == 0 {
                tree.local_name(node.node)
            } else {
                ""
            };
            let parent_local = match tree.parent(node.node) {
                Some(p) if node.ns == 0 && tree.kind(p) == NodeKind::Element => tree.local_name(p),
                _ => "",
            };
            (local, parent_local)
        };
        for i in set.candidates(local, parent_local) {
            let r = &set.all[i];
            if let Some((lo, hi)) = range {
                if r.precedence < lo || r.precedence > hi {
                    continue;
                }
            }
            let tpl = &sheet.templates[r.template];
            let alt = &tpl
                .pattern
                .as_ref()
                .expect("rules have patterns")
                .alternatives[r.alternative];
            let m = alt.matches(node, self).map_err(|e| {
                if e.code == TUNNEL {
                    if let Some(p) = self.pending.take() {
                        return p;
                    }
                }
                self.err(tpl.loc, e.code, e.message.clone())
            })?;
            if m {
                return Ok(Some(r.template));
            }
        }
        Ok(None)
    }

    fn process(
        &mut self,
        node: NodeRef,
        mode: Option<&ExpandedName>,
        params: &[(ExpandedName, Value)],
    ) -> Result<(), XsltError> {
        let mode_owned = mode.cloned();
        match self.find_rule(node, &mode_owned, None)? {
            Some(t) => {
                let saved = std::mem::replace(&mut self.mode, mode_owned);
                let r = self.invoke(t, params, true);
                self.mode = saved;
                r
            }
            None => self.builtin(node, mode_owned),
        }
    }

    fn builtin(&mut self, node: NodeRef, mode: Option<ExpandedName>) -> Result<(), XsltError> {
        let kind = node_kind(self.tree_of(node.doc), node);
        match kind {
            XNodeKind::Root | XNodeKind::Element => {
                let kids: Vec<NodeRef> = self
                    .tree_of(node.doc)
                    .children(node.node)
                    .map(|c| NodeRef::new(node.doc, c))
                    .collect();
                self.apply_to(kids, mode.as_ref(), &[])
            }
            XNodeKind::Text | XNodeKind::Attribute => {
                let v = self.tree_of(node.doc).value(node.node).to_owned();
                let raw = kind == XNodeKind::Text && self.tree_of(node.doc).is_raw_text(node.node);
                self.append_text(&v, raw, self.cur_loc)
            }
            _ => Ok(()),
        }
    }

    fn apply_to(
        &mut self,
        nodes: Vec<NodeRef>,
        mode: Option<&ExpandedName>,
        params: &[(ExpandedName, Value)],
    ) -> Result<(), XsltError> {
        let saved = (self.ctx, self.current);
        let size = nodes.len();
        let mut r = Ok(());
        for (i, n) in nodes.into_iter().enumerate() {
            self.ctx = Context {
                node: n,
                position: i + 1,
                size,
            };
            self.current = n;
            r = self.process(n, mode, params);
            if r.is_err() {
                break;
            }
        }
        (self.ctx, self.current) = saved;
        r
    }

    fn invoke(
        &mut self,
        t: usize,
        params: &[(ExpandedName, Value)],
        is_rule: bool,
    ) -> Result<(), XsltError> {
        // Template recursion is bounded by `max_depth`, not by the thread's stack: grow the
        // stack on the heap when it runs low.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            self.invoke_inner(t, params, is_rule)
        })
    }

    fn invoke_inner(
        &mut self,
        t: usize,
        params: &[(ExpandedName, Value)],
        is_rule: bool,
    ) -> Result<(), XsltError> {
        let sheet = self.sheet;
        let tpl = &sheet.templates[t];
        self.work += 1;
        if self.work > self.opts.max_work {
            return Err(self.err(tpl.loc, "WXSL0004", self.work_message()));
        }
        self.depth += 1;
        if self.depth > self.opts.max_depth {
            self.depth -= 1;
            return Err(self.err(
                tpl.loc,
                "WXSL0001",
                format!(
                    "templates nest deeper than {} levels (infinite recursion?)",
                    self.opts.max_depth
                ),
            ));
        }
        let saved_base = self.frame_base;
        let saved_template = self.template;
        let mark = self.locals.len();
        self.frame_base = mark;
        if is_rule {
            self.template = Some(t);
        }
        let mut r = Ok(());
        for p in &tpl.params {
            let v = match params.iter().find(|(n, _)| *n == p.name) {
                Some((_, v)) => Ok(v.clone()),
                None => self.eval_binding(&p.value),
            };
            match v {
                Ok(v) => self.locals.push((p.name.clone(), v)),
                Err(e) => {
                    r = Err(e);
                    break;
                }
            }
        }
        if r.is_ok() {
            r = self.exec_body(&tpl.body);
        }
        self.locals.truncate(mark);
        self.frame_base = saved_base;
        self.template = saved_template;
        self.depth -= 1;
        r
    }

    fn eval_params(&mut self, params: &[Binding]) -> Result<Vec<(ExpandedName, Value)>, XsltError> {
        let mut out = Vec::with_capacity(params.len());
        for p in params {
            let v = self.eval_binding(&p.value)?;
            out.push((p.name.clone(), v));
        }
        Ok(out)
    }

    fn sort(&mut self, nodes: Vec<NodeRef>, sorts: &[Sort]) -> Result<Vec<NodeRef>, XsltError> {
        if sorts.is_empty() || nodes.len() < 2 {
            return Ok(nodes);
        }
        enum Key {
            Text(String),
            Num(f64),
        }
        struct Spec {
            number: bool,
            descending: bool,
            upper_first: Option<bool>,
            /// `lang` given: compare letters without their accents first.
            collate: bool,
        }
        let mut specs = Vec::new();
        for s in sorts {
            let dt = self.opt_avt(&s.data_type)?;
            let order = self.opt_avt(&s.order)?;
            let case = self.opt_avt(&s.case_order)?;
            let lang = self.opt_avt(&s.lang)?;
            specs.push(Spec {
                number: dt.as_deref() == Some("number"),
                descending: order.as_deref() == Some("descending"),
                upper_first: case.as_deref().map(|c| c == "upper-first"),
                collate: lang.is_some(),
            });
        }
        let saved = (self.ctx, self.current);
        let size = nodes.len();
        let mut keys: Vec<Vec<Key>> = Vec::with_capacity(size);
        for (i, &n) in nodes.iter().enumerate() {
            let ctx = Context {
                node: n,
                position: i + 1,
                size,
            };
            self.current = n;
            let mut row = Vec::with_capacity(sorts.len());
            for (s, spec) in sorts.iter().zip(&specs) {
                let v = match self.eval_at(&s.select, ctx) {
                    Ok(v) => v,
                    Err(e) => {
                        (self.ctx, self.current) = saved;
                        return Err(e);
                    }
                };
                row.push(if spec.number {
                    Key::Num(to_num(&v, self))
                } else {
                    Key::Text(to_string(&v, self).to_string())
                });
            }
            keys.push(row);
        }
        (self.ctx, self.current) = saved;
        let mut idx: Vec<usize> = (0..size).collect();
        idx.sort_by(|&a, &b| {
            for (k, spec) in specs.iter().enumerate() {
                let o = match (&keys[a][k], &keys[b][k]) {
                    (Key::Num(x), Key::Num(y)) => match (x.is_nan(), y.is_nan()) {
                        (true, true) => std::cmp::Ordering::Equal,
                        (true, false) => std::cmp::Ordering::Less,
                        (false, true) => std::cmp::Ordering::Greater,
                        _ => x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal),
                    },
                    (Key::Text(x), Key::Text(y)) if spec.collate => fold_accents(x)
                        .cmp(&fold_accents(y))
                        .then_with(|| compare_text(x, y, spec.upper_first)),
                    (Key::Text(x), Key::Text(y)) => compare_text(x, y, spec.upper_first),
                    _ => std::cmp::Ordering::Equal,
                };
                let o = if spec.descending { o.reverse() } else { o };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
        Ok(idx.into_iter().map(|i| nodes[i]).collect())
    }

    fn apply_attribute_sets(
        &mut self,
        names: &[ExpandedName],
        loc: Loc,
        seen: &mut Vec<ExpandedName>,
    ) -> Result<(), XsltError> {
        let sheet = self.sheet;
        for n in names {
            let Some(sets) = sheet.attribute_sets.get(n) else {
                return Err(self.err(loc, "XTSE0710", format!("no attribute set named {n}")));
            };
            if seen.contains(n) {
                return Err(self.err(loc, "XTSE0720", format!("attribute set {n} uses itself")));
            }
            seen.push(n.clone());
            // Definitions merge in import-precedence order, later ones overriding. Within a
            // definition its own attributes win over the sets it uses; libxslt writes the own
            // attributes first, so they are created first and re-applied after the used sets.
            for s in sets {
                let before = self.output_attributes();
                // Attribute sets see only global variables.
                let saved = self.frame_base;
                self.frame_base = self.locals.len();
                let r = self.exec_body(&s.body);
                self.frame_base = saved;
                r?;
                let own: Vec<(crate::xml::NameId, String)> = self
                    .output_attributes()
                    .into_iter()
                    .filter(|a| !before.contains(a))
                    .collect();
                self.apply_attribute_sets(&s.use_sets, loc, seen)?;
                if let Some(el) = self.attribute_target() {
                    let t = &mut self.frame().tree;
                    for (name, value) in own {
                        t.set_attribute(el, name, &value);
                    }
                }
            }
            seen.pop();
        }
        Ok(())
    }

    // ----- instructions -----

    fn exec_body(&mut self, body: &[Instr]) -> Result<(), XsltError> {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || self.exec_body_inner(body))
    }

    fn exec_body_inner(&mut self, body: &[Instr]) -> Result<(), XsltError> {
        let mark = self.locals.len();
        let mut r = Ok(());
        for i in body {
            r = self.exec(i);
            if r.is_err() {
                break;
            }
        }
        self.locals.truncate(mark);
        r
    }

    fn exec(&mut self, i: &Instr) -> Result<(), XsltError> {
        self.cur_loc = i.loc;
        match &i.kind {
            InstrKind::Text { text, doe } => self.append_text(text, *doe, i.loc),
            InstrKind::Literal(le) => {
                let el = self.start_element(
                    &le.name.prefix,
                    &le.name.local,
                    &le.name.uri,
                    &le.namespaces,
                    i.loc,
                )?;
                self.with_parent(el, |s| {
                    s.apply_attribute_sets(&le.use_sets, i.loc, &mut Vec::new())?;
                    for (name, avt) in &le.attrs {
                        let v = s.avt(avt)?;
                        s.add_attribute(el, &name.prefix, &name.local, &name.uri, &v);
                    }
                    s.exec_body(&le.body)
                })
            }
            InstrKind::Element {
                name,
                namespace,
                ns,
                use_sets,
                body,
            } => {
                let qn = self.avt(name)?;
                let qn = qn.trim();
                if !is_qname(qn) || qn == "xmlns" || qn.starts_with("xmlns:") {
                    return Err(self.err(
                        i.loc,
                        "XTDE0820",
                        format!("xsl:element: \"{qn}\" is not a valid element name"),
                    ));
                }
                let (prefix, local) = qn.split_once(':').unwrap_or(("", qn));
                let uri = match namespace {
                    Some(a) => self.avt(a)?,
                    None => match ns.iter().rev().find(|(p, _)| &**p == prefix) {
                        Some((_, u)) => u.to_string(),
                        None if prefix.is_empty() => String::new(),
                        None if prefix == "xml" => XML_NS.to_owned(),
                        None => {
                            return Err(self.err(
                                i.loc,
                                "XTDE0830",
                                format!("xsl:element: namespace prefix '{prefix}' is not declared"),
                            ));
                        }
                    },
                };
                let prefix = if uri.is_empty() { "" } else { prefix };
                let el = self.start_element(prefix, local, &uri, &[], i.loc)?;
                self.with_parent(el, |s| {
                    s.apply_attribute_sets(use_sets, i.loc, &mut Vec::new())?;
                    s.exec_body(body)
                })
            }
            InstrKind::Attribute {
                name,
                namespace,
                ns,
                body,
            } => {
                let qn = self.avt(name)?;
                let qn = qn.trim().to_owned();
                // "xmlns" is never an attribute; an "xmlns:" prefix only with an explicit
                // namespace (which then gets a prefix of its own).
                if !is_qname(&qn)
                    || qn == "xmlns"
                    || (qn.starts_with("xmlns:") && namespace.is_none())
                {
                    return Err(self.err(
                        i.loc,
                        "XTDE0850",
                        format!("xsl:attribute: \"{qn}\" is not a valid attribute name"),
                    ));
                }
                let (prefix, local) = qn.split_once(':').unwrap_or(("", &qn));
                let uri = match namespace {
                    Some(a) => self.avt(a)?,
                    None if prefix.is_empty() => String::new(),
                    None if prefix == "xml" => XML_NS.to_owned(),
                    None => match ns.iter().rev().find(|(p, _)| &**p == prefix) {
                        Some((_, u)) => u.to_string(),
                        None => {
                            return Err(self.err(
                                i.loc,
                                "XTDE0860",
                                format!(
                                    "xsl:attribute: namespace prefix '{prefix}' is not declared"
                                ),
                            ));
                        }
                    },
                };
                let value = self.body_text(body)?;
                if let Some(el) = self.attribute_target() {
                    let prefix = prefix.to_owned();
                    let local = local.to_owned();
                    self.add_attribute(el, &prefix, &local, &uri, &value);
                }
                Ok(())
            }
            InstrKind::ValueOf { select, doe } => {
                let s = self.eval_string(select)?;
                self.append_text(&s, *doe, i.loc)
            }
            InstrKind::ApplyTemplates {
                select,
                mode,
                sorts,
                params,
            } => {
                let nodes = match select {
                    Some(x) => self.eval_nodes(x, "xsl:apply-templates select")?,
                    None => {
                        let n = self.ctx.node;
                        let t = self.tree_of(n.doc);
                        if n.ns != 0 || t.kind(n.node) == NodeKind::Attribute {
                            Vec::new()
                        } else {
                            t.children(n.node).map(|c| NodeRef::new(n.doc, c)).collect()
                        }
                    }
                };
                let nodes = self.sort(nodes, sorts)?;
                let params = self.eval_params(params)?;
                self.apply_to(nodes, mode.as_ref(), &params)
            }
            InstrKind::CallTemplate { name, params } => {
                let Some(&t) = self.sheet.named.get(name) else {
                    return Err(self.err(
                        i.loc,
                        "XTSE0650",
                        format!("there is no template named {name}"),
                    ));
                };
                let params = self.eval_params(params)?;
                self.invoke(t, &params, false)
            }
            InstrKind::ApplyImports => {
                let Some(t) = self.template else {
                    return Err(self.err(i.loc, "XTDE0560", "xsl:apply-imports is used where there is no current template rule (inside xsl:for-each?)"));
                };
                let tpl = &self.sheet.templates[t];
                if tpl.precedence == 0 || tpl.imports_from >= tpl.precedence {
                    let node = self.current;
                    return self.builtin(node, self.mode.clone());
                }
                let range = (tpl.imports_from, tpl.precedence - 1);
                let node = self.current;
                let mode = self.mode.clone();
                match self.find_rule(node, &mode, Some(range))? {
                    Some(t2) => self.invoke(t2, &[], true),
                    None => self.builtin(node, mode),
                }
            }
            InstrKind::ForEach {
                select,
                sorts,
                body,
            } => {
                let nodes = self.eval_nodes(select, "xsl:for-each select")?;
                let nodes = self.sort(nodes, sorts)?;
                let saved = (self.ctx, self.current, self.template);
                self.template = None;
                let size = nodes.len();
                let mut r = Ok(());
                for (k, n) in nodes.into_iter().enumerate() {
                    self.ctx = Context {
                        node: n,
                        position: k + 1,
                        size,
                    };
                    self.current = n;
                    r = self.exec_body(body);
                    if r.is_err() {
                        break;
                    }
                }
                (self.ctx, self.current, self.template) = saved;
                r
            }
            InstrKind::If { test, body } => {
                let v = self.eval(test)?;
                if to_bool(&v) {
                    self.exec_body(body)?;
                }
                Ok(())
            }
            InstrKind::Choose { whens, otherwise } => {
                for (test, body) in whens {
                    let v = self.eval(test)?;
                    if to_bool(&v) {
                        return self.exec_body(body);
                    }
                }
                if let Some(b) = otherwise {
                    self.exec_body(b)?;
                }
                Ok(())
            }
            InstrKind::Variable(b) => {
                let v = self.eval_binding(&b.value)?;
                self.locals.push((b.name.clone(), v));
                Ok(())
            }
            InstrKind::Copy { use_sets, body } => {
                let node = self.current;
                let kind = node_kind(self.tree_of(node.doc), node);
                match kind {
                    XNodeKind::Root => self.exec_body(body),
                    XNodeKind::Element => {
                        let parent = self.frame().parent;
                        self.copy_node(node, false, i.loc)?;
                        let el = self.frame().parent;
                        self.frame().parent = parent;
                        self.with_parent(el, |s| {
                            s.apply_attribute_sets(use_sets, i.loc, &mut Vec::new())?;
                            s.exec_body(body)
                        })
                    }
                    _ => self.copy_node(node, false, i.loc),
                }
            }
            InstrKind::CopyOf { select } => match self.eval(select)? {
                Value::Nodes(ns) => {
                    for &n in ns.iter() {
                        self.copy_node(n, true, i.loc)?;
                    }
                    Ok(())
                }
                Value::Rtf(r) => self.copy_node(r, true, i.loc),
                v => {
                    let s = to_string(&v, self).to_string();
                    self.append_text(&s, false, i.loc)
                }
            },
            InstrKind::Comment { body } => {
                let text = self.body_text(body)?;
                if text.contains("--") || text.ends_with('-') {
                    return Err(self.err(
                        i.loc,
                        "XTDE0050",
                        "xsl:comment: a comment cannot contain \"--\" or end with \"-\"",
                    ));
                }
                self.count_output(i.loc)?;
                let f = self.frame();
                let p = f.parent;
                f.tree.append_comment(p, &text);
                Ok(())
            }
            InstrKind::Pi { name, body } => {
                let target = self.avt(name)?;
                let target = target.trim();
                if !is_qname(target) || target.contains(':') || target.eq_ignore_ascii_case("xml") {
                    return Err(self.err(
                        i.loc,
                        "XTDE0890",
                        format!("xsl:processing-instruction: \"{target}\" is not a valid target"),
                    ));
                }
                let data = self.body_text(body)?;
                if data.contains("?>") {
                    return Err(self.err(
                        i.loc,
                        "XTDE0890",
                        "xsl:processing-instruction: the content cannot contain \"?>\"",
                    ));
                }
                self.count_output(i.loc)?;
                let target = target.to_owned();
                let f = self.frame();
                let p = f.parent;
                f.tree.append_pi(p, &target, data.trim_start());
                Ok(())
            }
            InstrKind::Message { body, terminate } => {
                let text = self.body_text(body)?;
                self.messages.push(text.clone());
                if *terminate {
                    return Err(self.err(
                        i.loc,
                        "XTMM9000",
                        format!("xsl:message terminated the transformation: {text}"),
                    ));
                }
                Ok(())
            }
            InstrKind::Number(n) => {
                let s = number::number_instr(self, n, i.loc)?;
                self.append_text(&s, false, i.loc)
            }
            InstrKind::Unsupported { name, fallback } => match fallback {
                Some(b) => self.exec_body(b),
                None => Err(self.err(
                    i.loc,
                    "XTDE1450",
                    format!("{name} is not supported by webxsl and has no xsl:fallback"),
                )),
            },
        }
    }

    // ----- XSLT functions -----

    fn key_index(
        &mut self,
        name: &ExpandedName,
        doc: DocId,
    ) -> Result<Rc<HashMap<String, Vec<NodeRef>>>, XsltError> {
        if let Some(ix) = self.keys.get(&(name.clone(), doc)) {
            return Ok(ix.clone());
        }
        let sheet = self.sheet;
        // An undeclared key selects nothing (libxslt's behaviour; XSLT 1.0 does not say).
        let Some(defs) = sheet.keys.get(name) else {
            return Ok(Rc::new(HashMap::new()));
        };
        let mut index: HashMap<String, Vec<NodeRef>> = HashMap::new();
        let nodes: Vec<NodeRef> = {
            let t = self.tree_of(doc);
            let mut v = vec![NodeRef::new(doc, NodeId::ROOT)];
            for n in t.descendants(NodeId::ROOT) {
                v.push(NodeRef::new(doc, n));
                if t.kind(n) == NodeKind::Element {
                    v.extend(t.attributes(n).map(|a| NodeRef::new(doc, a)));
                }
            }
            v
        };
        let saved = self.current;
        for &n in &nodes {
            for d in defs {
                let m = d
                    .pattern
                    .matches(n, self)
                    .map_err(|e| self.xerr(&d.use_expr, e))?;
                if !m {
                    continue;
                }
                self.current = n;
                let v = self.eval_at(&d.use_expr, Context::node(n));
                self.current = saved;
                match v? {
                    Value::Nodes(ns) => {
                        for &k in ns.iter() {
                            let s = string_value(self.tree_of(k.doc), k);
                            index.entry(s).or_default().push(n);
                        }
                    }
                    other => {
                        let s = to_string(&other, self).to_string();
                        index.entry(s).or_default().push(n);
                    }
                }
            }
        }
        let ix = Rc::new(index);
        self.keys.insert((name.clone(), doc), ix.clone());
        Ok(ix)
    }

    /// `document()`: reads local files (if `allow_document`), relative to the node's document
    /// or the stylesheet module; `document('')` is the stylesheet module itself.
    fn document_fn(&mut self, args: Vec<Value>) -> Result<Value, XsltError> {
        if !self.opts.allow_document {
            return Err(self.err(self.cur_loc, "WXSL0003", "document() is disabled: pass --allow-document to let the stylesheet read local files"));
        }
        let base_override = args.get(1).and_then(|v| match v {
            Value::Nodes(n) => n.first().map(|&f| self.base_of(f)),
            _ => None,
        });
        let mut refs: Vec<(String, Option<PathBuf>)> = Vec::new();
        match &args[0] {
            Value::Nodes(ns) => {
                for &n in ns.iter() {
                    let s = string_value(self.tree_of(n.doc), n);
                    let base = base_override.clone().unwrap_or_else(|| self.base_of(n));
                    refs.push((s, base));
                }
            }
            v => {
                let s = to_string(v, self).to_string();
                let base = base_override.clone().unwrap_or_else(|| self.module_base());
                refs.push((s, base));
            }
        }
        let mut out = Vec::new();
        for (uri, base) in refs {
            let uri = uri.split('#').next().unwrap_or("").trim().to_owned();
            if uri.is_empty() {
                out.push(self.module_document());
                continue;
            }
            let local = uri.strip_prefix("file://").unwrap_or(&uri);
            if local.contains("://") {
                return Err(self.err(
                    self.cur_loc,
                    "WXSL0003",
                    format!("document(): only local files can be read, not {uri}"),
                ));
            }
            let path = match base {
                Some(b) if Path::new(local).is_relative() => b.join(local),
                _ => PathBuf::from(local),
            };
            let key = path.canonicalize().unwrap_or(path.clone());
            if let Some(&d) = self.loaded.get(&key) {
                out.push(NodeRef::new(d, NodeId::ROOT));
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| {
                self.err(
                    self.cur_loc,
                    "FODC0002",
                    format!("document(): cannot read {}: {e}", path.display()),
                )
            })?;
            let doc = Document::parse(&bytes, &self.opts.document_limits).map_err(|e| {
                self.err(
                    self.cur_loc,
                    "FODC0002",
                    format!("document(): {}:{}: {e}", path.display(), e.pos()),
                )
            })?;
            let mut tree = doc.into_tree();
            if self.sheet.strips_space() {
                strip_whitespace(self.sheet, &mut tree);
            }
            let id = self.docs.len() as DocId;
            self.docs.push(Slot::Owned(Box::new(tree)));
            self.doc_paths.push(path.parent().map(Path::to_path_buf));
            self.loaded.insert(key, id);
            out.push(NodeRef::new(id, NodeId::ROOT));
        }
        sort_dedup(&mut out);
        Ok(Value::Nodes(Rc::new(out)))
    }

    fn module_base(&self) -> Option<PathBuf> {
        self.sheet.modules[self.cur_loc.module as usize]
            .path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
    }

    fn base_of(&self, n: NodeRef) -> Option<PathBuf> {
        self.doc_paths
            .get(n.doc as usize)
            .cloned()
            .flatten()
            .or_else(|| self.module_base())
    }

    fn module_document(&mut self) -> NodeRef {
        let m = self.cur_loc.module;
        if let Some(&d) = self.module_docs.get(&m) {
            return NodeRef::new(d, NodeId::ROOT);
        }
        let id = self.docs.len() as DocId;
        self.docs
            .push(Slot::Shared(self.sheet.modules[m as usize].tree.clone()));
        self.doc_paths.push(self.module_base());
        self.module_docs.insert(m, id);
        NodeRef::new(id, NodeId::ROOT)
    }

    /// Converts an error from matching a pattern (or the XSLT error it carries).
    pub(crate) fn pattern_error(&mut self, loc: Loc, e: XPathError) -> XsltError {
        if e.code == TUNNEL {
            if let Some(p) = self.pending.take() {
                return p;
            }
        }
        self.err(loc, e.code, e.message)
    }

    /// `generate-id()`: `id1`, `id2`... in the order nodes are first asked for (as libxslt
    /// does); a namespace node is its element's id, `ns` and its prefix in hexadecimal UTF-8.
    fn generate_id(&mut self, n: NodeRef) -> String {
        let el = NodeRef { ns: 0, ..n };
        let next = self.ids.len() + 1;
        let k = *self.ids.entry(el).or_insert(next);
        if n.ns == 0 {
            return format!("id{k}");
        }
        let (prefix, _) = crate::xpath::value::namespace_node(self.tree_of(n.doc), n);
        let hex: String = prefix.bytes().map(|b| format!("{b:02X}")).collect();
        format!("id{k}ns{hex}")
    }

    /// The current node (for `xsl:number`).
    pub(crate) fn current_node(&self) -> NodeRef {
        self.current
    }
}

/// A primary collation key for Latin text: accents removed (ä → a, ß → ss), so that with
/// `xsl:sort lang="..."` "Märtens" sorts with "Martens", as a locale collation does.
fn fold_accents(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let base = match c {
            'À'..='Å' => "A",
            'Ç' => "C",
            'È'..='Ë' => "E",
            'Ì'..='Ï' => "I",
            'Ñ' => "N",
            'Ò'..='Ö' | 'Ø' => "O",
            'Ù'..='Ü' => "U",
            'Ý' => "Y",
            'à'..='å' => "a",
            'ç' => "c",
            'è'..='ë' => "e",
            'ì'..='ï' => "i",
            'ñ' => "n",
            'ò'..='ö' | 'ø' => "o",
            'ù'..='ü' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(base);
    }
    out
}

/// Text sort order: by code point, optionally grouping case variants (upper or lower first).
fn compare_text(a: &str, b: &str, upper_first: Option<bool>) -> std::cmp::Ordering {
    match upper_first {
        None => a.cmp(b),
        Some(upper) => {
            let la = a.to_lowercase();
            let lb = b.to_lowercase();
            la.cmp(&lb).then_with(|| {
                let o = a.cmp(b);
                // Uppercase code points sort before lowercase ones.
                if upper { o } else { o.reverse() }
            })
        }
    }
}

impl Exec<'_> {
    fn work_message(&self) -> String {
        format!(
            "the transformation exceeded its budget of {} steps (an expression or recursion that grows exponentially?)",
            self.opts.max_work
        )
    }
}

impl Env for Exec<'_> {
    fn tree(&self, doc: DocId) -> &Tree {
        self.docs[doc as usize].tree()
    }

    fn charge(&mut self, units: u64, span: &Span) -> Result<(), XPathError> {
        self.work += units;
        if self.work > self.opts.max_work {
            return Err(XPathError::new(
                "WXSL0004",
                self.work_message(),
                span.clone(),
            ));
        }
        Ok(())
    }

    fn variable(&mut self, name: &ExpandedName, span: &Span) -> Result<Option<Value>, XPathError> {
        if let Some((_, v)) = self.locals[self.frame_base..]
            .iter()
            .rev()
            .find(|(n, _)| n == name)
        {
            return Ok(Some(v.clone()));
        }
        if let Some(&i) = self.global_index.get(name) {
            return match self.global_value(i) {
                Ok(v) => Ok(Some(v)),
                Err(e) => Err(self.tunnel(e, span)),
            };
        }
        Ok(None)
    }

    fn call_host(
        &mut self,
        index: usize,
        _name: &ExpandedName,
        args: Vec<Value>,
        ctx: &Context,
        span: &Span,
    ) -> Result<Value, XPathError> {
        ext::call(index, self, args, ctx).map_err(|e| self.tunnel(e, span))
    }
}

impl Host for Exec<'_> {
    fn env(&self) -> &dyn Env {
        self
    }

    fn error(&self, code: &'static str, message: String) -> XsltError {
        self.err(self.cur_loc, code, message)
    }

    fn current(&self) -> NodeRef {
        self.current
    }

    fn add_tree(&mut self, tree: Tree) -> DocId {
        let id = self.docs.len() as DocId;
        self.docs.push(Slot::Owned(Box::new(tree)));
        self.doc_paths.push(None);
        id
    }

    fn key(
        &mut self,
        name: &ExpandedName,
        doc: DocId,
        values: &[String],
    ) -> Result<Vec<NodeRef>, XsltError> {
        let ix = self.key_index(name, doc)?;
        let mut out = Vec::new();
        for s in values {
            if let Some(v) = ix.get(s) {
                out.extend_from_slice(v);
            }
        }
        Ok(out)
    }

    fn document(&mut self, args: Vec<Value>) -> Result<Value, XsltError> {
        self.document_fn(args)
    }

    fn decimal_format(&self, name: Option<&ExpandedName>) -> Option<&DecimalFormat> {
        self.sheet.decimal_formats.get(&name.cloned())
    }

    fn generate_id(&mut self, node: NodeRef) -> String {
        Exec::generate_id(self, node)
    }
}
