//! The compiled form of a stylesheet: templates and instruction trees. Every instruction knows
//! where it came from (module and byte offset) for runtime error messages.

use std::sync::Arc;

use crate::xpath::pattern::Pattern;
use crate::xpath::{ExpandedName, Expr};

/// Where an instruction or expression came from: a stylesheet module and a byte offset in its
/// text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    /// Index into the stylesheet's modules.
    pub module: u32,
    /// Byte offset in the module's text.
    pub offset: u32,
}

/// A compiled XPath expression and where its text starts in the stylesheet (for positions of
/// runtime errors inside the expression).
#[derive(Clone, Debug)]
pub struct XExpr {
    /// The expression.
    pub expr: Expr,
    /// Where the attribute value holding it starts.
    pub loc: Loc,
}

/// A sequence of instructions.
pub type Body = Vec<Instr>;

/// An instruction and its location.
#[derive(Clone, Debug)]
pub struct Instr {
    /// What it does.
    pub kind: InstrKind,
    /// Where it is.
    pub loc: Loc,
}

/// A name as written: prefix, local part and namespace URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexName {
    /// Prefix ("" for none).
    pub prefix: Arc<str>,
    /// Local part.
    pub local: Arc<str>,
    /// Namespace URI ("" for none).
    pub uri: Arc<str>,
}

/// In-scope namespaces of a stylesheet element, for names computed at run time.
pub type NsContext = Arc<Vec<(Arc<str>, Arc<str>)>>;

/// An attribute value template.
#[derive(Clone, Debug)]
pub struct Avt {
    /// Literal text and expressions, in order.
    pub parts: Vec<AvtPart>,
}

/// A piece of an attribute value template.
#[derive(Clone, Debug)]
pub enum AvtPart {
    /// Literal text (with `{{`/`}}` already unescaped).
    Lit(Arc<str>),
    /// `{expr}`
    Expr(XExpr),
}

impl Avt {
    /// The text, if the template holds no expression.
    pub fn constant(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                AvtPart::Lit(l) => s.push_str(l),
                AvtPart::Expr(_) => return None,
            }
        }
        Some(s)
    }
}

/// How a variable, parameter or with-param gets its value.
#[derive(Clone, Debug)]
pub enum BindingValue {
    /// `select="..."`
    Select(XExpr),
    /// Content: a result tree fragment.
    Body(Body),
    /// Neither: the empty string.
    Empty,
}

/// A variable or parameter.
#[derive(Clone, Debug)]
pub struct Binding {
    /// Its name.
    pub name: ExpandedName,
    /// Its value.
    pub value: BindingValue,
    /// `xsl:param` (true) or `xsl:variable`.
    pub is_param: bool,
}

/// An `xsl:sort`.
#[derive(Clone, Debug)]
pub struct Sort {
    /// The sort key.
    pub select: XExpr,
    /// `text` or `number`.
    pub data_type: Option<Avt>,
    /// `ascending` or `descending`.
    pub order: Option<Avt>,
    /// `upper-first` or `lower-first`.
    pub case_order: Option<Avt>,
    /// Language (accepted, compared by code point).
    pub lang: Option<Avt>,
}

/// `xsl:number`.
#[derive(Clone, Debug)]
pub struct NumberInstr {
    /// `single`, `multiple` or `any`.
    pub level: NumberLevel,
    /// Which nodes count.
    pub count: Option<Pattern>,
    /// Where counting starts.
    pub from: Option<Pattern>,
    /// A number to format instead of counting.
    pub value: Option<XExpr>,
    /// The format string.
    pub format: Avt,
    /// Language.
    pub lang: Option<Avt>,
    /// `alphabetic` or `traditional`.
    pub letter_value: Option<Avt>,
    /// Grouping separator.
    pub grouping_separator: Option<Avt>,
    /// Grouping size.
    pub grouping_size: Option<Avt>,
}

/// `level` of `xsl:number`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberLevel {
    /// `single`
    Single,
    /// `multiple`
    Multiple,
    /// `any`
    Any,
}

/// A literal result element.
#[derive(Clone, Debug)]
pub struct LiteralElement {
    /// Its name (after `xsl:namespace-alias`).
    pub name: LexName,
    /// Namespace nodes to copy to the result (excluded prefixes and the XSLT namespace removed,
    /// aliases applied).
    pub namespaces: Vec<(Arc<str>, Arc<str>)>,
    /// Attributes, as templates.
    pub attrs: Vec<(LexName, Avt)>,
    /// `xsl:use-attribute-sets`.
    pub use_sets: Vec<ExpandedName>,
    /// Content.
    pub body: Body,
}

/// The instructions.
#[derive(Clone, Debug)]
pub enum InstrKind {
    /// Literal text or `xsl:text`.
    Text {
        /// The text.
        text: Arc<str>,
        /// `disable-output-escaping="yes"`
        doe: bool,
    },
    /// A literal result element.
    Literal(Box<LiteralElement>),
    /// `xsl:element`
    Element {
        /// Name template.
        name: Avt,
        /// Namespace template.
        namespace: Option<Avt>,
        /// Namespaces to resolve a computed prefix.
        ns: NsContext,
        /// `use-attribute-sets`.
        use_sets: Vec<ExpandedName>,
        /// Content.
        body: Body,
    },
    /// `xsl:attribute`
    Attribute {
        /// Name template.
        name: Avt,
        /// Namespace template.
        namespace: Option<Avt>,
        /// Namespaces to resolve a computed prefix.
        ns: NsContext,
        /// Content.
        body: Body,
    },
    /// `xsl:value-of`
    ValueOf {
        /// The expression.
        select: XExpr,
        /// `disable-output-escaping="yes"`
        doe: bool,
    },
    /// `xsl:apply-templates`
    ApplyTemplates {
        /// Nodes to process (default: children).
        select: Option<XExpr>,
        /// Mode.
        mode: Option<ExpandedName>,
        /// Sort keys.
        sorts: Vec<Sort>,
        /// Parameters.
        params: Vec<Binding>,
    },
    /// `xsl:call-template`
    CallTemplate {
        /// Template name.
        name: ExpandedName,
        /// Parameters.
        params: Vec<Binding>,
    },
    /// `xsl:apply-imports`
    ApplyImports,
    /// `xsl:for-each`
    ForEach {
        /// Nodes.
        select: XExpr,
        /// Sort keys.
        sorts: Vec<Sort>,
        /// Content.
        body: Body,
    },
    /// `xsl:if`
    If {
        /// Condition.
        test: XExpr,
        /// Content.
        body: Body,
    },
    /// `xsl:choose`
    Choose {
        /// `xsl:when` branches.
        whens: Vec<(XExpr, Body)>,
        /// `xsl:otherwise`.
        otherwise: Option<Body>,
    },
    /// A local `xsl:variable` or `xsl:param`: in scope for the following siblings.
    Variable(Binding),
    /// `xsl:copy`
    Copy {
        /// `use-attribute-sets`.
        use_sets: Vec<ExpandedName>,
        /// Content.
        body: Body,
    },
    /// `xsl:copy-of`
    CopyOf {
        /// What to copy.
        select: XExpr,
    },
    /// `xsl:comment`
    Comment {
        /// Content.
        body: Body,
    },
    /// `xsl:processing-instruction`
    Pi {
        /// Target template.
        name: Avt,
        /// Content.
        body: Body,
    },
    /// `xsl:message`
    Message {
        /// Content.
        body: Body,
        /// `terminate="yes"`
        terminate: bool,
    },
    /// `xsl:number`
    Number(Box<NumberInstr>),
    /// EXSLT's `func:result` (in a `func:function`): the function's value.
    FuncResult {
        /// `select`, if present.
        select: Option<XExpr>,
        /// Content (without `select`): the value is a result tree fragment, or "" if empty.
        body: Body,
    },
    /// An element webxsl cannot execute (an extension or, in forwards-compatible mode, a
    /// future instruction): its `xsl:fallback` children run instead, or it is an error.
    Unsupported {
        /// The element's name, for the message.
        name: String,
        /// `xsl:fallback` content, if any.
        fallback: Option<Body>,
    },
}

/// A template rule or named template.
#[derive(Clone, Debug)]
pub struct Template {
    /// `match`.
    pub pattern: Option<Pattern>,
    /// `name`.
    pub name: Option<ExpandedName>,
    /// `mode`.
    pub mode: Option<ExpandedName>,
    /// `priority`.
    pub priority: Option<f64>,
    /// `xsl:param` children.
    pub params: Vec<Binding>,
    /// Content.
    pub body: Body,
    /// Import precedence (higher wins).
    pub precedence: u32,
    /// Lowest precedence among the modules this template's module imports (for
    /// `xsl:apply-imports`).
    pub imports_from: u32,
    /// Where it is.
    pub loc: Loc,
}

/// A function the stylesheet defines with EXSLT's `func:function`.
#[derive(Clone, Debug)]
pub struct UserFunction {
    /// Its name (always in a namespace).
    pub name: ExpandedName,
    /// `xsl:param` children: the arguments, in order.
    pub params: Vec<Binding>,
    /// Content after the parameters; `None` when there is none (libexslt fails on every call
    /// of such a function, and so does webxsl).
    pub body: Option<Body>,
    /// Import precedence (higher wins).
    pub precedence: u32,
    /// Where it is.
    pub loc: Loc,
}

/// `xsl:key`
#[derive(Clone, Debug)]
pub struct KeyDef {
    /// Nodes that have this key.
    pub pattern: Pattern,
    /// The key values.
    pub use_expr: XExpr,
}

/// `xsl:attribute-set`
#[derive(Clone, Debug)]
pub struct AttributeSet {
    /// Sets used by this one (applied first).
    pub use_sets: Vec<ExpandedName>,
    /// `xsl:attribute` instructions.
    pub body: Body,
    /// Import precedence.
    pub precedence: u32,
}

/// `xsl:decimal-format`
#[derive(Clone, Debug, PartialEq)]
pub struct DecimalFormat {
    /// Decimal separator.
    pub decimal_separator: char,
    /// Grouping separator.
    pub grouping_separator: char,
    /// The string for infinity.
    pub infinity: String,
    /// Minus sign.
    pub minus_sign: char,
    /// The string for NaN.
    pub nan: String,
    /// Percent sign.
    pub percent: char,
    /// Per-mille sign.
    pub per_mille: char,
    /// Zero digit.
    pub zero_digit: char,
    /// Optional digit.
    pub digit: char,
    /// Pattern separator.
    pub pattern_separator: char,
}

impl Default for DecimalFormat {
    fn default() -> Self {
        DecimalFormat {
            decimal_separator: '.',
            grouping_separator: ',',
            infinity: "Infinity".into(),
            minus_sign: '-',
            nan: "NaN".into(),
            percent: '%',
            per_mille: '\u{2030}',
            zero_digit: '0',
            digit: '#',
            pattern_separator: ';',
        }
    }
}

/// A top-level variable or parameter.
#[derive(Clone, Debug)]
pub struct Global {
    /// The binding.
    pub binding: Binding,
    /// Import precedence.
    pub precedence: u32,
    /// Where it is.
    pub loc: Loc,
}

/// `xsl:strip-space` / `xsl:preserve-space` name tests.
#[derive(Clone, Debug)]
pub struct SpaceRule {
    /// Namespace URI (`None`: any, for `*`).
    pub uri: Option<Arc<str>>,
    /// Local name (`None`: any, for `*` and `prefix:*`).
    pub local: Option<Arc<str>>,
    /// Strip (true) or preserve.
    pub strip: bool,
    /// Import precedence.
    pub precedence: u32,
}

impl SpaceRule {
    /// Default priority of the name test: 0 for a name, -0.25 for `prefix:*`, -0.5 for `*`.
    pub fn priority(&self) -> f64 {
        match (&self.uri, &self.local) {
            (_, Some(_)) => 0.0,
            (Some(_), None) => -0.25,
            (None, None) => -0.5,
        }
    }
}
