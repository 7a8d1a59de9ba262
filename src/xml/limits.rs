//! Limits that keep hostile input from exhausting time or memory, and the pre-scan that enforces
//! them before the full parse.
//!
//! | limit | default | why |
//! | --- | --- | --- |
//! | file size | 256 MiB | a web.config is kilobytes; the large benchmark input is 20 MB |
//! | element nesting depth | 256 | libxml2's default; web.config nests about 10 deep |
//! | attributes per element | 1,024 | the parser's duplicate check is quadratic in this number |
//! | DTD | refused | entity expansion ("billion laughs") and external entities |
//!
//! The pre-scan is a single linear pass over the text that only counts: it skips comments, CDATA
//! sections, processing instructions and quoted attribute values, and tracks the nesting depth and
//! the number of attributes of each start tag. Malformed markup is left for the parser to report.

use crate::diag::line_col;
use crate::xml::error::XmlError;
use memchr::memchr;

/// Limits applied to every parsed document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes (before decoding).
    pub max_bytes: usize,
    /// Deepest element nesting.
    pub max_depth: u32,
    /// Most attributes (namespace declarations included) on one element.
    pub max_attributes: u32,
    /// Whether a `<!DOCTYPE>` is accepted (its internal subset is then honoured, entities
    /// included; roxmltree bounds their expansion). Off for web.config files, on for the XSLT
    /// conformance corpus.
    pub allow_dtd: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 256 * 1024 * 1024,
            max_depth: 256,
            max_attributes: 1024,
            allow_dtd: false,
        }
    }
}

impl Limits {
    /// The defaults with DTDs allowed (for general XSLT input, not web.config files).
    pub fn with_dtd() -> Limits {
        Limits {
            allow_dtd: true,
            ..Limits::default()
        }
    }

    /// Checks the size of raw input.
    pub fn check_size(&self, len: usize) -> Result<(), XmlError> {
        if len > self.max_bytes {
            return Err(XmlError::Limit {
                message: format!("the input is {len} bytes long"),
                limit: self.max_bytes as u64,
                pos: crate::diag::Pos::new(1, 1),
            });
        }
        Ok(())
    }
}

/// Scans `text` once and fails on the first exceeded limit or refused DTD.
pub fn prescan(text: &str, limits: &Limits) -> Result<(), XmlError> {
    let b = text.as_bytes();
    let mut i = 0usize;
    let mut depth: u32 = 0;
    while let Some(off) = memchr(b'<', &b[i..]) {
        let lt = i + off;
        let rest = &b[lt..];
        if rest.starts_with(b"<!--") {
            i = find(b, lt + 4, b"-->").map_or(b.len(), |e| e + 3);
        } else if rest.starts_with(b"<![CDATA[") {
            i = find(b, lt + 9, b"]]>").map_or(b.len(), |e| e + 3);
        } else if rest.starts_with(b"<?") {
            check_pi_target(text, lt)?;
            i = find(b, lt + 2, b"?>").map_or(b.len(), |e| e + 2);
        } else if rest.starts_with(b"<!DOCTYPE") || rest.starts_with(b"<!doctype") {
            if !limits.allow_dtd {
                return Err(XmlError::Dtd {
                    pos: line_col(text, lt),
                });
            }
            i = skip_doctype(b, lt + 9);
        } else if rest.starts_with(b"</") {
            if rest.get(2) == Some(&b':') {
                return Err(leading_colon(text, lt + 2));
            }
            depth = depth.saturating_sub(1);
            i = memchr(b'>', &b[lt..]).map_or(b.len(), |e| lt + e + 1);
        } else if rest.starts_with(b"<!") {
            i = lt + 2;
        } else {
            depth += 1;
            if depth > limits.max_depth {
                return Err(XmlError::Limit {
                    message: format!("elements nest deeper than {} levels", limits.max_depth),
                    limit: u64::from(limits.max_depth),
                    pos: line_col(text, lt),
                });
            }
            // Count attributes: an '=' outside quotes inside the tag. Also refuse names that
            // start with ':' (roxmltree accepts `<:a>` and `:b="1"`; Namespaces in XML does not).
            let mut j = lt + 1;
            let mut attrs: u32 = 0;
            let mut closed = false;
            while j < b.len() {
                match b[j] {
                    b'"' | b'\'' => {
                        let q = b[j];
                        j = memchr(q, &b[j + 1..]).map_or(b.len(), |e| j + 1 + e + 1);
                        continue;
                    }
                    b'=' => {
                        attrs += 1;
                        if attrs > limits.max_attributes {
                            return Err(XmlError::Limit {
                                message: format!(
                                    "an element has more than {} attributes",
                                    limits.max_attributes
                                ),
                                limit: u64::from(limits.max_attributes),
                                pos: line_col(text, j),
                            });
                        }
                    }
                    b'>' => {
                        closed = true;
                        if b[j - 1] == b'/' {
                            depth -= 1;
                        }
                        j += 1;
                        break;
                    }
                    b'<' => break,
                    b':' if j == lt + 1 || b[j - 1].is_ascii_whitespace() => {
                        return Err(leading_colon(text, j));
                    }
                    _ => {}
                }
                j += 1;
            }
            if !closed && j >= b.len() {
                return Ok(());
            }
            i = j;
        }
    }
    Ok(())
}

/// A processing instruction's target must end with white space or `?>`, and `xml` (any case)
/// is the XML declaration, at the very start only. roxmltree accepts `<?xml<a?>` and `<?pi<a?>`
/// mid-document, which webxsl would then write back as a second declaration (the xdt fuzzer).
pub(crate) fn check_pi_target(text: &str, lt: usize) -> Result<(), XmlError> {
    let after = &text[lt + 2..];
    let len = after
        .find(|c: char| {
            !(c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.') || c as u32 > 0x7f)
        })
        .unwrap_or(after.len());
    let next = &after[len..];
    let (message, at) = if !(next.starts_with("?>") || next.starts_with([' ', '\t', '\r', '\n'])) {
        (
            "a processing instruction's name must be followed by a space or '?>'",
            lt + 2 + len,
        )
    } else if after[..len].eq_ignore_ascii_case("xml") && lt != 0 {
        (
            "an XML declaration may only appear once, at the very start of the file",
            lt,
        )
    } else {
        return Ok(());
    };
    Err(XmlError::Syntax {
        message: message.into(),
        pos: line_col(text, at),
    })
}

fn leading_colon(text: &str, at: usize) -> XmlError {
    XmlError::Syntax {
        message: "invalid name: a name cannot start with ':'".into(),
        pos: line_col(text, at),
    }
}

/// Skips a DOCTYPE declaration, including an internal subset with quoted strings and comments.
fn skip_doctype(b: &[u8], mut i: usize) -> usize {
    let mut bracket = 0i32;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => {
                let q = b[i];
                i = memchr(q, &b[i + 1..]).map_or(b.len(), |e| i + 1 + e + 1);
                continue;
            }
            b'<' if b[i..].starts_with(b"<!--") => {
                i = find(b, i + 4, b"-->").map_or(b.len(), |e| e + 3);
                continue;
            }
            b'[' => bracket += 1,
            b']' => bracket -= 1,
            b'>' if bracket <= 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    if from > b.len() {
        return None;
    }
    memchr::memmem::find(&b[from..], pat).map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;

    fn small() -> Limits {
        Limits {
            max_bytes: 1000,
            max_depth: 3,
            max_attributes: 2,
            allow_dtd: false,
        }
    }

    #[test]
    fn depth_limit_counts_open_elements_only() {
        let l = small();
        assert!(prescan("<a><b><c/></b><b><c></c></b></a>", &l).is_ok());
        let e = prescan("<a><b><c><d/></c></b></a>", &l).unwrap_err();
        assert_eq!(e.pos(), Pos::new(1, 10));
        assert!(e.to_string().contains("deeper than 3"));
    }

    #[test]
    fn attribute_limit_ignores_quoted_equals() {
        let l = small();
        assert!(prescan("<a x='1=2=3' y=\"a>b\"/>", &l).is_ok());
        let e = prescan("<a\n x='1' y='2' z='3'/>", &l).unwrap_err();
        assert_eq!(e.pos(), Pos::new(2, 15));
    }

    #[test]
    fn markup_in_comments_cdata_and_pis_is_skipped() {
        let l = small();
        let t = "<a><!-- <b><c><d><e> --><![CDATA[<b><c><d>]]><?pi <b><c><d>?></a>";
        assert!(prescan(t, &l).is_ok());
    }

    #[test]
    fn names_starting_with_a_colon_are_refused() {
        for (t, col) in [
            ("<:a/>", 2),
            ("<a :b='1'/>", 4),
            ("<a></:a>", 6),
            ("<a\n\t:b='x:y'/>", 2),
        ] {
            match prescan(t, &Limits::default()) {
                Err(XmlError::Syntax { pos, .. }) => assert_eq!(pos.col, col, "{t}"),
                other => panic!("{t}: {other:?}"),
            }
        }
        prescan("<a:b xmlns:a='u' c='x :y'/>", &Limits::default()).unwrap();
    }

    #[test]
    fn processing_instruction_targets_are_checked() {
        let err = |t: &str| prescan(t, &Limits::default()).unwrap_err().to_string();
        assert!(err("<a><?xml<b?></a>").contains("followed by a space"));
        assert!(err("<a><?pi<b?></a>").contains("followed by a space"));
        assert!(err("<a><?XML v?></a>").contains("only appear once"));
        for ok in [
            "<?xml version='1.0'?><a/>",
            "<a><?xml-stylesheet x?><?pi?></a>",
        ] {
            prescan(ok, &Limits::default()).unwrap();
        }
    }

    #[test]
    fn dtd_refused_unless_allowed() {
        let t = "<?xml version='1.0'?>\n<!DOCTYPE a [<!ENTITY x 'y'>]><a/>";
        let e = prescan(t, &small()).unwrap_err();
        assert_eq!(
            e,
            XmlError::Dtd {
                pos: Pos::new(2, 1)
            }
        );
        let l = Limits {
            allow_dtd: true,
            ..small()
        };
        assert!(prescan(t, &l).is_ok());
    }

    #[test]
    fn size_limit() {
        assert!(small().check_size(1000).is_ok());
        assert!(small().check_size(1001).is_err());
    }
}
