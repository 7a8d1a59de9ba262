//! XSLT 1.0 patterns (§5.2): the `match` syntax, matched right to left against a node's
//! ancestors, with the default priorities of §5.5.

use std::sync::Arc;

use crate::xml::{NodeId, NodeKind};
use crate::xpath::ast::*;
use crate::xpath::axes::{self, Test};
use crate::xpath::error::XPathError;
use crate::xpath::eval::{Context, Env, evaluate, to_bool};
use crate::xpath::lexer::Tok;
use crate::xpath::parser::{Parser, StaticContext, is_positional};
use crate::xpath::value::{NodeRef, Value};

/// A pattern: alternatives separated by `|`.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The alternatives, each with its own default priority.
    pub alternatives: Vec<PathPattern>,
}

/// How a path pattern is anchored.
#[derive(Clone, Debug)]
pub enum Anchor {
    /// `/...`: the first step's parent is the root.
    Root,
    /// Relative or `//...`: anywhere.
    Anywhere,
    /// `id(...)` or `key(...)`: the first step's parent (or, with `//`, an ancestor) is one of
    /// the selected nodes; with no steps, the node itself is.
    Expr(Box<Expr>),
}

/// How a step pattern is joined to the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sep {
    /// `/`
    Child,
    /// `//`
    Descendant,
}

/// A step of a pattern.
#[derive(Clone, Debug)]
pub struct StepPattern {
    /// Separator before this step (for the first step: after the anchor).
    pub sep: Sep,
    /// `child` or `attribute`.
    pub axis: Axis,
    /// The node test.
    pub test: NodeTest,
    /// Predicates.
    pub preds: Vec<Expr>,
    /// Whether any predicate may depend on the position.
    positional: bool,
}

/// One alternative of a pattern.
#[derive(Clone, Debug)]
pub struct PathPattern {
    /// The anchor.
    pub anchor: Anchor,
    /// The steps, left to right.
    pub steps: Vec<StepPattern>,
    /// Byte range in the pattern text.
    pub span: Span,
}

/// What a node must be named for a pattern alternative to match it, as far as its last steps
/// tell: the key under which template rules are indexed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexKey {
    /// The node's own local name.
    Name(Arc<str>),
    /// The local name of the node's parent (`.../customHeaders/*[...]`).
    Parent(Arc<str>),
    /// Anything else.
    Any,
}

impl PathPattern {
    /// The key under which to index this alternative (see [`IndexKey`]).
    pub fn index_key(&self) -> IndexKey {
        let n = self.steps.len();
        let Some(last) = self.steps.last() else {
            return IndexKey::Any;
        };
        if let NodeTest::Name(name) = &last.test {
            return IndexKey::Name(name.local.clone());
        }
        if n >= 2
            && last.sep == Sep::Child
            && let NodeTest::Name(name) = &self.steps[n - 2].test
        {
            return IndexKey::Parent(name.local.clone());
        }
        IndexKey::Any
    }

    /// The default priority (XSLT 1.0 §5.5).
    pub fn default_priority(&self) -> f64 {
        if let (Anchor::Anywhere, [step]) = (&self.anchor, self.steps.as_slice())
            && step.preds.is_empty()
            && step.sep == Sep::Child
        {
            return match &step.test {
                NodeTest::Name(_) | NodeTest::Pi(Some(_)) => 0.0,
                NodeTest::NsWildcard(_) => -0.25,
                _ => -0.5,
            };
        }
        0.5
    }

    /// Whether `node` matches.
    pub fn matches(&self, node: NodeRef, env: &mut dyn Env) -> Result<bool, XPathError> {
        if self.steps.is_empty() {
            return match &self.anchor {
                Anchor::Root => {
                    Ok(node.ns == 0 && env.tree(node.doc).kind(node.node) == NodeKind::Root)
                }
                Anchor::Expr(e) => Ok(anchor_nodes(e, node, env)?.contains(&node)),
                Anchor::Anywhere => Ok(false),
            };
        }
        // Most nodes fail on names alone: check the chain of node tests first, and evaluate
        // predicates (which can be costly) only for nodes that pass.
        if !self.skeleton_matches(node, env) {
            return Ok(false);
        }
        self.match_step(self.steps.len() - 1, node, env)
    }

    /// The pattern without its predicates, as far as it is a chain of `/` steps: a necessary
    /// condition for [`PathPattern::matches`] (`true` where it cannot tell cheaply).
    fn skeleton_matches(&self, node: NodeRef, env: &mut dyn Env) -> bool {
        if node.ns != 0 {
            return false;
        }
        let tree = env.tree(node.doc);
        let mut cur = node.node;
        for (i, step) in self.steps.iter().enumerate().rev() {
            let kind = tree.kind(cur);
            let ok_kind = match step.axis {
                Axis::Attribute => kind == NodeKind::Attribute,
                _ => !matches!(kind, NodeKind::Attribute | NodeKind::Root),
            };
            let principal = if step.axis == Axis::Attribute {
                NodeKind::Attribute
            } else {
                NodeKind::Element
            };
            if !ok_kind || !test_matches(tree, &step.test, cur, principal) {
                return false;
            }
            let Some(parent) = tree.parent(cur) else {
                return false;
            };
            if step.sep == Sep::Descendant {
                return true;
            }
            if i == 0 {
                return match self.anchor {
                    Anchor::Root => tree.kind(parent) == NodeKind::Root,
                    Anchor::Anywhere | Anchor::Expr(_) => true,
                };
            }
            cur = parent;
        }
        true
    }

    fn match_step(&self, i: usize, node: NodeRef, env: &mut dyn Env) -> Result<bool, XPathError> {
        let step = &self.steps[i];
        if node.ns != 0 {
            return Ok(false);
        }
        let parent = {
            let tree = env.tree(node.doc);
            let kind = tree.kind(node.node);
            let ok_kind = match step.axis {
                Axis::Attribute => kind == NodeKind::Attribute,
                _ => !matches!(kind, NodeKind::Attribute | NodeKind::Root),
            };
            if !ok_kind {
                return Ok(false);
            }
            let principal = if step.axis == Axis::Attribute {
                NodeKind::Attribute
            } else {
                NodeKind::Element
            };
            if !test_matches(tree, &step.test, node.node, principal) {
                return Ok(false);
            }
            tree.parent(node.node)
        };
        let Some(parent) = parent else {
            return Ok(false);
        };
        if !step.preds.is_empty() && !self.predicates_hold(step, node, parent, env)? {
            return Ok(false);
        }
        let parent_ref = NodeRef::new(node.doc, parent);
        if i == 0 {
            return match &self.anchor {
                Anchor::Anywhere => Ok(true),
                Anchor::Root => Ok(env.tree(node.doc).kind(parent) == NodeKind::Root),
                Anchor::Expr(e) => {
                    let set = anchor_nodes(e, node, env)?;
                    match step.sep {
                        Sep::Child => Ok(set.contains(&parent_ref)),
                        Sep::Descendant => {
                            let tree = env.tree(node.doc);
                            Ok(std::iter::once(parent)
                                .chain(tree.ancestors(parent))
                                .any(|a| set.contains(&NodeRef::new(node.doc, a))))
                        }
                    }
                }
            };
        }
        match step.sep {
            Sep::Child => self.match_step(i - 1, parent_ref, env),
            Sep::Descendant => {
                let mut cur = Some(parent);
                while let Some(a) = cur {
                    if self.match_step(i - 1, NodeRef::new(node.doc, a), env)? {
                        return Ok(true);
                    }
                    cur = env.tree(node.doc).parent(a);
                }
                Ok(false)
            }
        }
    }

    fn predicates_hold(
        &self,
        step: &StepPattern,
        node: NodeRef,
        parent: NodeId,
        env: &mut dyn Env,
    ) -> Result<bool, XPathError> {
        if !step.positional {
            // The predicates cannot see the position: evaluate them on the node alone.
            for p in &step.preds {
                let v = evaluate(p, &Context::node(node), env)?;
                let keep = match v {
                    Value::Num(x) => x == 1.0,
                    v => to_bool(&v),
                };
                if !keep {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        // Positions count among the parent's children (or attributes) that pass the node test.
        let mut nodes = Vec::new();
        {
            let tree = env.tree(node.doc);
            let test = Test::resolve(tree, step.axis, &step.test);
            axes::collect(
                tree,
                NodeRef::new(node.doc, parent),
                step.axis,
                &test,
                &mut nodes,
            );
        }
        for p in &step.preds {
            let size = nodes.len();
            let mut kept = Vec::new();
            for (k, &n) in nodes.iter().enumerate() {
                let ctx = Context {
                    node: n,
                    position: k + 1,
                    size,
                };
                let keep = match evaluate(p, &ctx, env)? {
                    Value::Num(x) => x == (k + 1) as f64,
                    v => to_bool(&v),
                };
                if keep {
                    kept.push(n);
                }
            }
            nodes = kept;
            if !nodes.contains(&node) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn anchor_nodes(e: &Expr, node: NodeRef, env: &mut dyn Env) -> Result<Vec<NodeRef>, XPathError> {
    match evaluate(e, &Context::node(node), env)? {
        Value::Nodes(n) => Ok(n.to_vec()),
        other => Err(XPathError::type_error(
            format!(
                "a pattern's id()/key() must give a node-set, not a {}",
                other.type_name()
            ),
            e.span.clone(),
        )),
    }
}

impl Pattern {
    /// Whether any alternative matches.
    pub fn matches(&self, node: NodeRef, env: &mut dyn Env) -> Result<bool, XPathError> {
        for a in &self.alternatives {
            if a.matches(node, env)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Whether a node passes a step pattern's node test (child or attribute axis). Compares names
/// as strings: cheaper here than resolving them against the tree's name table on every match.
#[inline]
fn test_matches(tree: &crate::xml::Tree, test: &NodeTest, n: NodeId, principal: NodeKind) -> bool {
    let kind = tree.kind(n);
    match test {
        NodeTest::Node => true,
        NodeTest::Text => kind == NodeKind::Text,
        NodeTest::Comment => kind == NodeKind::Comment,
        NodeTest::Pi(t) => {
            kind == NodeKind::ProcessingInstruction
                && t.as_deref().is_none_or(|t| tree.local_name(n) == t)
        }
        NodeTest::Wildcard => kind == principal,
        NodeTest::Name(name) => {
            kind == principal
                && tree.local_name(n) == &*name.local
                && tree.namespace_uri(n) == &*name.uri
        }
        NodeTest::NsWildcard(u) => kind == principal && tree.namespace_uri(n) == &**u,
    }
}

fn pattern_error(message: impl Into<String>, span: Span) -> XPathError {
    XPathError::new("XTSE0340", message, span)
}

/// Parses a pattern.
pub fn parse_pattern(src: &str, ctx: &StaticContext<'_>) -> Result<Pattern, XPathError> {
    let mut p = Parser::new(src, ctx)?;
    if p.toks.is_empty() {
        return Err(pattern_error("empty pattern", 0..src.len()));
    }
    let mut alternatives = vec![path_pattern(&mut p)?];
    while p.eat(&Tok::Pipe) {
        alternatives.push(path_pattern(&mut p)?);
    }
    if p.i < p.toks.len() {
        return Err(pattern_error(
            format!("unexpected '{}' in a pattern", &src[p.here()]),
            p.here(),
        ));
    }
    Ok(Pattern { alternatives })
}

fn path_pattern(p: &mut Parser<'_, '_>) -> Result<PathPattern, XPathError> {
    let start = p.pos();
    let (anchor, first_sep) = match p.peek().cloned() {
        Some(Tok::Slash) => {
            p.i += 1;
            if !starts_step_pattern(p.peek()) {
                return Ok(PathPattern {
                    anchor: Anchor::Root,
                    steps: Vec::new(),
                    span: start..p.last_end(),
                });
            }
            (Anchor::Root, Sep::Child)
        }
        Some(Tok::DoubleSlash) => {
            p.i += 1;
            (Anchor::Anywhere, Sep::Descendant)
        }
        Some(Tok::FunctionName {
            prefix: None,
            ref local,
        }) if local == "id" || local == "key" => {
            let e = id_key(p)?;
            match p.peek() {
                Some(Tok::Slash) => {
                    p.i += 1;
                    (Anchor::Expr(Box::new(e)), Sep::Child)
                }
                Some(Tok::DoubleSlash) => {
                    p.i += 1;
                    (Anchor::Expr(Box::new(e)), Sep::Descendant)
                }
                _ => {
                    return Ok(PathPattern {
                        anchor: Anchor::Expr(Box::new(e)),
                        steps: Vec::new(),
                        span: start..p.last_end(),
                    });
                }
            }
        }
        _ => (Anchor::Anywhere, Sep::Child),
    };
    let mut steps = vec![step_pattern(p, first_sep)?];
    loop {
        let sep = match p.peek() {
            Some(Tok::Slash) => Sep::Child,
            Some(Tok::DoubleSlash) => Sep::Descendant,
            _ => break,
        };
        p.i += 1;
        steps.push(step_pattern(p, sep)?);
    }
    Ok(PathPattern {
        anchor,
        steps,
        span: start..p.last_end(),
    })
}

fn starts_step_pattern(t: Option<&Tok>) -> bool {
    matches!(
        t,
        Some(Tok::NameTest { .. } | Tok::NodeType(_) | Tok::AxisName(_) | Tok::At)
    )
}

/// `id(Literal)` or `key(Literal, Literal)` (variables are accepted too, as libxslt does).
fn id_key(p: &mut Parser<'_, '_>) -> Result<Expr, XPathError> {
    let start = p.pos();
    let e = p.primary()?;
    match &e.kind {
        ExprKind::Call(Function::Core(CoreFn::Id), args)
            if matches!(args[0].kind, ExprKind::Literal(_) | ExprKind::Var(_)) =>
        {
            Ok(e)
        }
        ExprKind::Call(Function::Host(_, n), args)
            if &*n.local == "key"
                && n.uri.is_empty()
                && args
                    .iter()
                    .all(|a| matches!(a.kind, ExprKind::Literal(_) | ExprKind::Var(_))) =>
        {
            Ok(e)
        }
        _ => Err(pattern_error(
            "a pattern may start with id('literal') or key('name', 'literal') only",
            start..p.last_end(),
        )),
    }
}

fn step_pattern(p: &mut Parser<'_, '_>, sep: Sep) -> Result<StepPattern, XPathError> {
    let span = p.here();
    let axis = match p.peek().cloned() {
        Some(Tok::At) => {
            p.i += 1;
            Axis::Attribute
        }
        Some(Tok::AxisName(a)) => {
            p.i += 1;
            p.expect(Tok::ColonColon, "'::'")?;
            match a.as_str() {
                "child" => Axis::Child,
                "attribute" => Axis::Attribute,
                _ => {
                    return Err(pattern_error(
                        format!(
                            "the {a} axis is not allowed in a pattern (only child and attribute)"
                        ),
                        span,
                    ));
                }
            }
        }
        Some(Tok::Dot | Tok::DotDot) => {
            return Err(pattern_error(
                "'.' and '..' are not allowed in a pattern",
                span,
            ));
        }
        _ => Axis::Child,
    };
    let test = p
        .node_test()
        .map_err(|e| pattern_error(e.message, e.span))?;
    let mut preds = Vec::new();
    while p.peek() == Some(&Tok::LBracket) {
        preds.push(p.predicate()?);
    }
    let positional = preds.iter().any(is_positional);
    Ok(StepPattern {
        sep,
        axis,
        test,
        preds,
        positional,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Document, Limits};
    use crate::xpath::eval::SimpleEnv;

    fn pat(s: &str) -> Pattern {
        parse_pattern(s, &StaticContext::empty()).unwrap()
    }

    #[test]
    fn index_keys_name_what_a_node_must_be_called() {
        let keys = |s: &str| {
            pat(s)
                .alternatives
                .iter()
                .map(PathPattern::index_key)
                .collect::<Vec<_>>()
        };
        let name = |s: &str| IndexKey::Name(s.into());
        let parent = |s: &str| IndexKey::Parent(s.into());
        assert_eq!(keys("a|b/@c"), vec![name("a"), name("c")]);
        assert_eq!(keys("x/*[1]"), vec![parent("x")]);
        assert_eq!(keys("x/@*|x/text()"), vec![parent("x"), parent("x")]);
        assert_eq!(keys("x//*"), vec![IndexKey::Any]);
        assert_eq!(keys("/|*|node()"), vec![IndexKey::Any; 3]);
        assert_eq!(keys("id('a')/*"), vec![IndexKey::Any]);
    }

    #[test]
    fn default_priorities() {
        let prio = |s: &str| {
            pat(s)
                .alternatives
                .iter()
                .map(PathPattern::default_priority)
                .collect::<Vec<_>>()
        };
        assert_eq!(prio("a"), vec![0.0]);
        assert_eq!(prio("@a"), vec![0.0]);
        assert_eq!(prio("processing-instruction('x')"), vec![0.0]);
        assert_eq!(prio("xml:*"), vec![-0.25]);
        assert_eq!(prio("*"), vec![-0.5]);
        assert_eq!(prio("@*|node()"), vec![-0.5, -0.5]);
        assert_eq!(prio("text()"), vec![-0.5]);
        assert_eq!(prio("a/b"), vec![0.5]);
        assert_eq!(prio("a[1]"), vec![0.5]);
        assert_eq!(prio("/"), vec![0.5]);
        assert_eq!(prio("//a"), vec![0.5]);
        assert_eq!(
            prio("/configuration/system.webServer/httpProtocol/customHeaders"),
            vec![0.5]
        );
    }

    #[test]
    fn invalid_patterns() {
        for bad in [
            "a/..",
            "ancestor::a",
            "a or b",
            "1",
            "$x",
            "a[",
            "concat('a','b')",
            "",
        ] {
            let e = parse_pattern(bad, &StaticContext::empty());
            assert!(e.is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn matching() {
        let doc = Document::parse_str(
            "<c><s><h><x n='1'/><x n='2'/><y/><x n='3'/></h></s><h><x n='4'/></h></c>",
            &Limits::default(),
        )
        .unwrap();
        let t = doc.tree();
        let mut env = SimpleEnv::new(t);
        let xs: Vec<NodeRef> = t
            .descendants(NodeId::ROOT)
            .filter(|&n| t.local_name(n) == "x")
            .map(|n| NodeRef::new(0, n))
            .collect();
        let m = |p: &str, env: &mut SimpleEnv<'_>| -> Vec<bool> {
            let p = pat(p);
            xs.iter().map(|&n| p.matches(n, env).unwrap()).collect()
        };
        assert_eq!(m("x", &mut env), vec![true; 4]);
        assert_eq!(m("h/x", &mut env), vec![true; 4]);
        assert_eq!(m("s/h/x", &mut env), vec![true, true, true, false]);
        assert_eq!(m("/c/h/x", &mut env), vec![false, false, false, true]);
        assert_eq!(m("c//x", &mut env), vec![true; 4]);
        assert_eq!(m("/c//h/x", &mut env), vec![true; 4]);
        assert_eq!(m("x[2]", &mut env), vec![false, true, false, false]);
        assert_eq!(m("x[last()]", &mut env), vec![false, false, true, true]);
        assert_eq!(m("x[@n > 2]", &mut env), vec![false, false, true, true]);
        assert_eq!(m("*[3]", &mut env), vec![false, false, false, false]);
        assert_eq!(m("node()[4]", &mut env), vec![false, false, true, false]);
        assert_eq!(m("y|x[1]", &mut env), vec![true, false, false, true]);
        assert_eq!(m("@n", &mut env), vec![false; 4]);
        let attr = NodeRef::new(0, t.attributes(xs[0].node).next().unwrap());
        assert!(pat("@n").matches(attr, &mut env).unwrap());
        assert!(pat("x/@*").matches(attr, &mut env).unwrap());
        assert!(!pat("x").matches(attr, &mut env).unwrap());
        assert!(pat("@*|node()").matches(attr, &mut env).unwrap());
        let root = NodeRef::new(0, NodeId::ROOT);
        let doc2 = Document::parse_str(
            "<r><s xml:id='k'><x/><t><x/></t></s><x/></r>",
            &Limits::default(),
        )
        .unwrap();
        let t2 = doc2.tree();
        let mut env2 = SimpleEnv::new(t2);
        let xs2: Vec<NodeRef> = t2
            .descendants(NodeId::ROOT)
            .filter(|&n| t2.local_name(n) == "x")
            .map(|n| NodeRef::new(0, n))
            .collect();
        let m2 = |p: &str, env: &mut SimpleEnv<'_>| -> Vec<bool> {
            let p = pat(p);
            xs2.iter().map(|&n| p.matches(n, env).unwrap()).collect()
        };
        assert_eq!(m2("id('k')/x", &mut env2), vec![true, false, false]);
        assert_eq!(m2("id('k')//x", &mut env2), vec![true, true, false]);
        let s = NodeRef::new(0, t2.parent(xs2[0].node).unwrap());
        assert!(pat("id('k')").matches(s, &mut env2).unwrap());
        assert!(!pat("id('nope')").matches(s, &mut env2).unwrap());
        assert!(pat("/").matches(root, &mut env).unwrap());
        assert!(!pat("node()").matches(root, &mut env).unwrap());
    }
}
