//! XPath 1.0 (W3C Recommendation, 16 November 1999), complete, plus XSLT 1.0 patterns.
//!
//! Pipeline: [`lexer`] (tokens with the §3.7 disambiguation) → [`parser`] (recursive descent,
//! names and functions resolved, arities checked) → [`ast`] (every node with its span) →
//! [`eval`] (over the trees of an [`Env`]). [`pattern`] parses and matches `match` patterns.
//!
//! ```
//! use webxsl::xml::{Document, Limits};
//! use webxsl::xpath::{XPath, SimpleEnv};
//!
//! let doc = Document::parse_str(
//!     "<configuration><system.webServer><httpProtocol><customHeaders>\
//!      <add name='X-Frame-Options' value='DENY'/></customHeaders></httpProtocol>\
//!      </system.webServer></configuration>",
//!     &Limits::default(),
//! )?;
//! let xp = XPath::compile("string(//customHeaders/add[@name='X-Frame-Options']/@value)")?;
//! let mut env = SimpleEnv::new(doc.tree());
//! assert_eq!(xp.eval_string(&mut env)?, "DENY");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod ast;
pub mod axes;
pub mod compare;
pub mod error;
pub mod eval;
pub mod functions;
pub mod lexer;
pub mod parser;
pub mod pattern;
pub mod value;

pub use ast::{ExpandedName, Expr};
pub use error::XPathError;
pub use eval::{Context, Env, SimpleEnv, evaluate};
pub use parser::{StaticContext, parse};
pub use pattern::{Pattern, parse_pattern};
pub use value::{NodeRef, Value};

use crate::xml::NodeId;

/// A compiled XPath expression with its source text.
#[derive(Clone, Debug)]
pub struct XPath {
    expr: Expr,
    source: String,
}

impl XPath {
    /// Compiles an expression with no namespace prefixes (but `xml`) and no host functions.
    pub fn compile(src: &str) -> Result<XPath, XPathError> {
        XPath::compile_with(src, &StaticContext::empty())
    }

    /// Compiles an expression in a static context.
    pub fn compile_with(src: &str, ctx: &StaticContext<'_>) -> Result<XPath, XPathError> {
        Ok(XPath {
            expr: parse(src, ctx)?,
            source: src.to_owned(),
        })
    }

    /// The expression's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Evaluates with the root of tree 0 as context node.
    pub fn evaluate(&self, env: &mut dyn Env) -> Result<Value, XPathError> {
        let ctx = Context::node(NodeRef::new(0, NodeId::ROOT));
        evaluate(&self.expr, &ctx, env)
    }

    /// Evaluates in a context.
    pub fn evaluate_at(&self, ctx: &Context, env: &mut dyn Env) -> Result<Value, XPathError> {
        evaluate(&self.expr, ctx, env)
    }

    /// Evaluates with the root of tree 0 as context and converts to a string.
    pub fn eval_string(&self, env: &mut dyn Env) -> Result<String, XPathError> {
        let v = self.evaluate(env)?;
        Ok(eval::to_string(&v, env).to_string())
    }
}
