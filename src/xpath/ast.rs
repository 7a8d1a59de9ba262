//! The XPath 1.0 abstract syntax tree. Every expression node carries its byte span in the
//! expression text, so evaluation errors point at the sub-expression that failed. Names are
//! already resolved to expanded names; functions to core, host (XSLT) or unknown functions.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A byte range in the expression text.
pub type Span = Range<usize>;

/// A namespace URI and local name (no prefix: prefixes are resolved at compile time).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExpandedName {
    /// Namespace URI, "" for none.
    pub uri: Arc<str>,
    /// Local name.
    pub local: Arc<str>,
}

impl ExpandedName {
    /// A name without a namespace.
    pub fn local(local: &str) -> ExpandedName {
        ExpandedName {
            uri: "".into(),
            local: local.into(),
        }
    }

    /// A name in a namespace.
    pub fn new(uri: &str, local: &str) -> ExpandedName {
        ExpandedName {
            uri: uri.into(),
            local: local.into(),
        }
    }
}

impl fmt::Display for ExpandedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.uri.is_empty() {
            f.write_str(&self.local)
        } else {
            write!(f, "{{{}}}{}", self.uri, self.local)
        }
    }
}

/// An expression with its span.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

impl Expr {
    /// `@name`: the name, when the expression is a path of one attribute step without
    /// predicates (what comparisons and XDT's direct paths look for).
    pub fn attribute_step(&self) -> Option<&ExpandedName> {
        match &self.kind {
            ExprKind::Path(PathStart::Context, steps) => match steps.as_slice() {
                [
                    Step {
                        axis: Axis::Attribute,
                        test: NodeTest::Name(n),
                        preds,
                    },
                ] if preds.is_empty() => Some(n),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `div`
    Div,
    /// `mod`
    Mod,
}

/// The kinds of expressions.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `a = b`, `a < b`, ...
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// `a + b`, `a div b`, ...
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `-a`
    Neg(Box<Expr>),
    /// `a | b`
    Union(Box<Expr>, Box<Expr>),
    /// A location path, or a filter expression followed by steps.
    Path(PathStart, Vec<Step>),
    /// A primary expression with predicates: `$v[1]`, `(a|b)[last()]`.
    Filter(Box<Expr>, Vec<Expr>),
    /// `'text'`
    Literal(Arc<str>),
    /// `1.5`
    Number(f64),
    /// `$name`
    Var(ExpandedName),
    /// `f(args)`
    Call(Function, Vec<Expr>),
}

/// Where a path starts.
#[derive(Clone, Debug)]
pub enum PathStart {
    /// `/...`: the root of the context node's tree.
    Root,
    /// A relative path: the context node.
    Context,
    /// A filter expression, which must give a node-set.
    Expr(Box<Expr>),
}

/// A location step.
#[derive(Clone, Debug)]
pub struct Step {
    /// The axis.
    pub axis: Axis,
    /// The node test.
    pub test: NodeTest,
    /// The predicates.
    pub preds: Vec<Expr>,
}

/// The thirteen axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Axis {
    /// `ancestor::`
    Ancestor,
    /// `ancestor-or-self::`
    AncestorOrSelf,
    /// `attribute::` / `@`
    Attribute,
    /// `child::` (default)
    Child,
    /// `descendant::`
    Descendant,
    /// `descendant-or-self::`
    DescendantOrSelf,
    /// `following::`
    Following,
    /// `following-sibling::`
    FollowingSibling,
    /// `namespace::`
    Namespace,
    /// `parent::` / `..`
    Parent,
    /// `preceding::`
    Preceding,
    /// `preceding-sibling::`
    PrecedingSibling,
    /// `self::` / `.`
    SelfAxis,
}

impl Axis {
    /// The axis of a name, if it is one.
    pub fn from_name(name: &str) -> Option<Axis> {
        Some(match name {
            "ancestor" => Axis::Ancestor,
            "ancestor-or-self" => Axis::AncestorOrSelf,
            "attribute" => Axis::Attribute,
            "child" => Axis::Child,
            "descendant" => Axis::Descendant,
            "descendant-or-self" => Axis::DescendantOrSelf,
            "following" => Axis::Following,
            "following-sibling" => Axis::FollowingSibling,
            "namespace" => Axis::Namespace,
            "parent" => Axis::Parent,
            "preceding" => Axis::Preceding,
            "preceding-sibling" => Axis::PrecedingSibling,
            "self" => Axis::SelfAxis,
            _ => return None,
        })
    }

    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            Axis::Ancestor => "ancestor",
            Axis::AncestorOrSelf => "ancestor-or-self",
            Axis::Attribute => "attribute",
            Axis::Child => "child",
            Axis::Descendant => "descendant",
            Axis::DescendantOrSelf => "descendant-or-self",
            Axis::Following => "following",
            Axis::FollowingSibling => "following-sibling",
            Axis::Namespace => "namespace",
            Axis::Parent => "parent",
            Axis::Preceding => "preceding",
            Axis::PrecedingSibling => "preceding-sibling",
            Axis::SelfAxis => "self",
        }
    }

    /// Whether proximity positions count backwards (in reverse document order).
    pub fn is_reverse(self) -> bool {
        matches!(
            self,
            Axis::Ancestor | Axis::AncestorOrSelf | Axis::Preceding | Axis::PrecedingSibling
        )
    }
}

/// A node test.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeTest {
    /// A name: nodes of the axis's principal type with this expanded name.
    Name(ExpandedName),
    /// `prefix:*`: principal-type nodes in this namespace.
    NsWildcard(Arc<str>),
    /// `*`: any node of the principal type.
    Wildcard,
    /// `node()`
    Node,
    /// `text()`
    Text,
    /// `comment()`
    Comment,
    /// `processing-instruction()` with an optional target.
    Pi(Option<Arc<str>>),
}

/// The core function library.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum CoreFn {
    Last,
    Position,
    Count,
    Id,
    LocalName,
    NamespaceUri,
    Name,
    String,
    Concat,
    StartsWith,
    Contains,
    SubstringBefore,
    SubstringAfter,
    Substring,
    StringLength,
    NormalizeSpace,
    Translate,
    Boolean,
    Not,
    True,
    False,
    Lang,
    Number,
    Sum,
    Floor,
    Ceiling,
    Round,
}

impl CoreFn {
    /// Every core function with its name and arity range (`None`: unbounded).
    pub const ALL: &'static [(CoreFn, &'static str, usize, Option<usize>)] = &[
        (CoreFn::Last, "last", 0, Some(0)),
        (CoreFn::Position, "position", 0, Some(0)),
        (CoreFn::Count, "count", 1, Some(1)),
        (CoreFn::Id, "id", 1, Some(1)),
        (CoreFn::LocalName, "local-name", 0, Some(1)),
        (CoreFn::NamespaceUri, "namespace-uri", 0, Some(1)),
        (CoreFn::Name, "name", 0, Some(1)),
        (CoreFn::String, "string", 0, Some(1)),
        (CoreFn::Concat, "concat", 2, None),
        (CoreFn::StartsWith, "starts-with", 2, Some(2)),
        (CoreFn::Contains, "contains", 2, Some(2)),
        (CoreFn::SubstringBefore, "substring-before", 2, Some(2)),
        (CoreFn::SubstringAfter, "substring-after", 2, Some(2)),
        (CoreFn::Substring, "substring", 2, Some(3)),
        (CoreFn::StringLength, "string-length", 0, Some(1)),
        (CoreFn::NormalizeSpace, "normalize-space", 0, Some(1)),
        (CoreFn::Translate, "translate", 3, Some(3)),
        (CoreFn::Boolean, "boolean", 1, Some(1)),
        (CoreFn::Not, "not", 1, Some(1)),
        (CoreFn::True, "true", 0, Some(0)),
        (CoreFn::False, "false", 0, Some(0)),
        (CoreFn::Lang, "lang", 1, Some(1)),
        (CoreFn::Number, "number", 0, Some(1)),
        (CoreFn::Sum, "sum", 1, Some(1)),
        (CoreFn::Floor, "floor", 1, Some(1)),
        (CoreFn::Ceiling, "ceiling", 1, Some(1)),
        (CoreFn::Round, "round", 1, Some(1)),
    ];

    /// Looks up a core function by name.
    pub fn from_name(name: &str) -> Option<CoreFn> {
        Self::ALL.iter().find(|e| e.1 == name).map(|e| e.0)
    }

    /// The function's name.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|e| e.0 == self).map_or("?", |e| e.1)
    }
}

/// A function an XPath host (the XSLT processor) provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostFunction {
    /// Namespace URI ("" for XSLT's own functions).
    pub uri: &'static str,
    /// Local name.
    pub local: &'static str,
    /// Fewest arguments.
    pub min: usize,
    /// Most arguments (`None`: unbounded).
    pub max: Option<usize>,
}

/// A resolved function.
#[derive(Clone, Debug, PartialEq)]
pub enum Function {
    /// A core library function.
    Core(CoreFn),
    /// A host function: index into the host's function table.
    Host(usize, ExpandedName),
    /// A function nobody provides: an error only if it is called (XSLT 1.0 §15 lets stylesheets
    /// guard extension calls with `function-available()`).
    Unknown(ExpandedName),
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Or(a, b) => write!(f, "({a} or {b})"),
            ExprKind::And(a, b) => write!(f, "({a} and {b})"),
            ExprKind::Compare(op, a, b) => {
                let o = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "!=",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                write!(f, "({a} {o} {b})")
            }
            ExprKind::Arith(op, a, b) => {
                let o = match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "div",
                    ArithOp::Mod => "mod",
                };
                write!(f, "({a} {o} {b})")
            }
            ExprKind::Neg(a) => write!(f, "-({a})"),
            ExprKind::Union(a, b) => write!(f, "({a} | {b})"),
            ExprKind::Path(start, steps) => {
                match start {
                    PathStart::Root => f.write_str("/")?,
                    PathStart::Context => {}
                    PathStart::Expr(e) => write!(f, "{e}/")?,
                }
                for (i, s) in steps.iter().enumerate() {
                    if i > 0 {
                        f.write_str("/")?;
                    }
                    write!(f, "{}::", s.axis.name())?;
                    match &s.test {
                        NodeTest::Name(n) => write!(f, "{n}")?,
                        NodeTest::NsWildcard(u) => write!(f, "{{{u}}}*")?,
                        NodeTest::Wildcard => f.write_str("*")?,
                        NodeTest::Node => f.write_str("node()")?,
                        NodeTest::Text => f.write_str("text()")?,
                        NodeTest::Comment => f.write_str("comment()")?,
                        NodeTest::Pi(None) => f.write_str("processing-instruction()")?,
                        NodeTest::Pi(Some(t)) => write!(f, "processing-instruction('{t}')")?,
                    }
                    for p in &s.preds {
                        write!(f, "[{p}]")?;
                    }
                }
                Ok(())
            }
            ExprKind::Filter(e, preds) => {
                write!(f, "({e})")?;
                for p in preds {
                    write!(f, "[{p}]")?;
                }
                Ok(())
            }
            ExprKind::Literal(s) => {
                if s.contains('\'') {
                    write!(f, "\"{s}\"")
                } else {
                    write!(f, "'{s}'")
                }
            }
            ExprKind::Number(n) => f.write_str(&crate::xpath::value::num_to_str(*n)),
            ExprKind::Var(n) => write!(f, "${n}"),
            ExprKind::Call(func, args) => {
                match func {
                    Function::Core(c) => f.write_str(c.name())?,
                    Function::Host(_, n) | Function::Unknown(n) => write!(f, "{n}")?,
                }
                f.write_str("(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
        }
    }
}
