//! The evaluator: expressions over the trees of an [`Env`].

use std::rc::Rc;

use crate::xml::{NodeId, Tree};
use crate::xpath::ast::*;
use crate::xpath::axes::{self, Test};
pub use crate::xpath::compare::compare;
use crate::xpath::compare::fast_equality;
use crate::xpath::error::XPathError;
use crate::xpath::functions;
use crate::xpath::value::*;

/// The dynamic context of an evaluation: context node, position and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    /// The context node.
    pub node: NodeRef,
    /// The context position (1-based).
    pub position: usize,
    /// The context size.
    pub size: usize,
}

impl Context {
    /// A context of one node (position 1, size 1).
    pub fn node(node: NodeRef) -> Context {
        Context {
            node,
            position: 1,
            size: 1,
        }
    }
}

/// What an evaluation needs from its host: the trees, variables and host functions.
pub trait Env {
    /// The tree with id `doc`.
    fn tree(&self, doc: DocId) -> &Tree;

    /// The value of a variable, `Ok(None)` if it is not in scope. It takes `&mut self` so that a
    /// host can evaluate global variables lazily (and report their errors).
    fn variable(&mut self, name: &ExpandedName, span: &Span) -> Result<Option<Value>, XPathError>;

    /// Charges `units` of work (nodes visited, bytes built); an error stops the evaluation.
    /// Hosts bound runaway expressions with it (`//*//*//*…`, exponential `concat`).
    fn charge(&mut self, units: u64, span: &Span) -> Result<(), XPathError> {
        let _ = (units, span);
        Ok(())
    }

    /// Calls host function `index` (from the parser's host table).
    fn call_host(
        &mut self,
        index: usize,
        name: &ExpandedName,
        args: Vec<Value>,
        ctx: &Context,
        span: &Span,
    ) -> Result<Value, XPathError> {
        let _ = (index, args, ctx);
        Err(XPathError::new(
            "XPST0017",
            format!("function {name}() is not available here"),
            span.clone(),
        ))
    }

    /// Whether the host defines function `name`, which the parser did not know (a function a
    /// stylesheet defines with EXSLT's `func:function`).
    fn has_extension(&self, name: &ExpandedName) -> bool {
        let _ = name;
        false
    }

    /// Calls such a function (only asked when [`Env::has_extension`] says it exists).
    fn call_extension(
        &mut self,
        name: &ExpandedName,
        args: Vec<Value>,
        ctx: &Context,
        span: &Span,
    ) -> Result<Value, XPathError> {
        let _ = (args, ctx);
        Err(XPathError::new(
            "XPST0017",
            format!("unknown function {name}()"),
            span.clone(),
        ))
    }
}

/// A simple environment: a list of trees and variables, no host functions.
pub struct SimpleEnv<'a> {
    /// The trees; a tree's [`DocId`] is its index.
    pub trees: Vec<&'a Tree>,
    /// Variables.
    pub variables: Vec<(ExpandedName, Value)>,
    /// Work left (see [`Env::charge`]): evaluations fail with WXSL0004 once it is spent.
    /// 100 million by default, as for a transformation.
    pub budget: u64,
}

impl Default for SimpleEnv<'_> {
    fn default() -> Self {
        SimpleEnv {
            trees: Vec::new(),
            variables: Vec::new(),
            budget: 100_000_000,
        }
    }
}

impl<'a> SimpleEnv<'a> {
    /// An environment over one tree (doc id 0).
    pub fn new(tree: &'a Tree) -> SimpleEnv<'a> {
        SimpleEnv {
            trees: vec![tree],
            ..SimpleEnv::default()
        }
    }
}

impl Env for SimpleEnv<'_> {
    fn tree(&self, doc: DocId) -> &Tree {
        self.trees[doc as usize]
    }

    fn charge(&mut self, units: u64, span: &Span) -> Result<(), XPathError> {
        match self.budget.checked_sub(units) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(XPathError::new(
                "WXSL0004",
                "the evaluation exceeded its budget of work (an expression that grows exponentially?)",
                span.clone(),
            )),
        }
    }

    fn variable(&mut self, name: &ExpandedName, _span: &Span) -> Result<Option<Value>, XPathError> {
        Ok(self
            .variables
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone()))
    }
}

/// Evaluates an expression.
pub fn evaluate(e: &Expr, ctx: &Context, env: &mut dyn Env) -> Result<Value, XPathError> {
    // Nesting is capped by the parser; this keeps deep expressions safe on small stacks too.
    stacker::maybe_grow(32 * 1024, 1024 * 1024, || evaluate_inner(e, ctx, env))
}

fn evaluate_inner(e: &Expr, ctx: &Context, env: &mut dyn Env) -> Result<Value, XPathError> {
    Ok(match &e.kind {
        ExprKind::Or(a, b) => {
            Value::Bool(to_bool(&evaluate(a, ctx, env)?) || to_bool(&evaluate(b, ctx, env)?))
        }
        ExprKind::And(a, b) => {
            Value::Bool(to_bool(&evaluate(a, ctx, env)?) && to_bool(&evaluate(b, ctx, env)?))
        }
        ExprKind::Compare(op, a, b) => {
            if matches!(op, CmpOp::Eq | CmpOp::Ne)
                && let Some(r) = fast_equality(*op, a, b, ctx, env)?
            {
                return Ok(Value::Bool(r));
            }
            let x = evaluate(a, ctx, env)?;
            let y = evaluate(b, ctx, env)?;
            Value::Bool(compare(*op, &x, &y, env))
        }
        ExprKind::Arith(op, a, b) => {
            let x = to_num(&evaluate(a, ctx, env)?, env);
            let y = to_num(&evaluate(b, ctx, env)?, env);
            Value::Num(match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div => x / y,
                ArithOp::Mod => x % y,
            })
        }
        ExprKind::Neg(a) => Value::Num(-to_num(&evaluate(a, ctx, env)?, env)),
        ExprKind::Union(a, b) => {
            let x = node_set(evaluate(a, ctx, env)?, &a.span, "|")?;
            let y = node_set(evaluate(b, ctx, env)?, &b.span, "|")?;
            if y.is_empty() {
                return Ok(Value::Nodes(x));
            }
            if x.is_empty() {
                return Ok(Value::Nodes(y));
            }
            let mut v = Vec::with_capacity(x.len() + y.len());
            v.extend_from_slice(&x);
            v.extend_from_slice(&y);
            // `@*|node()`: the left side ends before the right one starts, nothing to sort.
            if x.last() >= y.first() {
                v.sort_unstable();
                v.dedup();
            }
            Value::Nodes(Rc::new(v))
        }
        ExprKind::Path(PathStart::Context, steps)
            if steps.len() == 1 && steps[0].preds.is_empty() =>
        {
            // `@*`, `node()`, `add`: one step from the context node, without the general path's
            // intermediate lists.
            let step = &steps[0];
            let mut out = Vec::new();
            {
                let tree = env.tree(ctx.node.doc);
                let test = Test::resolve(tree, step.axis, &step.test);
                if !matches!(test, Test::Nothing) {
                    axes::collect(tree, ctx.node, step.axis, &test, &mut out);
                }
            }
            env.charge(out.len() as u64 + 1, &e.span)?;
            if step.axis.is_reverse() {
                out.reverse();
            }
            sort_dedup(&mut out);
            Value::Nodes(Rc::new(out))
        }
        ExprKind::Path(start, steps) => {
            let nodes: Vec<NodeRef> = match start {
                PathStart::Root => vec![NodeRef::new(ctx.node.doc, NodeId::ROOT)],
                PathStart::Context => vec![ctx.node],
                PathStart::Expr(inner) => {
                    let v = evaluate(inner, ctx, env)?;
                    node_set(v, &inner.span, "/")?.to_vec()
                }
            };
            Value::Nodes(Rc::new(eval_steps(nodes, steps, env, &e.span)?))
        }
        ExprKind::Filter(inner, preds) => {
            let v = evaluate(inner, ctx, env)?;
            let nodes = node_set(v, &inner.span, "[]")?.to_vec();
            Value::Nodes(Rc::new(apply_predicates(nodes, preds, env)?))
        }
        ExprKind::Literal(s) => Value::Str(s.clone()),
        ExprKind::Number(n) => Value::Num(*n),
        ExprKind::Var(name) => env.variable(name, &e.span)?.ok_or_else(|| {
            XPathError::new(
                "XPST0008",
                format!("variable ${name} is not defined"),
                e.span.clone(),
            )
        })?,
        ExprKind::Call(f, args) => match f {
            Function::Core(c) => functions::call_core(*c, args, ctx, env, &e.span)?,
            Function::Host(i, name) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(evaluate(a, ctx, env)?);
                }
                env.call_host(*i, name, vals, ctx, &e.span)?
            }
            Function::Unknown(name) => {
                if !env.has_extension(name) {
                    return Err(XPathError::new(
                        "XPST0017",
                        format!("unknown function {name}()"),
                        e.span.clone(),
                    ));
                }
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(evaluate(a, ctx, env)?);
                }
                env.call_extension(name, vals, ctx, &e.span)?
            }
        },
    })
}

/// A value that must be a node-set (an operand of `/`, `|`, a filter, `count()`...).
pub(crate) fn node_set(v: Value, span: &Span, what: &str) -> Result<NodeSet, XPathError> {
    match v {
        Value::Nodes(n) => Ok(n),
        Value::Rtf(_) => Err(XPathError::type_error(
            format!(
                "a result tree fragment cannot be used as a node-set with '{what}' in XSLT 1.0 (use exsl:node-set())"
            ),
            span.clone(),
        )),
        other => Err(XPathError::type_error(
            format!("'{what}' needs a node-set, not a {}", other.type_name()),
            span.clone(),
        )),
    }
}

fn eval_steps(
    mut cur: Vec<NodeRef>,
    steps: &[Step],
    env: &mut dyn Env,
    span: &Span,
) -> Result<Vec<NodeRef>, XPathError> {
    let mut buf: Vec<NodeRef> = Vec::new();
    for step in steps {
        let mut next: Vec<NodeRef> = Vec::new();
        let mut resolved: Option<(DocId, Test<'_>)> = None;
        for &n in &cur {
            buf.clear();
            {
                let tree = env.tree(n.doc);
                let test = match resolved {
                    Some((d, t)) if d == n.doc => t,
                    _ => {
                        let t = Test::resolve(tree, step.axis, &step.test);
                        resolved = Some((n.doc, t));
                        t
                    }
                };
                if matches!(test, Test::Nothing) {
                    continue;
                }
                axes::collect(tree, n, step.axis, &test, &mut buf);
            }
            env.charge(buf.len() as u64 + 1, span)?;
            if !step.preds.is_empty() {
                let nodes = std::mem::take(&mut buf);
                buf = apply_predicates(nodes, &step.preds, env)?;
            }
            if step.axis.is_reverse() {
                buf.reverse();
            }
            next.extend_from_slice(&buf);
        }
        sort_dedup(&mut next);
        cur = next;
        if cur.is_empty() {
            break;
        }
    }
    Ok(cur)
}

/// Filters `nodes` (in axis order) through predicates, each with positions 1..=len.
fn apply_predicates(
    mut nodes: Vec<NodeRef>,
    preds: &[Expr],
    env: &mut dyn Env,
) -> Result<Vec<NodeRef>, XPathError> {
    for pred in preds {
        if nodes.is_empty() {
            break;
        }
        // [n] with a literal number: pick directly.
        if let ExprKind::Number(k) = pred.kind {
            nodes = if k >= 1.0 && k.fract() == 0.0 && (k as usize) <= nodes.len() {
                vec![nodes[k as usize - 1]]
            } else {
                Vec::new()
            };
            continue;
        }
        let size = nodes.len();
        let mut kept = Vec::with_capacity(size);
        for (i, &n) in nodes.iter().enumerate() {
            let ctx = Context {
                node: n,
                position: i + 1,
                size,
            };
            let keep = match evaluate(pred, &ctx, env)? {
                Value::Num(x) => x == (i + 1) as f64,
                v => to_bool(&v),
            };
            if keep {
                kept.push(n);
            }
        }
        nodes = kept;
    }
    Ok(nodes)
}

/// `boolean()`
pub fn to_bool(v: &Value) -> bool {
    match v {
        Value::Nodes(n) => !n.is_empty(),
        Value::Bool(b) => *b,
        Value::Num(n) => num_to_bool(*n),
        Value::Str(s) => !s.is_empty(),
        Value::Rtf(_) => true,
    }
}

/// `string()`
pub fn to_string(v: &Value, env: &dyn Env) -> std::sync::Arc<str> {
    match v {
        Value::Str(s) => s.clone(),
        Value::Nodes(n) => match n.first() {
            Some(&first) => string_value(env.tree(first.doc), first).into(),
            None => "".into(),
        },
        Value::Rtf(r) => string_value(env.tree(r.doc), *r).into(),
        Value::Num(n) => num_to_str(*n).into(),
        Value::Bool(b) => if *b { "true" } else { "false" }.into(),
    }
}

/// `number()`
pub fn to_num(v: &Value, env: &dyn Env) -> f64 {
    match v {
        Value::Num(n) => *n,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(s) => str_to_num(s),
        Value::Nodes(_) | Value::Rtf(_) => str_to_num(&to_string(v, env)),
    }
}
