//! The arena tree every layer works on: parsed documents, stylesheets and result trees.
//!
//! Nodes live in one `Vec` and are addressed by [`NodeId`]. For every tree webxsl builds, the
//! index order *is* document order (an element, then its attributes, then its children), which
//! makes XPath's document-order sorting a plain integer sort. Strings are stored either as a range
//! of the source text (zero-copy for values without entity references) or in a side buffer.
//! Names are interned per tree.
//!
//! Parsed trees also carry byte spans into the source text (see [`Tree::span`] and friends) that
//! the patch layer uses to splice edits into the original bytes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap;

mod building;

/// The XML namespace, bound to the `xml` prefix in every document.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

const NONE: u32 = u32::MAX;

/// A node of a [`Tree`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// The document (root) node of every tree.
    pub const ROOT: NodeId = NodeId(0);

    /// The index of this node in its tree (document order).
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The node at an index (for callers that store indices).
    pub fn from_index(i: usize) -> NodeId {
        NodeId(i as u32)
    }
}

/// The XPath node kinds (namespace nodes are virtual: see [`Tree::namespaces`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// The document node.
    Root,
    /// An element.
    Element,
    /// An attribute (not a child of its element, but owned by it).
    Attribute,
    /// Character data (CDATA sections and entity references included).
    Text,
    /// A comment.
    Comment,
    /// A processing instruction; its name is the target.
    ProcessingInstruction,
}

/// An interned string of a tree. `Atom::EMPTY` is the empty string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom(u32);

impl Atom {
    /// The empty string (no prefix, no namespace).
    pub const EMPTY: Atom = Atom(0);
}

/// An interned qualified name: prefix as written, local part and namespace URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QName {
    /// The prefix (`Atom::EMPTY` for none).
    pub prefix: Atom,
    /// The local part.
    pub local: Atom,
    /// The namespace URI (`Atom::EMPTY` for none).
    pub uri: Atom,
}

/// An interned [`QName`] of a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NameId(u32);

impl NameId {
    /// Its index among the tree's names (below [`Tree::name_count`]): for tables by name.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The name at an index (below [`Tree::name_count`]).
    pub fn from_index(i: usize) -> NameId {
        NameId(i as u32)
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct StrRef {
    start: u32,
    /// Length; the top bit says the string is in `buf` rather than `src`.
    len: u32,
}

const IN_BUF: u32 = 1 << 31;

/// A node: 36 bytes. What only elements have (attributes, in-scope namespaces) and what only
/// the other nodes have (a value) share the same two words, read through the methods below,
/// which check the kind: a large document is mostly text and attributes, and its nodes are most
/// of its memory.
#[derive(Clone, Debug)]
struct NodeData {
    kind: NodeKind,
    /// For text nodes: written without escaping (`disable-output-escaping`).
    raw: bool,
    name: u32,
    parent: u32,
    prev: u32,
    next: u32,
    first_child: u32,
    last_child: u32,
    /// Elements: the first attribute. Attributes, text, comments and processing
    /// instructions: where the value starts (see [`StrRef`]).
    a: u32,
    /// Elements: the in-scope namespaces, an index into `Tree::ns_scopes`. The others: the
    /// value's length and where it lives (see [`StrRef`]).
    b: u32,
}

const _: () = assert!(std::mem::size_of::<NodeData>() == 36);

impl NodeData {
    fn new(kind: NodeKind, parent: u32) -> NodeData {
        let (a, b) = match kind {
            NodeKind::Element => (NONE, 0),
            // An empty value (the root reads as having none: see `value`).
            _ => (0, 0),
        };
        NodeData {
            kind,
            raw: false,
            name: NONE,
            parent,
            prev: NONE,
            next: NONE,
            first_child: NONE,
            last_child: NONE,
            a,
            b,
        }
    }

    /// The first attribute (`NONE` for anything but an element).
    #[inline]
    fn first_attr(&self) -> u32 {
        if self.kind == NodeKind::Element {
            self.a
        } else {
            NONE
        }
    }

    /// The in-scope namespaces (scope 0, none, for anything but an element).
    #[inline]
    fn ns(&self) -> u32 {
        if self.kind == NodeKind::Element {
            self.b
        } else {
            0
        }
    }

    /// The value (empty for elements and the root).
    #[inline]
    fn value(&self) -> StrRef {
        match self.kind {
            NodeKind::Element | NodeKind::Root => StrRef::default(),
            _ => StrRef {
                start: self.a,
                len: self.b,
            },
        }
    }

    fn set_first_attr(&mut self, a: u32) {
        debug_assert_eq!(self.kind, NodeKind::Element);
        self.a = a;
    }

    fn set_ns(&mut self, scope: u32) {
        debug_assert_eq!(self.kind, NodeKind::Element);
        self.b = scope;
    }

    fn set_value(&mut self, v: StrRef) {
        debug_assert!(!matches!(self.kind, NodeKind::Element | NodeKind::Root));
        self.a = v.start;
        self.b = v.len;
    }
}

/// A namespace binding: prefix (`Atom::EMPTY` for the default namespace) and URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NsBinding {
    /// The prefix.
    pub prefix: Atom,
    /// The URI.
    pub uri: Atom,
}

/// An XML tree in an arena. See the module documentation.
#[derive(Clone, Debug)]
pub struct Tree {
    nodes: Vec<NodeData>,
    /// Interned strings; the map shares each one's allocation (one allocation an atom).
    atoms: Vec<Arc<str>>,
    atom_map: FxHashMap<Arc<str>, u32>,
    names: Vec<QName>,
    name_map: FxHashMap<QName, u32>,
    ns_table: Vec<NsBinding>,
    /// Ranges of `ns_table`, each the in-scope namespaces of some elements (0: none). Elements
    /// that declare nothing share their parent's.
    ns_scopes: Vec<(u32, u32)>,
    /// Shared with the trees built from this one's copies ([`Tree::with_names_of`]), whose
    /// values may then refer into it as the parsed tree's do.
    src: Arc<String>,
    /// Whether `src` is another tree's text ([`Tree::source`] is then empty).
    src_borrowed: bool,
    /// Address and length of the text that values may point into. During parsing this is the
    /// borrowed text that [`Tree::adopt_source`] later moves in (moving a `String` keeps its heap
    /// buffer, so offsets stay valid).
    src_ptr: (usize, usize),
    buf: String,
    has_spans: bool,
    /// Whether the parser records spans (off for a document that is only read, such as a
    /// transform's input: 16 bytes a node).
    keep_spans: bool,
    /// Source spans by node index, parsed trees only (result trees do without: 16 bytes a node).
    /// `[start, end, a, b]`: for elements `a` is the end of the start tag and `b` the start of the
    /// end tag (both `end` when self-closing); for attributes `a..b` is the value inside quotes.
    spans: Vec<[u32; 4]>,
    /// Attributes of type ID declared by the DTD, as (element qname, attribute qname).
    id_attributes: Vec<(Box<str>, Box<str>)>,
    /// ID value → element, built on first use.
    ids: std::sync::OnceLock<HashMap<Box<str>, NodeId>>,
    /// Unparsed entities declared by the DTD: (name, system id).
    unparsed_entities: Vec<(Box<str>, Box<str>)>,
    /// The line starts of the source, built on first use.
    lines: std::sync::OnceLock<crate::diag::LineIndex>,
}

/// A tree's strings and names: the strings, their ids, the names, their ids.
type NameTables = (
    Vec<Arc<str>>,
    FxHashMap<Arc<str>, u32>,
    Vec<QName>,
    FxHashMap<QName, u32>,
);

thread_local! {
    /// The empty string every tree starts with, and the empty text of a tree still without
    /// one: shared rather than allocated for each tree (a batch builds thousands).
    static EMPTY: (Arc<str>, Arc<String>) = (Arc::from(""), Arc::new(String::new()));
}

/// The string of a new atom: the one another tree of this thread made of it when there is one
/// (a batch parses thousands of files that use the same names: one allocation a name instead of
/// one a name a file), else a new one, kept for the trees after while there is room.
fn shared_atom(s: &str) -> Arc<str> {
    /// What the thread keeps: short strings (names and namespace URIs), a bounded number.
    const ROOM: usize = 4096;
    const LONGEST: usize = 128;
    thread_local! {
        static RECENT: std::cell::RefCell<rustc_hash::FxHashSet<Arc<str>>> = Default::default();
    }
    if s.len() > LONGEST {
        return Arc::from(s);
    }
    RECENT
        .try_with(|recent| {
            let mut recent = recent.borrow_mut();
            if let Some(a) = recent.get(s) {
                return Arc::clone(a);
            }
            let a: Arc<str> = Arc::from(s);
            if recent.len() < ROOM {
                recent.insert(Arc::clone(&a));
            }
            a
        })
        // The thread is ending.
        .unwrap_or_else(|_| Arc::from(s))
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new()
    }
}

impl Tree {
    /// An empty tree: just a document node.
    pub fn new() -> Tree {
        Tree::with_source(String::new(), false)
    }

    /// An empty tree that knows `other`'s strings and names under the same ids: a name of
    /// `other` is a name of this tree as it is, without interning it again (a transform's
    /// result, built mostly of copies of its source).
    ///
    /// It has room for as many nodes as `other`: a result of that size (most results, copies
    /// with a few changes) is built without growing its table.
    pub fn with_names_of(other: &Tree) -> Tree {
        // Each table allocated once, at its size.
        let names = (
            other.atoms.clone(),
            other.atom_map.clone(),
            other.names.clone(),
            other.name_map.clone(),
        );
        let mut t = Tree::assemble(String::new(), false, other.nodes.len(), names);
        // Values copied from `other`'s text refer to it instead of being copied again.
        t.src = Arc::clone(&other.src);
        t.src_ptr = other.src_ptr;
        t.src_borrowed = true;
        t
    }

    /// A tree whose strings may refer into `src` (used by the parser).
    pub(crate) fn with_source(src: String, has_spans: bool) -> Tree {
        Tree::with_capacity(src, has_spans, 1, 1)
    }

    /// [`Tree::with_source`] with room for `nodes` nodes (spans too when `has_spans`) and
    /// `names` distinct strings and names: a parse allocates each table once.
    pub(crate) fn with_capacity(src: String, has_spans: bool, nodes: usize, names: usize) -> Tree {
        let empty = EMPTY.with(|(e, _)| Arc::clone(e));
        let mut atoms = Vec::with_capacity(names.max(1));
        atoms.push(Arc::clone(&empty));
        let mut atom_map = FxHashMap::with_capacity_and_hasher(names, Default::default());
        atom_map.insert(empty, 0);
        let names = (
            atoms,
            atom_map,
            Vec::with_capacity(names),
            FxHashMap::with_capacity_and_hasher(names, Default::default()),
        );
        Tree::assemble(src, has_spans, nodes, names)
    }

    /// A tree of `src` with room for `nodes` nodes, and these strings and names.
    fn assemble(
        src: String,
        has_spans: bool,
        nodes: usize,
        (atoms, atom_map, names, name_map): NameTables,
    ) -> Tree {
        let no_text = EMPTY.with(|(_, t)| Arc::clone(t));
        let mut t = Tree {
            nodes: Vec::with_capacity(nodes.max(1)),
            atoms,
            atom_map,
            names,
            name_map,
            ns_table: Vec::new(),
            ns_scopes: vec![(0, 0)],
            src_ptr: (src.as_ptr() as usize, src.len()),
            src: if src.is_empty() {
                no_text
            } else {
                Arc::new(src)
            },
            src_borrowed: false,
            buf: String::new(),
            has_spans,
            keep_spans: true,
            spans: if has_spans {
                Vec::with_capacity(nodes.max(1))
            } else {
                Vec::new()
            },
            id_attributes: Vec::new(),
            ids: std::sync::OnceLock::new(),
            unparsed_entities: Vec::new(),
            lines: std::sync::OnceLock::new(),
        };
        crate::xml::pages::advise_huge(&t.nodes);
        crate::xml::pages::advise_huge(&t.spans);
        t.nodes.push(NodeData::new(NodeKind::Root, NONE));
        if has_spans {
            let len = t.src.len() as u32;
            t.spans.push([0, len, 0, len]);
        }
        t
    }

    pub(crate) fn reserve(&mut self, nodes: usize) {
        self.nodes.reserve(nodes);
    }

    /// Reserves room for the spans of `nodes` nodes (parser only).
    pub(crate) fn reserve_spans(&mut self, nodes: usize) {
        if self.keep_spans {
            self.spans.reserve(nodes);
            crate::xml::pages::advise_huge(&self.spans);
        }
    }

    /// Makes the parser record no spans: [`Tree::has_spans`] is then false (parser only).
    pub(crate) fn skip_spans(&mut self) {
        self.keep_spans = false;
        self.spans = Vec::new();
    }

    /// Number of nodes (attributes included).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree holds only its document node.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// The source text this tree was parsed from (empty for built trees).
    pub fn source(&self) -> &str {
        if self.src_borrowed { "" } else { &self.src }
    }

    /// The source text, given up: without a copy unless a tree built from this one's copies
    /// still shares it.
    pub fn into_source(self) -> String {
        if self.src_borrowed {
            return String::new();
        }
        Arc::try_unwrap(self.src).unwrap_or_else(|shared| (*shared).clone())
    }

    /// Whether byte spans into [`Tree::source`] are meaningful.
    pub fn has_spans(&self) -> bool {
        self.has_spans
    }

    /// The document node.
    pub fn root(&self) -> NodeId {
        NodeId::ROOT
    }

    /// The document element, if any.
    pub fn root_element(&self) -> Option<NodeId> {
        self.children(NodeId::ROOT)
            .find(|&c| self.kind(c) == NodeKind::Element)
    }

    // ----- interning -----

    /// Interns a string.
    pub fn intern(&mut self, s: &str) -> Atom {
        if s.is_empty() {
            return Atom::EMPTY;
        }
        if let Some(&a) = self.atom_map.get(s) {
            return Atom(a);
        }
        let a = self.atoms.len() as u32;
        let shared = shared_atom(s);
        self.atoms.push(Arc::clone(&shared));
        self.atom_map.insert(shared, a);
        Atom(a)
    }

    /// The atom of a string if it was interned in this tree (no allocation).
    pub fn lookup_atom(&self, s: &str) -> Option<Atom> {
        self.atom_map.get(s).map(|&a| Atom(a))
    }

    /// The string of an atom.
    pub fn atom(&self, a: Atom) -> &str {
        &self.atoms[a.0 as usize]
    }

    /// Interns a name.
    pub fn intern_name(&mut self, prefix: &str, local: &str, uri: &str) -> NameId {
        let q = QName {
            prefix: self.intern(prefix),
            local: self.intern(local),
            uri: self.intern(uri),
        };
        self.intern_qname(q)
    }

    fn intern_qname(&mut self, q: QName) -> NameId {
        if let Some(&n) = self.name_map.get(&q) {
            return NameId(n);
        }
        let n = self.names.len() as u32;
        self.names.push(q);
        self.name_map.insert(q, n);
        NameId(n)
    }

    /// How many names the tree has interned.
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// The line index of the source text, built once for all the positions asked of it.
    pub fn line_index(&self) -> &crate::diag::LineIndex {
        self.lines
            .get_or_init(|| crate::diag::LineIndex::new(self.source()))
    }

    /// The parts of an interned name.
    pub fn qname(&self, n: NameId) -> QName {
        self.names[n.0 as usize]
    }

    // ----- reading -----

    fn d(&self, n: NodeId) -> &NodeData {
        &self.nodes[n.0 as usize]
    }

    fn opt(v: u32) -> Option<NodeId> {
        (v != NONE).then_some(NodeId(v))
    }

    /// The kind of a node.
    pub fn kind(&self, n: NodeId) -> NodeKind {
        self.d(n).kind
    }

    /// Whether the node is an element.
    pub fn is_element(&self, n: NodeId) -> bool {
        self.d(n).kind == NodeKind::Element
    }

    /// The parent (for an attribute: its element).
    pub fn parent(&self, n: NodeId) -> Option<NodeId> {
        Self::opt(self.d(n).parent)
    }

    /// The first child.
    pub fn first_child(&self, n: NodeId) -> Option<NodeId> {
        Self::opt(self.d(n).first_child)
    }

    /// The last child.
    pub fn last_child(&self, n: NodeId) -> Option<NodeId> {
        Self::opt(self.d(n).last_child)
    }

    /// The next sibling (for an attribute: the next attribute).
    pub fn next_sibling(&self, n: NodeId) -> Option<NodeId> {
        Self::opt(self.d(n).next)
    }

    /// The previous sibling (for an attribute: the previous attribute).
    pub fn prev_sibling(&self, n: NodeId) -> Option<NodeId> {
        Self::opt(self.d(n).prev)
    }

    /// The children, in order.
    pub fn children(&self, n: NodeId) -> Siblings<'_> {
        Siblings {
            tree: self,
            next: self.d(n).first_child,
        }
    }

    /// The element children, in order.
    pub fn element_children(&self, n: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.children(n).filter(move |&c| self.is_element(c))
    }

    /// The attributes of an element, in order.
    pub fn attributes(&self, n: NodeId) -> Siblings<'_> {
        Siblings {
            tree: self,
            next: self.d(n).first_attr(),
        }
    }

    /// The descendants of `n` (not `n` itself), in document order.
    pub fn descendants(&self, n: NodeId) -> Descendants<'_> {
        Descendants {
            tree: self,
            top: n,
            next: self.first_child(n),
        }
    }

    /// The ancestors of `n`, nearest first (not `n` itself).
    pub fn ancestors(&self, n: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        std::iter::successors(self.parent(n), move |&p| self.parent(p))
    }

    /// The name of an element, attribute or processing instruction.
    pub fn name(&self, n: NodeId) -> Option<QName> {
        let v = self.d(n).name;
        (v != NONE).then(|| self.names[v as usize])
    }

    /// The interned name id of a node.
    pub fn name_id(&self, n: NodeId) -> Option<NameId> {
        let v = self.d(n).name;
        (v != NONE).then_some(NameId(v))
    }

    /// The local part of the node's name ("" for unnamed nodes).
    pub fn local_name(&self, n: NodeId) -> &str {
        self.name(n).map_or("", |q| self.atom(q.local))
    }

    /// The namespace URI of the node's name ("" for none).
    pub fn namespace_uri(&self, n: NodeId) -> &str {
        self.name(n).map_or("", |q| self.atom(q.uri))
    }

    /// The prefix of the node's name as written ("" for none).
    pub fn prefix(&self, n: NodeId) -> &str {
        self.name(n).map_or("", |q| self.atom(q.prefix))
    }

    /// The qualified name as written (`prefix:local` or `local`).
    pub fn qualified_name(&self, n: NodeId) -> Cow<'_, str> {
        match self.name(n) {
            None => Cow::Borrowed(""),
            Some(q) if q.prefix == Atom::EMPTY => Cow::Borrowed(self.atom(q.local)),
            Some(q) => Cow::Owned(format!("{}:{}", self.atom(q.prefix), self.atom(q.local))),
        }
    }

    /// Whether the node's expanded name is (`uri`, `local`).
    pub fn has_name(&self, n: NodeId, uri: &str, local: &str) -> bool {
        self.name(n)
            .is_some_and(|q| self.atom(q.local) == local && self.atom(q.uri) == uri)
    }

    fn str_of(&self, r: StrRef) -> &str {
        let len = (r.len & !IN_BUF) as usize;
        let s = r.start as usize;
        if r.len & IN_BUF != 0 {
            &self.buf[s..s + len]
        } else {
            &self.src[s..s + len]
        }
    }

    /// The value of a text, comment, attribute or processing-instruction node ("" otherwise).
    pub fn value(&self, n: NodeId) -> &str {
        self.str_of(self.d(n).value())
    }

    /// The value of an element's attribute by expanded name.
    pub fn attribute_value(&self, el: NodeId, uri: &str, local: &str) -> Option<&str> {
        self.attribute(el, uri, local).map(|a| self.value(a))
    }

    /// An element's attribute node by expanded name.
    pub fn attribute(&self, el: NodeId, uri: &str, local: &str) -> Option<NodeId> {
        self.attributes(el).find(|&a| self.has_name(a, uri, local))
    }

    /// The XPath string-value of a node.
    pub fn string_value(&self, n: NodeId) -> Cow<'_, str> {
        match self.kind(n) {
            NodeKind::Root | NodeKind::Element => {
                let mut texts = self
                    .descendants(n)
                    .filter(|&d| self.kind(d) == NodeKind::Text);
                let Some(first) = texts.next() else {
                    return Cow::Borrowed("");
                };
                match texts.next() {
                    None => Cow::Borrowed(self.value(first)),
                    Some(second) => {
                        let mut s = String::from(self.value(first));
                        s.push_str(self.value(second));
                        for t in texts {
                            s.push_str(self.value(t));
                        }
                        Cow::Owned(s)
                    }
                }
            }
            _ => Cow::Borrowed(self.value(n)),
        }
    }

    /// The in-scope namespace bindings of an element (the implicit `xml` binding excluded), in
    /// declaration order, outermost first.
    pub fn namespaces(&self, n: NodeId) -> &[NsBinding] {
        let (start, len) = self.ns_scopes[self.d(n).ns() as usize];
        &self.ns_table[start as usize..(start + len) as usize]
    }

    /// The namespace URI bound to `prefix` on element `n` ("" = default namespace).
    pub fn lookup_namespace(&self, n: NodeId, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        self.namespaces(n)
            .iter()
            .rev()
            .find(|b| self.atom(b.prefix) == prefix)
            .map(|b| self.atom(b.uri))
    }

    /// Declares attributes of type ID (from a DTD's `<!ATTLIST>`), as (element, attribute)
    /// qualified names.
    pub(crate) fn set_id_attributes(&mut self, v: Vec<(Box<str>, Box<str>)>) {
        self.id_attributes = v;
        self.ids = std::sync::OnceLock::new();
    }

    /// Records the DTD's unparsed entities (parser only).
    pub(crate) fn set_unparsed_entities(&mut self, v: Vec<(Box<str>, Box<str>)>) {
        self.unparsed_entities = v;
    }

    /// The system identifier of an unparsed entity declared by the DTD.
    pub fn unparsed_entity_uri(&self, name: &str) -> Option<&str> {
        self.unparsed_entities
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, u)| &**u)
    }

    /// The element whose ID is `id`: attributes declared of type ID by the DTD, and `xml:id`.
    pub fn element_by_id(&self, id: &str) -> Option<NodeId> {
        let map = self.ids.get_or_init(|| {
            let mut m: HashMap<Box<str>, NodeId> = HashMap::new();
            for i in 0..self.nodes.len() {
                let n = NodeId(i as u32);
                if self.kind(n) != NodeKind::Attribute || self.parent(n).is_none() {
                    continue;
                }
                let el = self.parent(n).expect("checked");
                let is_id = self.has_name(n, XML_NS, "id")
                    || (!self.id_attributes.is_empty() && {
                        let (eq, aq) = (self.qualified_name(el), self.qualified_name(n));
                        self.id_attributes
                            .iter()
                            .any(|(e, a)| **e == *eq && **a == *aq)
                    });
                if is_id {
                    let v = self.value(n).trim();
                    m.entry(v.into()).or_insert(el);
                }
            }
            m
        });
        map.get(id).copied()
    }

    // ----- spans (parsed trees only) -----

    /// A node's span (zeros for trees without spans).
    #[inline]
    fn sp(&self, n: NodeId) -> [u32; 4] {
        self.spans.get(n.0 as usize).copied().unwrap_or([0; 4])
    }

    /// Byte range of the whole node in [`Tree::source`] (an attribute: `name="value"`).
    pub fn span(&self, n: NodeId) -> Range<usize> {
        let s = self.sp(n);
        s[0] as usize..s[1] as usize
    }

    /// Byte range of an element's start tag (`<a ...>` or `<a .../>`).
    pub fn start_tag_span(&self, n: NodeId) -> Range<usize> {
        let s = self.sp(n);
        s[0] as usize..s[2] as usize
    }

    /// Byte range of an element's content, between its tags (empty at the end when
    /// self-closing).
    pub fn content_span(&self, n: NodeId) -> Range<usize> {
        let s = self.sp(n);
        s[2] as usize..s[3] as usize
    }

    /// Byte range of an element's end tag, `None` when it is self-closing.
    pub fn end_tag_span(&self, n: NodeId) -> Option<Range<usize>> {
        let s = self.sp(n);
        (s[3] < s[1]).then(|| s[3] as usize..s[1] as usize)
    }

    /// Whether an element was written self-closing (`<a/>`).
    pub fn is_self_closing(&self, n: NodeId) -> bool {
        self.kind(n) == NodeKind::Element && self.end_tag_span(n).is_none()
    }

    /// Byte range of an attribute's qualified name.
    pub fn attr_name_span(&self, a: NodeId) -> Range<usize> {
        let s = self.sp(a);
        let len = self.qualified_name(a).len();
        s[0] as usize..s[0] as usize + len
    }

    /// Byte range of an attribute's value, inside the quotes.
    pub fn attr_value_span(&self, a: NodeId) -> Range<usize> {
        let s = self.sp(a);
        s[2] as usize..s[3] as usize
    }

    /// The quote character around an attribute's value in the source.
    pub fn attr_quote(&self, a: NodeId) -> char {
        let end = self.sp(a)[3] as usize;
        match self.src.as_bytes().get(end) {
            Some(b'\'') => '\'',
            _ => '"',
        }
    }
}

/// Iterator over a sibling chain.
#[derive(Clone)]
pub struct Siblings<'a> {
    tree: &'a Tree,
    next: u32,
}

impl Iterator for Siblings<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        if self.next == NONE {
            return None;
        }
        let n = NodeId(self.next);
        self.next = self.tree.d(n).next;
        Some(n)
    }
}

/// Iterator over the descendants of a node, in document order.
#[derive(Clone)]
pub struct Descendants<'a> {
    tree: &'a Tree,
    top: NodeId,
    next: Option<NodeId>,
}

impl Iterator for Descendants<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let n = self.next?;
        let t = self.tree;
        self.next = if let Some(c) = t.first_child(n) {
            Some(c)
        } else {
            let mut cur = n;
            loop {
                if cur == self.top {
                    break None;
                }
                if let Some(s) = t.next_sibling(cur) {
                    break Some(s);
                }
                match t.parent(cur) {
                    Some(p) if p != self.top => cur = p,
                    _ => break None,
                }
            }
        };
        Some(n)
    }
}

#[cfg(test)]
mod tests;
