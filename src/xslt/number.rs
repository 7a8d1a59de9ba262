//! `xsl:number` (counting and the format-token language of XSLT 1.0 §7.7) and
//! `format-number()` (the JDK 1.1 `DecimalFormat` pattern subset of §12.3).

use crate::xml::NodeId;
use crate::xpath::eval::to_num;
use crate::xpath::pattern::Pattern;
use crate::xpath::value::{NodeRef, XNodeKind, node_kind, num_to_str, round};
use crate::xslt::ast::{DecimalFormat, Loc, NumberInstr, NumberLevel};
use crate::xslt::error::XsltError;
use crate::xslt::exec::Exec;

/// Runs an `xsl:number` instruction and returns the formatted text.
pub(crate) fn number_instr(
    ex: &mut Exec<'_>,
    n: &NumberInstr,
    loc: Loc,
) -> Result<String, XsltError> {
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

fn parent(ex: &Exec<'_>, n: NodeRef) -> Option<NodeRef> {
    crate::xpath::axes::parent(ex.tree_of(n.doc), n).map(|p| NodeRef::new(n.doc, p))
}

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

fn count(ex: &mut Exec<'_>, instr: &NumberInstr, loc: Loc) -> Result<Vec<usize>, XsltError> {
    let cur = ex.current_node();
    let saved = ex.ctx;
    let r = count_inner(ex, instr, cur, loc);
    ex.ctx = saved;
    r
}

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

fn is_alnum(c: char) -> bool {
    c.is_alphanumeric()
}

/// Formats a list of numbers with an `xsl:number` format string.
pub fn format_numbers(numbers: &[f64], format: &str, grouping: Option<(&str, usize)>) -> String {
    // Split the format into alternating punctuation and alphanumeric tokens.
    let mut tokens: Vec<String> = Vec::new();
    let mut seps: Vec<String> = Vec::new();
    let mut prefix = String::new();
    let mut cur = String::new();
    let mut in_alnum = None;
    for c in format.chars() {
        let a = is_alnum(c);
        if in_alnum == Some(a) || in_alnum.is_none() {
            cur.push(c);
            in_alnum = Some(a);
            continue;
        }
        if in_alnum == Some(true) {
            tokens.push(std::mem::take(&mut cur));
        } else if tokens.is_empty() {
            prefix = std::mem::take(&mut cur);
        } else {
            seps.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        in_alnum = Some(a);
    }
    let mut suffix = String::new();
    if in_alnum == Some(true) {
        tokens.push(cur);
    } else if tokens.is_empty() {
        prefix = cur;
    } else {
        suffix = cur;
    }
    if tokens.is_empty() {
        tokens.push("1".into());
    }
    let mut out = prefix;
    for (i, &n) in numbers.iter().enumerate() {
        if i > 0 {
            let sep = if tokens.len() == 1 {
                "."
            } else if i < tokens.len() {
                seps.get(i - 1).map_or(".", String::as_str)
            } else {
                seps.last().map_or(".", String::as_str)
            };
            out.push_str(sep);
        }
        let tok = &tokens[i.min(tokens.len() - 1)];
        out.push_str(&format_token(n as u64, tok, grouping));
    }
    out.push_str(&suffix);
    out
}

fn format_token(n: u64, tok: &str, grouping: Option<(&str, usize)>) -> String {
    match tok {
        "A" if n > 0 => alphabetic(n, 'A'),
        "a" if n > 0 => alphabetic(n, 'a'),
        "I" if n > 0 && n < 5000 => roman(n).to_uppercase(),
        "i" if n > 0 && n < 5000 => roman(n),
        _ => {
            // Decimal in the token's digit family, zero-padded to its width (0001, ٠١);
            // any other token means "1".
            let (zero, width) = digit_family(tok).unwrap_or(('0', 1));
            let digits: String = format!("{n:0width$}")
                .chars()
                .map(|d| char::from_u32(zero as u32 + (d as u32 - '0' as u32)).unwrap_or(d))
                .collect();
            match grouping {
                Some((sep, size)) => group(&digits, sep, size),
                None => digits,
            }
        }
    }
}

/// A token of decimal digits of one Unicode digit family ending in its digit one (`1`, `01`,
/// `٠١`): the family's zero and the token's width.
fn digit_family(tok: &str) -> Option<(char, usize)> {
    let last = tok.chars().last()?;
    let zero = char::from_u32((last as u32).checked_sub(1)?)?;
    let family = zero as u32..=zero as u32 + 9;
    (last.is_numeric() && zero.is_numeric() && tok.chars().all(|c| family.contains(&(c as u32))))
        .then(|| (zero, tok.chars().count()))
}

fn group(digits: &str, sep: &str, size: usize) -> String {
    let chars: Vec<char> = digits.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if i > 0 && (chars.len() - i) % size == 0 {
            out.push_str(sep);
        }
        out.push(*c);
    }
    out
}

fn alphabetic(mut n: u64, base: char) -> String {
    let mut s = Vec::new();
    while n > 0 {
        n -= 1;
        s.push((base as u8 + (n % 26) as u8) as char);
        n /= 26;
    }
    s.iter().rev().collect()
}

fn roman(mut n: u64) -> String {
    const TABLE: &[(u64, &str)] = &[
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut s = String::new();
    for &(v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// `format-number()`; see [`crate::xslt::decimal`].
pub fn format_number(n: f64, pattern: &str, df: &DecimalFormat) -> Result<String, String> {
    Ok(crate::xslt::decimal::format_number(n, pattern, df).text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_tokens() {
        assert_eq!(format_numbers(&[3.0], "1", None), "3");
        assert_eq!(format_numbers(&[3.0], "001", None), "003");
        assert_eq!(format_numbers(&[28.0], "a", None), "ab");
        assert_eq!(format_numbers(&[27.0], "A", None), "AA");
        assert_eq!(format_numbers(&[1999.0], "I", None), "MCMXCIX");
        assert_eq!(format_numbers(&[4.0], "i", None), "iv");
        assert_eq!(format_numbers(&[1.0, 2.0, 3.0], "1.", None), "1.2.3.");
        assert_eq!(format_numbers(&[1.0, 2.0, 3.0], "(1) ", None), "(1.2.3) ");
        assert_eq!(format_numbers(&[1.0, 2.0, 3.0], "1.a-i", None), "1.b-iii");
        assert_eq!(
            format_numbers(&[1.0, 2.0, 3.0, 4.0], "1.a-i", None),
            "1.b-iii-iv"
        );
        assert_eq!(
            format_numbers(&[1234567.0], "1", Some((",", 3))),
            "1,234,567"
        );
        assert_eq!(format_numbers(&[], "1", None), "");
        assert_eq!(
            format_numbers(&[9.0], "\u{660}\u{661}", None),
            "\u{660}\u{669}"
        );
        assert_eq!(format_numbers(&[5.0], "x", None), "5");
        assert_eq!(format_numbers(&[0.0], "a", None), "0");
    }
}
