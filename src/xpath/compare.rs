//! XPath 1.0 §3.4 comparisons (`=`, `!=`, `<`, ...), and the evaluation of `=` and `!=` between
//! strings without building intermediate values.
//!
//! Stylesheets test names and values all the time: `local-name()='add'`,
//! `translate(@name, 'ABC…', 'abc…') = $key`, `@path = '.'`. Evaluated as written, each builds a
//! node-set, copies a string-value, allocates the function's result and wraps it in a [`Value`]
//! before two strings are compared. `fast_equality` recognises the operands whose type is a
//! string by their shape and compares them borrowed from the tree where it can; the result is
//! the same as [`compare`]'s on the evaluated values (`tests` below check both ways).

use std::borrow::Cow;
use std::sync::Arc;

use crate::xml::NodeKind;
use crate::xpath::ast::{CmpOp, CoreFn, ExpandedName, Expr, ExprKind, Function};
use crate::xpath::error::XPathError;
use crate::xpath::eval::{Context, Env, evaluate, to_bool, to_num, to_string};
use crate::xpath::functions::{normalize_space, translate};
use crate::xpath::value::*;

/// The string-value of a node, borrowed from its tree when it is one piece of text.
pub(crate) fn string_value_ref(env: &dyn Env, n: NodeRef) -> Cow<'_, str> {
    let tree = env.tree(n.doc);
    if n.ns != 0 {
        return Cow::Borrowed(namespace_node(tree, n).1);
    }
    tree.string_value(n.node)
}

/// `local-name()` of a node.
pub(crate) fn local_name_ref(env: &dyn Env, n: NodeRef) -> &str {
    let tree = env.tree(n.doc);
    if n.ns != 0 {
        return namespace_node(tree, n).0;
    }
    match tree.kind(n.node) {
        NodeKind::Root | NodeKind::Text | NodeKind::Comment => "",
        _ => tree.local_name(n.node),
    }
}

/// A string operand, resolved against the trees only when it is compared.
enum Str<'e> {
    /// A literal of the expression.
    Lit(&'e str),
    Shared(Arc<str>),
    Owned(String),
    /// The string-value of a node.
    Node(NodeRef),
    /// The local name of a node.
    LocalName(NodeRef),
    /// A string in ASCII lower case: `translate(x, 'A…Z', 'a…z')`, the case folding of names
    /// in stylesheets, compared without building it.
    Lower(Box<Str<'e>>),
}

const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";

impl<'e> Str<'e> {
    fn get<'a>(&'a self, env: &'a dyn Env) -> Cow<'a, str> {
        match self {
            Str::Lit(s) => Cow::Borrowed(s),
            Str::Shared(s) => Cow::Borrowed(s),
            Str::Owned(s) => Cow::Borrowed(s),
            Str::Node(n) => string_value_ref(env, *n),
            Str::LocalName(n) => Cow::Borrowed(local_name_ref(env, *n)),
            Str::Lower(x) => Cow::Owned(x.get(env).to_ascii_lowercase()),
        }
    }

    /// Whether it equals `other`.
    fn equals(&self, other: &str, env: &dyn Env) -> bool {
        match self {
            // Lower case changes ASCII letters only, byte for byte (UTF-8 continuation bytes
            // are not ASCII).
            Str::Lower(x) => {
                let x = x.get(env);
                x.len() == other.len()
                    && x.bytes()
                        .zip(other.bytes())
                        .all(|(a, b)| a.to_ascii_lowercase() == b)
            }
            s => *s.get(env) == *other,
        }
    }

    /// Whether it equals `other` (either may be folded to lower case).
    fn equals_str(&self, other: &Str<'_>, env: &dyn Env) -> bool {
        match other {
            Str::Lower(_) => other.equals(&self.get(env), env),
            _ => self.equals(&other.get(env), env),
        }
    }

    fn into_value(self, env: &dyn Env) -> Value {
        match self {
            Str::Shared(s) => Value::Str(s),
            Str::Owned(s) => Value::str(s),
            other => Value::str(other.get(env).into_owned()),
        }
    }

    /// `string()` of an evaluated value.
    fn of(v: Value, env: &dyn Env) -> Str<'e> {
        match v {
            Value::Str(s) => Str::Shared(s),
            Value::Nodes(ns) => match ns.first() {
                Some(&n) => Str::Node(n),
                None => Str::Lit(""),
            },
            Value::Rtf(r) => Str::Node(r),
            other => Str::Shared(to_string(&other, env)),
        }
    }
}

/// The attribute `name` of a node (what `@name` selects), found without building a node-set.
fn attribute_of(env: &dyn Env, n: NodeRef, name: &ExpandedName) -> Option<NodeRef> {
    let tree = env.tree(n.doc);
    if n.ns != 0 || tree.kind(n.node) != NodeKind::Element {
        return None;
    }
    tree.attribute(n.node, &name.uri, &name.local)
        .map(|a| NodeRef::new(n.doc, a))
}

/// `string()` of an expression, without a [`Value`] where its shape allows.
fn string_of<'e>(e: &'e Expr, ctx: &Context, env: &mut dyn Env) -> Result<Str<'e>, XPathError> {
    if let Some(name) = e.attribute_step() {
        return Ok(match attribute_of(env, ctx.node, name) {
            Some(a) => Str::Node(a),
            None => Str::Lit(""),
        });
    }
    match string_shaped(e, ctx, env)? {
        Some(s) => Ok(s),
        None => {
            let v = evaluate(e, ctx, env)?;
            Ok(Str::of(v, env))
        }
    }
}

/// The value of `e` if its type is string whatever the input: a literal, `local-name()`,
/// `translate(…)`, `normalize-space(…)`, `string(…)`. `None` (nothing evaluated) otherwise.
fn string_shaped<'e>(
    e: &'e Expr,
    ctx: &Context,
    env: &mut dyn Env,
) -> Result<Option<Str<'e>>, XPathError> {
    let ExprKind::Call(Function::Core(f), args) = &e.kind else {
        return Ok(match &e.kind {
            ExprKind::Literal(s) => Some(Str::Lit(s)),
            _ => None,
        });
    };
    Ok(Some(match (f, args.as_slice()) {
        (CoreFn::LocalName, []) => Str::LocalName(ctx.node),
        (CoreFn::String, []) => Str::Node(ctx.node),
        (CoreFn::String, [x]) => string_of(x, ctx, env)?,
        (CoreFn::Translate, [x, from, to]) => {
            let x = string_of(x, ctx, env)?;
            let from = string_of(from, ctx, env)?;
            let to = string_of(to, ctx, env)?;
            let env: &dyn Env = env;
            let (from, to) = (from.get(env), to.get(env));
            if from == UPPER && to == LOWER {
                Str::Lower(Box::new(x))
            } else {
                Str::Owned(translate(&x.get(env), &from, &to))
            }
        }
        (CoreFn::NormalizeSpace, args) => {
            let x = match args.first() {
                Some(x) => string_of(x, ctx, env)?,
                None => Str::Node(ctx.node),
            };
            let env: &dyn Env = env;
            Str::Owned(normalize_space(&x.get(env)))
        }
        _ => return Ok(None),
    }))
}

/// The other operand of a string comparison.
enum Operand<'e> {
    Str(Str<'e>),
    /// `@name`: at most one node.
    Attribute(Option<NodeRef>),
    Value(Value),
}

fn operand<'e>(e: &'e Expr, ctx: &Context, env: &mut dyn Env) -> Result<Operand<'e>, XPathError> {
    if let Some(name) = e.attribute_step() {
        return Ok(Operand::Attribute(attribute_of(env, ctx.node, name)));
    }
    Ok(match string_shaped(e, ctx, env)? {
        Some(s) => Operand::Str(s),
        None => Operand::Value(evaluate(e, ctx, env)?),
    })
}

/// `a = b` or `a != b` when one side is a string by its shape; `None` (nothing evaluated)
/// when neither is.
pub(crate) fn fast_equality(
    op: CmpOp,
    a: &Expr,
    b: &Expr,
    ctx: &Context,
    env: &mut dyn Env,
) -> Result<Option<bool>, XPathError> {
    debug_assert!(matches!(op, CmpOp::Eq | CmpOp::Ne));
    // Operands are evaluated left to right, as in the general case.
    let (s, other) = match string_shaped(a, ctx, env)? {
        Some(s) => (s, operand(b, ctx, env)?),
        None => match &b.kind {
            // A literal on the right needs no evaluation first.
            ExprKind::Literal(l) => (Str::Lit(l), operand(a, ctx, env)?),
            _ => return Ok(None),
        },
    };
    let env: &dyn Env = env;
    let eq = op == CmpOp::Eq;
    Ok(Some(match other {
        Operand::Str(t) => s.equals_str(&t, env) == eq,
        // An empty node-set equals, and differs from, nothing.
        Operand::Attribute(None) => false,
        Operand::Attribute(Some(n)) => s.equals(&string_value_ref(env, n), env) == eq,
        Operand::Value(Value::Str(t)) => s.equals(&t, env) == eq,
        // A node-set: true if the comparison holds for some node.
        Operand::Value(Value::Nodes(ns)) => ns
            .iter()
            .any(|&n| s.equals(&string_value_ref(env, n), env) == eq),
        Operand::Value(Value::Rtf(r)) => s.equals(&string_value_ref(env, r), env) == eq,
        Operand::Value(v @ (Value::Num(_) | Value::Bool(_))) => {
            compare(op, &s.into_value(env), &v, env)
        }
    }))
}

fn nodes_of(v: &Value) -> Option<&[NodeRef]> {
    match v {
        Value::Nodes(n) => Some(n),
        Value::Rtf(r) => Some(std::slice::from_ref(r)),
        _ => None,
    }
}

fn cmp_strings(op: CmpOp, a: &str, b: &str) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        _ => cmp_numbers(op, str_to_num(a), str_to_num(b)),
    }
}

fn cmp_numbers(op: CmpOp, a: f64, b: f64) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    }
}

fn swap(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        o => o,
    }
}

/// XPath 1.0 §3.4 comparisons.
pub fn compare(op: CmpOp, a: &Value, b: &Value, env: &dyn Env) -> bool {
    let sv = |n: NodeRef| string_value_ref(env, n);
    match (nodes_of(a), nodes_of(b)) {
        (Some(x), Some(y)) => {
            if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                if x.is_empty() || y.is_empty() {
                    return false;
                }
                let ys: std::collections::HashSet<Cow<'_, str>> =
                    y.iter().map(|&n| sv(n)).collect();
                if op == CmpOp::Eq {
                    x.iter().any(|&n| ys.contains(&sv(n)))
                } else if ys.len() > 1 {
                    // Two different strings on the right: any left string differs from one.
                    true
                } else {
                    let only = ys.iter().next().expect("non-empty");
                    x.iter().any(|&n| &sv(n) != only)
                }
            } else {
                let xs: Vec<f64> = x
                    .iter()
                    .map(|&n| str_to_num(&sv(n)))
                    .filter(|v| !v.is_nan())
                    .collect();
                let ys: Vec<f64> = y
                    .iter()
                    .map(|&n| str_to_num(&sv(n)))
                    .filter(|v| !v.is_nan())
                    .collect();
                xs.iter()
                    .any(|&p| ys.iter().any(|&q| cmp_numbers(op, p, q)))
            }
        }
        (Some(x), None) => cmp_nodes_value(op, x, b, env),
        (None, Some(y)) => cmp_nodes_value(swap(op), y, a, env),
        (None, None) => {
            if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                match (a, b) {
                    (Value::Bool(_), _) | (_, Value::Bool(_)) => {
                        let (p, q) = (to_bool(a), to_bool(b));
                        if op == CmpOp::Eq { p == q } else { p != q }
                    }
                    (Value::Num(_), _) | (_, Value::Num(_)) => {
                        cmp_numbers(op, to_num(a, env), to_num(b, env))
                    }
                    _ => cmp_strings(op, &to_string(a, env), &to_string(b, env)),
                }
            } else {
                cmp_numbers(op, to_num(a, env), to_num(b, env))
            }
        }
    }
}

/// A node-set (left) compared with a non-node-set value (right).
fn cmp_nodes_value(op: CmpOp, nodes: &[NodeRef], v: &Value, env: &dyn Env) -> bool {
    let sv = |n: NodeRef| string_value_ref(env, n);
    match v {
        Value::Bool(b) => {
            let x = !nodes.is_empty();
            if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                if op == CmpOp::Eq { x == *b } else { x != *b }
            } else {
                cmp_numbers(op, f64::from(u8::from(x)), f64::from(u8::from(*b)))
            }
        }
        Value::Num(n) => nodes
            .iter()
            .any(|&x| cmp_numbers(op, str_to_num(&sv(x)), *n)),
        Value::Str(s) => {
            if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                nodes.iter().any(|&x| cmp_strings(op, &sv(x), s))
            } else {
                let n = str_to_num(s);
                nodes
                    .iter()
                    .any(|&x| cmp_numbers(op, str_to_num(&sv(x)), n))
            }
        }
        Value::Nodes(_) | Value::Rtf(_) => unreachable!("handled by compare()"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Document, Limits};
    use crate::xpath::{SimpleEnv, StaticContext, parse};

    /// Evaluates `a op b` both ways: through the fast path and on the evaluated operands.
    fn both(doc: &Document, ctx_path: &str, expr: &str) -> (Option<bool>, bool) {
        let ctx_expr = parse(ctx_path, &StaticContext::empty()).unwrap();
        let e = parse(expr, &StaticContext::empty()).unwrap();
        let mut env = SimpleEnv::new(doc.tree());
        env.variables.push((
            crate::xpath::ExpandedName::local("key"),
            Value::str("x-frame-options"),
        ));
        env.variables
            .push((crate::xpath::ExpandedName::local("n"), Value::Num(1.0)));
        let root = Context::node(NodeRef::new(0, crate::xml::NodeId::ROOT));
        let Value::Nodes(ns) = evaluate(&ctx_expr, &root, &mut env).unwrap() else {
            panic!("context")
        };
        let ctx = Context::node(ns[0]);
        let ExprKind::Compare(op, a, b) = &e.kind else {
            panic!("not a comparison: {expr}")
        };
        let fast = fast_equality(*op, a, b, &ctx, &mut env).unwrap();
        let x = evaluate(a, &ctx, &mut env).unwrap();
        let y = evaluate(b, &ctx, &mut env).unwrap();
        (fast, compare(*op, &x, &y, &env))
    }

    #[test]
    fn the_fast_path_agrees_with_the_general_comparison() {
        let doc = Document::parse_str(
            "<c xmlns:p='urn:p'><add name='X-Frame-Options' value='1'/><add name='b'/>\
             <t>a<i>b</i></t><e/><u name='é-X'/></c>",
            &Limits::default(),
        )
        .unwrap();
        let cases: &[(&str, &str, Option<bool>)] = &[
            ("/c/add[1]", "local-name()='add'", Some(true)),
            ("/c/add[1]", "local-name()!='add'", Some(false)),
            ("/c/add[1]", "'add'=local-name()", Some(true)),
            (
                "/c/add[1]",
                "translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = $key",
                Some(true),
            ),
            (
                "/c/add[2]",
                "translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = $key",
                Some(false),
            ),
            (
                "/c/add[1]",
                "'x-frame-options' = translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
                Some(true),
            ),
            (
                "/c/add[1]",
                "translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'X-frame-options'",
                Some(false),
            ),
            (
                "/c/add[1]",
                "translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = translate('x-FRAME-options', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
                Some(true),
            ),
            (
                "/c/u",
                "translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'é-x'",
                Some(true),
            ),
            (
                "/c/u",
                "translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') != 'É-x'",
                Some(true),
            ),
            (
                "/c/add[1]",
                "translate(@name, 'XF', 'xf') = 'x-frame-Options'",
                Some(true),
            ),
            ("/c/add[1]", "@value = '1'", Some(true)),
            ("/c/add[1]", "@value != '1'", Some(false)),
            // A missing attribute: an empty node-set equals and differs from nothing.
            ("/c/add[2]", "@value = '1'", Some(false)),
            ("/c/add[2]", "@value != '1'", Some(false)),
            ("/c/add[1]", "@value = 1", None),
            ("/c/add[1]", "local-name() = 0", Some(false)),
            ("/c/add[1]", "normalize-space(' a  b ') = 'a b'", Some(true)),
            ("/c/t", "string() = 'ab'", Some(true)),
            ("/c/t", "string(i) = 'b'", Some(true)),
            ("/c/t", "'ab' = .", Some(true)),
            ("/c/t", "local-name() = ../*/@name", Some(false)),
            ("/c/add[1]", "'1' = ../add/@value", Some(true)),
            ("/c/add[1]", "local-name() = true()", Some(true)),
            ("/c/e", "string() = ''", Some(true)),
            ("/c/e", "string(@x) = ''", Some(true)),
            ("/c/e", "@x = ''", Some(false)),
            ("/c/e", "@x != ''", Some(false)),
            ("/c/add[1]", "@name = 'X-Frame-Options'", Some(true)),
            ("/c/add[1]", "'X-Frame-Options' != @name", Some(false)),
            ("/c/add[1]", "@xml:lang = 'X-Frame-Options'", Some(false)),
            ("/c/add[1]", "@name = ../add/@name", None),
            ("/c/add[1]", "$n = '1'", Some(true)),
            ("/c", "local-name(namespace::p) = 'p'", Some(true)),
        ];
        for (ctx, expr, want) in cases {
            let (fast, general) = both(&doc, ctx, expr);
            assert_eq!(fast.is_some(), want.is_some(), "{expr}: fast path taken?");
            if let Some(f) = fast {
                assert_eq!(f, general, "{expr} at {ctx}");
                assert_eq!(Some(f), *want, "{expr} at {ctx}");
            }
        }
    }
}
