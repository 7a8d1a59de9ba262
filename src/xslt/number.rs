//! Number formatting: the format-token language of `xsl:number` (XSLT 1.0 §7.7) and the
//! `format-number()` patterns (the JDK 1.1 `DecimalFormat` subset of §12.3). Which numbers
//! `xsl:number` formats is decided in `exec/number.rs`.

use crate::xslt::ast::DecimalFormat;

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
