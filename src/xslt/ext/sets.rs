//! EXSLT sets (<http://exslt.org/sets>): `set:difference`, `set:intersection`,
//! `set:distinct`, `set:has-same-node`, `set:leading` and `set:trailing`, as libexslt 0.8.20
//! implements them (with libxml2's `xmlXPathDifference` and friends).
//!
//! libexslt behaviour reproduced:
//! - a result tree fragment is accepted wherever a node-set is (as its root node), as libxslt
//!   accepts one; any other non-node-set argument is an error that stops the transformation;
//! - `set:leading` and `set:trailing` with an empty second node-set return the first whole;
//!   when the first does not contain the second's first node, they return nothing;
//! - `set:difference(a, b)` with an empty `b` is `a`;
//! - `set:distinct` keeps the first node (in document order) of each string value;
//! - only `set:has-same-node` is known: the spec's older name `set:has-same-nodes` is an
//!   unknown function, as in libexslt.
//!
//! [`node_set_arg`] is the node-set argument check the strings and math modules use too.

use std::collections::HashSet;
use std::rc::Rc;

use super::{Host, HostFn};
use crate::xpath::Context;
use crate::xpath::value::{NodeRef, Value, sort_dedup, string_value};
use crate::xslt::error::XsltError;

/// EXSLT sets.
pub const EXSLT_SETS: &str = "http://exslt.org/sets";

/// The functions of EXSLT sets.
pub(super) const FUNCTIONS: &[HostFn] = &[
    HostFn::new(EXSLT_SETS, "difference", 2, Some(2), difference),
    HostFn::new(EXSLT_SETS, "intersection", 2, Some(2), intersection),
    HostFn::new(EXSLT_SETS, "distinct", 1, Some(1), distinct),
    HostFn::new(EXSLT_SETS, "has-same-node", 2, Some(2), has_same_node),
    HostFn::new(EXSLT_SETS, "leading", 2, Some(2), leading),
    HostFn::new(EXSLT_SETS, "trailing", 2, Some(2), trailing),
];

/// Argument `index` (from 0) of `function` (its name as written, `set:difference`) as nodes
/// in document order: a node-set, or the root of a result tree fragment (libxslt lets those
/// through where node-sets are expected). Anything else is an XPTY0004 error, where libexslt
/// stops the transformation with "Invalid type".
pub(super) fn node_set_arg(
    h: &dyn Host,
    args: &[Value],
    index: usize,
    function: &str,
) -> Result<Vec<NodeRef>, XsltError> {
    match &args[index] {
        Value::Nodes(n) => {
            let mut v = n.to_vec();
            sort_dedup(&mut v);
            Ok(v)
        }
        Value::Rtf(r) => Ok(vec![*r]),
        v => Err(h.error(
            "XPTY0004",
            format!(
                "{function}(): argument {} must be a node-set, not a {}",
                index + 1,
                v.type_name()
            ),
        )),
    }
}

/// Both arguments of a two-node-set function.
fn two_sets(
    h: &dyn Host,
    args: &[Value],
    function: &str,
) -> Result<(Vec<NodeRef>, Vec<NodeRef>), XsltError> {
    Ok((
        node_set_arg(h, args, 0, function)?,
        node_set_arg(h, args, 1, function)?,
    ))
}

/// A node-set result (its nodes already in document order).
fn nodes(v: Vec<NodeRef>) -> Value {
    Value::Nodes(Rc::new(v))
}

/// `node-set set:difference(node-set, node-set)`: the nodes of the first that are not in the
/// second.
fn difference(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let (a, b) = two_sets(h, &args, "set:difference")?;
    Ok(nodes(filter(a, &b, false)))
}

/// `node-set set:intersection(node-set, node-set)`: the nodes of the first that are also in
/// the second.
fn intersection(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let (a, b) = two_sets(h, &args, "set:intersection")?;
    Ok(nodes(filter(a, &b, true)))
}

/// `node-set set:distinct(node-set)`: of the nodes with the same string value, the first in
/// document order.
fn distinct(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let all = node_set_arg(h, &args, 0, "set:distinct")?;
    let env = h.env();
    let valued = all
        .into_iter()
        .map(|n| (n, string_value(env.tree(n.doc), n)));
    Ok(nodes(first_of_each(valued)))
}

/// `boolean set:has-same-node(node-set, node-set)`: whether the two share a node.
fn has_same_node(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let (a, b) = two_sets(h, &args, "set:has-same-node")?;
    Ok(Value::Bool(!filter(a, &b, true).is_empty()))
}

/// `node-set set:leading(node-set, node-set)`: the nodes of the first that precede the
/// second's first node; the first whole if the second is empty, nothing if the first does
/// not contain that node.
fn leading(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let (a, b) = two_sets(h, &args, "set:leading")?;
    Ok(nodes(around(a, &b, Side::Before)))
}

/// `node-set set:trailing(node-set, node-set)`: the nodes of the first that follow the
/// second's first node; the first whole if the second is empty, nothing if the first does
/// not contain that node.
fn trailing(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let (a, b) = two_sets(h, &args, "set:trailing")?;
    Ok(nodes(around(a, &b, Side::After)))
}

// ----- on node lists (in document order) -----

/// The nodes of `a` that are in `b` (`keep_common`) or not; `a` whole if `b` is empty.
fn filter(a: Vec<NodeRef>, b: &[NodeRef], keep_common: bool) -> Vec<NodeRef> {
    if b.is_empty() {
        return if keep_common { Vec::new() } else { a };
    }
    let b: HashSet<NodeRef> = b.iter().copied().collect();
    a.into_iter()
        .filter(|n| b.contains(n) == keep_common)
        .collect()
}

/// The first node of each string value, in the order given.
fn first_of_each(valued: impl IntoIterator<Item = (NodeRef, String)>) -> Vec<NodeRef> {
    let mut seen = HashSet::new();
    valued
        .into_iter()
        .filter(|(_, s)| seen.insert(s.clone()))
        .map(|(n, _)| n)
        .collect()
}

/// Which part of a node-set [`around`] keeps.
#[derive(Clone, Copy)]
enum Side {
    /// The nodes before the mark.
    Before,
    /// The nodes after the mark.
    After,
}

/// The nodes of `a` before or after `b`'s first node; `a` whole if `b` is empty, nothing if
/// `a` does not contain that node.
fn around(a: Vec<NodeRef>, b: &[NodeRef], side: Side) -> Vec<NodeRef> {
    let Some(mark) = b.first() else {
        return a;
    };
    match (a.iter().position(|n| n == mark), side) {
        (Some(i), Side::Before) => a[..i].to_vec(),
        (Some(i), Side::After) => a[i + 1..].to_vec(),
        (None, _) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::NodeId;

    /// Nodes 0..n of document 0.
    fn ns(ix: &[usize]) -> Vec<NodeRef> {
        ix.iter()
            .map(|&i| NodeRef::new(0, NodeId::from_index(i)))
            .collect()
    }

    #[test]
    fn difference_and_intersection() {
        assert_eq!(filter(ns(&[1, 2, 3]), &ns(&[2]), false), ns(&[1, 3]));
        assert_eq!(filter(ns(&[1, 2, 3]), &ns(&[2, 4]), true), ns(&[2]));
        assert_eq!(filter(ns(&[1, 2]), &[], false), ns(&[1, 2]));
        assert_eq!(filter(ns(&[1, 2]), &[], true), ns(&[]));
        assert_eq!(filter(ns(&[]), &ns(&[1]), false), ns(&[]));
        assert_eq!(filter(ns(&[]), &ns(&[1]), true), ns(&[]));
        // Another document's node with the same index is another node.
        let other = vec![NodeRef::new(1, NodeId::from_index(2))];
        assert_eq!(filter(ns(&[1, 2]), &other, true), ns(&[]));
    }

    #[test]
    fn distinct_keeps_the_first_of_each_value() {
        let v = |s: &str| s.to_owned();
        let n = ns(&[1, 2, 3, 4, 5]);
        let valued = vec![
            (n[0], v("x")),
            (n[1], v("y")),
            (n[2], v("x")),
            (n[3], v("")),
            (n[4], v("")),
        ];
        assert_eq!(first_of_each(valued), ns(&[1, 2, 4]));
        assert_eq!(first_of_each(Vec::new()), ns(&[]));
    }

    #[test]
    fn leading_and_trailing() {
        let a = ns(&[1, 2, 3, 4]);
        assert_eq!(around(a.clone(), &ns(&[3]), Side::Before), ns(&[1, 2]));
        assert_eq!(around(a.clone(), &ns(&[3]), Side::After), ns(&[4]));
        // The second's first node only.
        assert_eq!(around(a.clone(), &ns(&[2, 3]), Side::Before), ns(&[1]));
        assert_eq!(around(a.clone(), &ns(&[2, 3]), Side::After), ns(&[3, 4]));
        assert_eq!(around(a.clone(), &ns(&[1]), Side::Before), ns(&[]));
        assert_eq!(around(a.clone(), &ns(&[4]), Side::After), ns(&[]));
        // Not in the first: nothing; the second empty: the first whole.
        assert_eq!(around(a.clone(), &ns(&[9]), Side::Before), ns(&[]));
        assert_eq!(around(a.clone(), &ns(&[0, 2]), Side::After), ns(&[]));
        assert_eq!(around(a.clone(), &[], Side::Before), a);
        assert_eq!(around(a.clone(), &[], Side::After), a);
        assert_eq!(around(Vec::new(), &ns(&[1]), Side::After), ns(&[]));
    }
}
