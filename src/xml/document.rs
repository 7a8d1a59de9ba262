//! The lossless document: original text, encoding, and a tree whose nodes know their bytes.

use std::path::Path;

use crate::diag::{Pos, line_col};
use crate::xml::encoding::{EncodeError, LineEnding, TextEncoding, decode, encode};
use crate::xml::error::XmlError;
use crate::xml::limits::Limits;
use crate::xml::parse::parse_text;
use crate::xml::tree::{NodeId, NodeKind, Tree};

/// A parsed XML file that can be written back byte for byte.
///
/// ```
/// use webxsl::xml::{Document, Limits};
///
/// let bytes = b"\xEF\xBB\xBF<configuration>\r\n  <appSettings />\r\n</configuration>";
/// let doc = Document::parse(bytes, &Limits::default()).unwrap();
/// let root = doc.tree().root_element().unwrap();
/// assert_eq!(doc.tree().local_name(root), "configuration");
/// assert_eq!(doc.to_bytes().unwrap(), bytes);
/// ```
#[derive(Clone, Debug)]
pub struct Document {
    tree: Tree,
    encoding: TextEncoding,
}

impl Document {
    /// Decodes and parses a file's bytes.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Document, XmlError> {
        limits.check_size(bytes.len())?;
        let (text, encoding) = decode(bytes)?;
        let tree = parse_text(text, limits)?;
        Ok(Document { tree, encoding })
    }

    /// [`Document::parse`] for bytes the caller gives up: UTF-8 input is parsed without copying
    /// it, which matters for large files.
    pub fn parse_owned(bytes: Vec<u8>, limits: &Limits) -> Result<Document, XmlError> {
        limits.check_size(bytes.len())?;
        let (text, encoding) = crate::xml::encoding::decode_owned(bytes)?;
        let tree = parse_text(text, limits)?;
        Ok(Document { tree, encoding })
    }

    /// [`Document::parse_owned`] that gives the text back with an error, for a report that
    /// shows it (bytes that cannot be decoded are given back as lossy UTF-8).
    pub fn parse_owned_or_back(
        bytes: Vec<u8>,
        limits: &Limits,
    ) -> Result<Document, (XmlError, String)> {
        let lossy = |b: Vec<u8>| {
            String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
        };
        if let Err(e) = limits.check_size(bytes.len()) {
            let text = match decode(&bytes) {
                Ok((text, _)) => text,
                Err(_) => lossy(bytes),
            };
            return Err((e, text));
        }
        let (text, encoding) =
            crate::xml::encoding::decode_owned_or_back(bytes).map_err(|(e, b)| (e, lossy(b)))?;
        let tree = crate::xml::parse::parse_text_or_back(text, limits)?;
        Ok(Document { tree, encoding })
    }

    /// The decoded text, given up (without a copy).
    pub fn into_text(self) -> String {
        self.tree.into_source()
    }

    /// Parses text that is already decoded (written back as UTF-8 without a BOM).
    pub fn parse_str(text: &str, limits: &Limits) -> Result<Document, XmlError> {
        Document::parse_string(text.to_owned(), limits)
    }

    /// [`Document::parse_str`] for text the caller gives up: it becomes the document's text
    /// without a copy.
    pub fn parse_string(text: String, limits: &Limits) -> Result<Document, XmlError> {
        Ok(Document {
            tree: parse_text(text, limits)?,
            encoding: TextEncoding::UTF8,
        })
    }

    /// Reads and parses a file. I/O errors are reported as `std::io::Error`.
    pub fn read(
        path: &Path,
        limits: &Limits,
    ) -> Result<Result<Document, XmlError>, std::io::Error> {
        let bytes = std::fs::read(path)?;
        Ok(Document::parse(&bytes, limits))
    }

    /// The tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// Consumes the document, giving its tree.
    pub fn into_tree(self) -> Tree {
        self.tree
    }

    /// The decoded text (without BOM).
    pub fn text(&self) -> &str {
        self.tree.source()
    }

    /// The encoding and BOM of the original bytes.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// The dominant line ending.
    pub fn line_ending(&self) -> LineEnding {
        LineEnding::detect(self.text())
    }

    /// The line and column of a byte offset in [`Document::text`].
    pub fn pos(&self, offset: usize) -> Pos {
        line_col(self.text(), offset)
    }

    /// The whitespace that precedes a node on its line, if only whitespace precedes it there.
    pub fn line_indent(&self, n: NodeId) -> Option<&str> {
        let src = self.text();
        let start = self.tree.span(n).start;
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let lead = &src[line_start..start];
        lead.chars().all(|c| c == ' ' || c == '\t').then_some(lead)
    }

    /// The file's indentation unit: the most common extra indentation of an element relative to
    /// its parent element (e.g. two spaces, four spaces, a tab). `None` when nothing is indented.
    pub fn indent_unit(&self) -> Option<String> {
        let t = &self.tree;
        let mut counts: Vec<(String, usize)> = Vec::new();
        for n in t.descendants(NodeId::ROOT) {
            if t.kind(n) != NodeKind::Element {
                continue;
            }
            let Some(p) = t.parent(n).filter(|&p| t.kind(p) == NodeKind::Element) else {
                continue;
            };
            let (Some(ci), Some(pi)) = (self.line_indent(n), self.line_indent(p)) else {
                continue;
            };
            if let Some(extra) = ci.strip_prefix(pi).filter(|e| !e.is_empty()) {
                match counts.iter_mut().find(|(u, _)| u == extra) {
                    Some((_, c)) => *c += 1,
                    None => counts.push((extra.to_owned(), 1)),
                }
            }
        }
        counts.into_iter().max_by_key(|(_, c)| *c).map(|(u, _)| u)
    }

    /// Rebuilds the text from the tree's spans: the prolog and epilog between top-level nodes,
    /// each element's tags and each leaf's bytes. Equal to [`Document::text`] exactly when the
    /// spans tile the text, which [`Document::verify_spans`] checks in detail.
    pub fn rebuild_text(&self) -> String {
        let t = &self.tree;
        let src = t.source();
        let mut out = String::with_capacity(src.len());
        let mut pos = 0usize;
        // Iterative walk: (node, entering?)
        let top: Vec<NodeId> = t.children(NodeId::ROOT).collect();
        let mut stack: Vec<(NodeId, bool)> = top.into_iter().rev().map(|c| (c, true)).collect();
        while let Some((n, entering)) = stack.pop() {
            let span = t.span(n);
            if entering {
                out.push_str(&src[pos.min(span.start)..span.start]);
                if t.kind(n) == NodeKind::Element {
                    let st = t.start_tag_span(n);
                    out.push_str(&src[st.clone()]);
                    pos = st.end;
                    stack.push((n, false));
                    let kids: Vec<NodeId> = t.children(n).collect();
                    stack.extend(kids.into_iter().rev().map(|c| (c, true)));
                } else {
                    out.push_str(&src[span.clone()]);
                    pos = span.end;
                }
            } else {
                let content_end = t.content_span(n).end;
                out.push_str(&src[pos.min(content_end)..content_end]);
                out.push_str(&src[content_end..span.end]);
                pos = span.end;
            }
        }
        out.push_str(&src[pos.min(src.len())..]);
        out
    }

    /// Encodes the text back into the original encoding, with the original BOM.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        encode(&self.rebuild_text(), self.encoding)
    }

    /// Checks that every span is consistent with the text: element tags carry the element's
    /// name, children tile their parent's content without gaps or overlaps, attribute names and
    /// values match. Returns the first inconsistency. Used by tests and `webxsl inspect`.
    pub fn verify_spans(&self) -> Result<(), String> {
        let t = &self.tree;
        if !t.has_spans() {
            return Err("spans are not available for this document (DTD entities)".into());
        }
        let src = t.source();
        let slice = |r: std::ops::Range<usize>| {
            src.get(r.clone()).ok_or(format!("span {r:?} out of range"))
        };
        let mut prev_end = 0usize;
        for c in t.children(NodeId::ROOT) {
            let s = t.span(c);
            if s.start < prev_end {
                return Err(format!("top-level node at {s:?} overlaps the previous one"));
            }
            let gap = slice(prev_end..s.start)?;
            if prev_end > 0 && !gap.trim().is_empty() && !gap.trim_start().starts_with("<!DOCTYPE")
            {
                return Err(format!("unexpected text {gap:?} between top-level nodes"));
            }
            prev_end = s.end;
        }
        for n in t.descendants(NodeId::ROOT) {
            let span = t.span(n);
            let raw = slice(span.clone())?;
            let at = crate::diag::LazyPos(src, span.start);
            match t.kind(n) {
                NodeKind::Element => {
                    let qn = t.qualified_name(n);
                    let st = slice(t.start_tag_span(n))?;
                    if !st.starts_with('<')
                        || !st[1..].starts_with(qn.as_ref())
                        || !st.ends_with('>')
                    {
                        return Err(format!("{at}: start tag {st:?} does not match <{qn}>"));
                    }
                    if let Some(et) = t.end_tag_span(n) {
                        let et = slice(et)?;
                        let inner = et.strip_prefix("</").and_then(|r| r.strip_suffix('>'));
                        if inner.map(str::trim_end) != Some(qn.as_ref()) {
                            return Err(format!("{at}: end tag {et:?} does not match </{qn}>"));
                        }
                    } else if !st.ends_with("/>") {
                        return Err(format!("{at}: element without end tag is not self-closing"));
                    }
                    let content = t.content_span(n);
                    let mut pos = content.start;
                    for c in t.children(n) {
                        let cs = t.span(c);
                        if cs.start != pos {
                            return Err(format!(
                                "{}: child of <{qn}> starts at byte {} but the previous one ended at {pos}",
                                line_col(src, cs.start),
                                cs.start
                            ));
                        }
                        pos = cs.end;
                    }
                    if pos != content.end {
                        return Err(format!("{at}: children of <{qn}> end before its end tag"));
                    }
                    let mut apos = t.start_tag_span(n).start + 1 + qn.len();
                    for a in t.attributes(n) {
                        let aspan = t.span(a);
                        if aspan.start < apos {
                            return Err(format!("{at}: attribute spans overlap"));
                        }
                        apos = aspan.end;
                        let name = slice(t.attr_name_span(a))?;
                        if name != t.qualified_name(a) {
                            return Err(format!(
                                "{at}: attribute name {name:?} != {}",
                                t.qualified_name(a)
                            ));
                        }
                        let raw_value = slice(t.attr_value_span(a))?;
                        let quote = t.attr_quote(a);
                        let vs = t.attr_value_span(a);
                        if !src[..vs.start].ends_with(quote) {
                            return Err(format!("{at}: attribute value of {name} is not quoted"));
                        }
                        if !raw_value.contains('&') && normalize_attr(raw_value) != t.value(a) {
                            return Err(format!(
                                "{at}: attribute {name} value {raw_value:?} != {:?}",
                                t.value(a)
                            ));
                        }
                    }
                }
                NodeKind::Text => {
                    if !raw.contains('&')
                        && !raw.contains("<![CDATA[")
                        && raw.replace("\r\n", "\n").replace('\r', "\n") != t.value(n)
                    {
                        return Err(format!("{at}: text span does not match its value"));
                    }
                }
                NodeKind::Comment => {
                    if raw
                        .strip_prefix("<!--")
                        .and_then(|r| r.strip_suffix("-->"))
                        .is_none()
                    {
                        return Err(format!("{at}: comment span {raw:?}"));
                    }
                }
                NodeKind::ProcessingInstruction => {
                    if !raw.starts_with("<?") || !raw.ends_with("?>") {
                        return Err(format!("{at}: PI span {raw:?}"));
                    }
                }
                NodeKind::Root | NodeKind::Attribute => {}
            }
        }
        Ok(())
    }
}

/// Attribute-value normalisation of XML 1.0 §3.3.3 for values without references.
fn normalize_attr(raw: &str) -> String {
    raw.replace("\r\n", " ").replace(['\r', '\n', '\t'], " ")
}

/// Maps an offset in an attribute's (decoded, normalised) value to an offset in its raw text.
pub fn raw_value_offset(raw: &str, decoded: usize) -> usize {
    let b = raw.as_bytes();
    let (mut r, mut d) = (0usize, 0usize);
    while d < decoded && r < b.len() {
        if b[r] == b'&' {
            let end = raw[r..].find(';').map_or(r + 1, |e| r + e + 1);
            let ent = &raw[r..end];
            let len = match ent {
                "&lt;" | "&gt;" | "&amp;" | "&quot;" | "&apos;" => 1,
                _ if ent.starts_with("&#") => {
                    let n = if let Some(h) = ent.strip_prefix("&#x") {
                        u32::from_str_radix(h.trim_end_matches(';'), 16).ok()
                    } else {
                        ent[2..].trim_end_matches(';').parse().ok()
                    };
                    n.and_then(char::from_u32).map_or(1, char::len_utf8)
                }
                _ => 1,
            };
            r = end;
            d += len;
        } else if b[r] == b'\r' && b.get(r + 1) == Some(&b'\n') {
            r += 2;
            d += 1;
        } else {
            r += 1;
            d += 1;
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_offsets_account_for_references() {
        assert_eq!(raw_value_offset("a &lt; b", 4), 7);
        assert_eq!(raw_value_offset("&#x2014;x", 3), 8);
        assert_eq!(raw_value_offset("a\r\nb", 2), 3);
        assert_eq!(raw_value_offset("abc", 10), 3);
    }

    fn roundtrip(src: &str) {
        let doc = Document::parse_str(src, &Limits::default()).unwrap();
        doc.verify_spans().unwrap_or_else(|e| panic!("{e}\n{src}"));
        assert_eq!(doc.rebuild_text(), src);
    }

    #[test]
    fn lossless_on_awkward_markup() {
        roundtrip("<a/>");
        roundtrip(
            "<?xml version='1.0' encoding=\"utf-8\" ?>\r\n<!-- c -->\n<?pi x?><a b = \"1\"\t c='2' >x&amp;y<![CDATA[<z>]]>&#x41;<d /><e></e ></a>\n\n<!--tail-->",
        );
        roundtrip("<a>\r\n  <b x='1'\r\n     y='2'/>\r\n</a>");
        roundtrip("  <a/>  ");
        roundtrip("<a>no trailing newline</a>");
        roundtrip("<p:a xmlns:p='urn:p' xmlns='urn:d'><b p:c=\"&quot;'\"/></p:a>");
    }

    #[test]
    fn indentation_is_detected() {
        let d = |s: &str| Document::parse_str(s, &Limits::default()).unwrap();
        assert_eq!(
            d("<a>\n  <b>\n    <c/>\n  </b>\n</a>")
                .indent_unit()
                .as_deref(),
            Some("  ")
        );
        assert_eq!(
            d("<a>\r\n\t<b/>\r\n</a>").indent_unit().as_deref(),
            Some("\t")
        );
        assert_eq!(d("<a><b/></a>").indent_unit(), None);
        let doc = d("<a>\n    <b/> <c/>\n</a>");
        let a = doc.tree().root_element().unwrap();
        let kids: Vec<_> = doc.tree().element_children(a).collect();
        assert_eq!(doc.line_indent(kids[0]), Some("    "));
        assert_eq!(doc.line_indent(kids[1]), None);
    }

    #[test]
    fn verify_spans_notices_a_wrong_span() {
        let mut doc = Document::parse_str("<a><b/></a>", &Limits::default()).unwrap();
        let a = doc.tree.root_element().unwrap();
        let b = doc.tree.first_child(a).unwrap();
        doc.tree.set_span(b, [4, 7, 7, 7]);
        assert!(doc.verify_spans().is_err());
    }
}
