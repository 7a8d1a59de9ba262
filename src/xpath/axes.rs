//! The thirteen axes over a [`Tree`], and node tests.
//!
//! Nodes are produced in axis order: document order for forward axes, reverse document order
//! for reverse axes (so that a predicate's proximity position is the index in the output).

use crate::xml::{Atom, NodeId, NodeKind, Tree};
use crate::xpath::ast::{Axis, NodeTest};
use crate::xpath::value::{NodeRef, namespace_bindings};

/// A node test resolved against one tree: names become atoms, so matching compares integers.
#[derive(Clone, Copy, Debug)]
pub enum Test<'a> {
    /// Never matches (the name does not occur in this tree).
    Nothing,
    /// Principal-type nodes with this name.
    Name(Atom, Atom),
    /// Namespace nodes with this prefix (`namespace::p`).
    NsPrefix(&'a str),
    /// Principal-type nodes in this namespace.
    NsWildcard(Atom),
    /// Any principal-type node.
    Wildcard,
    /// Any node.
    Node,
    /// Text nodes.
    Text,
    /// Comments.
    Comment,
    /// Processing instructions, optionally with a target.
    Pi(Option<&'a str>),
}

impl<'a> Test<'a> {
    /// Resolves a node test for `tree` on `axis`.
    pub fn resolve(tree: &Tree, axis: Axis, test: &'a NodeTest) -> Test<'a> {
        match test {
            NodeTest::Name(n) if axis == Axis::Namespace => {
                if n.uri.is_empty() {
                    Test::NsPrefix(&n.local)
                } else {
                    Test::Nothing
                }
            }
            NodeTest::Name(n) => match (tree.lookup_atom(&n.local), tree.lookup_atom(&n.uri)) {
                (Some(l), Some(u)) => Test::Name(l, u),
                _ => Test::Nothing,
            },
            NodeTest::NsWildcard(_) if axis == Axis::Namespace => Test::Nothing,
            NodeTest::NsWildcard(u) => match tree.lookup_atom(u) {
                Some(u) => Test::NsWildcard(u),
                None => Test::Nothing,
            },
            NodeTest::Wildcard => Test::Wildcard,
            NodeTest::Node => Test::Node,
            NodeTest::Text => Test::Text,
            NodeTest::Comment => Test::Comment,
            NodeTest::Pi(t) => Test::Pi(t.as_deref()),
        }
    }

    /// Whether an ordinary (non-namespace) node passes, given the axis's principal node type.
    #[inline]
    pub fn matches(&self, tree: &Tree, n: NodeId, principal: NodeKind) -> bool {
        match *self {
            Test::Nothing | Test::NsPrefix(_) => false,
            Test::Node => true,
            Test::Text => tree.kind(n) == NodeKind::Text,
            Test::Comment => tree.kind(n) == NodeKind::Comment,
            Test::Pi(t) => {
                tree.kind(n) == NodeKind::ProcessingInstruction
                    && t.is_none_or(|t| tree.local_name(n) == t)
            }
            Test::Wildcard => tree.kind(n) == principal,
            Test::Name(l, u) => {
                tree.kind(n) == principal
                    && tree.name(n).is_some_and(|q| q.local == l && q.uri == u)
            }
            Test::NsWildcard(u) => {
                tree.kind(n) == principal && tree.name(n).is_some_and(|q| q.uri == u)
            }
        }
    }

    /// Whether a namespace node with this prefix passes (namespace axis).
    fn matches_ns(&self, prefix: &str) -> bool {
        match *self {
            Test::Node | Test::Wildcard => true,
            Test::NsPrefix(p) => p == prefix,
            _ => false,
        }
    }
}

/// Appends the nodes of `axis` from `from` that pass `test`, in axis order.
pub fn collect(tree: &Tree, from: NodeRef, axis: Axis, test: &Test<'_>, out: &mut Vec<NodeRef>) {
    let doc = from.doc;
    let n = from.node;
    let mk = |id: NodeId| NodeRef::new(doc, id);
    let el = NodeKind::Element;
    // Attribute and namespace nodes have a parent but are nobody's children or siblings.
    let is_attr_like = from.ns != 0 || tree.kind(n) == NodeKind::Attribute;
    match axis {
        Axis::Child => {
            if !is_attr_like {
                out.extend(
                    tree.children(n)
                        .filter(|&c| test.matches(tree, c, el))
                        .map(mk),
                );
            }
        }
        Axis::Descendant | Axis::DescendantOrSelf => {
            if axis == Axis::DescendantOrSelf && self_matches(tree, from, test) {
                out.push(from);
            }
            if !is_attr_like {
                out.extend(
                    tree.descendants(n)
                        .filter(|&c| test.matches(tree, c, el))
                        .map(mk),
                );
            }
        }
        Axis::Parent => {
            if let Some(p) = parent(tree, from)
                && test.matches(tree, p, el)
            {
                out.push(mk(p));
            }
        }
        Axis::Ancestor | Axis::AncestorOrSelf => {
            if axis == Axis::AncestorOrSelf && self_matches(tree, from, test) {
                out.push(from);
            }
            let mut cur = parent(tree, from);
            while let Some(p) = cur {
                if test.matches(tree, p, el) {
                    out.push(mk(p));
                }
                cur = tree.parent(p);
            }
        }
        Axis::FollowingSibling => {
            if !is_attr_like {
                let mut cur = tree.next_sibling(n);
                while let Some(s) = cur {
                    if test.matches(tree, s, el) {
                        out.push(mk(s));
                    }
                    cur = tree.next_sibling(s);
                }
            }
        }
        Axis::PrecedingSibling => {
            if !is_attr_like {
                let mut cur = tree.prev_sibling(n);
                while let Some(s) = cur {
                    if test.matches(tree, s, el) {
                        out.push(mk(s));
                    }
                    cur = tree.prev_sibling(s);
                }
            }
        }
        Axis::Following => {
            // From an attribute or namespace node, its element's content follows it.
            let mut cur = if is_attr_like {
                let owner = parent(tree, from).expect("attributes have an owner");
                out.extend(
                    tree.descendants(owner)
                        .filter(|&c| test.matches(tree, c, el))
                        .map(mk),
                );
                owner
            } else {
                n
            };
            loop {
                let mut sib = tree.next_sibling(cur);
                while let Some(s) = sib {
                    if test.matches(tree, s, el) {
                        out.push(mk(s));
                    }
                    out.extend(
                        tree.descendants(s)
                            .filter(|&c| test.matches(tree, c, el))
                            .map(mk),
                    );
                    sib = tree.next_sibling(s);
                }
                match tree.parent(cur) {
                    Some(p) => cur = p,
                    None => break,
                }
            }
        }
        Axis::Preceding => {
            // Reverse document order, ancestors excluded.
            let mut cur = if is_attr_like {
                parent(tree, from).expect("attributes have an owner")
            } else {
                n
            };
            let mut buf: Vec<NodeId> = Vec::new();
            loop {
                let mut sib = tree.prev_sibling(cur);
                while let Some(s) = sib {
                    buf.clear();
                    if test.matches(tree, s, el) {
                        buf.push(s);
                    }
                    buf.extend(tree.descendants(s).filter(|&c| test.matches(tree, c, el)));
                    out.extend(buf.iter().rev().map(|&id| mk(id)));
                    sib = tree.prev_sibling(s);
                }
                match tree.parent(cur) {
                    Some(p) => cur = p,
                    None => break,
                }
            }
        }
        Axis::Attribute => {
            if !is_attr_like {
                out.extend(
                    tree.attributes(n)
                        .filter(|&a| test.matches(tree, a, NodeKind::Attribute))
                        .map(mk),
                );
            }
        }
        Axis::Namespace => {
            if !is_attr_like && tree.kind(n) == NodeKind::Element {
                for (i, (prefix, _)) in namespace_bindings(tree, n).iter().enumerate() {
                    if test.matches_ns(prefix) {
                        out.push(NodeRef {
                            doc,
                            node: n,
                            ns: i as u32 + 1,
                        });
                    }
                }
            }
        }
        Axis::SelfAxis => {
            if self_matches(tree, from, test) {
                out.push(from);
            }
        }
    }
}

/// The parent of any node (an attribute's or namespace node's element).
pub fn parent(tree: &Tree, n: NodeRef) -> Option<NodeId> {
    if n.ns != 0 {
        return Some(n.node);
    }
    tree.parent(n.node)
}

/// The self axis. Its principal node type is element, so `self::*` is false for an attribute or
/// namespace node while `self::node()` is true.
fn self_matches(tree: &Tree, n: NodeRef, test: &Test<'_>) -> bool {
    if n.ns != 0 {
        return matches!(test, Test::Node);
    }
    test.matches(tree, n.node, NodeKind::Element)
}
