//! `xsl:number`: which numbers to format (`value`, or counting nodes at level single,
//! multiple or any, with `count` and `from` patterns); `xslt/number.rs` formats them.

use super::Exec;
use crate::xml::NodeId;
use crate::xpath::eval::to_num;
use crate::xpath::pattern::Pattern;
use crate::xpath::value::{NodeRef, XNodeKind, node_kind, num_to_str, round};
use crate::xslt::ast::{Loc, NumberInstr, NumberLevel};
use crate::xslt::error::XsltError;
use crate::xslt::number::format_numbers;

impl Exec<'_> {
    /// `xsl:number`: writes the formatted number(s) as text.
    pub(super) fn number(&mut self, n: &NumberInstr, loc: Loc) -> Result<(), XsltError> {
        let s = number_instr(self, n, loc)?;
        self.append_text(&s, false, loc)
    }
}

/// Runs an `xsl:number` instruction and returns the formatted text.
fn number_instr(ex: &mut Exec<'_>, n: &NumberInstr, loc: Loc) -> Result<String, XsltError> {
    let format = ex.avt(&n.format)?;
    let grouping_sep = match &n.grouping_separator {
        Some(a) => Some(ex.avt(a)?),
        None => None,
    };
    let grouping_size = match &n.grouping_size {
        Some(a) => ex.avt(a)?.trim().parse::<usize>().ok(),
        None => None,
    };
    let grouping = match (grouping_sep, grouping_size) {
        (Some(s), Some(k)) if k > 0 && !s.is_empty() => Some((s, k)),
        _ => None,
    };
    let numbers: Vec<f64> = match &n.value {
        Some(v) => {
            let val = ex.eval(v)?;
            let x = to_num(&val, ex);
            if x.is_nan() || x.is_infinite() {
                // XSLT 1.0 §7.7: an error; the recovery is to output the number as a string.
                return Ok(num_to_str(x));
            }
            // Negative numbers count as 0, as libxslt does.
            vec![round(x).max(0.0)]
        }
        None => count(ex, n, loc)?.into_iter().map(|c| c as f64).collect(),
    };
    Ok(format_numbers(
        &numbers,
        &format,
        grouping.as_ref().map(|(s, k)| (s.as_str(), *k)),
    ))
}

/// Whether `node` matches `p` (a `count` or `from` pattern).
fn matches(ex: &mut Exec<'_>, p: &Pattern, node: NodeRef, loc: Loc) -> Result<bool, XsltError> {
    p.matches(node, ex).map_err(|e| ex.pattern_error(loc, e))
}

/// Whether `n` matches the default count pattern: same kind and name as `cur`.
fn same_kind(ex: &Exec<'_>, cur: NodeRef, n: NodeRef) -> bool {
    if cur.doc != n.doc {
        return false;
    }
    let t = ex.tree_of(cur.doc);
    let (kc, kn) = (node_kind(t, cur), node_kind(t, n));
    if kc != kn {
        return false;
    }
    match kc {
        XNodeKind::Element | XNodeKind::Attribute | XNodeKind::ProcessingInstruction => {
            t.local_name(cur.node) == t.local_name(n.node)
                && t.namespace_uri(cur.node) == t.namespace_uri(n.node)
        }
        _ => true,
    }
}

/// Whether `n` is counted: it matches `count`, or by default is like the current node.
fn counts(
    ex: &mut Exec<'_>,
    instr: &NumberInstr,
    cur: NodeRef,
    n: NodeRef,
    loc: Loc,
) -> Result<bool, XsltError> {
    match &instr.count {
        Some(p) => matches(ex, p, n, loc),
        None => Ok(same_kind(ex, cur, n)),
    }
}

/// Whether `n` matches `from`, where counting stops.
fn is_from(
    ex: &mut Exec<'_>,
    instr: &NumberInstr,
    n: NodeRef,
    loc: Loc,
) -> Result<bool, XsltError> {
    match &instr.from {
        Some(p) => matches(ex, p, n, loc),
        None => Ok(false),
    }
}

/// The parent of `n` (an attribute's element too).
fn parent(ex: &Exec<'_>, n: NodeRef) -> Option<NodeRef> {
    crate::xpath::axes::parent(ex.tree_of(n.doc), n).map(|p| NodeRef::new(n.doc, p))
}

/// How many preceding siblings of `n` are counted.
fn preceding_siblings_counted(
    ex: &mut Exec<'_>,
    instr: &NumberInstr,
    cur: NodeRef,
    n: NodeRef,
    loc: Loc,
) -> Result<usize, XsltError> {
    let sibs: Vec<NodeRef> = {
        let t = ex.tree_of(n.doc);
        if n.ns != 0 || t.kind(n.node) == crate::xml::NodeKind::Attribute {
            Vec::new()
        } else {
            let mut v = Vec::new();
            let mut s = t.prev_sibling(n.node);
            while let Some(x) = s {
                v.push(NodeRef::new(n.doc, x));
                s = t.prev_sibling(x);
            }
            v
        }
    };
    let mut k = 0;
    for s in sibs {
        if counts(ex, instr, cur, s, loc)? {
            k += 1;
        }
    }
    Ok(k)
}

/// The numbers `level`, `count` and `from` give for the current node.
fn count(ex: &mut Exec<'_>, instr: &NumberInstr, loc: Loc) -> Result<Vec<usize>, XsltError> {
    let cur = ex.current_node();
    let saved = ex.ctx;
    let r = count_inner(ex, instr, cur, loc);
    ex.ctx = saved;
    r
}

/// The work of [`count`] (which restores the context afterwards).
fn count_inner(
    ex: &mut Exec<'_>,
    instr: &NumberInstr,
    cur: NodeRef,
    loc: Loc,
) -> Result<Vec<usize>, XsltError> {
    match instr.level {
        NumberLevel::Single | NumberLevel::Multiple => {
            // ancestor-or-self, nearest first, up to (not including) a node matching `from`.
            let mut chain = Vec::new();
            let mut n = Some(cur);
            while let Some(x) = n {
                if is_from(ex, instr, x, loc)? {
                    break;
                }
                chain.push(x);
                n = parent(ex, x);
            }
            let mut out = Vec::new();
            for x in chain {
                if counts(ex, instr, cur, x, loc)? {
                    out.push(1 + preceding_siblings_counted(ex, instr, cur, x, loc)?);
                    if instr.level == NumberLevel::Single {
                        break;
                    }
                }
            }
            out.reverse();
            Ok(out)
        }
        NumberLevel::Any => {
            // Nodes before the current one in document order, plus ancestors and itself.
            let t = ex.tree_of(cur.doc);
            let mut all: Vec<NodeRef> = std::iter::once(NodeId::ROOT)
                .chain(t.descendants(NodeId::ROOT))
                .map(|id| NodeRef::new(cur.doc, id))
                .take_while(|&n| n <= cur || (cur.ns == 0 && n.node <= cur.node))
                .collect();
            if node_kind(t, cur) == XNodeKind::Attribute || cur.ns != 0 {
                all.push(cur);
            }
            let mut k = 0;
            for &n in all.iter().rev() {
                if is_from(ex, instr, n, loc)? {
                    break;
                }
                if counts(ex, instr, cur, n, loc)? {
                    k += 1;
                }
            }
            Ok(if k == 0 { Vec::new() } else { vec![k] })
        }
    }
}
