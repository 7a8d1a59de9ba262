//! XPath errors, named after the XPath 2.0/3.1 error codes where one fits (XPath 1.0 defines
//! none): `XPST0003` syntax, `XPST0008` undefined variable, `XPST0017` unknown function or wrong
//! arity, `XPST0081` undeclared prefix, `XPTY0004` type error, `XPDY0002` no context.

use std::ops::Range;

/// An error in an XPath expression or pattern, with the byte range inside the expression text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct XPathError {
    /// The error code, e.g. `XPST0003`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Where, as a byte range of the expression.
    pub span: Range<usize>,
}

impl XPathError {
    /// A new error.
    pub fn new(code: &'static str, message: impl Into<String>, span: Range<usize>) -> XPathError {
        XPathError {
            code,
            message: message.into(),
            span,
        }
    }

    /// A syntax error (`XPST0003`).
    pub fn syntax(message: impl Into<String>, span: Range<usize>) -> XPathError {
        XPathError::new("XPST0003", message, span)
    }

    /// A type error (`XPTY0004`).
    pub fn type_error(message: impl Into<String>, span: Range<usize>) -> XPathError {
        XPathError::new("XPTY0004", message, span)
    }

    /// The column (1-based, in characters) of the error inside `expr`.
    pub fn column(&self, expr: &str) -> usize {
        let end = self.span.start.min(expr.len());
        expr.get(..end).map_or(end, |s| s.chars().count()) + 1
    }
}
