//! Parsing: the one-pass parser (limits checked on the way), or for a document with a DTD the
//! limits pre-scan, roxmltree and a conversion into the same [`Tree`] with byte spans.

use crate::xml::error::XmlError;
use crate::xml::limits::{Limits, prescan};
use crate::xml::tree::{NameId, NodeId, NodeKind, NsBinding, Tree, XML_NS};
use rustc_hash::FxHashMap;

/// Parses decoded text into a tree with spans. `text` becomes the tree's source.
///
/// A document without a DTD (every web.config) is read in one pass by src/xml/build.rs; one
/// with a `<!DOCTYPE` (only when [`Limits::allow_dtd`]) goes through roxmltree, which expands
/// the DTD's entities. Both give the same tree and the same errors.
pub fn parse_text(text: String, limits: &Limits) -> Result<Tree, XmlError> {
    parse_text_with(text, limits, true).map_err(|(e, _)| e)
}

/// [`parse_text`] without byte spans, for a document that is only read (a transform's input):
/// 16 bytes less a node. Documents with a DTD keep theirs.
pub fn parse_text_without_spans(text: String, limits: &Limits) -> Result<Tree, XmlError> {
    parse_text_with(text, limits, false).map_err(|(e, _)| e)
}

/// Decodes and parses bytes the caller gives up (UTF-8 without a copy) into a tree without byte
/// spans: [`parse_text_without_spans`] for a file's bytes.
pub fn parse_bytes_without_spans(bytes: Vec<u8>, limits: &Limits) -> Result<Tree, XmlError> {
    limits.check_size(bytes.len())?;
    let (text, _) = crate::xml::encoding::decode_owned(bytes)?;
    parse_text_without_spans(text, limits)
}

/// [`parse_text`] that gives the text back with an error, for a report that shows it.
pub fn parse_text_or_back(text: String, limits: &Limits) -> Result<Tree, (XmlError, String)> {
    parse_text_with(text, limits, true)
}

/// The one-pass parser, or roxmltree for a document with a DTD (which keeps its spans).
fn parse_text_with(text: String, limits: &Limits, spans: bool) -> Result<Tree, (XmlError, String)> {
    if limits.allow_dtd && memchr::memmem::find(text.as_bytes(), b"<!DOCTYPE").is_some() {
        with_roxmltree(text, limits)
    } else {
        one_pass(text, limits, spans)
    }
}

/// [`parse_text`] through the one-pass parser, for any text (a DOCTYPE is refused as
/// roxmltree refuses one it is not allowed to read). For the differential tests.
#[doc(hidden)]
pub fn parse_text_in_one_pass(text: String, limits: &Limits) -> Result<Tree, XmlError> {
    one_pass(text, limits, true).map_err(|(e, _)| e)
}

fn one_pass(text: String, limits: &Limits, spans: bool) -> Result<Tree, (XmlError, String)> {
    // The parse checks the limits as it goes; the pre-scan runs only to name the error of a
    // document that fails, as it would have before the parse (its error comes first).
    let checked = limits.check_size(text.len()).and_then(|()| {
        crate::xml::build::parse(&text, spans_valid(&text, limits), spans, limits).map_err(|e| {
            prescan(&text, limits)
                .err()
                .unwrap_or_else(|| syntax_error(&text, &e))
        })
    });
    match checked {
        Ok(built) => Ok(built.into_tree(text)),
        Err(e) => Err((e, text)),
    }
}

/// A DTD with entities can put nodes from entity values in the tree; their ranges point into
/// the DTD, so spans cannot be trusted for splicing. Entities can only come from a DTD: without
/// one allowed, "<!ENTITY" in a comment must not cost the document its spans.
fn spans_valid(text: &str, limits: &Limits) -> bool {
    !(limits.allow_dtd && memchr::memmem::find(text.as_bytes(), b"<!ENTITY").is_some())
}

/// [`parse_text`] through roxmltree and a conversion of its tree: the path of documents with
/// a DTD, and the reference of the differential tests.
#[doc(hidden)]
pub fn parse_text_with_roxmltree(text: String, limits: &Limits) -> Result<Tree, XmlError> {
    with_roxmltree(text, limits).map_err(|(e, _)| e)
}

fn with_roxmltree(text: String, limits: &Limits) -> Result<Tree, (XmlError, String)> {
    if let Err(e) = limits
        .check_size(text.len())
        .and_then(|()| prescan(&text, limits))
    {
        return Err((e, text));
    }
    let opts = roxmltree::ParsingOptions {
        allow_dtd: limits.allow_dtd,
        nodes_limit: u32::MAX - 1,
        ..Default::default()
    };
    let dtd = if limits.allow_dtd {
        dtd_info(&text)
    } else {
        DtdInfo::default()
    };
    // roxmltree borrows the text; the tree takes ownership of it once the conversion is done.
    let built = match roxmltree::Document::parse_with_options(&text, opts) {
        Ok(doc) => {
            let mut conv = Converter::new(&doc, &dtd.defaults);
            conv.has_dtd_entities = !spans_valid(&text, limits);
            conv.run()
        }
        Err(e) => {
            let e = syntax_error(&text, &e);
            return Err((e, text));
        }
    };
    let mut tree = built.into_tree(text);
    if !dtd.id_attributes.is_empty() {
        tree.set_id_attributes(dtd.id_attributes);
    }
    if !dtd.unparsed_entities.is_empty() {
        tree.set_unparsed_entities(dtd.unparsed_entities);
    }
    Ok(tree)
}

/// Our error for a roxmltree error (the one-pass parser reports its errors in the same terms).
fn syntax_error(text: &str, e: &roxmltree::Error) -> XmlError {
    let mut err = XmlError::from_roxmltree(e);
    // Errors found at the end of the input carry no position: point at the end.
    if matches!(
        e,
        roxmltree::Error::UnclosedRootNode
            | roxmltree::Error::UnexpectedEndOfStream
            | roxmltree::Error::NoRootNode
    ) && let XmlError::Syntax { pos, .. } = &mut err
    {
        *pos = crate::diag::line_col(text, text.len());
    }
    // roxmltree points at the start of a bad comment: point at the "--" instead.
    if let (roxmltree::Error::InvalidComment(_), XmlError::Syntax { pos, .. }) = (e, &mut err)
        && let Some(start) = crate::diag::offset_of(text, *pos)
    {
        let body = start + 4;
        let end = text[body.min(text.len())..]
            .find("-->")
            .map_or(text.len(), |i| body + i);
        if let Some(i) = text.get(body..end).and_then(|c| c.find("--")) {
            *pos = crate::diag::line_col(text, body + i);
        }
    }
    err
}

/// What webxsl uses of an internal DTD subset.
#[derive(Default)]
struct DtdInfo {
    /// (element, attribute) declared of type ID.
    id_attributes: Vec<(Box<str>, Box<str>)>,
    /// (element, attribute, default value) from `<!ATTLIST>`.
    defaults: Vec<(String, String, String)>,
    /// (name, system id) of `<!ENTITY name SYSTEM "uri" NDATA notation>`.
    unparsed_entities: Vec<(Box<str>, Box<str>)>,
}

fn unquote(s: &str) -> Option<&str> {
    let q = s.chars().next()?;
    (q == '"' || q == '\'')
        .then(|| s[1..].strip_suffix(q))
        .flatten()
}

/// Reads ATTLIST and ENTITY declarations of the internal DTD subset.
fn dtd_info(text: &str) -> DtdInfo {
    let mut info = DtdInfo::default();
    let Some(dt) = text.find("<!DOCTYPE") else {
        return info;
    };
    let end = text[dt..].find("]>").map_or(text.len(), |e| dt + e);
    let subset = &text[dt..end];
    let mut rest = subset;
    while let Some(i) = rest.find("<!") {
        let kind = if rest[i..].starts_with("<!ATTLIST") {
            "ATTLIST"
        } else if rest[i..].starts_with("<!ENTITY") {
            "ENTITY"
        } else {
            rest = &rest[i + 2..];
            continue;
        };
        let decl_start = i + 2 + kind.len();
        let decl_end = rest[decl_start..]
            .find('>')
            .map_or(rest.len(), |e| decl_start + e);
        let words = split_decl(&rest[decl_start..decl_end]);
        rest = &rest[decl_end..];
        if kind == "ENTITY" {
            // name SYSTEM "uri" NDATA n | name PUBLIC "pub" "uri" NDATA n
            let w: Vec<&str> = words.iter().map(String::as_str).collect();
            let (name, uri) = match w.as_slice() {
                [name, "SYSTEM", uri, "NDATA", _] => (name, uri),
                [name, "PUBLIC", _, uri, "NDATA", _] => (name, uri),
                _ => continue,
            };
            if let Some(u) = unquote(uri) {
                info.unparsed_entities.push(((*name).into(), u.into()));
            }
            continue;
        }
        let Some((element, defs)) = words.split_first() else {
            continue;
        };
        // Each definition is: name type default [value]
        let mut k = 0;
        while k + 2 < defs.len() + 1 && k + 1 < defs.len() {
            let (name, ty) = (&defs[k], &defs[k + 1]);
            if ty == "ID" {
                info.id_attributes
                    .push((element.as_str().into(), name.as_str().into()));
            }
            k += 2;
            match defs.get(k).map(String::as_str) {
                Some("#FIXED") => {
                    if let Some(v) = defs.get(k + 1).and_then(|v| unquote(v)) {
                        info.defaults
                            .push((element.clone(), name.clone(), v.to_owned()));
                    }
                    k += 2;
                }
                Some(d) if d.starts_with('#') => k += 1,
                Some(d) if d.starts_with('"') || d.starts_with('\'') => {
                    if let Some(v) = unquote(d) {
                        info.defaults
                            .push((element.clone(), name.clone(), v.to_owned()));
                    }
                    k += 1;
                }
                _ => {}
            }
        }
    }
    info
}

/// Splits a declaration into words, keeping quoted strings and parenthesised groups whole.
fn split_decl(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut w = String::new();
        match c {
            '"' | '\'' => {
                w.push(c);
                chars.next();
                for d in chars.by_ref() {
                    w.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '(' => {
                for d in chars.by_ref() {
                    w.push(d);
                    if d == ')' {
                        break;
                    }
                }
            }
            _ => {
                while let Some(&d) = chars.peek() {
                    if d.is_whitespace() {
                        break;
                    }
                    w.push(d);
                    chars.next();
                }
            }
        }
        out.push(w);
    }
    out
}

/// What the conversion produces, before the tree owns the text.
pub(crate) struct Built {
    pub(crate) tree: Tree,
    /// Whether the spans can be trusted (see `spans_valid`).
    pub(crate) spans_valid: bool,
}

impl Built {
    pub(crate) fn into_tree(self, text: String) -> Tree {
        self.tree.adopt_source(text, self.spans_valid)
    }
}

struct Converter<'a, 'input> {
    doc: &'a roxmltree::Document<'input>,
    /// DTD attribute defaults: (element, attribute, value).
    defaults: &'a [(String, String, String)],
    text: &'input str,
    tree: Tree,
    /// roxmltree node index → our node.
    map: Vec<u32>,
    has_dtd_entities: bool,
    /// (qualified name as written, namespace URI) → interned name: one lookup per name.
    names: FxHashMap<(&'a str, &'a str), NameId>,
}

impl<'a, 'input> Converter<'a, 'input> {
    fn new(doc: &'a roxmltree::Document<'input>, defaults: &'a [(String, String, String)]) -> Self {
        let text = doc.input_text();
        Converter {
            doc,
            defaults,
            text,
            tree: Tree::new(),
            map: Vec::new(),
            has_dtd_entities: false,
            names: FxHashMap::default(),
        }
    }

    fn run(mut self) -> Built {
        let text = self.text;
        // Reserve exactly: a guess that falls short doubles the arena, and for a 20 MB file
        // the old and the new arena together cost more than the whole rest of the parse.
        let count = self
            .doc
            .root()
            .descendants()
            .map(|n| 1 + n.attributes().len())
            .sum::<usize>();
        self.tree.reserve(count + 1);
        self.tree.reserve_spans(count + 1);
        self.tree.begin_source(text);
        let mut ns_buf: Vec<NsBinding> = Vec::new();
        for rn in self.doc.root().descendants() {
            let idx = rn.id().get_usize();
            if self.map.len() <= idx {
                self.map.resize(idx + 1, u32::MAX);
            }
            let parent = rn
                .parent()
                .map(|p| NodeId::from_index(self.map[p.id().get_usize()] as usize));
            let r = rn.range();
            let id = match rn.node_type() {
                roxmltree::NodeType::Root => NodeId::ROOT,
                roxmltree::NodeType::Element => {
                    let parent = parent.expect("elements have parents");
                    let tag = rn.tag_name();
                    let uri = tag.namespace().unwrap_or("");
                    let qn = self.written_qname(&rn);
                    let name = match self.names.get(&(qn, uri)) {
                        Some(&n) => n,
                        None => {
                            let prefix = self.element_prefix(&rn, uri);
                            let n = self.tree.intern_name(prefix, tag.name(), uri);
                            self.names.insert((qn, uri), n);
                            n
                        }
                    };
                    let el = self.tree.append_element(parent, name);
                    ns_buf.clear();
                    for ns in rn.namespaces() {
                        if ns.uri() == XML_NS {
                            continue;
                        }
                        let prefix = self.tree.intern(ns.name().unwrap_or(""));
                        let uri = self.tree.intern(ns.uri());
                        ns_buf.push(NsBinding { prefix, uri });
                    }
                    // roxmltree lists in-scope namespaces innermost first; keep outermost first.
                    ns_buf.reverse();
                    dedup_prefixes(&mut ns_buf);
                    self.tree.set_namespaces(el, &ns_buf);
                    let mut tag_end = r.start + 1 + self.tree.qualified_name(el).len();
                    for a in rn.attributes() {
                        let auri = a.namespace().unwrap_or("");
                        let ar = a.range();
                        let qn = &text[a.range_qname()];
                        let aname = match self.names.get(&(qn, auri)) {
                            Some(&n) => n,
                            None => {
                                let aprefix = qn.split_once(':').map_or("", |(p, _)| p);
                                let n = self.tree.intern_name(aprefix, a.name(), auri);
                                self.names.insert((qn, auri), n);
                                n
                            }
                        };
                        let an = self.tree.set_attribute(el, aname, a.value());
                        let vr = a.range_value();
                        self.tree.set_span(
                            an,
                            [
                                ar.start as u32,
                                ar.end as u32,
                                vr.start as u32,
                                vr.end as u32,
                            ],
                        );
                        tag_end = tag_end.max(ar.end);
                    }
                    // Attributes the DTD defaults (only when a DTD was allowed and given).
                    for (dtd_el, dtd_attr, value) in self.defaults {
                        if *dtd_el != *self.tree.qualified_name(el) {
                            continue;
                        }
                        let present = self
                            .tree
                            .attributes(el)
                            .any(|a| *self.tree.qualified_name(a) == **dtd_attr);
                        if !present {
                            let (p, l) = dtd_attr.split_once(':').unwrap_or(("", dtd_attr));
                            let uri = if p.is_empty() {
                                ""
                            } else {
                                rn.lookup_namespace_uri(Some(p)).unwrap_or("")
                            };
                            let name = self.tree.intern_name(p, l, uri);
                            self.tree.set_attribute(el, name, value);
                        }
                    }
                    // Start tag end: the first '>' outside quotes after the name and the last
                    // attribute (values may contain '>', namespace declarations' included, and
                    // roxmltree does not list those as attributes).
                    let b = text.as_bytes();
                    let gt = start_tag_end(b, tag_end.min(r.end), r.end);
                    let self_closing = gt >= 2 && b[gt - 2] == b'/' && gt == r.end;
                    let end_tag_start = if self_closing {
                        r.end
                    } else {
                        memchr::memmem::rfind(&b[gt..r.end], b"</").map_or(r.end, |i| gt + i)
                    };
                    self.tree.set_span(
                        el,
                        [
                            r.start as u32,
                            r.end as u32,
                            gt as u32,
                            end_tag_start as u32,
                        ],
                    );
                    el
                }
                roxmltree::NodeType::Text => {
                    let parent = parent.expect("text has a parent");
                    let value = rn.text().unwrap_or("");
                    // roxmltree merges adjacent text and CDATA: one text node per run.
                    let t = self.tree.append_text_node(parent, value);
                    self.tree.set_span(t, [r.start as u32, r.end as u32, 0, 0]);
                    t
                }
                roxmltree::NodeType::Comment => {
                    let parent = parent.expect("comment has a parent");
                    let c = self
                        .tree
                        .append_comment(parent, &eol(rn.text().unwrap_or("")));
                    self.tree.set_span(c, [r.start as u32, r.end as u32, 0, 0]);
                    c
                }
                roxmltree::NodeType::PI => {
                    let parent = parent.expect("PI has a parent");
                    let pi = rn.pi().expect("PI node");
                    let p = self
                        .tree
                        .append_pi(parent, pi.target, &eol(pi.value.unwrap_or("")));
                    self.tree.set_span(p, [r.start as u32, r.end as u32, 0, 0]);
                    p
                }
            };
            self.map[idx] = id.0;
        }
        self.fix_text_spans();
        Built {
            tree: self.tree,
            spans_valid: !self.has_dtd_entities,
        }
    }

    /// The qualified name of an element as written in its start tag.
    fn written_qname(&self, rn: &roxmltree::Node<'a, 'input>) -> &'input str {
        let r = rn.range();
        let raw = &self.text.as_bytes()[(r.start + 1).min(r.end)..r.end];
        let end = raw
            .iter()
            .position(|&c| c.is_ascii_whitespace() || c == b'>' || c == b'/')
            .unwrap_or(raw.len());
        &self.text[r.start + 1..r.start + 1 + end]
    }

    /// The prefix of an element as written in the source.
    fn element_prefix(&self, rn: &roxmltree::Node<'a, 'input>, uri: &str) -> &'input str {
        let qn = self.written_qname(rn);
        match qn.split_once(':') {
            Some((p, local)) if local == rn.tag_name().name() => p,
            Some(_) => rn.lookup_prefix(uri).unwrap_or(""),
            None if qn == rn.tag_name().name() => "",
            None => rn.lookup_prefix(uri).unwrap_or(""),
        }
    }

    /// A text node's span runs to the next sibling or the end of its parent's content
    /// (roxmltree records only the first piece of a merged text/CDATA run).
    fn fix_text_spans(&mut self) {
        let t = &mut self.tree;
        for i in 0..t.len() {
            let n = NodeId::from_index(i);
            if t.kind(n) != NodeKind::Text {
                continue;
            }
            let s = t.raw_span(n);
            let end = match t.next_sibling(n) {
                Some(next) => t.raw_span(next)[0],
                None => t.parent(n).map_or(s[1], |p| t.raw_span(p)[3]),
            };
            t.set_span(n, [s[0], end.max(s[1]), 0, 0]);
        }
    }
}

/// The offset just past the `>` that closes a start tag, scanning from `from` (inside the tag)
/// and skipping quoted values; `end` if there is none.
fn start_tag_end(b: &[u8], from: usize, end: usize) -> usize {
    let mut i = from;
    while i < end {
        match b[i] {
            q @ (b'"' | b'\'') => {
                i = memchr::memchr(q, &b[i + 1..end]).map_or(end, |k| i + 1 + k + 1);
            }
            b'>' => return i + 1,
            _ => i += 1,
        }
    }
    end
}

/// Keeps only the innermost binding of each prefix (roxmltree lists shadowed ones too).
pub(crate) fn dedup_prefixes(b: &mut Vec<NsBinding>) {
    let mut i = b.len();
    while i > 0 {
        i -= 1;
        let p = b[i].prefix;
        if b[..i].iter().any(|x| x.prefix == p) {
            // A later (inner) binding of the same prefix exists after an earlier one: drop the
            // earlier one.
            let first = b[..i].iter().position(|x| x.prefix == p).expect("found");
            b.remove(first);
            i = b.len();
        }
    }
}

/// XML 1.0 §2.11: every CRLF and lone CR is read as LF. roxmltree applies it to text and
/// attribute values, not to comments and processing instructions: done here, so that the data
/// model (what XPath and XSLT see) is the standard's. The bytes are untouched: lossless output
/// comes from the spans.
pub(crate) fn eol(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\r') {
        std::borrow::Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Tree {
        parse_text(s.to_owned(), &Limits::default()).unwrap()
    }

    #[test]
    fn comments_and_pis_read_line_ends_as_lf() {
        let src = "<a><!-- x\r\ny\rz --><?p q\r\nr?></a>";
        let t = parse(src);
        let a = t.root_element().unwrap();
        let kids: Vec<_> = t.children(a).collect();
        assert_eq!(t.value(kids[0]), " x\ny\nz ");
        assert_eq!(t.value(kids[1]), "q\nr");
        // the bytes are still the source's
        assert_eq!(&src[t.span(kids[0])], "<!-- x\r\ny\rz -->");
    }

    #[test]
    fn entity_declarations_in_a_comment_keep_the_spans() {
        let t = parse_text(
            "<c><!-- <!ENTITY x 'y'> --><a/></c>".into(),
            &Limits::default(),
        )
        .unwrap();
        assert!(t.has_spans());
    }

    #[test]
    fn spans_of_elements_and_attributes() {
        let src = "<?xml version=\"1.0\"?>\n<a x = 'v&amp;w' y=\"2\"><b/>t<c >u</c ></a>\n";
        let t = parse(src);
        let a = t.root_element().unwrap();
        assert_eq!(&src[t.start_tag_span(a)], "<a x = 'v&amp;w' y=\"2\">");
        assert_eq!(&src[t.end_tag_span(a).unwrap()], "</a>");
        let x = t.attributes(a).next().unwrap();
        assert_eq!(&src[t.attr_name_span(x)], "x");
        assert_eq!(&src[t.attr_value_span(x)], "v&amp;w");
        assert_eq!(t.value(x), "v&w");
        assert_eq!(t.attr_quote(x), '\'');
        let kids: Vec<_> = t.children(a).collect();
        assert_eq!(kids.len(), 3);
        assert!(t.is_self_closing(kids[0]));
        assert_eq!(&src[t.span(kids[0])], "<b/>");
        assert_eq!(&src[t.span(kids[1])], "t");
        assert_eq!(&src[t.start_tag_span(kids[2])], "<c >");
        assert_eq!(&src[t.end_tag_span(kids[2]).unwrap()], "</c >");
    }

    #[test]
    fn attribute_values_may_contain_gt() {
        let src = "<a x='>' y=\"/>\"/>";
        let t = parse(src);
        let a = t.root_element().unwrap();
        assert_eq!(t.start_tag_span(a), 0..src.len());
        assert!(t.is_self_closing(a));
    }

    #[test]
    fn merged_text_and_cdata_span_the_whole_run() {
        let src = "<a>x<![CDATA[<y>]]>&lt;z</a>";
        let t = parse(src);
        let a = t.root_element().unwrap();
        let text = t.first_child(a).unwrap();
        assert_eq!(t.value(text), "x<y><z");
        assert_eq!(&src[t.span(text)], "x<![CDATA[<y>]]>&lt;z");
    }

    #[test]
    fn prefixes_and_namespaces() {
        let src = r#"<c xmlns="urn:d" xmlns:p="urn:p"><p:e p:a="1"><f xmlns:p="urn:q"/></p:e></c>"#;
        let t = parse(src);
        let c = t.root_element().unwrap();
        assert_eq!(t.namespace_uri(c), "urn:d");
        assert_eq!(t.prefix(c), "");
        let e = t.first_child(c).unwrap();
        assert_eq!(t.qualified_name(e), "p:e");
        assert_eq!(t.namespace_uri(e), "urn:p");
        let a = t.attributes(e).next().unwrap();
        assert_eq!(t.qualified_name(a), "p:a");
        let f = t.first_child(e).unwrap();
        assert_eq!(t.lookup_namespace(f, "p"), Some("urn:q"));
        assert_eq!(t.lookup_namespace(f, ""), Some("urn:d"));
        assert_eq!(t.namespaces(f).len(), 2);
    }

    #[test]
    fn values_are_normalised_as_xml_requires() {
        let t = parse("<a x='1\r\n2\t3'>l1\r\nl2</a>");
        let a = t.root_element().unwrap();
        assert_eq!(t.attribute_value(a, "", "x"), Some("1 2 3"));
        assert_eq!(t.string_value(a), "l1\nl2");
    }

    #[test]
    fn ids_from_the_dtd_and_xml_id() {
        let src = "<!DOCTYPE d [<!ATTLIST e k ID #IMPLIED t (a|b) 'a' f CDATA #FIXED \"x\"><!ATTLIST g n ID #REQUIRED><!ENTITY pic SYSTEM \"pic.gif\" NDATA gif>]>\n<d><e k='one'/><g n='two' xml:id='three'/><e k='one' t='b'/></d>";
        let t = parse_text(src.to_owned(), &Limits::with_dtd()).unwrap();
        let d = t.root_element().unwrap();
        let kids: Vec<_> = t.element_children(d).collect();
        assert_eq!(t.element_by_id("one"), Some(kids[0]));
        assert_eq!(t.element_by_id("two"), Some(kids[1]));
        assert_eq!(t.element_by_id("three"), Some(kids[1]));
        assert_eq!(t.element_by_id("four"), None);
        // Defaults from the DTD appear as attributes.
        assert_eq!(t.attribute_value(kids[0], "", "t"), Some("a"));
        assert_eq!(t.attribute_value(kids[0], "", "f"), Some("x"));
        assert_eq!(t.attribute_value(kids[2], "", "t"), Some("b"));
        assert_eq!(t.attribute_value(kids[1], "", "t"), None);
        assert_eq!(t.unparsed_entity_uri("pic"), Some("pic.gif"));
    }

    #[test]
    fn bad_comments_point_at_the_double_hyphen() {
        let e = parse_text(
            "<a>\n<!-- one\n two -- three -->\n</a>".into(),
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.pos(), crate::diag::Pos::new(3, 6));
    }

    #[test]
    fn errors_have_positions() {
        let e = parse_text("<a>\n  <b></a>".into(), &Limits::default()).unwrap_err();
        assert_eq!(e.pos().line, 2);
        assert!(e.to_string().contains("</b>"), "{e}");
        let e = parse_text("<a>".into(), &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}
