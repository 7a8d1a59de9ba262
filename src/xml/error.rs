//! Errors of the XML layer. Every variant carries a position.

use crate::diag::{Diagnostic, Pos};

/// Something wrong with an XML input: its bytes, its syntax, or its size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// The bytes are not text in an encoding webxsl can honour.
    #[error("{message}")]
    Encoding {
        /// What is wrong.
        message: String,
        /// Where.
        pos: Pos,
    },
    /// The text is not well-formed XML.
    #[error("{message}")]
    Syntax {
        /// What is wrong.
        message: String,
        /// Where.
        pos: Pos,
    },
    /// A document type declaration, refused by default.
    #[error(
        "DTDs are not allowed: a web.config never needs one, and a DTD can expand entities without bound or read external files"
    )]
    Dtd {
        /// Where the `<!DOCTYPE` starts.
        pos: Pos,
    },
    /// A documented limit was exceeded.
    #[error("{message} (limit: {limit})")]
    Limit {
        /// What was too large.
        message: String,
        /// The limit, as a number.
        limit: u64,
        /// Where it was exceeded.
        pos: Pos,
    },
}

impl XmlError {
    /// Where the error is.
    pub fn pos(&self) -> Pos {
        match self {
            XmlError::Encoding { pos, .. }
            | XmlError::Syntax { pos, .. }
            | XmlError::Dtd { pos }
            | XmlError::Limit { pos, .. } => *pos,
        }
    }

    /// A hint for the user, where one helps.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            XmlError::Dtd { .. } => Some("remove the <!DOCTYPE ...> declaration"),
            XmlError::Limit { .. } => {
                Some("this limit protects against hostile input; see docs/security.md")
            }
            _ => None,
        }
    }

    /// A printable diagnostic, with the offending line taken from `text` when given.
    pub fn to_diagnostic(&self, file: Option<&str>, text: Option<&str>) -> Diagnostic {
        let mut d = Diagnostic::error(self.to_string()).at(self.pos());
        if let Some(f) = file {
            d = d.in_file(f);
        }
        if let Some(t) = text {
            d = d.with_source(t);
        }
        if let Some(h) = self.hint() {
            d = d.with_hint(h);
        }
        d
    }

    /// Converts a roxmltree error into ours, with a message a web.config author understands.
    pub(crate) fn from_roxmltree(e: &roxmltree::Error) -> XmlError {
        use roxmltree::Error as E;
        let p = e.pos();
        let pos = Pos::new(p.row, p.col);
        let message = match e {
            E::InvalidXmlPrefixUri(_) => {
                "the 'xml' prefix must be bound to http://www.w3.org/XML/1998/namespace".into()
            }
            E::UnexpectedXmlUri(_) => {
                "only the 'xml' prefix may be bound to http://www.w3.org/XML/1998/namespace".into()
            }
            E::UnexpectedXmlnsUri(_) => {
                "the http://www.w3.org/2000/xmlns/ namespace must not be declared".into()
            }
            E::InvalidElementNamePrefix(_) => "'xmlns' cannot be used as an element prefix".into(),
            E::DuplicatedNamespace(name, _) => {
                format!("namespace prefix '{name}' is declared twice on this element")
            }
            E::UnknownNamespace(prefix, _) => {
                format!("namespace prefix '{prefix}' is not declared")
            }
            E::UnexpectedCloseTag(expected, actual, _) => {
                format!("expected end tag </{expected}>, found </{actual}>")
            }
            E::UnexpectedEntityCloseTag(_) => "an entity starts with an end tag".into(),
            E::UnknownEntityReference(name, _) => {
                format!(
                    "unknown entity reference '&{name};' (XML defines only &lt; &gt; &amp; &apos; &quot;)"
                )
            }
            E::MalformedEntityReference(_) => {
                "malformed entity reference: write a literal '&' as &amp;".into()
            }
            E::EntityReferenceLoop(_) => "entity references nest too deeply or loop".into(),
            E::InvalidAttributeValue(_) => {
                "an attribute value cannot contain '<': write it as &lt;".into()
            }
            E::DuplicatedAttribute(name, _) => format!("attribute '{name}' appears twice"),
            E::NoRootNode => "the document has no root element".into(),
            E::UnclosedRootNode => "the root element is not closed (truncated file?)".into(),
            E::UnexpectedDeclaration(_) => {
                "an XML declaration may only appear once, at the very start of the file".into()
            }
            E::DtdDetected => {
                return XmlError::Dtd { pos };
            }
            E::NodesLimitReached => "too many nodes".into(),
            E::AttributesLimitReached => "too many attributes".into(),
            E::NamespacesLimitReached => "too many namespaces".into(),
            E::InvalidName(_) => "invalid name".into(),
            E::NonXmlChar(c, _) => format!("character U+{:04X} is not allowed in XML", *c as u32),
            E::InvalidChar(expected, actual, _) => format!(
                "expected '{}', found '{}'",
                char::from(*expected).escape_default(),
                char::from(*actual).escape_default()
            ),
            E::InvalidChar2(expected, actual, _) => format!(
                "expected {expected}, found '{}'",
                char::from(*actual).escape_default()
            ),
            E::InvalidString(expected, _) => format!("expected '{expected}'"),
            E::InvalidExternalID(_) => "invalid external ID in the DTD".into(),
            E::InvalidComment(_) => "invalid comment ('--' is not allowed inside a comment)".into(),
            E::InvalidCharacterData(_) => "']]>' is not allowed in text: write ]]&gt;".into(),
            E::UnknownToken(_) => "unexpected text: not a tag, comment, or character data".into(),
            E::UnexpectedEndOfStream => "unexpected end of file (truncated?)".into(),
            other => strip_position(&other.to_string()),
        };
        XmlError::Syntax { message, pos }
    }
}

/// roxmltree's own messages end in " at LINE:COL"; ours carry the position separately.
fn strip_position(s: &str) -> String {
    match s.rfind(" at ") {
        Some(i) if s[i + 4..].chars().all(|c| c.is_ascii_digit() || c == ':') => s[..i].to_owned(),
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_trailing_positions_only() {
        assert_eq!(strip_position("bad thing at 3:4"), "bad thing");
        assert_eq!(strip_position("look at this"), "look at this");
    }
}
