//! The functions a stylesheet can call besides XPath's core library: XSLT's own (`key()`,
//! `document()`, `format-number()`...) and extension functions, one file per namespace.
//!
//! Each file lists its functions as [`HostFn`]s: name, arity, which argument is a QName, and the
//! Rust function that runs it. [`signatures`] is the table the XPath parser resolves calls
//! against (`StaticContext::functions`, see `compile/attrs.rs`); a call compiles to
//! `Function::Host(index)`, and at run time `Env::call_host` (`exec/env.rs`) hands the index and
//! the evaluated arguments to [`call`]. A function sees the running transformation only through
//! [`Host`].
//!
//! - `xslt.rs`, no namespace: XSLT's own `key`, `document`, `format-number`, `current`,
//!   `unparsed-entity-uri`, `generate-id`, `system-property`, `element-available` and
//!   `function-available`;
//! - `common.rs`, EXSLT common ([`EXSLT_COMMON`]): `exsl:node-set`, `exsl:object-type`;
//! - `strings.rs`, `math.rs`, `sets.rs`, `dates.rs`: EXSLT strings, math, sets and
//!   dates-and-times, as libexslt implements them (`cmath.rs`: the C library's math functions
//!   that math and dates call);
//! - `dynamic.rs`, EXSLT dynamic: `dyn:evaluate`, `dyn:map` (they parse XPath at run time, with
//!   the namespaces the compiler hands them: [`HostFn::with_namespaces`]);
//! - `msxsl.rs` ([`MSXSL_NS`]): `msxsl:node-set`;
//! - `libxslt.rs` ([`LIBXSLT_NS`]): libxslt's `node-set`.
//!
//! A new namespace is a file here with its URI and `FUNCTIONS`, and a line in [`NAMESPACES`];
//! `function-available()` then reports its functions too. Functions a stylesheet defines
//! (EXSLT's `func:function`, [`EXSLT_FUNCTIONS`]) are no host functions: the compiler reads them
//! (`compile/functions.rs`) and XPath calls them through `Env::call_extension`
//! (`exec/functions.rs`).

mod cmath;
mod common;
mod dates;
mod dynamic;
mod libxslt;
mod math;
mod msxsl;
mod sets;
mod strings;
mod xslt;

use std::sync::LazyLock;

use crate::xml::Tree;
use crate::xpath::ast::{Expr, ExprKind, Function, HostFunction};
use crate::xpath::value::{DocId, NodeRef, Value};
use crate::xpath::{Context, Env, ExpandedName, XPathError};
use crate::xslt::ast::DecimalFormat;
use crate::xslt::error::XsltError;

pub use common::EXSLT_COMMON;
pub use libxslt::LIBXSLT_NS;
pub use msxsl::MSXSL_NS;

/// EXSLT functions (`func:function`, `func:result`: `compile/functions.rs`,
/// `exec/functions.rs`).
pub const EXSLT_FUNCTIONS: &str = "http://exslt.org/functions";

/// What a host function may ask of the transformation that calls it (`exec/env.rs` implements
/// it for the executor).
pub(crate) trait Host {
    /// The transformation as an XPath environment: its documents, for string values.
    fn env(&self) -> &dyn Env;
    /// An error at the instruction being executed.
    fn error(&self, code: &'static str, message: String) -> XsltError;
    /// A warning at the instruction being executed: the transformation goes on, and the caller
    /// finds it in `TransformResult::warnings`.
    fn warn(&mut self, code: &'static str, message: String);
    /// The current node (`current()`): the node the instruction runs on, whatever the context
    /// node of the expression.
    fn current(&self) -> NodeRef;
    /// Adds a tree the function built as a new document.
    fn add_tree(&mut self, tree: Tree) -> DocId;
    /// The nodes of document `doc` whose key `name` (`xsl:key`) has one of `values`, not yet in
    /// document order; an undeclared key selects nothing.
    fn key(
        &mut self,
        name: &ExpandedName,
        doc: DocId,
        values: &[String],
    ) -> Result<Vec<NodeRef>, XsltError>;
    /// `document()` with its evaluated arguments.
    fn document(&mut self, args: Vec<Value>) -> Result<Value, XsltError>;
    /// The `xsl:decimal-format` named `name` (`None`: the unnamed one), if declared.
    fn decimal_format(&self, name: Option<&ExpandedName>) -> Option<&DecimalFormat>;
    /// The `generate-id()` of a node.
    fn generate_id(&mut self, node: NodeRef) -> String;
    /// Evaluates an expression parsed at run time (`dyn:evaluate`) in context `ctx`, with the
    /// variables in scope at the calling instruction. `Ok(Err(e))`: the expression failed
    /// with an XPath error, which the caller may recover from; `Err`: the transformation stops
    /// (an XSLT error inside, such as a terminating message or the work budget).
    fn evaluate(
        &mut self,
        expr: &Expr,
        ctx: &Context,
    ) -> Result<Result<Value, XPathError>, XsltError>;
    /// Whether the stylesheet defines function `name` (`func:function`).
    fn has_function(&self, name: &ExpandedName) -> bool;
    /// The current time in seconds since 1970-01-01T00:00:00Z, the same for the whole
    /// transformation (`TransformOptions::now`, else the clock).
    fn now(&mut self) -> i64;
    /// Charges `units` of work (bytes a function is about to build) to the transformation's
    /// budget: WXSL0004 once it is spent, as for `concat()`.
    fn charge(&mut self, units: u64) -> Result<(), XsltError>;
    /// A pseudo-random number in [0, 1) (`math:random()`).
    fn random(&mut self) -> f64;
}

/// Adds a tree a function built as a new document and returns the nodes at its top (the
/// children of its root), in document order: how `exsl:node-set`, `str:tokenize`, `dyn:map`...
/// return what they make.
pub(crate) fn new_document(h: &mut dyn Host, tree: Tree) -> Vec<NodeRef> {
    let id = h.add_tree(tree);
    h.env()
        .tree(id)
        .children(crate::xml::NodeId::ROOT)
        .map(|c| NodeRef::new(id, c))
        .collect()
}

/// Runs a host function on its evaluated arguments (as many as its [`HostFn`] allows).
pub(crate) type HostCall = fn(&mut dyn Host, Vec<Value>, &Context) -> Result<Value, XsltError>;

/// An argument that names something by QName (`key('p:name', ...)`). A string literal there is
/// resolved against the stylesheet's namespaces at compile time and passed in Clark notation
/// (`{uri}local`, read back by [`parse_clark`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct QNameArg {
    /// Which argument (from 0).
    pub index: usize,
    /// Whether an unprefixed name is in the default namespace (`element-available()`) rather
    /// than in none.
    pub default_ns: bool,
}

/// A function the stylesheet can call: its signature for the parser, and how to run it.
#[derive(Clone, Copy)]
pub(crate) struct HostFn {
    /// Namespace, name and arity.
    pub sig: HostFunction,
    /// The argument that is a QName, if any.
    pub qname_arg: Option<QNameArg>,
    /// Whether the function gets the in-scope namespaces of the calling stylesheet element as
    /// an extra last argument (see [`HostFn::with_namespaces`]).
    pub namespaces: bool,
    /// The implementation.
    pub call: HostCall,
}

impl HostFn {
    /// A function `{uri}local` taking `min` to `max` arguments (`None`: any number).
    pub(crate) const fn new(
        uri: &'static str,
        local: &'static str,
        min: usize,
        max: Option<usize>,
        call: HostCall,
    ) -> HostFn {
        HostFn {
            sig: HostFunction {
                uri,
                local,
                min,
                max,
            },
            qname_arg: None,
            namespaces: false,
            call,
        }
    }

    /// The same function, called with one more argument after those written: the namespaces
    /// in scope where the call is written ([`decode_namespaces`] reads it), for functions that
    /// parse XPath at run time (`dyn:evaluate`).
    pub(crate) const fn with_namespaces(mut self) -> HostFn {
        self.namespaces = true;
        self
    }

    /// The same function, whose argument `index` is a QName.
    pub(crate) const fn qname_arg(mut self, index: usize, default_ns: bool) -> HostFn {
        self.qname_arg = Some(QNameArg { index, default_ns });
        self
    }
}

/// Every namespace's functions. Their order is the order of [`signatures`], which the indices
/// of compiled calls point into.
const NAMESPACES: &[&[HostFn]] = &[
    xslt::FUNCTIONS,
    common::FUNCTIONS,
    strings::FUNCTIONS,
    math::FUNCTIONS,
    sets::FUNCTIONS,
    dates::FUNCTIONS,
    dynamic::FUNCTIONS,
    msxsl::FUNCTIONS,
    libxslt::FUNCTIONS,
];

/// [`NAMESPACES`] flattened, and their signatures side by side (the parser takes a slice).
struct Table {
    signatures: Vec<HostFunction>,
    functions: Vec<&'static HostFn>,
}

/// Built on first use.
static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let functions: Vec<&'static HostFn> = NAMESPACES.iter().flat_map(|ns| ns.iter()).collect();
    Table {
        signatures: functions.iter().map(|f| f.sig).collect(),
        functions,
    }
});

/// The signatures of every host function, for `StaticContext::functions`.
pub(crate) fn signatures() -> &'static [HostFunction] {
    &TABLE.signatures
}

/// The QName argument of host function `index`, if it has one.
pub(crate) fn qname_arg(index: usize) -> Option<QNameArg> {
    TABLE.functions.get(index).and_then(|f| f.qname_arg)
}

/// Runs host function `index` (from a compiled `Function::Host`).
pub(crate) fn call(
    index: usize,
    host: &mut dyn Host,
    args: Vec<Value>,
    ctx: &Context,
) -> Result<Value, XsltError> {
    match TABLE.functions.get(index) {
        Some(f) => (f.call)(host, args, ctx),
        None => Err(host.error("XPST0017", "unknown function".to_owned())),
    }
}

/// Reads a name in Clark notation (`{uri}local`), as QName arguments arrive; anything else is a
/// local name.
pub(crate) fn parse_clark(s: &str) -> ExpandedName {
    if let Some(rest) = s.strip_prefix('{')
        && let Some((u, l)) = rest.split_once('}')
    {
        return ExpandedName::new(u, l);
    }
    ExpandedName::local(s.trim())
}

/// Gives host function calls in `e` what they need from the stylesheet at compile time: literal
/// QName arguments (`key()`, `format-number()`...: those with a [`QNameArg`]) become Clark
/// notation (`{uri}local`) through `resolve`, and functions that evaluate XPath at run time
/// (`dyn:evaluate`: [`HostFn::namespaces`]) get one more argument, the namespaces in scope
/// (`in_scope`, made by [`encode_namespaces`]).
pub(crate) fn resolve_host_arguments(
    e: &mut Expr,
    resolve: &dyn Fn(&str) -> Option<String>,
    in_scope: &dyn Fn() -> String,
) -> Result<(), XPathError> {
    fn walk(
        e: &mut Expr,
        resolve: &dyn Fn(&str) -> Option<String>,
        in_scope: &dyn Fn() -> String,
    ) -> Result<(), XPathError> {
        match &mut e.kind {
            ExprKind::Call(f, args) => {
                let qname_arg = match f {
                    Function::Host(i, _) => qname_arg(*i),
                    _ => None,
                };
                for (k, a) in args.iter_mut().enumerate() {
                    if let Some(q) = qname_arg.filter(|q| q.index == k)
                        && let ExprKind::Literal(l) = &a.kind
                    {
                        let v = l.trim();
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
                            None if q.default_ns => match resolve("") {
                                Some(u) if !u.is_empty() => format!("{{{u}}}{v}"),
                                _ => v.to_owned(),
                            },
                            None => v.to_owned(),
                        };
                        a.kind = ExprKind::Literal(clark.into());
                        continue;
                    }
                    walk(a, resolve, in_scope)?;
                }
                if let Function::Host(i, _) = f
                    && TABLE.functions.get(*i).is_some_and(|h| h.namespaces)
                {
                    let span = e.span.clone();
                    args.push(Expr {
                        kind: ExprKind::Literal(in_scope().into()),
                        span,
                    });
                }
                Ok(())
            }
            ExprKind::Or(a, b)
            | ExprKind::And(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Union(a, b) => {
                walk(a, resolve, in_scope)?;
                walk(b, resolve, in_scope)
            }
            ExprKind::Neg(a) => walk(a, resolve, in_scope),
            ExprKind::Filter(a, preds) => {
                walk(a, resolve, in_scope)?;
                for p in preds {
                    walk(p, resolve, in_scope)?;
                }
                Ok(())
            }
            ExprKind::Path(start, steps) => {
                if let crate::xpath::ast::PathStart::Expr(a) = start {
                    walk(a, resolve, in_scope)?;
                }
                for s in steps {
                    for p in &mut s.preds {
                        walk(p, resolve, in_scope)?;
                    }
                }
                Ok(())
            }
            ExprKind::Literal(_) | ExprKind::Number(_) | ExprKind::Var(_) => Ok(()),
        }
    }
    walk(e, resolve, in_scope)
}

/// The in-scope namespaces of a stylesheet element as one string, for functions that parse
/// XPath at run time (read back by [`decode_namespaces`]).
pub(crate) fn encode_namespaces(bindings: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (p, u) in bindings {
        if !s.is_empty() {
            s.push('\0');
        }
        s.push_str(p);
        s.push('\u{1}');
        s.push_str(u);
    }
    s
}

/// The (prefix, uri) pairs [`encode_namespaces`] wrote.
pub(crate) fn decode_namespaces(s: &str) -> Vec<(&str, &str)> {
    s.split('\0')
        .filter_map(|b| b.split_once('\u{1}'))
        .collect()
}
