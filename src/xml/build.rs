//! The one-pass parser: text without a DTD → [`Tree`] with spans, with no intermediate tree.
//!
//! It reads the text once, left to right, and appends each node to the arena as soon as it is
//! complete: an element when its start tag closes (then its attributes), a text node when the
//! run of character data and CDATA sections ends, a comment or PI at its end. Open elements sit
//! on a stack with the span start of their start tag; the end tag completes the span.
//!
//! It reproduces the tree of the roxmltree path (src/xml/parse.rs, `Converter`) exactly, down
//! to the order in which names and namespace URIs are interned, and accepts and refuses the
//! same documents with the same errors at the same positions (tests/xml_parser_differential.rs).
//! The lexical rules are in src/xml/scan.rs.
//!
//! Namespaces: each open element has a range of `ns`, laid out as roxmltree lays out its own
//! list (the element's declarations as written, then the inherited bindings not redeclared);
//! an element that declares nothing shares its parent's range. The tree gets the list
//! outermost first, one binding a prefix, as the conversion gave it.

use std::borrow::Cow;

use roxmltree::Error;
use rustc_hash::FxHashMap;

use crate::xml::limits::{Limits, check_pi_target};
use crate::xml::parse::{Built, dedup_prefixes, eol};
use crate::xml::scan::{self, QualName, pos_at};
use crate::xml::tree::{NameId, NodeId, NsBinding, Tree, XML_NS};

const XMLNS_URI: &str = "http://www.w3.org/2000/xmlns/";

/// The error of a condition the limits pre-scan refuses (see [`parse`]); never the one shown.
pub(crate) const PRESCAN: Error = Error::NodesLimitReached;

/// Parses `text`, which must hold no `<!DOCTYPE` where markup may start (the caller routes
/// such documents to roxmltree).
///
/// The limits are checked on the way, with the other conditions of the pre-scan
/// ([`crate::xml::limits::prescan`]): where one fails, the parse stops with [`PRESCAN`] and the
/// caller runs the pre-scan for its error, which on a well-formed prefix is the same.
pub(crate) fn parse(
    text: &str,
    spans_valid: bool,
    spans: bool,
    limits: &Limits,
) -> Result<Built, Error> {
    let mut p = Builder::new(text, spans, limits);
    p.document()?;
    Ok(Built {
        tree: p.tree,
        spans_valid,
    })
}

/// One namespace binding in scope; `uri` indexes `Builder::uris`. `prefix` is "" for the
/// default namespace.
#[derive(Clone, Copy)]
struct NsDecl<'t> {
    prefix: &'t str,
    uri: u32,
}

/// An attribute of the start tag being read (namespace declarations excluded).
struct PendingAttr<'t> {
    name: QualName<'t>,
    start: usize,
    end: usize,
    value_start: usize,
    value: Value<'t>,
}

/// A value that is a slice of the text, or a range of a scratch buffer (normalised).
#[derive(Clone, Copy)]
enum Value<'t> {
    Text(&'t str),
    Scratch(usize, usize),
}

/// An element whose end tag is still to come.
struct Open<'t> {
    node: NodeId,
    name: QualName<'t>,
    ns: (usize, usize),
    /// Whether `ns` is a range of its own (dropped at the end tag), not the parent's.
    owns_scope: bool,
}

struct Builder<'t> {
    text: &'t str,
    b: &'t [u8],
    pos: usize,
    tree: Tree,
    open: Vec<Open<'t>>,
    ns: Vec<NsDecl<'t>>,
    /// Namespace URIs by local id: 0 is "" (no namespace), 1 the XML namespace.
    uris: Vec<Cow<'t, str>>,
    uri_ids: FxHashMap<Cow<'t, str>, u32>,
    /// (qualified name as written, URI id) → interned name.
    names: FxHashMap<(&'t str, u32), NameId>,
    attrs: Vec<PendingAttr<'t>>,
    /// The namespace of each pending attribute: `None` without a prefix, else a URI id.
    attr_uris: Vec<Option<u32>>,
    /// Declarations of the start tag being read start here in `ns`.
    decl_start: usize,
    /// The text run not yet appended: its start and its value (in `run_buf` when scratch).
    run: Option<(usize, Value<'t>)>,
    run_buf: String,
    /// Normalised attribute values of the start tag being read.
    attr_buf: String,
    ns_buf: Vec<NsBinding>,
    has_root: bool,
    max_depth: usize,
    max_attributes: usize,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str, spans: bool, limits: &Limits) -> Self {
        let b = text.as_bytes();
        // Upper bounds, cheap to count: a node a '<' and a text run before each, an attribute
        // an '='. Pages reserved and never written cost no memory.
        let lts = memchr::memchr_iter(b'<', b).count();
        let eqs = memchr::memchr_iter(b'=', b).count();
        let bound = (2 * lts + eqs + 1).min(b.len() + 1);
        // A web.config has a few dozen distinct names; a large one rarely more than hundreds.
        let names = (b.len() / 128).clamp(48, 512);
        let mut tree = Tree::with_capacity(String::new(), false, bound, names);
        if spans {
            tree.reserve_spans(bound);
        } else {
            tree.skip_spans();
        }
        tree.begin_source(text);
        let mut uri_ids = FxHashMap::default();
        uri_ids.insert(Cow::Borrowed(""), 0);
        uri_ids.insert(Cow::Borrowed(XML_NS), 1);
        Builder {
            text,
            b,
            pos: 0,
            tree,
            open: Vec::new(),
            ns: Vec::new(),
            uris: vec![Cow::Borrowed(""), Cow::Borrowed(XML_NS)],
            uri_ids,
            names: FxHashMap::with_capacity_and_hasher(names, Default::default()),
            attrs: Vec::new(),
            attr_uris: Vec::new(),
            decl_start: 0,
            run: None,
            run_buf: String::new(),
            attr_buf: String::new(),
            ns_buf: Vec::new(),
            has_root: false,
            max_depth: limits.max_depth as usize,
            max_attributes: limits.max_attributes as usize,
        }
    }

    /// Fails with [`PRESCAN`] when a processing instruction (or the XML declaration) at
    /// `start` breaks the pre-scan's rule for its name.
    fn check_pi(&self, start: usize) -> Result<(), Error> {
        check_pi_target(self.text, start).map_err(|_| PRESCAN)
    }

    // ----- cursor -----

    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        self.b[self.pos..].starts_with(s)
    }

    fn skip_spaces(&mut self) {
        while self.pos < self.b.len() && matches!(self.b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn starts_with_space(&self) -> bool {
        matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r'))
    }

    fn here(&self) -> roxmltree::TextPos {
        pos_at(self.text, self.pos)
    }

    fn curr(&self) -> Result<u8, Error> {
        // A match, not `ok_or`: that builds the error on every call and drops it.
        match self.b.get(self.pos) {
            Some(&c) => Ok(c),
            None => Err(Error::UnexpectedEndOfStream),
        }
    }

    fn expect_byte(&mut self, c: u8) -> Result<(), Error> {
        let got = self.curr()?;
        if got != c {
            return Err(Error::InvalidChar(c, got, self.here()));
        }
        self.pos += 1;
        Ok(())
    }

    fn expect_str(&mut self, s: &'static str) -> Result<(), Error> {
        if !self.starts_with(s.as_bytes()) {
            return Err(Error::InvalidString(s, self.here()));
        }
        self.pos += s.len();
        Ok(())
    }

    /// At least one space (the error names what was found instead).
    fn expect_spaces(&mut self) -> Result<(), Error> {
        let c = self.curr()?;
        if !self.starts_with_space() {
            return Err(Error::InvalidChar2("a whitespace", c, self.here()));
        }
        self.skip_spaces();
        Ok(())
    }

    /// Characters up to `end` (exclusive), all XML Chars; the cursor moves to `end`, or to the
    /// end of input when `end` is not found.
    fn chars_until(&mut self, end: &[u8]) -> Result<(usize, usize), Error> {
        let start = self.pos;
        let stop = memchr::memmem::find(&self.b[start..], end).map_or(self.b.len(), |k| start + k);
        if let Some(bad) = scan::find_bad_char(self.b, start, stop) {
            return Err(scan::non_xml_char(self.text, bad));
        }
        self.pos = stop;
        Ok((start, stop))
    }

    // ----- document -----

    // document ::= prolog element Misc*
    fn document(&mut self) -> Result<(), Error> {
        if self.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.pos = 3;
        }
        if self.starts_with(b"<?xml ") {
            self.xml_declaration()?;
        }
        self.misc()?;
        self.skip_spaces();
        if self.starts_with(b"<!DOCTYPE") {
            return Err(Error::DtdDetected);
        }
        if self.b.get(self.pos) == Some(&b'<') && self.start_tag()? {
            self.content()?;
        }
        self.misc()?;
        if !self.at_end() {
            return Err(Error::UnknownToken(self.here()));
        }
        if !self.has_root {
            return Err(Error::NoRootNode);
        }
        if !self.open.is_empty() {
            return Err(Error::UnclosedRootNode);
        }
        Ok(())
    }

    // XMLDecl ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>', read only when the text
    // starts with "<?xml ", and only as far as roxmltree reads it: the pseudo-attributes must
    // come in this order and be well-formed; their values are not checked here (the decoder
    // reads the encoding).
    fn xml_declaration(&mut self) -> Result<(), Error> {
        self.check_pi(self.pos)?;
        self.pos += 5;
        self.decl_spaces()?;
        if !self.starts_with(b"version") {
            return Err(Error::InvalidString("version", self.here()));
        }
        self.pseudo_attribute()?;
        self.decl_spaces()?;
        if self.starts_with(b"encoding") {
            self.pseudo_attribute()?;
            self.decl_spaces()?;
        }
        if self.starts_with(b"standalone") {
            self.pseudo_attribute()?;
        }
        self.skip_spaces();
        self.expect_str("?>")
    }

    fn decl_spaces(&mut self) -> Result<(), Error> {
        if self.starts_with_space() {
            self.skip_spaces();
        } else if !self.starts_with(b"?>") && !self.at_end() {
            return Err(Error::InvalidChar2(
                "a whitespace",
                self.b[self.pos],
                self.here(),
            ));
        }
        Ok(())
    }

    fn pseudo_attribute(&mut self) -> Result<(), Error> {
        let (_, end) = scan::qname_at(self.text, self.pos)?;
        self.pos = end;
        self.eq()?;
        let quote = self.quote()?;
        let start = self.pos;
        let stop = self.b[start..]
            .iter()
            .position(|&c| c == quote || c == b'<')
            .map_or(self.b.len(), |k| start + k);
        if let Some(bad) = scan::find_bad_char(self.b, start, stop) {
            return Err(scan::non_xml_char(self.text, bad));
        }
        self.pos = stop;
        self.expect_byte(quote)
    }

    fn eq(&mut self) -> Result<(), Error> {
        self.skip_spaces();
        self.expect_byte(b'=')?;
        self.skip_spaces();
        Ok(())
    }

    fn quote(&mut self) -> Result<u8, Error> {
        let c = self.curr()?;
        if c != b'"' && c != b'\'' {
            return Err(Error::InvalidChar2("a quote", c, self.here()));
        }
        self.pos += 1;
        Ok(c)
    }

    // Misc ::= Comment | PI | S
    fn misc(&mut self) -> Result<(), Error> {
        while !self.at_end() {
            self.skip_spaces();
            if self.starts_with(b"<!--") {
                self.comment()?;
            } else if self.starts_with(b"<?") {
                self.pi()?;
            } else {
                break;
            }
        }
        Ok(())
    }

    /// The node new children go under.
    fn parent(&self) -> NodeId {
        self.open.last().map_or(NodeId::ROOT, |o| o.node)
    }

    // '<!--' ((Char - '-') | ('-' (Char - '-')))* '-->'
    fn comment(&mut self) -> Result<(), Error> {
        self.flush_text();
        let start = self.pos;
        self.pos += 4;
        let (body, body_end) = self.chars_until(b"-->")?;
        self.expect_str("-->")?;
        let value = &self.text[body..body_end];
        if value.contains("--") || value.ends_with('-') {
            return Err(Error::InvalidComment(pos_at(self.text, start)));
        }
        let parent = self.parent();
        let c = self.tree.append_comment(parent, &eol(value));
        self.tree.set_span(c, [start as u32, self.pos as u32, 0, 0]);
        Ok(())
    }

    // PI ::= '<?' PITarget (S (Char* - (Char* '?>' Char*)))? '?>'
    fn pi(&mut self) -> Result<(), Error> {
        if self.starts_with(b"<?xml ") {
            return Err(Error::UnexpectedDeclaration(self.here()));
        }
        self.flush_text();
        let start = self.pos;
        self.check_pi(start)?;
        self.pos += 2;
        let target_end =
            scan::name_at(self.text, self.pos).ok_or_else(|| Error::InvalidName(self.here()))?;
        let target = &self.text[self.pos..target_end];
        self.pos = target_end;
        self.skip_spaces();
        let (v, v_end) = self.chars_until(b"?>")?;
        self.expect_str("?>")?;
        let parent = self.parent();
        let p = self
            .tree
            .append_pi(parent, target, &eol(&self.text[v..v_end]));
        self.tree.set_span(p, [start as u32, self.pos as u32, 0, 0]);
        Ok(())
    }

    // content ::= CharData? ((element | Reference | CDSect | PI | Comment) CharData?)*
    fn content(&mut self) -> Result<(), Error> {
        let depth = self.open.len();
        while !self.at_end() {
            if self.b[self.pos] != b'<' {
                self.char_data()?;
                continue;
            }
            match self.b.get(self.pos + 1) {
                Some(b'!') => {
                    if self.starts_with(b"<!--") {
                        self.comment()?;
                    } else if self.starts_with(b"<![CDATA[") {
                        self.cdata()?;
                    } else {
                        return Err(Error::UnknownToken(self.here()));
                    }
                }
                Some(b'?') => self.pi()?,
                Some(b'/') => {
                    self.end_tag()?;
                    if self.open.len() < depth {
                        break;
                    }
                }
                Some(_) => {
                    self.start_tag()?;
                }
                None => return Err(Error::UnknownToken(self.here())),
            }
        }
        Ok(())
    }

    fn char_data(&mut self) -> Result<(), Error> {
        let start = self.pos;
        let s = scan::scan_text(self.b, start);
        if let Some(bad) = s.bad {
            return Err(scan::non_xml_char(self.text, bad));
        }
        self.pos = s.end;
        if s.has_gt && memchr::memmem::find(&self.b[start..s.end], b"]]>").is_some() {
            return Err(Error::InvalidCharacterData(self.here()));
        }
        if s.needs_decoding {
            self.scratch_run(start);
            scan::text_value(self.text, start, s.end, s.has_amp, &mut self.run_buf)?;
        } else {
            self.add_text(start, &self.text[start..s.end]);
        }
        Ok(())
    }

    // CDSect ::= '<![CDATA[' (Char* - (Char* ']]>' Char*)) ']]>'
    fn cdata(&mut self) -> Result<(), Error> {
        let start = self.pos;
        self.pos += 9;
        let (v, v_end) = self.chars_until(b"]]>")?;
        self.expect_str("]]>")?;
        let value = &self.text[v..v_end];
        if memchr::memchr(b'\r', value.as_bytes()).is_some() {
            self.scratch_run(start);
            self.run_buf.push_str(&scan::cdata_value(value));
        } else {
            self.add_text(start, value);
        }
        Ok(())
    }

    /// Makes the run (started at `start` if there is none) one in `run_buf`, to append to.
    fn scratch_run(&mut self, start: usize) {
        match self.run {
            None => {
                self.run_buf.clear();
                self.run = Some((start, Value::Scratch(0, 0)));
            }
            Some((s, Value::Text(t))) => {
                self.run_buf.clear();
                self.run_buf.push_str(t);
                self.run = Some((s, Value::Scratch(0, 0)));
            }
            Some((_, Value::Scratch(..))) => {}
        }
    }

    /// Adds a piece of character data that is its own value (text and CDATA merge).
    fn add_text(&mut self, start: usize, piece: &'t str) {
        if self.run.is_none() {
            self.run = Some((start, Value::Text(piece)));
        } else {
            self.scratch_run(start);
            self.run_buf.push_str(piece);
        }
    }

    /// Appends the pending text run, which ends here.
    fn flush_text(&mut self) {
        if let Some((start, value)) = self.run.take() {
            let parent = self.parent();
            let value = match value {
                Value::Text(t) => t,
                Value::Scratch(..) => self.run_buf.as_str(),
            };
            let t = self.tree.append_text_node(parent, value);
            self.tree.set_span(t, [start as u32, self.pos as u32, 0, 0]);
        }
    }

    // ----- tags -----

    // STag ::= '<' Name (S Attribute)* S? '>'; EmptyElemTag ::= ... '/>'
    // Returns whether the element has content to read (a start tag, not an empty-element tag).
    fn start_tag(&mut self) -> Result<bool, Error> {
        self.flush_text();
        let start = self.pos;
        // The pre-scan's conditions: the depth, and no name starting with ':'.
        if self.open.len() >= self.max_depth || self.b.get(start + 1) == Some(&b':') {
            return Err(PRESCAN);
        }
        let (name, name_end) = scan::qname_at(self.text, start + 1)?;
        if name.prefix == "xmlns" {
            return Err(Error::InvalidElementNamePrefix(pos_at(
                self.text,
                start + 1,
            )));
        }
        self.pos = name_end;
        self.attrs.clear();
        self.attr_buf.clear();
        self.decl_start = self.ns.len();
        let mut count = 0;
        while !self.at_end() {
            let has_space = self.starts_with_space();
            self.skip_spaces();
            match self.curr()? {
                b'/' => {
                    self.pos += 1;
                    self.expect_byte(b'>')?;
                    self.element(start, name, true)?;
                    return Ok(false);
                }
                b'>' => {
                    self.pos += 1;
                    self.element(start, name, false)?;
                    return Ok(true);
                }
                _ => {
                    if !has_space {
                        self.expect_spaces()?;
                    }
                    // The pre-scan's conditions: the number of attributes (declarations
                    // included), and no name starting with ':'.
                    count += 1;
                    if count > self.max_attributes || self.b[self.pos] == b':' {
                        return Err(PRESCAN);
                    }
                    self.attribute()?;
                }
            }
        }
        // The input ends inside the start tag: no element (roxmltree then reports a missing
        // or unclosed root).
        Ok(false)
    }

    // Attribute ::= Name Eq AttValue
    fn attribute(&mut self) -> Result<(), Error> {
        let start = self.pos;
        let (name, name_end) = scan::qname_at(self.text, start)?;
        self.pos = name_end;
        self.eq()?;
        let eq_len = self.pos - name_end;
        let quote = self.quote()?;
        let value_start = self.pos;
        let scan = scan::scan_attr_value(self.b, value_start, quote);
        let Some(stop) = scan.stop else {
            return Err(Error::UnexpectedEndOfStream);
        };
        if let Some(bad) = scan.bad {
            return Err(scan::non_xml_char(self.text, bad));
        }
        let needs_norm = scan.needs_norm;
        self.pos = stop;
        self.expect_byte(quote)?;
        let value = if needs_norm {
            let from = self.attr_buf.len();
            scan::attr_value(self.text, value_start, stop, &mut self.attr_buf)?;
            Value::Scratch(from, self.attr_buf.len())
        } else {
            Value::Text(&self.text[value_start..stop])
        };
        let value_str = match value {
            Value::Text(t) => t,
            Value::Scratch(a, b) => &self.attr_buf[a..b],
        };
        let err_pos = || pos_at(self.text, start);
        if name.prefix == "xmlns" {
            if value_str == XMLNS_URI {
                return Err(Error::UnexpectedXmlnsUri(err_pos()));
            }
            let is_xml_uri = value_str == XML_NS;
            if name.local == "xml" {
                if !is_xml_uri {
                    return Err(Error::InvalidXmlPrefixUri(err_pos()));
                }
            } else if is_xml_uri {
                return Err(Error::UnexpectedXmlUri(err_pos()));
            }
            if self.ns[self.decl_start..]
                .iter()
                .any(|d| d.prefix == name.local)
            {
                return Err(Error::DuplicatedNamespace(name.local.into(), err_pos()));
            }
            // xmlns:xml is checked, not recorded: the xml prefix is always bound.
            if !is_xml_uri {
                let uri = self.uri_id(owned(value_str, value));
                self.ns.push(NsDecl {
                    prefix: name.local,
                    uri,
                });
            }
        } else if name.local == "xmlns" {
            // Roxmltree's reading, kept: any attribute whose local part is "xmlns" declares
            // the default namespace (`p:xmlns` too), and a repeated one is not refused.
            if value_str == XML_NS {
                return Err(Error::UnexpectedXmlUri(err_pos()));
            }
            if value_str == XMLNS_URI {
                return Err(Error::UnexpectedXmlnsUri(err_pos()));
            }
            let uri = self.uri_id(owned(value_str, value));
            self.ns.push(NsDecl { prefix: "", uri });
        } else {
            // Roxmltree keeps the '=' and its spaces in a byte: the value span of an attribute
            // with more than 255 of them starts early, kept so that both paths agree.
            self.attrs.push(PendingAttr {
                name,
                start,
                end: self.pos,
                value_start: start
                    + (name_end - start).min(u16::MAX as usize)
                    + eq_len.min(u8::MAX as usize)
                    + 1,
                value,
            });
        }
        Ok(())
    }

    fn uri_id(&mut self, uri: Cow<'t, str>) -> u32 {
        if let Some(&id) = self.uri_ids.get(&uri) {
            return id;
        }
        let id = self.uris.len() as u32;
        self.uris.push(uri.clone());
        self.uri_ids.insert(uri, id);
        id
    }

    /// The URI id bound to `prefix` in the scope `range` of `ns`, first match first.
    fn lookup(&self, range: (usize, usize), prefix: &str) -> Option<u32> {
        self.ns[range.0..range.1]
            .iter()
            .find(|d| d.prefix == prefix)
            .map(|d| d.uri)
    }

    /// The start tag is complete: resolves names, appends the element and its attributes.
    fn element(&mut self, start: usize, name: QualName<'t>, empty: bool) -> Result<(), Error> {
        // The element's scope: its declarations, then the parent's bindings not redeclared.
        let parent_scope = self.open.last().map(|o| o.ns);
        let own = self.decl_start < self.ns.len();
        let owns_scope = own || parent_scope.is_none();
        let scope = match parent_scope {
            Some(ps) if !own => ps,
            _ => {
                if let Some((ps, pe)) = parent_scope {
                    for i in ps..pe {
                        let d = self.ns[i];
                        if !self.ns[self.decl_start..]
                            .iter()
                            .any(|o| o.prefix == d.prefix)
                        {
                            self.ns.push(d);
                        }
                    }
                }
                (self.decl_start, self.ns.len())
            }
        };
        // Attributes first (their prefixes, then duplicates by expanded name, where "no
        // namespace" differs from a prefix bound to ""), then the element's prefix.
        self.attr_uris.clear();
        for k in 0..self.attrs.len() {
            let a = &self.attrs[k];
            let uri = if a.name.prefix == "xml" {
                Some(1)
            } else if a.name.prefix.is_empty() {
                None
            } else {
                Some(self.lookup(scope, a.name.prefix).ok_or_else(|| {
                    Error::UnknownNamespace(a.name.prefix.into(), pos_at(self.text, a.start))
                })?)
            };
            let dup = self.attrs[..k]
                .iter()
                .zip(&self.attr_uris)
                .any(|(b, &u)| u == uri && b.name.local == a.name.local);
            if dup {
                return Err(Error::DuplicatedAttribute(
                    a.name.local.into(),
                    pos_at(self.text, a.start),
                ));
            }
            self.attr_uris.push(uri);
        }
        let uri = if name.prefix.is_empty() {
            self.lookup(scope, "").unwrap_or(0)
        } else {
            self.lookup(scope, name.prefix).ok_or_else(|| {
                Error::UnknownNamespace(name.prefix.into(), pos_at(self.text, start + 1))
            })?
        };

        let parent = self.parent();
        let el_name = self.intern(name, uri);
        let el = self.tree.append_element(parent, el_name);
        self.has_root = true;
        if owns_scope {
            self.ns_buf.clear();
            for i in scope.0..scope.1 {
                let d = self.ns[i];
                let prefix = self.tree.intern(d.prefix);
                let uri = self.tree.intern(&self.uris[d.uri as usize]);
                self.ns_buf.push(NsBinding { prefix, uri });
            }
            self.ns_buf.reverse();
            dedup_prefixes(&mut self.ns_buf);
            self.tree.set_namespaces(el, &self.ns_buf);
        }
        let attrs = std::mem::take(&mut self.attrs);
        for (k, a) in attrs.iter().enumerate() {
            let auri = self.attr_uris[k].unwrap_or(0);
            let an = self.intern(a.name, auri);
            let value = match a.value {
                Value::Text(t) => t,
                Value::Scratch(from, to) => &self.attr_buf[from..to],
            };
            let id = self.tree.set_attribute(el, an, value);
            self.tree.set_span(
                id,
                [
                    a.start as u32,
                    a.end as u32,
                    a.value_start as u32,
                    (a.end - 1) as u32,
                ],
            );
        }
        self.attrs = attrs;
        self.attrs.clear();
        self.attr_buf.clear();
        let end = self.pos as u32;
        self.tree.set_span(el, [start as u32, end, end, end]);
        if empty {
            if owns_scope {
                self.ns.truncate(scope.0);
            }
        } else {
            self.open.push(Open {
                node: el,
                name,
                ns: scope,
                owns_scope,
            });
        }
        Ok(())
    }

    fn intern(&mut self, name: QualName<'t>, uri: u32) -> NameId {
        if let Some(&n) = self.names.get(&(name.qname, uri)) {
            return n;
        }
        let n = self
            .tree
            .intern_name(name.prefix, name.local, &self.uris[uri as usize]);
        self.names.insert((name.qname, uri), n);
        n
    }

    // ETag ::= '</' Name S? '>'
    fn end_tag(&mut self) -> Result<(), Error> {
        let start = self.pos;
        if self.b.get(start + 2) == Some(&b':') {
            return Err(PRESCAN);
        }
        let (name, end) = scan::qname_at(self.text, start + 2)?;
        self.pos = end;
        self.skip_spaces();
        self.expect_byte(b'>')?;
        self.flush_text_at(start);
        let open = self.open.pop().expect("content is read inside an element");
        if name.prefix != open.name.prefix || name.local != open.name.local {
            return Err(Error::UnexpectedCloseTag(
                written(open.name),
                written(name),
                pos_at(self.text, start),
            ));
        }
        let s = self.tree.raw_span(open.node);
        self.tree
            .set_span(open.node, [s[0], self.pos as u32, s[2], start as u32]);
        if open.owns_scope {
            self.ns.truncate(open.ns.0);
        }
        Ok(())
    }

    /// Appends the pending text run, which ends at `end`.
    fn flush_text_at(&mut self, end: usize) {
        let pos = self.pos;
        self.pos = end;
        self.flush_text();
        self.pos = pos;
    }
}

/// A namespace URI to keep: the slice of the text, or a copy of a normalised value.
fn owned<'t>(s: &str, v: Value<'t>) -> Cow<'t, str> {
    match v {
        Value::Text(t) => Cow::Borrowed(t),
        Value::Scratch(..) => Cow::Owned(s.to_owned()),
    }
}

/// A name as roxmltree spells it in messages: `prefix:local`, or `local` without a prefix.
fn written(name: QualName<'_>) -> String {
    if name.prefix.is_empty() {
        name.local.into()
    } else {
        format!("{}:{}", name.prefix, name.local)
    }
}
