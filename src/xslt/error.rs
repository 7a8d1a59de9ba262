//! XSLT errors. XSLT 1.0 defines no error codes; webxsl uses the XSLT 2.0/3.0 codes for the same
//! conditions (`XTSE*` static, `XTDE*` dynamic, `XTMM9000` for `xsl:message terminate="yes"`),
//! XPath codes for errors inside expressions, and `WXSL*` for its own limits:
//!
//! | code | meaning |
//! | --- | --- |
//! | WXSL0001 | template recursion deeper than the limit |
//! | WXSL0002 | the result is larger than the output limit |
//! | WXSL0003 | `document()` without `--allow-document`, or a non-local URI |
//! | WXSL0004 | the work budget is spent (runaway XPath or recursion) |
//! | WXSL0005 | warning: a `func:function` that cannot work (its `func:result` is no instruction, or its name has no or an undeclared prefix) |
//! | WXSL0006 | a `func:function` of nothing but parameters is called (libexslt fails too) |
//! | WXSL0007 | a `func:function` writes to the result tree |

use std::path::PathBuf;

use crate::diag::{Diagnostic, Pos};

/// An error from compiling or running a stylesheet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct XsltError {
    /// The error code.
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
    /// The stylesheet module (or input document) where it happened.
    pub file: Option<PathBuf>,
    /// Where in that file.
    pub pos: Option<Pos>,
    /// The offending line.
    pub source_line: Option<String>,
}

impl XsltError {
    /// An error without a position.
    pub fn new(code: &'static str, message: impl Into<String>) -> XsltError {
        XsltError {
            code,
            message: message.into(),
            file: None,
            pos: None,
            source_line: None,
        }
    }

    /// A printable diagnostic: `file:line:col: error: CODE: message`.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::error(format!("{}: {}", self.code, self.message));
        if let Some(f) = &self.file {
            d = d.in_file(f.display().to_string());
        }
        if let Some(p) = self.pos {
            d = d.at(p);
        }
        d.source_line = self.source_line.clone();
        d
    }

    /// The same, as a warning.
    pub fn to_warning(&self) -> Diagnostic {
        let mut d = self.to_diagnostic();
        d.severity = crate::diag::Severity::Warning;
        d
    }
}
