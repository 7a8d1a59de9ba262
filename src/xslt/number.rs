//! Number formatting: the format-token language of `xsl:number` (XSLT 1.0 §7.7). Which
//! numbers `xsl:number` formats is decided in `exec/number.rs`; `format-number()` patterns
//! live in [`crate::xslt::decimal`].

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
        if i > 0 && (chars.len() - i).is_multiple_of(size) {
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
