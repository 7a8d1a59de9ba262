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

/// One half of a `format-number()` pattern.
#[derive(Debug, Default)]
struct SubPattern {
    prefix: String,
    suffix: String,
    min_int: usize,
    /// Whether the integer part has any digit character (`#` or `0`).
    int_digits: bool,
    grouping: usize,
    min_frac: usize,
    max_frac: usize,
    multiplier: f64,
}

fn parse_subpattern(p: &str, df: &DecimalFormat) -> Result<SubPattern, String> {
    let is_num = |c: char| {
        c == df.digit
            || c == df.zero_digit
            || c == df.grouping_separator
            || c == df.decimal_separator
    };
    let chars: Vec<char> = p.chars().collect();
    // Characters between single quotes are literal.
    let mut quoted = vec![false; chars.len()];
    let mut q = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == '\'' {
            q = !q;
            quoted[i] = true;
        } else {
            quoted[i] = q;
        }
    }
    let numeric = |i: usize| !quoted[i] && is_num(chars[i]);
    let start = (0..chars.len())
        .find(|&i| numeric(i))
        .ok_or_else(|| format!("the pattern \"{p}\" has no digits"))?;
    let end = (0..chars.len())
        .rev()
        .find(|&i| numeric(i))
        .map_or(start, |e| e + 1);
    let prefix: String = chars[..start].iter().collect();
    let suffix: String = chars[end..].iter().collect();
    let body = &chars[start..end];
    let mut sp = SubPattern {
        prefix,
        suffix,
        multiplier: 1.0,
        ..SubPattern::default()
    };
    for s in [&sp.prefix, &sp.suffix] {
        if s.contains(df.percent) {
            sp.multiplier = 100.0;
        } else if s.contains(df.per_mille) {
            sp.multiplier = 1000.0;
        }
    }
    let dot = body.iter().position(|&c| c == df.decimal_separator);
    let (int, frac) = match dot {
        Some(d) => (&body[..d], &body[d + 1..]),
        None => (body, &[][..]),
    };
    if frac.contains(&df.decimal_separator) {
        return Err(format!("the pattern \"{p}\" has two decimal separators"));
    }
    let mut seen_zero = false;
    let mut since_group: Option<usize> = None;
    for &c in int {
        if c == df.grouping_separator {
            since_group = Some(0);
        } else if c == df.zero_digit {
            seen_zero = true;
            sp.int_digits = true;
            sp.min_int += 1;
            since_group = since_group.map(|k| k + 1);
        } else if c == df.digit {
            if seen_zero {
                return Err(format!(
                    "in \"{p}\", '{}' cannot follow '{}' in the integer part",
                    df.digit, df.zero_digit
                ));
            }
            sp.int_digits = true;
            since_group = since_group.map(|k| k + 1);
        }
    }
    sp.grouping = since_group.unwrap_or(0);
    let mut seen_hash = false;
    for &c in frac {
        if c == df.zero_digit {
            if seen_hash {
                return Err(format!(
                    "in \"{p}\", '{}' cannot follow '{}' in the fraction",
                    df.zero_digit, df.digit
                ));
            }
            sp.min_frac += 1;
            sp.max_frac += 1;
        } else if c == df.digit {
            seen_hash = true;
            sp.max_frac += 1;
        } else if c == df.grouping_separator {
            return Err(format!(
                "the pattern \"{p}\" has a grouping separator in the fraction"
            ));
        }
    }
    Ok(sp)
}

/// `format-number(number, pattern)` with a decimal format.
pub fn format_number(n: f64, pattern: &str, df: &DecimalFormat) -> Result<String, String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in pattern.chars() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == df.pattern_separator && !quoted {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    if parts.len() > 2 {
        return Err(format!(
            "the pattern \"{pattern}\" has more than one pattern separator"
        ));
    }
    let pos = parse_subpattern(&parts[0], df)?;
    let neg = match parts.get(1) {
        Some(p) => Some(parse_subpattern(p, df)?),
        None => None,
    };
    if n.is_nan() {
        return Ok(df.nan.clone());
    }
    let negative = n < 0.0;
    let (prefix, suffix) = match (&neg, negative) {
        (Some(s), true) => (s.prefix.clone(), s.suffix.clone()),
        (None, true) => (
            format!("{}{}", df.minus_sign, pos.prefix),
            pos.suffix.clone(),
        ),
        (_, false) => (pos.prefix.clone(), pos.suffix.clone()),
    };
    let (prefix, suffix) = (unquote(&prefix), unquote(&suffix));
    if n.is_infinite() {
        return Ok(format!("{prefix}{}{suffix}", df.infinity));
    }
    let x = n.abs() * pos.multiplier;
    let scale = 10f64.powi(pos.max_frac as i32);
    let rounded = (x * scale + 0.5).floor() / scale;
    let s = format!("{rounded:.prec$}", prec = pos.max_frac);
    let (int_part, frac_part) = s.split_once('.').unwrap_or((&s, ""));
    let mut int_digits: String = int_part.trim_start_matches('0').to_owned();
    while int_digits.len() < pos.min_int {
        int_digits.insert(0, '0');
    }
    let mut frac_digits = frac_part.to_owned();
    while frac_digits.len() > pos.min_frac && frac_digits.ends_with('0') {
        frac_digits.pop();
    }
    // libxslt writes a 0 integer part when the pattern has integer digits (#.# → 0.3) or
    // nothing else would be written; a pattern like .00 gives .50.
    if int_digits.is_empty() && (pos.int_digits || frac_digits.is_empty()) {
        int_digits.push('0');
    }
    let map = |d: char| -> char {
        let off = d as u32 - '0' as u32;
        char::from_u32(df.zero_digit as u32 + off).unwrap_or(d)
    };
    let mut out = prefix;
    let ints: Vec<char> = int_digits.chars().collect();
    for (i, &d) in ints.iter().enumerate() {
        if pos.grouping > 0 && i > 0 && (ints.len() - i) % pos.grouping == 0 {
            out.push(df.grouping_separator);
        }
        out.push(map(d));
    }
    if !frac_digits.is_empty() {
        out.push(df.decimal_separator);
        out.extend(frac_digits.chars().map(map));
    }
    out.push_str(&suffix);
    Ok(out)
}

/// Removes the quotes of quoted pattern characters (`'#'` → `#`, `''` → `'`).
fn unquote(s: &str) -> String {
    if !s.contains('\'') {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                out.push('\'');
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
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

    #[test]
    fn format_number_patterns() {
        let df = DecimalFormat::default();
        let f = |n: f64, p: &str| format_number(n, p, &df).unwrap();
        assert_eq!(f(1234.5, "#,##0.00"), "1,234.50");
        assert_eq!(f(0.5, "0%"), "50%");
        assert_eq!(f(-1.23456, "0.00"), "-1.23");
        assert_eq!(f(-3.0, "0;(0)"), "(3)");
        assert_eq!(f(12.0, "000"), "012");
        assert_eq!(f(0.25, "#.#"), "0.3");
        assert_eq!(f(f64::NAN, "0"), "NaN");
        assert_eq!(f(f64::INFINITY, "0"), "Infinity");
        assert_eq!(f(f64::NEG_INFINITY, "0"), "-Infinity");
        assert_eq!(f(1.0, "'#'0"), "#1");
        // Observed from libxslt:
        assert_eq!(f(0.25, "#.##"), "0.25");
        assert_eq!(f(0.125, "0.00"), "0.13");
        assert_eq!(f(2.5, "#"), "3");
        assert_eq!(f(0.0, "#"), "0");
        assert_eq!(f(-0.4, "#"), "-0");
        assert_eq!(f(1234567.891, "#,##0.0#"), "1,234,567.89");
        assert_eq!(f(0.5, ".00"), ".50");
        assert_eq!(f(-1.0, "#;#-"), "1-");
        assert_eq!(f(1e20, "#"), "100000000000000000000");
        assert_eq!(f(0.0001, "#.####%"), "0.01%");
        assert!(format_number(1.0, "abc", &df).is_err());
        assert!(format_number(1.0, "0.0.0", &df).is_err());
    }
}
