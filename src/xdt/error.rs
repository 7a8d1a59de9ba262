//! XDT diagnostics. Microsoft's engine numbers none of its messages; webxsl gives each kind a
//! code, `XDT0001` to `XDT0016`, listed with their meaning in `docs/xdt.md` (a test keeps the
//! list complete). XPath errors inside locators and arguments keep their XPath codes
//! (`XPST0003`...).

use std::fmt;

use crate::diag::{Diagnostic, Pos, Severity};

/// A message of an XDT run: an error (nothing is written) or a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XdtError {
    /// `XDT0001`..., or an XPath code.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What happened.
    pub message: String,
    /// How to fix it, when we know.
    pub hint: Option<Box<str>>,
    /// The transform file it points into; `None` for the input document.
    pub file: Option<Box<str>>,
    /// Where in that file.
    pub pos: Option<Pos>,
    /// The line at `pos`.
    pub source_line: Option<Box<str>>,
}

impl XdtError {
    /// An error without a place.
    pub fn new(code: &'static str, message: impl Into<String>) -> XdtError {
        XdtError {
            code,
            severity: Severity::Error,
            message: message.into(),
            hint: None,
            file: None,
            pos: None,
            source_line: None,
        }
    }

    /// The same as a warning.
    pub fn warning(mut self) -> XdtError {
        self.severity = Severity::Warning;
        self
    }

    /// The same as an error (`--strict` makes warnings errors).
    pub fn error(mut self) -> XdtError {
        self.severity = Severity::Error;
        self
    }

    /// With a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> XdtError {
        self.hint = Some(hint.into().into_boxed_str());
        self
    }

    /// Whether this is an error (rather than a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A printable diagnostic; `input` names the input document for messages about it.
    pub fn to_diagnostic(&self, input: &str) -> Diagnostic {
        let mut d = Diagnostic::error(format!("{}: {}", self.code, self.message))
            .severity(self.severity)
            .in_file(self.file.as_deref().unwrap_or(input));
        if let Some(p) = self.pos {
            d = d.at(p);
        }
        d.source_line = self.source_line.as_deref().map(str::to_owned);
        d.hint = self.hint.as_deref().map(str::to_owned);
        d
    }
}

impl fmt::Display for XdtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
        }
        if let Some(p) = self.pos {
            write!(f, "{p}:")?;
        }
        if self.file.is_some() || self.pos.is_some() {
            f.write_str(" ")?;
        }
        write!(
            f,
            "{}: {}: {}",
            self.severity.as_str(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for XdtError {}

/// The messages of a run that failed: at least one error, and the warnings around it, in the
/// order they arose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.first_error())]
pub struct XdtErrors(pub Vec<XdtError>);

impl XdtErrors {
    /// The first error.
    pub fn first_error(&self) -> &XdtError {
        self.0
            .iter()
            .find(|e| e.is_error())
            .or(self.0.first())
            .expect("XdtErrors holds at least one message")
    }
}
