//! Serialization of result trees per `xsl:output`: the `xml`, `html` and `text` methods, laid out
//! the way libxslt (libxml2's serializer) lays them out, so that `webxsl xslt` output can be
//! compared with `xsltproc` output.

use crate::xml::encoding::{Encoding, TextEncoding, encode};
use crate::xml::{NodeId, NodeKind, Tree};
use crate::xslt::error::XsltError;

mod html;

/// The output method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// `xml`
    Xml,
    /// `html`
    Html,
    /// `text`
    Text,
}

/// The merged `xsl:output` settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutputSpec {
    /// `method` (`None`: chosen from the result, html if its first element is `<html>`).
    pub method: Option<Method>,
    /// `version`.
    pub version: Option<String>,
    /// `encoding`.
    pub encoding: Option<String>,
    /// `omit-xml-declaration`.
    pub omit_xml_declaration: Option<bool>,
    /// `standalone`.
    pub standalone: Option<bool>,
    /// `doctype-public`.
    pub doctype_public: Option<String>,
    /// `doctype-system`.
    pub doctype_system: Option<String>,
    /// `cdata-section-elements`, as (namespace URI, local name).
    pub cdata_section_elements: Vec<(String, String)>,
    /// `indent`.
    pub indent: Option<bool>,
    /// `media-type`.
    pub media_type: Option<String>,
}

impl OutputSpec {
    /// The method to use for `tree`.
    pub fn effective_method(&self, tree: &Tree) -> Method {
        if let Some(m) = &self.method {
            return m.clone();
        }
        for c in tree.children(NodeId::ROOT) {
            match tree.kind(c) {
                NodeKind::Element => {
                    return if tree.namespace_uri(c).is_empty()
                        && tree.local_name(c).eq_ignore_ascii_case("html")
                    {
                        Method::Html
                    } else {
                        Method::Xml
                    };
                }
                NodeKind::Text if !tree.value(c).trim().is_empty() => return Method::Xml,
                _ => {}
            }
        }
        Method::Xml
    }

    /// The media type (`media-type`, or the method's default).
    pub fn media_type(&self, tree: &Tree) -> String {
        self.media_type.clone().unwrap_or_else(|| {
            match self.effective_method(tree) {
                Method::Xml => "text/xml",
                Method::Html => "text/html",
                Method::Text => "text/plain",
            }
            .to_owned()
        })
    }
}

/// Serializes a result tree to bytes in the output encoding.
pub fn serialize(tree: &Tree, spec: &OutputSpec) -> Result<Vec<u8>, XsltError> {
    let mut out = Vec::new();
    match serialize_to(tree, spec, &mut out) {
        Ok(()) => Ok(out),
        Err(SerializeError::Xslt(e)) => Err(e),
        Err(SerializeError::Io(e)) => unreachable!("writing to a Vec cannot fail: {e}"),
    }
}

/// Why [`serialize_to`] stopped.
#[derive(Debug, thiserror::Error)]
pub enum SerializeError {
    /// The result cannot be written as asked (e.g. a character the encoding lacks).
    #[error(transparent)]
    Xslt(#[from] XsltError),
    /// The sink failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// How much text the serializer gathers before encoding it and handing it to the sink.
const CHUNK: usize = 64 * 1024;

/// Serializes a result tree into `sink`, in chunks: memory stays flat however large the result.
/// On error, part of the output may already have been written.
pub fn serialize_to(
    tree: &Tree,
    spec: &OutputSpec,
    sink: &mut dyn std::io::Write,
) -> Result<(), SerializeError> {
    let method = spec.effective_method(tree);
    let enc_name = spec.encoding.clone().unwrap_or_else(|| "UTF-8".into());
    let encoding = Encoding::from_label(&enc_name).ok_or_else(|| {
        XsltError::new(
            "XTRE1495",
            format!("unsupported output encoding \"{enc_name}\" (use UTF-8, UTF-16, US-ASCII, ISO-8859-1 or windows-1252)"),
        )
    })?;
    // With no encoding named, libxslt writes XML as ASCII with hexadecimal character references.
    let hex_refs = method == Method::Xml && spec.encoding.is_none();
    let mut w = Writer {
        tree,
        spec,
        encoding: if hex_refs { Encoding::Ascii } else { encoding },
        hex_refs,
        out: String::with_capacity(CHUNK + 4096),
        xhtml: is_xhtml_doctype(
            spec.doctype_public.as_deref(),
            spec.doctype_system.as_deref(),
        ),
        sink,
        target: TextEncoding {
            encoding,
            bom: matches!(encoding, Encoding::Utf16Le | Encoding::Utf16Be),
        },
        failed: None,
    };
    match method {
        Method::Xml => w.xml_document(),
        Method::Html => w.html_document(&enc_name),
        Method::Text => w.text_document(),
    }
    w.flush();
    match w.failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct Writer<'a> {
    tree: &'a Tree,
    spec: &'a OutputSpec,
    encoding: Encoding,
    /// Character references in hexadecimal (`&#xE9;`) rather than decimal.
    hex_refs: bool,
    /// Text not yet handed to the sink.
    out: String,
    /// libxml2's XHTML mode: an XHTML 1.0 doctype on the xml method.
    xhtml: bool,
    sink: &'a mut dyn std::io::Write,
    /// The bytes to write (the BOM goes with the first chunk only).
    target: TextEncoding,
    /// The first failure; once set, nothing more is written.
    failed: Option<SerializeError>,
}

/// A byte lookup table for the escapers.
const fn special_bytes(list: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < list.len() {
        t[list[i] as usize] = true;
        i += 1;
    }
    t
}

const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

fn is_xhtml_doctype(public: Option<&str>, system: Option<&str>) -> bool {
    const PUBLIC: [&str; 3] = [
        "-//W3C//DTD XHTML 1.0 Strict//EN",
        "-//W3C//DTD XHTML 1.0 Frameset//EN",
        "-//W3C//DTD XHTML 1.0 Transitional//EN",
    ];
    const SYSTEM: [&str; 3] = [
        "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd",
        "http://www.w3.org/TR/xhtml1/DTD/xhtml1-frameset.dtd",
        "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd",
    ];
    public.is_some_and(|p| PUBLIC.contains(&p)) || system.is_some_and(|s| SYSTEM.contains(&s))
}

const XHTML_EMPTY: &[&str] = &[
    "area", "base", "basefont", "br", "col", "frame", "hr", "img", "input", "isindex", "link",
    "meta", "param",
];

/// Namespace declarations in scope while writing: (prefix, uri) pairs with marks per element.
struct Scope<'t> {
    bindings: Vec<(&'t str, &'t str)>,
}

impl<'t> Scope<'t> {
    fn lookup(&self, prefix: &str) -> Option<&'t str> {
        self.bindings
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|(_, u)| *u)
    }
}

impl<'a> Writer<'a> {
    /// Encodes the gathered text and writes it to the sink.
    fn flush(&mut self) {
        if self.failed.is_none() && !self.out.is_empty() {
            let r = match self.target.encoding {
                // The common case needs no transcoding.
                Encoding::Utf8 if !self.target.bom => self.sink.write_all(self.out.as_bytes()),
                _ => match encode(&self.out, self.target) {
                    Ok(bytes) => self.sink.write_all(&bytes),
                    Err(e) => {
                        self.failed = Some(SerializeError::Xslt(XsltError::new(
                            "XTDE1190",
                            format!(
                                "character U+{:04X} cannot be written in {} in this context (method text)",
                                e.ch as u32, e.encoding
                            ),
                        )));
                        Ok(())
                    }
                },
            };
            if let Err(e) = r {
                self.failed = Some(SerializeError::Io(e));
            }
            self.target.bom = false;
        }
        self.out.clear();
    }

    /// Hands the text to the sink once a chunk is full.
    #[inline]
    fn maybe_flush(&mut self) {
        if self.out.len() >= CHUNK {
            self.flush();
        }
    }

    fn char_ref_if_needed(&mut self, c: char) {
        if self.encoding.can_encode(c) {
            self.out.push(c);
        } else {
            if self.hex_refs {
                self.out.push_str(&format!("&#x{:X};", c as u32));
            } else {
                self.out.push_str(&format!("&#{};", c as u32));
            }
        }
    }

    /// The length of the prefix of `s` that is written as is: no byte in `special`, and only
    /// ASCII unless the output encoding can write every character.
    #[inline]
    fn plain_prefix(&self, s: &str, special: &[bool; 256]) -> usize {
        let unicode = matches!(
            self.encoding,
            Encoding::Utf8 | Encoding::Utf16Le | Encoding::Utf16Be
        );
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if special[b as usize] || (b >= 0x80 && !unicode) {
                break;
            }
            i += 1;
        }
        // Every stop is at an ASCII byte or a non-ASCII lead byte: a character boundary.
        i
    }

    fn escape_text(&mut self, s: &str) {
        const SPECIAL: [bool; 256] = special_bytes(b"&<>\r");
        self.escape(s, &SPECIAL);
    }

    fn escape_attr(&mut self, s: &str) {
        const SPECIAL: [bool; 256] = special_bytes(b"&<>\"\n\r\t");
        self.escape(s, &SPECIAL);
    }

    /// Copies runs of plain text at once and escapes the `special` characters (and, in a
    /// narrow encoding, what it cannot write) one by one.
    fn escape(&mut self, mut s: &str, special: &[bool; 256]) {
        loop {
            let plain = self.plain_prefix(s, special);
            self.out.push_str(&s[..plain]);
            s = &s[plain..];
            let Some(c) = s.chars().next() else { break };
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '"' => self.out.push_str("&quot;"),
                '\n' => self.out.push_str("&#10;"),
                '\r' => self.out.push_str("&#13;"),
                '\t' => self.out.push_str("&#9;"),
                c => self.char_ref_if_needed(c),
            }
            s = &s[c.len_utf8()..];
        }
    }

    // ----- xml -----

    fn xml_document(&mut self) {
        let t = self.tree;
        // libxslt writes nothing at all for an empty result.
        if t.first_child(NodeId::ROOT).is_none() {
            return;
        }
        if self.spec.omit_xml_declaration != Some(true) {
            let version = self.spec.version.clone().unwrap_or_else(|| "1.0".into());
            self.out.push_str(&format!("<?xml version=\"{version}\""));
            if let Some(e) = &self.spec.encoding {
                self.out.push_str(&format!(" encoding=\"{e}\""));
            }
            if let Some(s) = self.spec.standalone {
                self.out.push_str(if s {
                    " standalone=\"yes\""
                } else {
                    " standalone=\"no\""
                });
            }
            self.out.push_str("?>\n");
        }
        let indent = self.spec.indent == Some(true);
        let mut doctype_done = false;
        let mut scope = Scope {
            bindings: Vec::new(),
        };
        for c in t.children(NodeId::ROOT) {
            if t.kind(c) == NodeKind::Element && !doctype_done {
                doctype_done = true;
                if let Some(sys) = &self.spec.doctype_system {
                    let name = t.qualified_name(c);
                    match &self.spec.doctype_public {
                        Some(p) => self
                            .out
                            .push_str(&format!("<!DOCTYPE {name} PUBLIC \"{p}\" \"{sys}\">\n")),
                        None => self
                            .out
                            .push_str(&format!("<!DOCTYPE {name} SYSTEM \"{sys}\">\n")),
                    }
                }
            }
            self.xml_node(c, indent, 0, &mut scope);
            // libxslt puts a newline after a top-level comment followed by more nodes...
            if t.kind(c) == NodeKind::Comment
                && t.next_sibling(c).is_some()
                && self.spec.indent != Some(false)
            {
                self.out.push('\n');
            }
        }
        // ...and one at the end.
        if t.first_child(NodeId::ROOT).is_some() {
            self.out.push('\n');
        }
    }

    fn xml_node(&mut self, n: NodeId, format: bool, level: usize, scope: &mut Scope<'a>) {
        let t = self.tree;
        match t.kind(n) {
            NodeKind::Element => self.xml_element(n, format, level, scope),
            NodeKind::Text => {
                if t.is_raw_text(n) {
                    self.out.push_str(t.value(n));
                } else if self.is_cdata_parent(n) {
                    self.cdata(t.value(n));
                } else {
                    self.escape_text(t.value(n));
                }
            }
            NodeKind::Comment => self.comment(n),
            NodeKind::ProcessingInstruction => self.processing_instruction(n, "?>"),
            NodeKind::Root | NodeKind::Attribute => {}
        }
        self.maybe_flush();
    }

    /// A comment node, as written in every output method.
    fn comment(&mut self, n: NodeId) {
        self.out.push_str("<!--");
        self.out.push_str(self.tree.value(n));
        self.out.push_str("-->");
    }

    /// A processing instruction: target, data, then `close` (`?>` in XML, `>` in HTML).
    fn processing_instruction(&mut self, n: NodeId, close: &str) {
        let t = self.tree;
        self.out.push_str("<?");
        self.out.push_str(t.local_name(n));
        let v = t.value(n);
        if !v.is_empty() {
            self.out.push(' ');
            self.out.push_str(v);
        }
        self.out.push_str(close);
    }

    fn is_cdata_parent(&self, n: NodeId) -> bool {
        let t = self.tree;
        !self.spec.cdata_section_elements.is_empty()
            && t.parent(n).is_some_and(|p| {
                t.kind(p) == NodeKind::Element
                    && self
                        .spec
                        .cdata_section_elements
                        .iter()
                        .any(|(u, l)| t.has_name(p, u, l))
            })
    }

    fn cdata(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.out.push_str("<![CDATA[");
        self.out.push_str(&s.replace("]]>", "]]]]><![CDATA[>"));
        self.out.push_str("]]>");
    }

    /// Writes the start tag's name, namespace declarations and attributes.
    fn start_tag(&mut self, n: NodeId, scope: &mut Scope<'a>, html: bool) {
        let t = self.tree;
        self.out.push('<');
        self.push_qname(n);
        // Namespace declarations: the element's own name, its attributes' prefixes, and its
        // namespace nodes, wherever the scope differs.
        let mut needed: Vec<(&'a str, &'a str)> = Vec::new();
        let need = |p: &'a str, u: &'a str, needed: &mut Vec<(&'a str, &'a str)>, scope: &Scope| {
            if p == "xml" {
                return;
            }
            let current = needed
                .iter()
                .rev()
                .find(|(q, _)| *q == p)
                .map(|(_, v)| *v)
                .or_else(|| scope.lookup(p))
                .unwrap_or("");
            if current != u {
                needed.retain(|(q, _)| *q != p);
                needed.push((p, u));
            }
        };
        // In libxml2's order: the element's own declarations first, then those of its
        // ancestors, nearest first (the reverse of the tree's namespace list, as libxslt copies
        // namespaces onto literal result elements and copies).
        for b in t.namespaces(n).iter().rev() {
            let (p, u) = (t.atom(b.prefix), t.atom(b.uri));
            if u.is_empty() && !p.is_empty() {
                continue;
            }
            need(p, u, &mut needed, scope);
        }
        need(t.prefix(n), t.namespace_uri(n), &mut needed, scope);
        for a in t.attributes(n) {
            let (p, u) = (t.prefix(a), t.namespace_uri(a));
            if !p.is_empty() {
                need(p, u, &mut needed, scope);
            }
        }
        for (p, u) in &needed {
            if p.is_empty() {
                self.out.push_str(" xmlns=\"");
            } else {
                self.out.push_str(&format!(" xmlns:{p}=\""));
            }
            self.escape_attr(u);
            self.out.push('"');
        }
        scope.bindings.extend(needed);
        for a in t.attributes(n) {
            let v = t.value(a);
            self.out.push(' ');
            self.push_qname(a);
            if html {
                self.html_attr_value(n, a, v);
            } else {
                self.out.push_str("=\"");
                self.escape_attr(v);
                self.out.push('"');
            }
        }
    }

    fn xml_element(&mut self, n: NodeId, format: bool, level: usize, scope: &mut Scope<'a>) {
        // Result trees can be as deep as template recursion: grow the stack as needed.
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            self.xml_element_inner(n, format, level, scope)
        })
    }

    fn xml_element_inner(&mut self, n: NodeId, format: bool, level: usize, scope: &mut Scope<'a>) {
        let t = self.tree;
        let mark = scope.bindings.len();
        self.start_tag(n, scope, false);
        let in_xhtml =
            self.xhtml && t.prefix(n).is_empty() && matches!(t.namespace_uri(n), "" | XHTML_NS);
        if in_xhtml && t.local_name(n) == "html" && t.namespace_uri(n).is_empty() {
            self.out.push_str(&format!(" xmlns=\"{XHTML_NS}\""));
        }
        // XHTML mode adds a content-type <meta> to <head> (libxml2's xhtmlNodeDumpOutput).
        let add_meta = in_xhtml
            && t.local_name(n) == "head"
            && t.parent(n)
                .is_some_and(|p| t.local_name(p) == "html" && t.parent(p) == Some(NodeId::ROOT))
            && !t.element_children(n).any(|c| {
                t.local_name(c) == "meta"
                    && t.attribute_value(c, "", "http-equiv")
                        .is_some_and(|v| v.eq_ignore_ascii_case("content-type"))
            });
        if t.first_child(n).is_none() && !add_meta {
            if !self.xhtml {
                self.out.push_str("/>");
            } else if in_xhtml && XHTML_EMPTY.contains(&t.local_name(n)) {
                self.out.push_str(" />");
            } else {
                self.out.push_str(&format!("></{}>", t.qualified_name(n)));
            }
            scope.bindings.truncate(mark);
            return;
        }
        self.out.push('>');
        // libxml2 indents only elements without text children, and then not their descendants.
        let format = format && !t.children(n).any(|c| t.kind(c) == NodeKind::Text);
        if add_meta {
            if format {
                self.out.push('\n');
                self.out.push_str(&"  ".repeat(level + 1));
            }
            let enc = self.spec.encoding.clone().unwrap_or_else(|| "UTF-8".into());
            self.out.push_str(&format!(
                "<meta http-equiv=\"Content-Type\" content=\"text/html; charset={enc}\" />"
            ));
        }
        for c in t.children(n) {
            if format {
                self.out.push('\n');
                self.out.push_str(&"  ".repeat(level + 1));
            }
            self.xml_node(c, format, level + 1, scope);
        }
        if format {
            self.out.push('\n');
            self.out.push_str(&"  ".repeat(level));
        }
        self.out.push_str("</");
        self.push_qname(n);
        self.out.push('>');
        scope.bindings.truncate(mark);
    }

    /// Writes a node's name as `prefix:local` (without building a string).
    fn push_qname(&mut self, n: NodeId) {
        let t = self.tree;
        let p = t.prefix(n);
        if !p.is_empty() {
            self.out.push_str(p);
            self.out.push(':');
        }
        self.out.push_str(t.local_name(n));
    }

    // ----- text -----

    fn text_document(&mut self) {
        let t = self.tree;
        let texts: Vec<NodeId> = t
            .descendants(NodeId::ROOT)
            .filter(|&n| t.kind(n) == NodeKind::Text)
            .collect();
        for n in texts {
            self.out.push_str(t.value(n));
            self.maybe_flush();
        }
    }
}
