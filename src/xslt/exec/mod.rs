//! Executing a compiled stylesheet: template selection, instructions, result-tree building.
//!
//! The executor is the XPath [`Env`](crate::xpath::Env): it owns the documents (the source,
//! result tree fragments, documents read by `document()`), resolves variables (global ones
//! lazily, with cycle detection) and serves the host functions of `xslt/ext`. Result trees are
//! built in [`Tree`] arenas.
//!
//! [`Stylesheet::transform`] sets up an `Exec` and applies templates to the root; `Exec::exec`
//! hands each instruction to the file of its family:
//!
//! - `templates.rs`: template rules and built-in templates, `xsl:apply-templates`,
//!   `xsl:call-template`, `xsl:apply-imports`;
//! - `control.rs`: `xsl:for-each`, `xsl:if`, `xsl:choose`, `xsl:fallback`;
//! - `construct.rs`: the result tree: text, `xsl:value-of`, literal result elements,
//!   `xsl:element`, `xsl:attribute` and attribute sets, `xsl:copy`, `xsl:copy-of`,
//!   `xsl:comment`, `xsl:processing-instruction`;
//! - `variables.rs`: variables and parameters, global ones lazily, and result tree fragments;
//! - `sort.rs`: `xsl:sort`; `number.rs`: `xsl:number` (counting; the formatting is in
//!   `xslt/number.rs`);
//! - `messages.rs`: `xsl:message`, and the limits on output and work;
//! - `documents.rs`: the documents an execution sees (source, fragments, `document()`), keys and
//!   generated ids;
//! - `env.rs`: what XPath (`Env`) and host functions (`ext::Host`) see of an execution.

mod construct;
mod control;
mod documents;
mod env;
mod functions;
mod messages;
mod number;
mod sort;
mod templates;
mod variables;

pub(crate) use construct::{
    add_attribute, copy_element, copy_element_deep, copy_leaf, start_element,
};

use std::collections::HashMap;
use std::path::PathBuf;

use crate::xml::{Limits, NodeId, Tree};
use crate::xpath::ast::Span;
use crate::xpath::eval::{Context, evaluate, to_string};
use crate::xpath::value::{DocId, NodeRef, Value};
use crate::xpath::{ExpandedName, XPathError};
use crate::xslt::ast::*;
use crate::xslt::compile::Stylesheet;
use crate::xslt::error::XsltError;
use crate::xslt::serialize::OutputSpec;
use construct::Frame;
use documents::{KeyIndex, Slot, strip_whitespace};
use variables::GlobalState;

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
    /// The current time for EXSLT's `date:date-time()` and the other argument-less date
    /// functions, in seconds since 1970-01-01T00:00:00Z. `None`: the system clock, read once per
    /// transformation. The command line sets it from `SOURCE_DATE_EPOCH`, as xsltproc does, so
    /// that builds and tests are reproducible.
    pub now: Option<i64>,
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
            now: None,
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
    /// What the transformation recovered from (a broken `format-number()` pattern...), each
    /// once, at the instruction that met it.
    pub warnings: Vec<XsltError>,
    /// Result elements that are deep copies of source elements, as (result node, source
    /// node), in result order: the subtrees an identity template copied whole (see
    /// [`crate::patch::minimal_edit_with`], which need not compare them).
    pub copies: Vec<(NodeId, NodeId)>,
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
        // The result shares the source's names: its copies of source nodes take their names
        // as they are.
        ex.out.push(Frame {
            tree: Tree::with_names_of(ex.docs[0].tree()),
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
            warnings: ex.warnings,
            copies: ex.copies,
        })
    }
}

/// Stack left before a template invocation grows the stack, and the size of each new segment.
const STACK_RED_ZONE: usize = 256 * 1024;
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// The code of the placeholder error that carries an XSLT error through XPath evaluation.
const TUNNEL: &str = "WXSL-TUNNEL";

/// One transformation in progress.
struct Exec<'a> {
    sheet: &'a Stylesheet,
    opts: &'a TransformOptions,
    /// Every document, by [`DocId`]: the source first, then fragments and loaded documents.
    docs: Vec<Slot<'a>>,
    /// Where each document came from (for `document()` base URIs).
    doc_paths: Vec<Option<PathBuf>>,
    /// The trees being built: the result, then any fragments under construction.
    out: Vec<Frame>,
    /// Local variables and parameters in scope, innermost last.
    locals: Vec<(ExpandedName, Value)>,
    /// Where the current template's locals start in `locals` (those before are out of sight).
    frame_base: usize,
    /// Global variables, by index into the stylesheet's globals.
    globals: Vec<GlobalState>,
    global_index: HashMap<ExpandedName, usize>,
    /// The XPath context: context node, position and size.
    ctx: Context,
    /// The current node (`current()`).
    current: NodeRef,
    /// The current template rule (for `xsl:apply-imports`; none inside `xsl:for-each`).
    template: Option<usize>,
    /// The current mode.
    mode: Option<ExpandedName>,
    /// Template invocations in progress.
    depth: usize,
    /// Key indexes built so far.
    keys: HashMap<(ExpandedName, DocId), KeyIndex>,
    /// `xsl:message` texts.
    messages: Vec<String>,
    warnings: Vec<XsltError>,
    /// The XSLT error an XPath evaluation carries out (see [`TUNNEL`]).
    pending: Option<XsltError>,
    /// Documents `document()` has read, by canonical path.
    loaded: HashMap<PathBuf, DocId>,
    /// Stylesheet modules loaded as documents (`document('')`), by module index.
    module_docs: HashMap<u32, DocId>,
    /// The instruction being executed, for errors of functions.
    cur_loc: Loc,
    output_nodes: usize,
    output_bytes: usize,
    work: u64,
    /// `generate-id()` numbers.
    ids: HashMap<NodeRef, usize>,
    /// The current time, once read (see [`TransformOptions::now`]).
    now: Option<i64>,
    /// The state of `math:random()`'s generator (0: not seeded yet).
    rng: u64,
    /// The `func:result` of each function call in progress, innermost last.
    func_results: Vec<Option<Value>>,
    /// For the source's nodes, once computed: the height of the node's subtree when the
    /// default mode's identity template is the only rule any node in it can get, else
    /// `u32::MAX` (see [`Exec::copy_subtree`]).
    plain: Option<Vec<u16>>,
    /// See [`TransformResult::copies`].
    copies: Vec<(NodeId, NodeId)>,
}

impl<'a> Exec<'a> {
    /// An execution of `sheet` with `opts`, before any document is added.
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
            warnings: Vec::new(),
            pending: None,
            loaded: HashMap::new(),
            module_docs: HashMap::new(),
            cur_loc: Loc::default(),
            output_nodes: 0,
            output_bytes: 0,
            work: 0,
            ids: HashMap::new(),
            now: opts.now,
            rng: 0,
            func_results: Vec::new(),
            plain: None,
            copies: Vec::new(),
        }
    }

    /// An error at a location of the stylesheet.
    fn err(&self, loc: Loc, code: &'static str, message: impl Into<String>) -> XsltError {
        self.sheet.error_at(loc, code, message)
    }

    /// Converts an XPath error from evaluating `x` (or the XSLT error it carries).
    fn xerr(&mut self, x: &XExpr, e: XPathError) -> XsltError {
        if e.code == TUNNEL
            && let Some(p) = self.pending.take()
        {
            return p;
        }
        self.sheet.xpath_error(x.loc, &e)
    }

    /// Stores an XSLT error to be carried through the XPath evaluator.
    fn tunnel(&mut self, e: XsltError, span: &Span) -> XPathError {
        self.pending = Some(e);
        XPathError::new(TUNNEL, "XSLT error", span.clone())
    }

    /// Evaluates `x` in the current context.
    fn eval(&mut self, x: &XExpr) -> Result<Value, XsltError> {
        let ctx = self.ctx;
        evaluate(&x.expr, &ctx, self).map_err(|e| self.xerr(x, e))
    }

    /// Evaluates `x` in context `ctx`.
    fn eval_at(&mut self, x: &XExpr, ctx: Context) -> Result<Value, XsltError> {
        evaluate(&x.expr, &ctx, self).map_err(|e| self.xerr(x, e))
    }

    /// Evaluates `x` to a string.
    fn eval_string(&mut self, x: &XExpr) -> Result<String, XsltError> {
        let v = self.eval(x)?;
        Ok(to_string(&v, self).to_string())
    }

    /// Evaluates `x` to a node-set; `what` names the attribute for the error.
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

    /// Evaluates an attribute value template.
    fn avt(&mut self, a: &Avt) -> Result<String, XsltError> {
        let mut s = String::new();
        for p in &a.parts {
            match p {
                AvtPart::Lit(l) => s.push_str(l),
                AvtPart::Expr(x) => s.push_str(&self.eval_string(x)?),
            }
        }
        Ok(s)
    }

    /// Evaluates an optional attribute value template.
    fn opt_avt(&mut self, a: &Option<Avt>) -> Result<Option<String>, XsltError> {
        match a {
            Some(a) => self.avt(a).map(Some),
            None => Ok(None),
        }
    }

    /// Converts an error from matching a pattern (or the XSLT error it carries).
    fn pattern_error(&mut self, loc: Loc, e: XPathError) -> XsltError {
        if e.code == TUNNEL
            && let Some(p) = self.pending.take()
        {
            return p;
        }
        self.err(loc, e.code, e.message)
    }

    /// The current node (for `xsl:number`).
    fn current_node(&self) -> NodeRef {
        self.current
    }

    /// Runs a body, dropping the variables it binds.
    fn exec_body(&mut self, body: &[Instr]) -> Result<(), XsltError> {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || self.exec_body_inner(body))
    }

    /// [`Exec::exec_body`] on the current stack.
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

    /// Runs one instruction, in the file of its family.
    fn exec(&mut self, i: &Instr) -> Result<(), XsltError> {
        self.cur_loc = i.loc;
        let loc = i.loc;
        match &i.kind {
            InstrKind::ApplyTemplates {
                select,
                mode,
                sorts,
                params,
            } => self.apply_templates(select.as_ref(), mode.as_ref(), sorts, params),
            InstrKind::CallTemplate { name, params } => self.call_template(name, params, loc),
            InstrKind::ApplyImports => self.apply_imports(loc),
            InstrKind::ForEach {
                select,
                sorts,
                body,
            } => self.for_each(select, sorts, body),
            InstrKind::If { test, body } => self.if_(test, body),
            InstrKind::Choose { whens, otherwise } => self.choose(whens, otherwise.as_deref()),
            InstrKind::FuncResult { select, body } => self.func_result(select.as_ref(), body, loc),
            InstrKind::Unsupported { name, fallback } => {
                self.unsupported(name, fallback.as_deref(), loc)
            }
            InstrKind::Text { text, doe } => self.append_text(text, *doe, loc),
            InstrKind::ValueOf { select, doe } => self.value_of(select, *doe, loc),
            InstrKind::Literal(le) => self.literal_element(le, loc),
            InstrKind::Element {
                name,
                namespace,
                ns,
                use_sets,
                body,
            } => self.element(name, namespace.as_ref(), ns, use_sets, body, loc),
            InstrKind::Attribute {
                name,
                namespace,
                ns,
                body,
            } => self.attribute(name, namespace.as_ref(), ns, body, loc),
            InstrKind::Copy { use_sets, body } => self.copy(use_sets, body, loc),
            InstrKind::CopyOf { select } => self.copy_of(select, loc),
            InstrKind::Comment { body } => self.comment(body, loc),
            InstrKind::Pi { name, body } => self.processing_instruction(name, body, loc),
            InstrKind::Variable(b) => self.local_variable(b),
            InstrKind::Number(n) => self.number(n, loc),
            InstrKind::Message { body, terminate } => self.message(body, *terminate, loc),
        }
    }
}
