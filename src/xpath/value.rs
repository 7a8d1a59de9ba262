//! XPath 1.0 values, node references and the spec's conversions between the four types.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::xml::{NodeId, NodeKind, Tree};

/// Which tree of an evaluation environment a node belongs to.
pub type DocId = u32;

/// A node of any tree in the environment: an arena node, or a namespace node of an element
/// (`ns > 0`: the `ns-1`-th binding of [`namespace_bindings`]).
///
/// The derived order is document order: trees by id, then nodes by index (an element's index
/// precedes its attributes and children), namespace nodes right after their element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeRef {
    /// The tree.
    pub doc: DocId,
    /// The node (for a namespace node: its element).
    pub node: NodeId,
    /// 0 for an ordinary node; k+1 for the k-th namespace node of `node`.
    pub ns: u32,
}

impl NodeRef {
    /// An ordinary node.
    pub fn new(doc: DocId, node: NodeId) -> NodeRef {
        NodeRef { doc, node, ns: 0 }
    }

    /// Whether this is a namespace node.
    pub fn is_namespace(self) -> bool {
        self.ns != 0
    }
}

/// The XPath node type of a node reference (namespace nodes included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XNodeKind {
    /// Document node.
    Root,
    /// Element.
    Element,
    /// Attribute.
    Attribute,
    /// Text.
    Text,
    /// Comment.
    Comment,
    /// Processing instruction.
    ProcessingInstruction,
    /// Namespace node.
    Namespace,
}

/// The kind of a node reference.
pub fn node_kind(tree: &Tree, n: NodeRef) -> XNodeKind {
    if n.ns != 0 {
        return XNodeKind::Namespace;
    }
    match tree.kind(n.node) {
        NodeKind::Root => XNodeKind::Root,
        NodeKind::Element => XNodeKind::Element,
        NodeKind::Attribute => XNodeKind::Attribute,
        NodeKind::Text => XNodeKind::Text,
        NodeKind::Comment => XNodeKind::Comment,
        NodeKind::ProcessingInstruction => XNodeKind::ProcessingInstruction,
    }
}

/// The namespace nodes of an element as (prefix, uri) pairs: `xml` first, then the in-scope
/// bindings with a non-empty URI in declaration order (outermost first), the innermost binding
/// of each prefix winning.
pub fn namespace_bindings(tree: &Tree, el: NodeId) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = vec![("xml", crate::xml::XML_NS)];
    for b in tree.namespaces(el) {
        let (p, u) = (tree.atom(b.prefix), tree.atom(b.uri));
        match out.iter_mut().find(|(q, _)| *q == p) {
            Some(e) => e.1 = u,
            None => out.push((p, u)),
        }
    }
    // An undeclared default namespace (xmlns="") is no namespace node.
    out.retain(|(_, u)| !u.is_empty());
    out
}

/// The (prefix, uri) of a namespace node.
pub fn namespace_node(tree: &Tree, n: NodeRef) -> (&str, &str) {
    namespace_bindings(tree, n.node)
        .get(n.ns as usize - 1)
        .copied()
        .unwrap_or(("", ""))
}

/// The XPath string-value of a node.
pub fn string_value(tree: &Tree, n: NodeRef) -> String {
    if n.ns != 0 {
        return namespace_node(tree, n).1.to_owned();
    }
    tree.string_value(n.node).into_owned()
}

/// A node-set: node references in document order, without duplicates.
pub type NodeSet = Rc<Vec<NodeRef>>;

/// An XPath value.
#[derive(Clone, Debug)]
pub enum Value {
    /// A node-set, sorted in document order.
    Nodes(NodeSet),
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(std::sync::Arc<str>),
    /// A result tree fragment (XSLT): the root node of a tree built by a variable's content. It
    /// converts like a node-set of that root, but cannot be navigated.
    Rtf(NodeRef),
}

impl Value {
    /// A string value.
    pub fn str(s: impl Into<std::sync::Arc<str>>) -> Value {
        Value::Str(s.into())
    }

    /// An empty node-set.
    pub fn empty() -> Value {
        Value::Nodes(Rc::new(Vec::new()))
    }

    /// The type name used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nodes(_) => "node-set",
            Value::Bool(_) => "boolean",
            Value::Num(_) => "number",
            Value::Str(_) => "string",
            Value::Rtf(_) => "result tree fragment",
        }
    }
}

/// Sorts node references into document order and removes duplicates.
pub fn sort_dedup(v: &mut Vec<NodeRef>) {
    if v.windows(2).all(|w| w[0] < w[1]) {
        return;
    }
    v.sort_unstable();
    v.dedup();
}

/// XPath `number(string)`: optional whitespace, optional minus, digits with an optional
/// fraction, optional whitespace. Anything else is NaN (no exponent, no plus sign).
pub fn str_to_num(s: &str) -> f64 {
    let t = s.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    let body = t.strip_prefix('-').unwrap_or(t);
    let mut digits = 0;
    let mut dot = false;
    for c in body.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' if !dot => dot = true,
            _ => return f64::NAN,
        }
    }
    if digits == 0 {
        return f64::NAN;
    }
    t.parse::<f64>().unwrap_or(f64::NAN)
}

/// XPath `string(number)`: `NaN`, `Infinity`, `-Infinity`, integers without a decimal point,
/// `-0` as `0`, otherwise the shortest decimal that round-trips, never an exponent.
pub fn num_to_str(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if n == 0.0 {
        return "0".into();
    }
    // Rust's Display for f64 is the shortest round-trip decimal and never uses an exponent.
    let s = format!("{n}");
    match s.strip_suffix(".0") {
        Some(i) => i.to_owned(),
        None => s,
    }
}

/// XPath `boolean()` of a number.
pub fn num_to_bool(n: f64) -> bool {
    n != 0.0 && !n.is_nan()
}

/// XPath `round()`: the closest integer, halves toward positive infinity, -0 kept.
pub fn round(x: f64) -> f64 {
    if x.is_nan() || x.is_infinite() {
        return x;
    }
    if (-0.5..0.0).contains(&x) {
        return -0.0;
    }
    if x == 0.0 {
        return x;
    }
    let f = x.floor();
    if x - f >= 0.5 { f + 1.0 } else { f }
}

/// Compares two numbers as XPath relational operators do (NaN compares false).
pub fn cmp_num(a: f64, b: f64) -> Option<Ordering> {
    a.partial_cmp(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_to_string() {
        assert_eq!(num_to_str(f64::NAN), "NaN");
        assert_eq!(num_to_str(f64::INFINITY), "Infinity");
        assert_eq!(num_to_str(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(num_to_str(-0.0), "0");
        assert_eq!(num_to_str(0.0), "0");
        assert_eq!(num_to_str(42.0), "42");
        assert_eq!(num_to_str(-42.0), "-42");
        assert_eq!(num_to_str(1e21), "1000000000000000000000");
        assert_eq!(num_to_str(0.5), "0.5");
        assert_eq!(num_to_str(-0.000001), "-0.000001");
        assert_eq!(num_to_str(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(num_to_str(1.0 / 3.0), "0.3333333333333333");
    }

    #[test]
    fn string_to_number() {
        assert_eq!(str_to_num(" 12 "), 12.0);
        assert_eq!(str_to_num("\n-1.5\t"), -1.5);
        assert_eq!(str_to_num(".5"), 0.5);
        assert_eq!(str_to_num("5."), 5.0);
        for bad in [
            "", " ", "+1", "1e3", "1 2", "-", ".", "0x10", "1,5", "--1", "Infinity", "NaN",
        ] {
            assert!(str_to_num(bad).is_nan(), "{bad:?}");
        }
    }

    #[test]
    fn rounding() {
        assert_eq!(round(2.5), 3.0);
        assert_eq!(round(-2.5), -2.0);
        assert_eq!(round(-0.5).to_bits(), (-0.0f64).to_bits());
        assert_eq!(round(-0.2).to_bits(), (-0.0f64).to_bits());
        assert_eq!(round(0.49999999999999994), 0.0);
        assert!(round(f64::NAN).is_nan());
        assert_eq!(round(f64::INFINITY), f64::INFINITY);
        assert_eq!(round(1.4), 1.0);
        assert_eq!(round(-1.6), -2.0);
    }

    #[test]
    fn booleans_of_numbers() {
        assert!(!num_to_bool(0.0));
        assert!(!num_to_bool(-0.0));
        assert!(!num_to_bool(f64::NAN));
        assert!(num_to_bool(-1.0));
    }
}
