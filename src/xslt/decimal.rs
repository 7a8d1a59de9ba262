//! `format-number()` (XSLT 1.0 §12.3): the JDK 1.1 `DecimalFormat` pattern language, read the
//! way libxslt reads it, so that a stylesheet gives xsltproc's text.
//!
//! A pattern is `prefix number suffix`, optionally followed by the pattern separator and a
//! negative subpattern whose prefix and suffix replace the positive ones for negative numbers
//! (without one, the minus sign goes before the positive prefix). Like libxslt:
//!
//! - a decimal separator with no fraction digit is written (`#.` gives `1.`);
//! - `.#` reads as `.0` when the pattern has no other digit (Java's rule);
//! - infinity and NaN are written alone, without prefix or suffix;
//! - a pattern that breaks the grammar (`#.##0`, `0#`, `#E0`) is not fatal: the number is written
//!   with the default pattern `0.0####` and the caller is told why ([`Formatted::warning`]).
//!
//! Where libxslt is wrong, webxsl follows the JDK and says so in `docs/xslt.md`: a quoted
//! prefix or suffix (`'#'0` is `#` then a digit, libxslt writes `#0` then the digits), digits
//! of numbers beyond 2^53 (libxslt divides by ten in floating point and writes noise), and a
//! non-ASCII zero digit (libxslt keeps only its first byte).

use crate::xslt::ast::DecimalFormat;

/// The text of `format-number()`, and why the pattern was not used when it was not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    /// The formatted number.
    pub text: String,
    /// Set when the pattern broke the grammar and the default pattern was used instead.
    pub warning: Option<String>,
}

/// The parts of a pattern.
#[derive(Debug, Clone, PartialEq)]
struct Pattern {
    prefix: String,
    suffix: String,
    /// The negative subpattern's prefix and suffix, when there is one.
    negative: Option<(String, String)>,
    /// `0`s of the integer part (its minimum width).
    int_zeros: usize,
    /// `#`s of the integer part.
    int_hashes: usize,
    /// Digits after the last grouping separator of the integer part.
    group: Option<usize>,
    /// Whether the number part has a decimal separator.
    decimal: bool,
    /// `0`s of the fraction (digits always written).
    frac_zeros: usize,
    /// `#`s of the fraction (digits written when not zero).
    frac_hashes: usize,
    /// 1, or 100 for a percent sign, 1000 for a per-mille sign.
    multiplier: f64,
}

impl Pattern {
    /// What libxslt falls back to: `0.0####`.
    fn fallback() -> Pattern {
        Pattern {
            prefix: String::new(),
            suffix: String::new(),
            negative: None,
            int_zeros: 1,
            int_hashes: 0,
            group: None,
            decimal: true,
            frac_zeros: 1,
            frac_hashes: 4,
            multiplier: 1.0,
        }
    }
}

/// `format-number(n, pattern)` with the decimal format `df`.
pub fn format_number(n: f64, pattern: &str, df: &DecimalFormat) -> Formatted {
    if n.is_nan() {
        return Formatted {
            text: df.nan.clone(),
            warning: None,
        };
    }
    if n.is_infinite() {
        let sign = if n < 0.0 {
            df.minus_sign.to_string()
        } else {
            String::new()
        };
        return Formatted {
            text: format!("{sign}{}", df.infinity),
            warning: None,
        };
    }
    let (p, warning) = match parse(pattern, df) {
        Ok(p) => (p, None),
        Err(why) => (
            Pattern::fallback(),
            Some(format!(
                "the pattern \"{pattern}\" {why}; the number is written with the default \
                 pattern 0.0####, as xsltproc does"
            )),
        ),
    };
    Formatted {
        text: write(n, &p, df),
        warning,
    }
}

/// Characters that end a prefix or a suffix.
fn special(c: char, df: &DecimalFormat) -> bool {
    c == df.zero_digit
        || c == df.digit
        || c == df.decimal_separator
        || c == df.grouping_separator
        || c == df.pattern_separator
}

/// A prefix or suffix from `chars[*i..]`, up to the first special character. Quotes work as in
/// the JDK: `'#'` is a literal `#`, `''` a literal quote. A percent or per-mille sign sets the
/// multiplier (once).
fn affix(
    chars: &[char],
    i: &mut usize,
    df: &DecimalFormat,
    multiplier: &mut Option<f64>,
) -> Result<String, String> {
    let mut out = String::new();
    while let Some(&c) = chars.get(*i) {
        if c == '\'' {
            *i += 1;
            if chars.get(*i) == Some(&'\'') {
                out.push('\'');
                *i += 1;
                continue;
            }
            loop {
                match chars.get(*i) {
                    None => return Err("has a quote that is not closed".into()),
                    Some('\'') if chars.get(*i + 1) == Some(&'\'') => {
                        out.push('\'');
                        *i += 2;
                    }
                    Some('\'') => {
                        *i += 1;
                        break;
                    }
                    Some(&q) => {
                        out.push(q);
                        *i += 1;
                    }
                }
            }
            continue;
        }
        if special(c, df) {
            break;
        }
        if c == df.percent || c == df.per_mille {
            if multiplier.is_some() {
                return Err("has two percent or per-mille signs".into());
            }
            *multiplier = Some(if c == df.percent { 100.0 } else { 1000.0 });
        }
        out.push(c);
        *i += 1;
    }
    Ok(out)
}

fn parse(pattern: &str, df: &DecimalFormat) -> Result<Pattern, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut multiplier = None;
    let prefix = affix(&chars, &mut i, df, &mut multiplier)?;
    let mut p = Pattern {
        prefix,
        suffix: String::new(),
        negative: None,
        int_zeros: 0,
        int_hashes: 0,
        group: None,
        decimal: false,
        frac_zeros: 0,
        frac_hashes: 0,
        multiplier: 1.0,
    };
    // A percent or per-mille sign between digits is part of the number; after the last digit
    // it starts the suffix.
    let number_char = |c: char| c == df.zero_digit || c == df.digit || c == df.grouping_separator;
    let sign_in_number = |chars: &[char], i: usize, multiplier: &mut Option<f64>| {
        let c = chars[i];
        if (c == df.percent || c == df.per_mille)
            && chars.get(i + 1).is_some_and(|&n| number_char(n))
        {
            if multiplier.is_some() {
                return Err("has two percent or per-mille signs".to_owned());
            }
            *multiplier = Some(if c == df.percent { 100.0 } else { 1000.0 });
            Ok(true)
        } else {
            Ok(false)
        }
    };
    while let Some(&c) = chars.get(i) {
        // The decimal separator wins over a grouping separator that is the same character.
        if c == df.decimal_separator {
            break;
        }
        if c == df.digit {
            if p.int_zeros > 0 {
                return Err(format!(
                    "has '{}' after '{}' in the integer part",
                    df.digit, df.zero_digit
                ));
            }
            p.int_hashes += 1;
            p.group = p.group.map(|g| g + 1);
        } else if c == df.zero_digit {
            p.int_zeros += 1;
            p.group = p.group.map(|g| g + 1);
        } else if c == df.grouping_separator {
            p.group = Some(0);
        } else if !sign_in_number(&chars, i, &mut multiplier)? {
            break;
        }
        i += 1;
    }
    if chars.get(i) == Some(&df.decimal_separator) {
        p.decimal = true;
        i += 1;
        while let Some(&c) = chars.get(i) {
            if c == df.zero_digit {
                if p.frac_hashes > 0 {
                    return Err(format!(
                        "has '{}' after '{}' in the fraction",
                        df.zero_digit, df.digit
                    ));
                }
                p.frac_zeros += 1;
            } else if c == df.digit {
                p.frac_hashes += 1;
            } else if c != df.grouping_separator && !sign_in_number(&chars, i, &mut multiplier)? {
                break;
            }
            i += 1;
        }
    }
    p.suffix = affix(&chars, &mut i, df, &mut multiplier)?;
    match chars.get(i) {
        None => {}
        Some(&c) if c == df.pattern_separator => {
            i += 1;
            // The negative subpattern: its prefix and suffix count, its number part is the
            // positive one's.
            let mut neg_multiplier = None;
            let prefix = affix(&chars, &mut i, df, &mut neg_multiplier)?;
            while chars.get(i).is_some_and(|&c| {
                special(c, df) || sign_in_number(&chars, i, &mut None).is_ok_and(|b| b)
            }) {
                i += 1;
            }
            let suffix = affix(&chars, &mut i, df, &mut neg_multiplier)?;
            if let Some(&c) = chars.get(i) {
                return Err(format!("has '{c}' after the negative subpattern's suffix"));
            }
            // Even when it equals the positive one: then no minus sign is written at all.
            p.negative = Some((prefix, suffix));
        }
        Some(&c) => {
            return Err(format!("has '{c}' after the suffix"));
        }
    }
    p.multiplier = multiplier.unwrap_or(1.0);
    // Java reads `.#` as `.0` when the pattern has no other digit.
    if p.int_zeros + p.int_hashes + p.frac_zeros == 0 && p.frac_hashes > 0 {
        p.frac_zeros = 1;
        p.frac_hashes -= 1;
    }
    Ok(p)
}

/// 2^53: beyond it, every f64 is an integer.
const EXACT: f64 = 9_007_199_254_740_992.0;

fn write(n: f64, p: &Pattern, df: &DecimalFormat) -> String {
    let negative = n < 0.0;
    let mut out = String::new();
    let (prefix, suffix) = match (&p.negative, negative) {
        (Some((pre, suf)), true) => (pre, suf),
        (None, true) => {
            out.push(df.minus_sign);
            (&p.prefix, &p.suffix)
        }
        (_, false) => (&p.prefix, &p.suffix),
    };
    out.push_str(prefix);
    let frac_len = (p.frac_zeros + p.frac_hashes) as i32;
    let scale = 10f64.powi(frac_len);
    let mut x = n.abs() * p.multiplier;
    // Round half up at the last fraction digit, as libxslt does; a number too large to have a
    // fraction at that scale is already what it is.
    if x * scale < EXACT {
        x = (x * scale + 0.5).floor() / scale;
    }
    let int = x.floor();
    let map = |d: char| char::from_u32(df.zero_digit as u32 + (d as u32 - '0' as u32)).unwrap_or(d);
    let mut digits = if int == 0.0 {
        String::new()
    } else {
        format!("{int:.0}")
    };
    while digits.len() < p.int_zeros {
        digits.insert(0, '0');
    }
    let ints: Vec<char> = digits.chars().collect();
    for (k, &d) in ints.iter().enumerate() {
        if let Some(g) = p.group.filter(|&g| g > 0)
            && k > 0
            && (ints.len() - k).is_multiple_of(g)
        {
            out.push(df.grouping_separator);
        }
        out.push(map(d));
    }
    if int == 0.0 && p.int_zeros + p.frac_zeros == 0 {
        out.push(df.zero_digit);
    }
    if frac_len == 0 {
        if p.decimal {
            out.push(df.decimal_separator);
        }
    } else {
        let frac = x - int;
        if frac != 0.0 || p.frac_zeros > 0 {
            out.push(df.decimal_separator);
            let mut k = (scale * frac + 0.5).floor();
            let mut width = p.frac_zeros + p.frac_hashes;
            while width > p.frac_zeros && k % 10.0 < 1.0 {
                k = (k / 10.0).floor();
                width -= 1;
            }
            let mut f = if k == 0.0 {
                String::new()
            } else {
                format!("{k:.0}")
            };
            while f.len() < width {
                f.insert(0, '0');
            }
            out.extend(f.chars().map(map));
        }
    }
    out.push_str(suffix);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(n: f64, p: &str) -> String {
        let r = format_number(n, p, &DecimalFormat::default());
        assert_eq!(r.warning, None, "{p}");
        r.text
    }

    #[test]
    fn patterns_as_xsltproc_writes_them() {
        assert_eq!(f(1234.5, "#,##0.00"), "1,234.50");
        assert_eq!(f(0.5, "0%"), "50%");
        assert_eq!(f(-1.23456, "0.00"), "-1.23");
        assert_eq!(f(-3.0, "0;(0)"), "(3)");
        assert_eq!(f(12.0, "000"), "012");
        assert_eq!(f(0.25, "#.#"), "0.3");
        assert_eq!(f(f64::NAN, "0"), "NaN");
        assert_eq!(f(f64::INFINITY, "0%"), "Infinity");
        assert_eq!(f(f64::NEG_INFINITY, "0;(0)"), "-Infinity");
        assert_eq!(f(0.25, "#.##"), "0.25");
        assert_eq!(f(0.125, "0.00"), "0.13");
        assert_eq!(f(2.5, "#"), "3");
        assert_eq!(f(0.0, "#"), "0");
        assert_eq!(f(-0.4, "#"), "-0");
        assert_eq!(f(-0.0, "#"), "0");
        assert_eq!(f(1234567.891, "#,##0.0#"), "1,234,567.89");
        assert_eq!(f(0.5, ".00"), ".50");
        assert_eq!(f(-1.0, "#;#-"), "1-");
        assert_eq!(f(1e20, "#"), "100000000000000000000");
        assert_eq!(f(1e20, "0.###"), "100000000000000000000");
        assert_eq!(f(0.0001, "#.####%"), "0.01%");
        assert_eq!(f(-1.0, "."), "-1.");
        assert_eq!(f(0.0, "."), "0.");
        assert_eq!(f(1.0, "#."), "1.");
        assert_eq!(f(0.0, ".#"), ".0");
        assert_eq!(f(1.0, ".##"), "1.0");
        assert_eq!(f(1.0, "-0"), "-1");
        assert_eq!(f(-1.0, "-0"), "--1");
        assert_eq!(f(1.0, "X#Y"), "X1Y");
        assert_eq!(f(-1.0, "0;0"), "1");
        assert_eq!(f(1234567.0, "##,##,##0"), "1,234,567");
        assert_eq!(f(1.0, ""), "1");
        assert_eq!(f(1.0, "abc"), "abc1");
    }

    #[test]
    fn quotes_work_as_in_the_jdk() {
        assert_eq!(f(1.0, "'#'0"), "#1");
        assert_eq!(f(1.0, "0' o''clock'"), "1 o'clock");
        assert_eq!(f(1.0, "''0"), "'1");
    }

    #[test]
    fn a_broken_pattern_falls_back_to_the_default_one() {
        let df = DecimalFormat::default();
        for (n, p, text) in [
            (1.0, "#.##0", "1.0"),
            (1234.5, "#E0", "1234.5"),
            (-0.125, "0#", "-0.125"),
            (1.0, "0%%", "1.0"),
            (1.0, "'0", "1.0"),
        ] {
            let r = format_number(n, p, &df);
            assert_eq!(r.text, text, "{p}");
            assert!(r.warning.is_some_and(|w| w.contains(p)), "{p}");
        }
    }

    #[test]
    fn decimal_formats_change_every_symbol() {
        let df = DecimalFormat {
            decimal_separator: ',',
            grouping_separator: '.',
            zero_digit: '\u{660}',
            minus_sign: '~',
            ..DecimalFormat::default()
        };
        let r = format_number(-1234.5, "#.##\u{660},\u{660}\u{660}", &df);
        assert_eq!(r.text, "~\u{661}.\u{662}\u{663}\u{664},\u{665}\u{660}");
        // general/bug-205: a decimal separator that is also the grouping separator
        let df = DecimalFormat {
            decimal_separator: ',',
            ..DecimalFormat::default()
        };
        assert_eq!(format_number(123.0, "0,00", &df).text, "123,00");
    }
}
