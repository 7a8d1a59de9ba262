//! The working document of an XDT run: a small mutable tree (children in vectors, so nodes can
//! be inserted anywhere), built from the input's [`Tree`] and turned back into a [`Tree`] for
//! XPath and for the minimal edit.
//!
//! The arena [`Tree`] keeps index order equal to document order and can only append, which suits
//! parsing and XSLT but not `InsertBefore`. Here nodes never move in memory: a removed node is
//! only unlinked, so the node lists a transform captured stay valid, as they do in .NET's DOM.

use crate::xml::{NodeId, NodeKind, NsBinding, Tree};

/// A node of a [`Dom`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DId(u32);

impl DId {
    /// The document node.
    pub const ROOT: DId = DId(0);

    fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a node came from, for messages: a byte offset in the input, or in transform `k` of
/// the chain (element names and attribute names, as .NET's line information points).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Built by webxsl (a comment made by `CommentOut`).
    None,
    /// At this byte offset of the input text.
    Input(usize),
    /// At this byte offset of transform `k`'s text.
    Transform(usize, usize),
}

/// An expanded name plus the prefix it was written with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The prefix as written ("" for none).
    pub prefix: String,
    /// The local part.
    pub local: String,
    /// The namespace URI ("" for none).
    pub uri: String,
}

impl Name {
    /// Whether this is the expanded name `n` (same namespace and local part).
    pub fn is(&self, n: &crate::xpath::ExpandedName) -> bool {
        *self.local == *n.local && *self.uri == *n.uri
    }

    /// `prefix:local`, or `local`.
    pub fn qualified(&self) -> String {
        if self.prefix.is_empty() {
            self.local.clone()
        } else {
            format!("{}:{}", self.prefix, self.local)
        }
    }
}

/// An attribute of an element.
#[derive(Clone, Debug)]
pub struct Attr {
    /// Its name.
    pub name: Name,
    /// Its value.
    pub value: String,
}

/// What a node is.
#[derive(Clone, Debug)]
pub enum Data {
    /// The document node.
    Root,
    /// An element with its attributes and the namespace bindings it declares.
    Element {
        /// Its name.
        name: Name,
        /// Its attributes, in order.
        attrs: Vec<Attr>,
        /// The bindings it declares (prefix "" for the default namespace).
        decls: Vec<(String, String)>,
    },
    /// Text.
    Text(String),
    /// A comment.
    Comment(String),
    /// A processing instruction: target and data.
    Pi(String, String),
}

#[derive(Clone, Debug)]
struct Node {
    parent: Option<DId>,
    children: Vec<DId>,
    data: Data,
    origin: Origin,
    /// The input's node this one is a copy of (`None` for nodes a transform made).
    source: Option<NodeId>,
    /// Whether the node or anything under it changed since the copy of the input (its data,
    /// its children, theirs…). Set by every change through the node's ancestors, so a node
    /// that is not marked, and has a `source`, is still the input's subtree.
    changed: bool,
    /// Whether an attribute in a namespace was set or removed on the node: the namespaces in
    /// scope below it may differ from the input's, so nothing below it counts as unchanged.
    rescoped: bool,
}

/// A node of a [`Tree`] built by [`Dom::to_tree`], seen from the [`Dom`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DRef {
    /// A node.
    Node(DId),
    /// Attribute `i` of an element.
    Attr(DId, usize),
}

/// The working document. See the module documentation.
#[derive(Clone, Debug)]
pub struct Dom {
    nodes: Vec<Node>,
}

impl Dom {
    /// A copy of a parsed tree; origins are offsets in `tree`'s source text when it has spans.
    pub fn from_tree(tree: &Tree) -> Dom {
        let mut dom = Dom {
            nodes: vec![Node {
                parent: None,
                children: Vec::new(),
                data: Data::Root,
                origin: Origin::None,
                source: Some(NodeId::ROOT),
                changed: false,
                rescoped: false,
            }],
        };
        let origin = |n: NodeId| {
            if tree.has_spans() {
                Origin::Input(name_offset(tree, n))
            } else {
                Origin::None
            }
        };
        dom.copy_children(tree, NodeId::ROOT, DId::ROOT, &origin, &|_, _| true, false);
        dom
    }

    /// Copies the subtree of `n` (another tree's element) as a new, detached node, the way the
    /// engine clones a transform element into the target document: attributes for which `keep`
    /// is false are dropped, and white-space-only text is not copied (the transform file is
    /// not loaded with white space preserved).
    pub fn clone_from(
        &mut self,
        tree: &Tree,
        n: NodeId,
        origin: &dyn Fn(NodeId) -> Origin,
        keep: &dyn Fn(&Tree, NodeId) -> bool,
    ) -> DId {
        let id = self.push(element_data(tree, n, keep, None), origin(n));
        self.copy_children(tree, n, id, origin, keep, true);
        id
    }

    /// Copies the children of `from` under `to`. A source copy keeps every node and records
    /// the namespace bindings each element declares; a transform clone (`clone`) drops the
    /// attributes `keep` refuses and white-space-only text, and declares nothing (.NET scrubs
    /// `xmlns` attributes: the names keep their namespaces, the writer declares what they need).
    fn copy_children(
        &mut self,
        tree: &Tree,
        from: NodeId,
        to: DId,
        origin: &dyn Fn(NodeId) -> Origin,
        keep: &dyn Fn(&Tree, NodeId) -> bool,
        clone: bool,
    ) {
        for c in tree.children(from) {
            let data = match tree.kind(c) {
                NodeKind::Element => element_data(tree, c, keep, (!clone).then_some(from)),
                NodeKind::Text if clone && is_blank(tree.value(c)) => continue,
                NodeKind::Text => Data::Text(tree.value(c).to_owned()),
                NodeKind::Comment => Data::Comment(tree.value(c).to_owned()),
                NodeKind::ProcessingInstruction => {
                    Data::Pi(tree.local_name(c).to_owned(), tree.value(c).to_owned())
                }
                NodeKind::Root | NodeKind::Attribute => continue,
            };
            let is_element = matches!(data, Data::Element { .. });
            let id = self.push(data, origin(c));
            if !clone {
                self.nodes[id.index()].source = Some(c);
            }
            self.link(to, id, None);
            if is_element {
                self.copy_children(tree, c, id, origin, keep, clone);
            }
        }
    }

    fn push(&mut self, data: Data, origin: Origin) -> DId {
        let id = DId(self.nodes.len() as u32);
        self.nodes.push(Node {
            parent: None,
            children: Vec::new(),
            data,
            origin,
            source: None,
            changed: false,
            rescoped: false,
        });
        id
    }

    /// A new, detached comment.
    pub fn new_comment(&mut self, text: &str) -> DId {
        self.push(Data::Comment(text.to_owned()), Origin::None)
    }

    /// Marks `n` and its ancestors changed (see [`Node::changed`]). An ancestor already
    /// marked has its own ancestors marked: the walk stops there.
    fn mark_changed(&mut self, mut n: DId) {
        loop {
            let node = &mut self.nodes[n.index()];
            if node.changed {
                return;
            }
            node.changed = true;
            match node.parent {
                Some(p) => n = p,
                None => return,
            }
        }
    }

    /// Links a detached node under `parent` at `index` (the end when `None`); the caller marks
    /// what changed.
    fn link(&mut self, parent: DId, child: DId, index: Option<usize>) {
        self.nodes[child.index()].parent = Some(parent);
        let kids = &mut self.nodes[parent.index()].children;
        match index {
            Some(i) => kids.insert(i, child),
            None => kids.push(child),
        }
    }

    /// What a node is.
    pub fn data(&self, n: DId) -> &Data {
        &self.nodes[n.index()].data
    }

    /// Where a node came from.
    pub fn origin(&self, n: DId) -> Origin {
        self.nodes[n.index()].origin
    }

    /// A node's parent (`None` for the document node and detached nodes).
    pub fn parent(&self, n: DId) -> Option<DId> {
        self.nodes[n.index()].parent
    }

    /// A node's children.
    pub fn children(&self, n: DId) -> &[DId] {
        &self.nodes[n.index()].children
    }

    /// Whether a node is an element.
    pub fn is_element(&self, n: DId) -> bool {
        matches!(self.data(n), Data::Element { .. })
    }

    /// An element's qualified name as written ("" for other nodes).
    pub fn qualified_name(&self, n: DId) -> String {
        match self.data(n) {
            Data::Element { name, .. } => name.qualified(),
            _ => String::new(),
        }
    }

    /// An element's attributes (empty for other nodes).
    pub fn attrs(&self, n: DId) -> &[Attr] {
        match self.data(n) {
            Data::Element { attrs, .. } => attrs,
            _ => &[],
        }
    }

    /// Whether `n` is still in the document (reachable from the document node).
    pub fn is_attached(&self, mut n: DId) -> bool {
        while let Some(p) = self.parent(n) {
            n = p;
        }
        n == DId::ROOT
    }

    /// Unlinks a node from its parent.
    pub fn remove(&mut self, n: DId) {
        if let Some(p) = self.nodes[n.index()].parent.take() {
            self.nodes[p.index()].children.retain(|&c| c != n);
            self.mark_changed(p);
        }
    }

    /// Appends a detached node as the last child of `parent`.
    pub fn append(&mut self, parent: DId, n: DId) {
        self.link(parent, n, None);
        self.mark_changed(parent);
    }

    /// Puts a detached node in the place of `old`, which is unlinked (which marks the parent
    /// changed).
    pub fn replace(&mut self, old: DId, new: DId) {
        let Some(p) = self.parent(old) else { return };
        let i = self.position(p, old);
        self.remove(old);
        self.link(p, new, Some(i));
    }

    /// Inserts a detached node right before (`after == false`) or after `sibling`.
    pub fn insert_beside(&mut self, sibling: DId, n: DId, after: bool) {
        let Some(p) = self.parent(sibling) else {
            return;
        };
        let i = self.position(p, sibling) + usize::from(after);
        self.link(p, n, Some(i));
        self.mark_changed(p);
    }

    fn position(&self, parent: DId, child: DId) -> usize {
        self.children(parent)
            .iter()
            .position(|&c| c == child)
            .expect("a child is among its parent's children")
    }

    /// Sets an attribute by local name and namespace: an existing one keeps its place and
    /// takes the new value, a new one is appended.
    pub fn set_attr(&mut self, el: DId, attr: &Attr) {
        self.mark_changed(el);
        let node = &mut self.nodes[el.index()];
        node.rescoped |= !attr.name.uri.is_empty();
        if let Data::Element { attrs, .. } = &mut node.data {
            match attrs
                .iter_mut()
                .find(|a| a.name.local == attr.name.local && a.name.uri == attr.name.uri)
            {
                Some(a) => a.value = attr.value.clone(),
                None => attrs.push(attr.clone()),
            }
        }
    }

    /// Removes the attributes of `el` for which `drop` is true.
    pub fn remove_attrs(&mut self, el: DId, drop: &dyn Fn(&Attr) -> bool) {
        self.mark_changed(el);
        let node = &mut self.nodes[el.index()];
        if let Data::Element { attrs, .. } = &mut node.data {
            node.rescoped |= attrs.iter().any(|a| drop(a) && !a.name.uri.is_empty());
            attrs.retain(|a| !drop(a));
        }
    }

    /// Builds an arena [`Tree`] of the document, and the map from its node indices back to
    /// this document's nodes.
    pub fn to_tree(&self) -> (Tree, Vec<DRef>) {
        let mut t = Tree::new();
        let mut map = vec![DRef::Node(DId::ROOT)];
        self.build(&mut t, &mut map, DId::ROOT, NodeId::ROOT, &[], &mut None);
        (t, map)
    }

    /// The tree of the document, with the elements that are still the input's (nothing in
    /// them changed, and the namespaces in scope are the input's) as (tree node, input node),
    /// in tree order: the outermost of each unchanged subtree. The minimal edit trusts them
    /// without comparing (see [`crate::patch::minimal_edit_with`]).
    pub fn to_tree_with_copies(&self) -> (Tree, Vec<(NodeId, NodeId)>) {
        let mut t = Tree::new();
        let mut map = vec![DRef::Node(DId::ROOT)];
        let mut copies = Some(Vec::new());
        self.build(&mut t, &mut map, DId::ROOT, NodeId::ROOT, &[], &mut copies);
        (t, copies.unwrap_or_default())
    }

    /// Builds the children of `from` under `to`. `copies`: where to record unchanged input
    /// elements (`None` where none may be recorded: not asked, inside one recorded already,
    /// or below an element whose namespaces in scope may have changed).
    fn build(
        &self,
        t: &mut Tree,
        map: &mut Vec<DRef>,
        from: DId,
        to: NodeId,
        scope: &[(String, String)],
        copies: &mut Option<Vec<(NodeId, NodeId)>>,
    ) {
        for &c in self.children(from) {
            match self.data(c) {
                Data::Element { name, attrs, decls } => {
                    let mut inner: Vec<(String, String)> = scope.to_vec();
                    let mut bind = |p: &str, u: &str| {
                        if p == "xml" {
                            return;
                        }
                        let bound = inner.iter().rev().find(|(q, _)| q == p).map(|(_, v)| v);
                        if bound.map(String::as_str) != Some(u) && !(p.is_empty() && u.is_empty()) {
                            inner.push((p.to_owned(), u.to_owned()));
                        }
                    };
                    for (p, u) in decls {
                        bind(p, u);
                    }
                    bind(&name.prefix, &name.uri);
                    for a in attrs {
                        if !a.name.uri.is_empty() {
                            bind(&a.name.prefix, &a.name.uri);
                        }
                    }
                    let qn = t.intern_name(&name.prefix, &name.local, &name.uri);
                    let el = t.append_element(to, qn);
                    map.push(DRef::Node(c));
                    if inner.len() != scope.len() {
                        let bindings: Vec<NsBinding> = inner
                            .iter()
                            .map(|(p, u)| NsBinding {
                                prefix: t.intern(p),
                                uri: t.intern(u),
                            })
                            .collect();
                        t.set_namespaces(el, &bindings);
                    }
                    for (i, a) in attrs.iter().enumerate() {
                        let an = t.intern_name(&a.name.prefix, &a.name.local, &a.name.uri);
                        t.set_attribute(el, an, &a.value);
                        map.push(DRef::Attr(c, i));
                    }
                    let node = &self.nodes[c.index()];
                    match (copies.as_mut(), node.source) {
                        (Some(list), Some(source)) if !node.changed => {
                            list.push((el, source));
                            self.build(t, map, c, el, &inner, &mut None);
                        }
                        (Some(_), _) if node.rescoped => {
                            self.build(t, map, c, el, &inner, &mut None);
                        }
                        _ => self.build(t, map, c, el, &inner, copies),
                    }
                }
                Data::Text(s) => {
                    t.append_text(to, s);
                }
                Data::Comment(s) => {
                    t.append_comment(to, s);
                }
                Data::Pi(target, data) => {
                    t.append_pi(to, target, data);
                }
                Data::Root => {}
            }
            // Adjacent text merges into one node: map every node the tree made.
            while map.len() < t.len() {
                map.push(DRef::Node(c));
            }
        }
    }
}

/// The offset .NET's line information gives for a node: the name of an element or attribute
/// (after `<`), the start of anything else.
pub fn name_offset(tree: &Tree, n: NodeId) -> usize {
    match tree.kind(n) {
        NodeKind::Element => tree.span(n).start + 1,
        _ => tree.span(n).start,
    }
}

fn is_blank(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// The element data of `n`: its name, the attributes `keep` accepts, and the namespace
/// bindings it declares (those not inherited from `parent`).
fn element_data(
    tree: &Tree,
    n: NodeId,
    keep: &dyn Fn(&Tree, NodeId) -> bool,
    parent: Option<NodeId>,
) -> Data {
    let name = |x: NodeId| Name {
        prefix: tree.prefix(x).to_owned(),
        local: tree.local_name(x).to_owned(),
        uri: tree.namespace_uri(x).to_owned(),
    };
    let attrs = tree
        .attributes(n)
        .filter(|&a| keep(tree, a))
        .map(|a| Attr {
            name: name(a),
            value: tree.value(a).to_owned(),
        })
        .collect();
    let decls = match parent {
        Some(p) => {
            let inherited = if tree.kind(p) == NodeKind::Element {
                tree.namespaces(p)
            } else {
                &[]
            };
            tree.namespaces(n)
                .iter()
                .filter(|b| !inherited.contains(b))
                .map(|b| (tree.atom(b.prefix).to_owned(), tree.atom(b.uri).to_owned()))
                .collect()
        }
        None => Vec::new(),
    };
    Data::Element {
        name: name(n),
        attrs,
        decls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::equivalent;
    use crate::xml::{Document, Limits};

    fn doc(s: &str) -> Document {
        Document::parse_str(s, &Limits::default()).unwrap()
    }

    #[test]
    fn a_copy_builds_back_into_the_same_tree() {
        let d = doc(
            "<?pi x?><a xmlns='urn:a' xmlns:p='urn:p'>\n  <b p:k='1' k='2'>t<!--c--></b>\n  <p:c/>\n</a>",
        );
        let (t, map) = Dom::from_tree(d.tree()).to_tree();
        equivalent(d.tree(), &t).unwrap();
        assert_eq!(map.len(), t.len());
        let b = t
            .descendants(NodeId::ROOT)
            .find(|&n| t.local_name(n) == "b");
        assert_eq!(t.namespace_uri(b.unwrap()), "urn:a");
    }

    #[test]
    fn nodes_go_anywhere_and_origins_point_at_names() {
        let d = doc("<a><b/><c/></a>");
        let mut dom = Dom::from_tree(d.tree());
        let a = dom.children(DId::ROOT)[0];
        let (b, c) = (dom.children(a)[0], dom.children(a)[1]);
        assert_eq!(dom.origin(b), Origin::Input(4));
        let x = dom.new_comment("x");
        dom.insert_beside(c, x, false);
        dom.remove(b);
        assert!(!dom.is_attached(b));
        let (t, _) = dom.to_tree();
        let kids: Vec<NodeKind> = t
            .children(t.root_element().unwrap())
            .map(|n| t.kind(n))
            .collect();
        assert_eq!(kids, [NodeKind::Comment, NodeKind::Element]);
    }

    /// The unchanged elements are the outermost ones nothing reached, with their input
    /// nodes: every kind of change marks its node and the ancestors, and an attribute in a
    /// namespace set on an element keeps everything below it from counting as unchanged.
    #[test]
    fn changes_mark_their_ancestors_and_the_rest_are_copies() {
        let d = doc("<r xmlns:p='urn:p'><a><b><c/></b><d/></a><e><f/></e><g/><h><i/></h></r>");
        let names = |t: &Tree, copies: &[(NodeId, NodeId)]| -> Vec<String> {
            copies
                .iter()
                .map(|&(r, s)| {
                    assert_eq!(t.local_name(r), d.tree().local_name(s));
                    t.local_name(r).to_owned()
                })
                .collect()
        };
        let el =
            |dom: &Dom, path: &[usize]| path.iter().fold(DId::ROOT, |n, &i| dom.children(n)[i]);
        let attr = |uri: &str| Attr {
            name: Name {
                prefix: if uri.is_empty() { "" } else { "p" }.to_owned(),
                local: "x".to_owned(),
                uri: uri.to_owned(),
            },
            value: "1".to_owned(),
        };
        let untouched = Dom::from_tree(d.tree()).to_tree_with_copies();
        assert_eq!(names(&untouched.0, &untouched.1), ["r"]);
        type Change = fn(&mut Dom, &dyn Fn(&Dom, &[usize]) -> DId, &dyn Fn(&str) -> Attr);
        let cases: [(&str, Change, &[&str]); 7] = [
            (
                "set on c",
                |d, el, at| d.set_attr(el(d, &[0, 0, 0, 0]), &at("")),
                &["d", "e", "g", "h"],
            ),
            (
                "remove c",
                |d, el, _| d.remove(el(d, &[0, 0, 0, 0])),
                &["d", "e", "g", "h"],
            ),
            (
                "append under f",
                |d, el, _| {
                    let x = d.new_comment("x");
                    d.append(el(d, &[0, 1, 0]), x);
                },
                &["a", "g", "h"],
            ),
            (
                "replace g",
                |d, el, _| {
                    let x = d.new_comment("x");
                    d.replace(el(d, &[0, 2]), x);
                },
                &["a", "e", "h"],
            ),
            (
                "insert before i",
                |d, el, _| {
                    let x = d.new_comment("x");
                    d.insert_beside(el(d, &[0, 3, 0]), x, false);
                },
                &["a", "e", "g", "i"],
            ),
            (
                "remove an attribute of e",
                |d, el, _| d.remove_attrs(el(d, &[0, 1]), &|_| true),
                &["a", "f", "g", "h"],
            ),
            (
                "a namespaced attribute on a",
                |d, el, at| d.set_attr(el(d, &[0, 0]), &at("urn:p")),
                &["e", "g", "h"],
            ),
        ];
        for (what, change, expected) in cases {
            let mut dom = Dom::from_tree(d.tree());
            change(&mut dom, &el, &attr);
            let (t, copies) = dom.to_tree_with_copies();
            assert!(copies.is_sorted_by_key(|c| c.0), "{what}");
            assert_eq!(names(&t, &copies), expected, "{what}");
        }
    }
}
