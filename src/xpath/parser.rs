//! Recursive-descent parser for XPath 1.0 expressions (and, through [`Parser`], XSLT patterns).
//!
//! Names are resolved while parsing: prefixes through the [`StaticContext`], functions to the
//! core library or the host's table, with arities checked. Unprefixed names in name tests are in
//! no namespace, as XPath 1.0 says (a default namespace does not apply: that is why
//! `/configuration` does not match `<configuration xmlns="...">`).

use std::sync::Arc;

use crate::xpath::ast::*;
use crate::xpath::error::XPathError;
use crate::xpath::lexer::{Tok, Token, tokenize};

/// What the parser needs to know about the expression's surroundings.
pub struct StaticContext<'a> {
    /// Resolves a prefix to a namespace URI.
    pub namespaces: &'a dyn Fn(&str) -> Option<String>,
    /// Functions the host provides besides the core library.
    pub functions: &'a [HostFunction],
}

impl StaticContext<'_> {
    /// No namespaces, no host functions.
    pub fn empty() -> StaticContext<'static> {
        StaticContext {
            namespaces: &|p| (p == "xml").then(|| crate::xml::XML_NS.to_owned()),
            functions: &[],
        }
    }
}

/// Parses an XPath expression.
pub fn parse(src: &str, ctx: &StaticContext<'_>) -> Result<Expr, XPathError> {
    let mut p = Parser::new(src, ctx)?;
    if p.toks.is_empty() {
        return Err(XPathError::syntax("empty expression", 0..src.len()));
    }
    let e = p.expr()?;
    p.expect_end()?;
    Ok(e)
}

/// The parser state; also used by the pattern parser.
pub struct Parser<'a, 'c> {
    pub(crate) src: &'a str,
    pub(crate) toks: Vec<Token>,
    pub(crate) i: usize,
    pub(crate) ctx: &'a StaticContext<'c>,
    depth: u32,
}

/// Deepest nesting of parentheses, predicates, arguments and unary minus signs. The parser and
/// the evaluator recurse on nesting: the limit keeps hostile expressions off the stack's end.
pub const MAX_NESTING: u32 = 200;

impl<'a, 'c> Parser<'a, 'c> {
    /// Tokenizes `src`.
    pub fn new(src: &'a str, ctx: &'a StaticContext<'c>) -> Result<Self, XPathError> {
        Ok(Parser {
            src,
            toks: tokenize(src)?,
            i: 0,
            ctx,
            depth: 0,
        })
    }

    pub(crate) fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.tok)
    }

    pub(crate) fn pos(&self) -> usize {
        self.toks
            .get(self.i)
            .map_or(self.src.len(), |t| t.span.start)
    }

    pub(crate) fn last_end(&self) -> usize {
        self.i
            .checked_sub(1)
            .and_then(|j| self.toks.get(j))
            .map_or(0, |t| t.span.end)
    }

    pub(crate) fn here(&self) -> Span {
        self.toks
            .get(self.i)
            .map_or(self.src.len()..self.src.len(), |t| t.span.clone())
    }

    pub(crate) fn bump(&mut self) -> Option<Token> {
        let t = self.toks.get_mut(self.i)?;
        self.i += 1;
        // A token is taken once: the parser looks back only at spans (positions, messages).
        Some(Token {
            tok: std::mem::replace(&mut t.tok, Tok::Comma),
            span: t.span.clone(),
        })
    }

    pub(crate) fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == Some(tok) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn describe(&self) -> String {
        match self.toks.get(self.i) {
            None => "the end of the expression".into(),
            Some(t) => format!("'{}'", &self.src[t.span.clone()]),
        }
    }

    pub(crate) fn expect(&mut self, tok: Tok, what: &str) -> Result<(), XPathError> {
        if self.eat(&tok) {
            Ok(())
        } else {
            Err(XPathError::syntax(
                format!("expected {what}, found {}", self.describe()),
                self.here(),
            ))
        }
    }

    pub(crate) fn expect_end(&self) -> Result<(), XPathError> {
        if self.i < self.toks.len() {
            return Err(XPathError::syntax(
                format!("unexpected {}", self.describe()),
                self.here(),
            ));
        }
        Ok(())
    }

    pub(crate) fn resolve_prefix(&self, prefix: &str, span: Span) -> Result<Arc<str>, XPathError> {
        (self.ctx.namespaces)(prefix).map(Arc::from).ok_or_else(|| {
            XPathError::new(
                "XPST0081",
                format!("namespace prefix '{prefix}' is not declared"),
                span,
            )
        })
    }

    fn binary(
        &mut self,
        start: usize,
        a: Expr,
        b: Expr,
        f: impl FnOnce(Box<Expr>, Box<Expr>) -> ExprKind,
    ) -> Expr {
        Expr {
            kind: f(Box::new(a), Box::new(b)),
            span: start..self.last_end(),
        }
    }

    fn enter(&mut self) -> Result<(), XPathError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(XPathError::syntax(
                format!("the expression nests deeper than {MAX_NESTING} levels"),
                self.here(),
            ));
        }
        Ok(())
    }

    /// `Expr ::= OrExpr`
    pub fn expr(&mut self) -> Result<Expr, XPathError> {
        self.enter()?;
        let e = stacker::maybe_grow(32 * 1024, 1024 * 1024, || self.or_expr());
        self.depth -= 1;
        e
    }

    fn or_expr(&mut self) -> Result<Expr, XPathError> {
        let start = self.pos();
        let mut a = self.and_expr()?;
        while self.eat(&Tok::Or) {
            let b = self.and_expr()?;
            a = self.binary(start, a, b, ExprKind::Or);
        }
        Ok(a)
    }

    fn and_expr(&mut self) -> Result<Expr, XPathError> {
        let start = self.pos();
        let mut a = self.equality()?;
        while self.eat(&Tok::And) {
            let b = self.equality()?;
            a = self.binary(start, a, b, ExprKind::And);
        }
        Ok(a)
    }

    fn equality(&mut self) -> Result<Expr, XPathError> {
        let start = self.pos();
        let mut a = self.relational()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Eq) => CmpOp::Eq,
                Some(Tok::Neq) => CmpOp::Ne,
                _ => return Ok(a),
            };
            self.i += 1;
            let b = self.relational()?;
            a = self.binary(start, a, b, |x, y| ExprKind::Compare(op, x, y));
        }
    }

    fn relational(&mut self) -> Result<Expr, XPathError> {
        let start = self.pos();
        let mut a = self.additive()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Lt) => CmpOp::Lt,
                Some(Tok::Le) => CmpOp::Le,
                Some(Tok::Gt) => CmpOp::Gt,
                Some(Tok::Ge) => CmpOp::Ge,
                _ => return Ok(a),
            };
            self.i += 1;
            let b = self.additive()?;
            a = self.binary(start, a, b, |x, y| ExprKind::Compare(op, x, y));
        }
    }

    fn additive(&mut self) -> Result<Expr, XPathError> {
        let start = self.pos();
        let mut a = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Plus) => ArithOp::Add,
                Some(Tok::Minus) => ArithOp::Sub,
                _ => return Ok(a),
            };
            self.i += 1;
            let b = self.multiplicative()?;
            a = self.binary(start, a, b, |x, y| ExprKind::Arith(op, x, y));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, XPathError> {
        let start = self.pos();
        let mut a = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Multiply) => ArithOp::Mul,
                Some(Tok::Div) => ArithOp::Div,
                Some(Tok::Mod) => ArithOp::Mod,
                _ => return Ok(a),
            };
            self.i += 1;
            let b = self.unary()?;
            a = self.binary(start, a, b, |x, y| ExprKind::Arith(op, x, y));
        }
    }

    fn unary(&mut self) -> Result<Expr, XPathError> {
        let start = self.pos();
        if self.eat(&Tok::Minus) {
            self.enter()?;
            let a = self.unary()?;
            self.depth -= 1;
            return Ok(Expr {
                kind: ExprKind::Neg(Box::new(a)),
                span: start..self.last_end(),
            });
        }
        self.union()
    }

    fn union(&mut self) -> Result<Expr, XPathError> {
        let start = self.pos();
        let mut a = self.path()?;
        while self.eat(&Tok::Pipe) {
            let b = self.path()?;
            a = self.binary(start, a, b, ExprKind::Union);
        }
        Ok(a)
    }

    fn starts_step(tok: Option<&Tok>) -> bool {
        matches!(
            tok,
            Some(
                Tok::NameTest { .. }
                    | Tok::NodeType(_)
                    | Tok::AxisName(_)
                    | Tok::At
                    | Tok::Dot
                    | Tok::DotDot
            )
        )
    }

    fn path(&mut self) -> Result<Expr, XPathError> {
        let start = self.pos();
        match self.peek() {
            Some(Tok::Slash) => {
                self.i += 1;
                let steps = if Self::starts_step(self.peek()) {
                    self.relative_path(Vec::new())?
                } else {
                    Vec::new()
                };
                Ok(self.make_path(PathStart::Root, steps, start))
            }
            Some(Tok::DoubleSlash) => {
                self.i += 1;
                let steps = self.relative_path(vec![dos_step()])?;
                Ok(self.make_path(PathStart::Root, steps, start))
            }
            Some(
                Tok::Variable { .. }
                | Tok::LParen
                | Tok::Literal(_)
                | Tok::Number(_)
                | Tok::FunctionName { .. },
            ) => {
                let primary = self.primary()?;
                let mut preds = Vec::new();
                while self.peek() == Some(&Tok::LBracket) {
                    preds.push(self.predicate()?);
                }
                let filter = if preds.is_empty() {
                    primary
                } else {
                    Expr {
                        kind: ExprKind::Filter(Box::new(primary), preds),
                        span: start..self.last_end(),
                    }
                };
                let first = match self.peek() {
                    Some(Tok::Slash) => Vec::new(),
                    Some(Tok::DoubleSlash) => vec![dos_step()],
                    _ => return Ok(filter),
                };
                self.i += 1;
                let steps = self.relative_path(first)?;
                Ok(self.make_path(PathStart::Expr(Box::new(filter)), steps, start))
            }
            _ if Self::starts_step(self.peek()) => {
                let steps = self.relative_path(Vec::new())?;
                Ok(self.make_path(PathStart::Context, steps, start))
            }
            _ => Err(XPathError::syntax(
                format!("expected an expression, found {}", self.describe()),
                self.here(),
            )),
        }
    }

    fn make_path(&self, start: PathStart, steps: Vec<Step>, from: usize) -> Expr {
        Expr {
            kind: ExprKind::Path(start, optimize_steps(steps)),
            span: from..self.last_end(),
        }
    }

    /// `RelativeLocationPath`, appended to `steps`.
    fn relative_path(&mut self, mut steps: Vec<Step>) -> Result<Vec<Step>, XPathError> {
        steps.push(self.step()?);
        loop {
            match self.peek() {
                Some(Tok::Slash) => {
                    self.i += 1;
                }
                Some(Tok::DoubleSlash) => {
                    self.i += 1;
                    steps.push(dos_step());
                }
                _ => return Ok(steps),
            }
            steps.push(self.step()?);
        }
    }

    /// A step: `.`, `..`, or axis + node test + predicates.
    pub(crate) fn step(&mut self) -> Result<Step, XPathError> {
        let axis = match self.peek().cloned() {
            Some(Tok::Dot) => {
                self.i += 1;
                return Ok(Step {
                    axis: Axis::SelfAxis,
                    test: NodeTest::Node,
                    preds: Vec::new(),
                });
            }
            Some(Tok::DotDot) => {
                self.i += 1;
                return Ok(Step {
                    axis: Axis::Parent,
                    test: NodeTest::Node,
                    preds: Vec::new(),
                });
            }
            Some(Tok::AxisName(name)) => {
                let span = self.here();
                self.i += 1;
                let axis = Axis::from_name(&name)
                    .ok_or_else(|| XPathError::syntax(format!("unknown axis '{name}'"), span))?;
                self.expect(Tok::ColonColon, "'::'")?;
                axis
            }
            Some(Tok::At) => {
                self.i += 1;
                Axis::Attribute
            }
            _ => Axis::Child,
        };
        let test = self.node_test()?;
        let mut preds = Vec::new();
        while self.peek() == Some(&Tok::LBracket) {
            preds.push(self.predicate()?);
        }
        Ok(Step { axis, test, preds })
    }

    pub(crate) fn node_test(&mut self) -> Result<NodeTest, XPathError> {
        let span = self.here();
        match self.bump().map(|t| t.tok) {
            Some(Tok::NameTest { prefix, local }) => match (prefix, local) {
                (None, None) => Ok(NodeTest::Wildcard),
                (Some(p), None) => Ok(NodeTest::NsWildcard(self.resolve_prefix(&p, span)?)),
                (None, Some(l)) => Ok(NodeTest::Name(ExpandedName::local(&l))),
                (Some(p), Some(l)) => {
                    let uri = self.resolve_prefix(&p, span)?;
                    Ok(NodeTest::Name(ExpandedName {
                        uri,
                        local: l.into(),
                    }))
                }
            },
            Some(Tok::NodeType(t)) => {
                self.expect(Tok::LParen, "'('")?;
                let test = match t.as_str() {
                    "node" => NodeTest::Node,
                    "text" => NodeTest::Text,
                    "comment" => NodeTest::Comment,
                    _ => {
                        let target = match self.peek().cloned() {
                            Some(Tok::Literal(l)) => {
                                self.i += 1;
                                Some(Arc::from(l.trim()))
                            }
                            _ => None,
                        };
                        NodeTest::Pi(target)
                    }
                };
                self.expect(Tok::RParen, "')'")?;
                Ok(test)
            }
            _ => {
                self.i = self.i.saturating_sub(1);
                Err(XPathError::syntax(
                    format!("expected a node test, found {}", self.describe()),
                    span,
                ))
            }
        }
    }

    pub(crate) fn predicate(&mut self) -> Result<Expr, XPathError> {
        self.expect(Tok::LBracket, "'['")?;
        let e = self.expr()?;
        self.expect(Tok::RBracket, "']'")?;
        Ok(e)
    }

    pub(crate) fn primary(&mut self) -> Result<Expr, XPathError> {
        let start = self.pos();
        let tok = self.bump().expect("caller checked").tok;
        let kind = match tok {
            Tok::Variable { prefix, local } => {
                let uri = match &prefix {
                    Some(p) => self.resolve_prefix(p, start..self.last_end())?,
                    None => "".into(),
                };
                ExprKind::Var(ExpandedName {
                    uri,
                    local: local.into(),
                })
            }
            Tok::LParen => {
                let e = self.expr()?;
                self.expect(Tok::RParen, "')'")?;
                // Keep the parentheses' span on the inner expression.
                return Ok(Expr {
                    kind: e.kind,
                    span: start..self.last_end(),
                });
            }
            Tok::Literal(s) => ExprKind::Literal(s.into()),
            Tok::Number(n) => ExprKind::Number(n),
            Tok::FunctionName { prefix, local } => {
                let name_span = start..self.last_end();
                self.expect(Tok::LParen, "'('")?;
                let mut args = Vec::new();
                if !self.eat(&Tok::RParen) {
                    loop {
                        args.push(self.expr()?);
                        if self.eat(&Tok::RParen) {
                            break;
                        }
                        self.expect(Tok::Comma, "',' or ')'")?;
                    }
                }
                let func =
                    self.resolve_function(prefix.as_deref(), &local, args.len(), name_span)?;
                ExprKind::Call(func, args)
            }
            _ => unreachable!("primary() is only called on a primary token"),
        };
        Ok(Expr {
            kind,
            span: start..self.last_end(),
        })
    }

    fn resolve_function(
        &self,
        prefix: Option<&str>,
        local: &str,
        nargs: usize,
        span: Span,
    ) -> Result<Function, XPathError> {
        let uri: Arc<str> = match prefix {
            Some(p) => self.resolve_prefix(p, span.clone())?,
            None => "".into(),
        };
        let check = |min: usize, max: Option<usize>, shown: &str| -> Result<(), XPathError> {
            if nargs < min || max.is_some_and(|m| nargs > m) {
                let expected = match max {
                    Some(m) if m == min => format!("{min}"),
                    Some(m) => format!("{min} to {m}"),
                    None => format!("at least {min}"),
                };
                return Err(XPathError::new(
                    "XPST0017",
                    format!(
                        "{shown}() takes {expected} argument{}, not {nargs}",
                        if expected == "1" { "" } else { "s" }
                    ),
                    span.clone(),
                ));
            }
            Ok(())
        };
        let shown = match prefix {
            Some(p) => format!("{p}:{local}"),
            None => local.to_owned(),
        };
        if uri.is_empty()
            && let Some(&(f, _, min, max)) = CoreFn::ALL.iter().find(|e| e.1 == local)
        {
            check(min, max, &shown)?;
            return Ok(Function::Core(f));
        }
        if let Some(i) = self
            .ctx
            .functions
            .iter()
            .position(|h| h.uri == &*uri && h.local == local)
        {
            let h = self.ctx.functions[i];
            check(h.min, h.max, &shown)?;
            return Ok(Function::Host(i, ExpandedName::new(&uri, local)));
        }
        if uri.is_empty() {
            return Err(XPathError::new(
                "XPST0017",
                format!("unknown function {shown}()"),
                span,
            ));
        }
        Ok(Function::Unknown(ExpandedName::new(&uri, local)))
    }
}

fn dos_step() -> Step {
    Step {
        axis: Axis::DescendantOrSelf,
        test: NodeTest::Node,
        preds: Vec::new(),
    }
}

/// Rewrites `descendant-or-self::node()/child::X[p]` into `descendant::X[p]` when no predicate
/// can depend on the position: the same nodes, without building the set of all descendants.
fn optimize_steps(steps: Vec<Step>) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    for s in steps {
        if s.axis == Axis::Child
            && !s.preds.iter().any(is_positional)
            && let Some(prev) = out.last()
            && prev.axis == Axis::DescendantOrSelf
            && prev.test == NodeTest::Node
            && prev.preds.is_empty()
        {
            out.pop();
            out.push(Step {
                axis: Axis::Descendant,
                ..s
            });
            continue;
        }
        out.push(s);
    }
    out
}

/// Whether a predicate may select by position: it may give a number, or calls position() or
/// last(). Conservative: unknown types count as positional.
pub(crate) fn is_positional(e: &Expr) -> bool {
    fn uses_position(e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Call(Function::Core(CoreFn::Position | CoreFn::Last), _) => true,
            ExprKind::Call(_, args) => args.iter().any(uses_position),
            ExprKind::Or(a, b)
            | ExprKind::And(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Union(a, b) => uses_position(a) || uses_position(b),
            ExprKind::Neg(a) => uses_position(a),
            ExprKind::Filter(a, _) => uses_position(a),
            ExprKind::Path(PathStart::Expr(a), _) => uses_position(a),
            // Predicates of inner steps have their own context positions.
            ExprKind::Path(..) | ExprKind::Literal(_) | ExprKind::Number(_) | ExprKind::Var(_) => {
                false
            }
        }
    }
    let may_be_number = match &e.kind {
        ExprKind::Number(_) | ExprKind::Arith(..) | ExprKind::Neg(_) | ExprKind::Var(_) => true,
        ExprKind::Call(Function::Core(f), _) => matches!(
            f,
            CoreFn::Count
                | CoreFn::Sum
                | CoreFn::Number
                | CoreFn::StringLength
                | CoreFn::Position
                | CoreFn::Last
                | CoreFn::Floor
                | CoreFn::Ceiling
                | CoreFn::Round
        ),
        ExprKind::Call(..) => true,
        ExprKind::Filter(..) => true,
        _ => false,
    };
    may_be_number || uses_position(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse(s, &StaticContext::empty()).unwrap().to_string()
    }

    fn err(s: &str) -> XPathError {
        parse(s, &StaticContext::empty()).unwrap_err()
    }

    #[test]
    fn abbreviations_expand() {
        assert_eq!(p("a/b"), "child::a/child::b");
        assert_eq!(p("@x"), "attribute::x");
        assert_eq!(p("."), "self::node()");
        assert_eq!(p("../a"), "parent::node()/child::a");
        assert_eq!(p("/"), "/");
        assert_eq!(p("//a"), "/descendant::a");
        assert_eq!(p("//a[1]"), "/descendant-or-self::node()/child::a[1]");
        assert_eq!(
            p("a//b[@c='d']"),
            "child::a/descendant::b[(attribute::c = 'd')]"
        );
        assert_eq!(
            p("a//b[last()]"),
            "child::a/descendant-or-self::node()/child::b[last()]"
        );
        assert_eq!(p("$v//b"), "$v/descendant::b");
    }

    #[test]
    fn precedence() {
        assert_eq!(p("1 + 2 * 3"), "(1 + (2 * 3))");
        assert_eq!(p("1 - 2 - 3"), "((1 - 2) - 3)");
        assert_eq!(p("a or b and c"), "(child::a or (child::b and child::c))");
        assert_eq!(p("1 = 2 < 3"), "(1 = (2 < 3))");
        assert_eq!(p("- - 1"), "-(-(1))");
        assert_eq!(p("-a | b"), "-((child::a | child::b))");
        assert_eq!(p("(a)[1]/b"), "(child::a)[1]/child::b");
        assert_eq!(p("8 mod 3 div 2"), "((8 mod 3) div 2)");
    }

    #[test]
    fn axes_and_node_tests() {
        assert_eq!(p("ancestor-or-self::*"), "ancestor-or-self::*");
        assert_eq!(
            p("processing-instruction( 'x' )"),
            "child::processing-instruction('x')"
        );
        assert_eq!(p("namespace::node()"), "namespace::node()");
        assert_eq!(
            p("xml:lang"),
            format!("child::{{{}}}lang", crate::xml::XML_NS)
        );
    }

    #[test]
    fn syntax_errors_point_inside_the_expression() {
        let e = err("a[");
        assert_eq!((e.code, e.span.start), ("XPST0003", 2));
        let e = err("/configuration/");
        assert_eq!(e.span.start, 15);
        let e = err("foo::a");
        assert_eq!((e.code, e.span.clone()), ("XPST0003", 0..3), "{e}");
        let e = err("1 +");
        assert_eq!(e.span.start, 3);
        let e = err("a b");
        assert_eq!(e.span.start, 2);
        let e = err("");
        assert_eq!(e.code, "XPST0003");
        let e = err("(1");
        assert!(e.message.contains("')'"), "{e}");
        assert!(err(".[1]").code == "XPST0003");
    }

    #[test]
    fn functions_are_resolved_with_arity_checks() {
        let e = err("substring('a')");
        assert_eq!((e.code, e.span.clone()), ("XPST0017", 0..9));
        assert!(e.message.contains("2 to 3 arguments, not 1"), "{e}");
        let e = err("frob(1)");
        assert_eq!(e.code, "XPST0017");
        let e = err("concat('a')");
        assert!(e.message.contains("at least 2"), "{e}");
        let e = err("p:f()");
        assert_eq!(e.code, "XPST0081");
        let e = err("p:a");
        assert_eq!(e.code, "XPST0081");
    }

    #[test]
    fn host_functions_and_unknown_extensions() {
        let ns = |p: &str| (p == "ext").then(|| "urn:ext".to_owned());
        let funcs = [HostFunction {
            uri: "",
            local: "key",
            min: 2,
            max: Some(2),
        }];
        let ctx = StaticContext {
            namespaces: &ns,
            functions: &funcs,
        };
        let e = parse("key('a', 'b')", &ctx).unwrap();
        assert!(matches!(e.kind, ExprKind::Call(Function::Host(0, _), _)));
        let e = parse("ext:thing(1)", &ctx).unwrap();
        assert!(matches!(e.kind, ExprKind::Call(Function::Unknown(_), _)));
        assert_eq!(parse("key('a')", &ctx).unwrap_err().code, "XPST0017");
    }
}
