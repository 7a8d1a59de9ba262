//! The lexical layer of the one-pass parser (src/xml/build.rs): XML 1.0 character classes,
//! qualified names, references, and the value normalisations of text and attribute values.
//!
//! Errors are expressed as [`roxmltree::Error`] values, positioned as roxmltree positions them,
//! so that both parsing paths go through the same `XmlError::from_roxmltree` and report the same
//! message at the same place. Every rule here is the one roxmltree 0.21 applies, quirks included
//! (each quirk is named where it is kept); the differential test tests/xml_parser_differential.rs
//! holds the two paths to that.

use std::borrow::Cow;

use roxmltree::{Error, TextPos};

/// Byte classes of the scanning loops, one bit per question.
const LT: u8 = 1; // '<'
const AMP: u8 = 2; // '&': text holds references
const CR: u8 = 32; // '\r': text needs line-end normalisation
const GT: u8 = 4; // '>': text may hold "]]>"
const SUSPECT: u8 = 8; // a control byte or 0xEF: the character may not be an XML Char
const ATTR_NORM: u8 = 16; // '&', '\t', '\n', '\r': an attribute value needs normalising

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = SUSPECT;
        i += 1;
    }
    t[b'\t' as usize] = ATTR_NORM;
    t[b'\n' as usize] = ATTR_NORM;
    t[b'\r' as usize] = CR | ATTR_NORM;
    t[b'&' as usize] = AMP | ATTR_NORM;
    t[b'<' as usize] = LT;
    t[b'>' as usize] = GT;
    t[0xEF] = SUSPECT;
    t
};

/// A position for an error at byte `offset`, counted as roxmltree counts it (lines by '\n',
/// columns in characters).
pub(super) fn pos_at(text: &str, offset: usize) -> TextPos {
    let p = crate::diag::line_col(text, offset);
    TextPos::new(p.line, p.col)
}

/// Whether a byte that [`CLASS`] marks `SUSPECT` starts a character outside the Char
/// production (controls other than tab, LF, CR; U+FFFE and U+FFFF, encoded EF BF BE/BF).
#[inline]
fn bad_char_at(b: &[u8], i: usize) -> bool {
    let c = b[i];
    if c < 0x20 {
        return !matches!(c, b'\t' | b'\n' | b'\r');
    }
    c == 0xEF && b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF))
}

/// The `NonXmlChar` error for the character at `i`.
pub(super) fn non_xml_char(text: &str, i: usize) -> Error {
    let c = text[i..].chars().next().unwrap_or('\u{0}');
    Error::NonXmlChar(c, pos_at(text, i))
}

/// The first offset in `from..to` holding a character that is not an XML Char.
#[inline]
pub(super) fn find_bad_char(b: &[u8], from: usize, to: usize) -> Option<usize> {
    (from..to).find(|&i| CLASS[b[i] as usize] & SUSPECT != 0 && bad_char_at(b, i))
}

/// What a scan of character data up to the next `<` found.
pub(super) struct TextScan {
    /// Where the run stops: at a `<` or the end of the input.
    pub end: usize,
    /// The first character that is not an XML Char, if any.
    pub bad: Option<usize>,
    /// Whether the run holds `&` or `\r` (its value differs from its bytes).
    pub needs_decoding: bool,
    /// Whether the run holds `&`.
    pub has_amp: bool,
    /// Whether the run holds `>` (and so possibly `]]>`).
    pub has_gt: bool,
}

/// Scans character data from `from` to the next `<`.
#[inline]
pub(super) fn scan_text(b: &[u8], from: usize) -> TextScan {
    let mut i = from;
    let mut seen = 0u8;
    let mut bad = None;
    while i < b.len() {
        let c = CLASS[b[i] as usize];
        if c != 0 {
            if c & LT != 0 {
                break;
            }
            if c & SUSPECT != 0 && bad.is_none() && bad_char_at(b, i) {
                bad = Some(i);
                break;
            }
            seen |= c;
        }
        i += 1;
    }
    TextScan {
        end: i,
        bad,
        needs_decoding: seen & (AMP | CR) != 0,
        has_amp: seen & AMP != 0,
        has_gt: seen & GT != 0,
    }
}

/// What a scan of an attribute value found.
pub(super) struct AttrScan {
    /// The first `quote` or `<`; `None` at the end of input.
    pub stop: Option<usize>,
    /// The first character that is not an XML Char, if any.
    pub bad: Option<usize>,
    /// Whether the value needs normalising (references, tab, CR, LF).
    pub needs_norm: bool,
}

/// Scans an attribute value from `from` (just past the quote) to the first `quote` or `<`.
#[inline]
pub(super) fn scan_attr_value(b: &[u8], from: usize, quote: u8) -> AttrScan {
    // Eight bytes at a time while none of them is one the loop below looks at (a control
    // byte, 0xEF, `&`, `<` or the quote): values are mostly such plain runs (a CSP is hundreds
    // of bytes).
    use super::words::{has_below, has_byte, word_at};
    let mut seen = 0u8;
    let mut stop = None;
    let mut i = from;
    'scan: while i < b.len() {
        if let Some(x) = word_at(b, i)
            && !(has_below(x, 0x20)
                || has_byte(x, quote)
                || has_byte(x, b'<')
                || has_byte(x, b'&')
                || has_byte(x, 0xEF))
        {
            i += 8;
            continue;
        }
        let end = (i + 8).min(b.len());
        while i < end {
            let c = b[i];
            if c == quote || c == b'<' {
                stop = Some(i);
                break 'scan;
            }
            seen |= CLASS[c as usize];
            i += 1;
        }
    }
    let to = stop.unwrap_or(b.len());
    let bad = if seen & SUSPECT != 0 {
        find_bad_char(b, from, to)
    } else {
        None
    };
    AttrScan {
        stop,
        bad,
        needs_norm: seen & ATTR_NORM != 0,
    }
}

// ----- names -----

/// NameStartChar, XML 1.0 fifth edition §2.3.
pub(super) fn is_name_start(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic() || c == ':' || c == '_';
    }
    matches!(c as u32,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF | 0x370..=0x37D | 0x37F..=0x1FFF
        | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF | 0x3001..=0xD7FF
        | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

/// NameChar, XML 1.0 fifth edition §2.3.
pub(super) fn is_name_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '.');
    }
    is_name_start(c) || matches!(c as u32, 0xB7 | 0x300..=0x36F | 0x203F..=0x2040)
}

#[inline]
fn ascii_name_byte(c: u8) -> bool {
    ASCII_NAME[usize::from(c)]
}

/// [`ascii_name_byte`] as a table: one load a byte of a name.
static ASCII_NAME: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.');
        c += 1;
    }
    t
};

/// The end of the run of name characters starting at `i`.
#[inline]
fn name_run_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if !ascii_name_byte(c) {
                break;
            }
            i += 1;
        } else {
            match text[i..].chars().next() {
                Some(ch) if is_name_char(ch) => i += ch.len_utf8(),
                _ => break,
            }
        }
    }
    i
}

fn starts_with_name_start(s: &str) -> bool {
    // An ASCII first byte is the whole first character: no decoding.
    match s.as_bytes().first() {
        Some(&b) if b < 0x80 => is_name_start(char::from(b)),
        _ => s.chars().next().is_some_and(is_name_start),
    }
}

/// A qualified name as written: `prefix` is empty without a colon.
#[derive(Clone, Copy)]
pub(super) struct QualName<'t> {
    pub prefix: &'t str,
    pub local: &'t str,
    /// `prefix:local` as written (for `:local`, the colon included).
    pub qname: &'t str,
}

/// Reads a qualified name at `start`: name characters with at most one colon, each part
/// starting with a NameStartChar (an empty prefix is accepted, as roxmltree does: `<:a>`;
/// the prescan refuses it first).
pub(super) fn qname_at(text: &str, start: usize) -> Result<(QualName<'_>, usize), Error> {
    let b = text.as_bytes();
    let invalid = || Error::InvalidName(pos_at(text, start));
    // ASCII names (nearly all) in one loop that also finds the colon.
    let mut i = start;
    let mut colon = None;
    while i < b.len() {
        let c = b[i];
        if c != b':' && ascii_name_byte(c) {
            i += 1;
            continue;
        }
        if c != b':' {
            break;
        }
        if colon.is_some() {
            return Err(invalid());
        }
        colon = Some(i);
        i += 1;
    }
    let end = if i < b.len() && b[i] >= 0x80 {
        let end = name_run_end(text, i);
        if let Some(k) = memchr::memchr(b':', &b[i..end]) {
            if colon.is_some() || memchr::memchr(b':', &b[i + k + 1..end]).is_some() {
                return Err(invalid());
            }
            colon = Some(i + k);
        }
        end
    } else {
        i
    };
    let s = &text[start..end];
    let (prefix, local) = match colon {
        Some(k) => (&text[start..k], &text[k + 1..end]),
        None => ("", s),
    };
    if (!prefix.is_empty() && !starts_with_name_start(prefix)) || !starts_with_name_start(local) {
        return Err(invalid());
    }
    let q = QualName {
        prefix,
        local,
        qname: s,
    };
    Ok((q, end))
}

/// Reads a Name at `start` (PI targets, entity names): `None` when there is none.
pub(super) fn name_at(text: &str, start: usize) -> Option<usize> {
    let first = text[start..].chars().next()?;
    if !is_name_start(first) {
        return None;
    }
    Some(name_run_end(text, start + first.len_utf8()))
}

// ----- references -----

/// A reference at `amp` (the `&`): the character it stands for and the offset past the `;`.
///
/// Roxmltree's reading, kept: a code point that is no Unicode scalar value (a surrogate, or
/// beyond U+10FFFF) stands for U+FFFD; a reference to a non-Char (`&#0;`) is malformed.
pub(super) fn reference_at(text: &str, amp: usize) -> Result<(char, usize), Error> {
    let b = text.as_bytes();
    let malformed = || Error::MalformedEntityReference(pos_at(text, amp));
    let mut i = amp + 1;
    let c = if b.get(i) == Some(&b'#') {
        i += 1;
        let radix = if b.get(i) == Some(&b'x') {
            i += 1;
            16
        } else {
            10
        };
        let digits_end = i + b[i..]
            .iter()
            .take_while(|c| {
                if radix == 16 {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count();
        let n = u32::from_str_radix(&text[i..digits_end], radix).map_err(|_| malformed())?;
        i = digits_end;
        let c = char::from_u32(n).unwrap_or('\u{FFFD}');
        let is_char = if (c as u32) < 0x20 {
            matches!(c, '\t' | '\n' | '\r')
        } else {
            !matches!(c as u32, 0xFFFE | 0xFFFF)
        };
        if !is_char {
            return Err(malformed());
        }
        c
    } else {
        let end = name_at(text, i).ok_or_else(malformed)?;
        let name = &text[i..end];
        i = end;
        match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ => {
                // Known or not, a name not followed by ';' is malformed first.
                if b.get(i) != Some(&b';') {
                    return Err(malformed());
                }
                return Err(Error::UnknownEntityReference(
                    name.into(),
                    pos_at(text, amp),
                ));
            }
        }
    };
    if b.get(i) != Some(&b';') {
        return Err(malformed());
    }
    Ok((c, i + 1))
}

// ----- values -----

/// Appends to `out` the value of character data `start..end` (no `<` inside): references
/// expanded, CRLF and lone CR read as LF.
///
/// Roxmltree's line-end rule, kept to the byte: a character from a reference is taken as is,
/// and so is the byte right after it (`&#65;\r` at the end of a run keeps its CR).
pub(super) fn text_value(
    text: &str,
    start: usize,
    end: usize,
    has_amp: bool,
    out: &mut String,
) -> Result<(), Error> {
    let b = text.as_bytes();
    if !has_amp {
        // No references: the plain line-end rule (runs are short: no memchr set-up).
        let mut copied = start;
        let mut i = start;
        while i < end {
            if b[i] == b'\r' {
                out.push_str(&text[copied..i]);
                out.push('\n');
                i += 1;
                if i < end && b[i] == b'\n' {
                    i += 1;
                }
                copied = i;
            } else {
                i += 1;
            }
        }
        out.push_str(&text[copied..end]);
        return Ok(());
    }
    let mut bytes = std::mem::take(out).into_bytes();
    // The rule looks back only within this piece of the run.
    let base = bytes.len();
    let mut after_ref = false;
    let mut i = start;
    while i < end {
        let c = b[i];
        if c == b'&' {
            let (ch, next) = reference_at(text, i)?;
            let mut tmp = [0u8; 4];
            bytes.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
            after_ref = true;
            i = next;
            continue;
        }
        i += 1;
        let at_end = i == end;
        if after_ref {
            bytes.push(c);
            after_ref = false;
        } else if bytes.len() > base && bytes.last() == Some(&b'\r') {
            *bytes.last_mut().expect("not empty") = b'\n';
            if at_end && c == b'\r' {
                bytes.push(b'\n');
            } else if c != b'\n' {
                bytes.push(c);
            }
        } else if at_end && c == b'\r' {
            bytes.push(b'\n');
        } else {
            bytes.push(c);
        }
    }
    *out = String::from_utf8(bytes).expect("whole characters are copied");
    Ok(())
}

/// The value of a CDATA section's content: CRLF and lone CR read as LF.
pub(super) fn cdata_value(s: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\r', s.as_bytes()).is_none() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Appends to `out` the normalised value of an attribute value `start..end` (XML 1.0 §3.3.3
/// for CDATA attributes): tab, LF and CR become a space, CRLF one space; references are
/// expanded and the characters they give are taken as is (`&#10;` stays a line feed).
pub(super) fn attr_value(
    text: &str,
    start: usize,
    end: usize,
    out: &mut String,
) -> Result<(), Error> {
    let b = text.as_bytes();
    let mut i = start;
    let mut copied = start;
    while i < end {
        let c = b[i];
        match c {
            b'&' => {
                out.push_str(&text[copied..i]);
                let (ch, next) = reference_at(text, i)?;
                out.push(ch);
                i = next;
                copied = i;
            }
            b'\r' | b'\n' | b'\t' => {
                out.push_str(&text[copied..i]);
                i += 1;
                copied = i;
                if !(c == b'\r' && i < end && b[i] == b'\n') {
                    out.push(' ');
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..end]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attribute_scan_sees_what_a_byte_loop_sees() {
        // The word-at-a-time skip must stop, flag and normalise exactly as the plain loop does,
        // whatever byte sits at whatever offset of a word.
        let plain = |b: &[u8], from: usize, quote: u8| {
            let stop = (from..b.len()).find(|&i| b[i] == quote || b[i] == b'<');
            let to = stop.unwrap_or(b.len());
            let seen = b[from..to].iter().fold(0, |s, &c| s | CLASS[c as usize]);
            let bad = (seen & SUSPECT != 0)
                .then(|| find_bad_char(b, from, to))
                .flatten();
            (stop, bad, seen & ATTR_NORM != 0)
        };
        let specials = [
            0u8, b'\t', b'\n', b'\r', 0x1F, b'&', b'<', b'"', b'\'', 0xEF, 0xBF, 0xBE, 0x7F, 0x80,
            0xFF, b' ', b'a',
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let mut b: Vec<u8> = (0..len).map(|_| b'x').collect();
            for _ in 0..(next() % 3) {
                if len > 0 {
                    let at = (next() % len as u64) as usize;
                    b[at] = specials[(next() % specials.len() as u64) as usize];
                }
            }
            let from = if len > 0 {
                (next() % len as u64) as usize
            } else {
                0
            };
            for quote in [b'"', b'\''] {
                let got = scan_attr_value(&b, from, quote);
                assert_eq!(
                    (got.stop, got.bad, got.needs_norm),
                    plain(&b, from, quote),
                    "{b:?} from {from}"
                );
            }
        }
    }

    #[test]
    fn references() {
        let r = |s: &str| reference_at(s, 0);
        assert_eq!(r("&lt;x").unwrap(), ('<', 4));
        assert_eq!(r("&#x41;").unwrap(), ('A', 6));
        assert_eq!(r("&#65;").unwrap(), ('A', 5));
        assert_eq!(r("&#xD800;").unwrap(), ('\u{FFFD}', 8));
        for bad in [
            "&#0;",
            "&#X41;",
            "&#;",
            "&lt",
            "& x;",
            "&#xFFFE;",
            "&#99999999999;",
        ] {
            assert!(
                matches!(r(bad), Err(Error::MalformedEntityReference(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            r("&nbsp;"),
            Err(Error::UnknownEntityReference(..))
        ));
    }

    #[test]
    fn values() {
        let text = |t: &str| {
            let mut out = String::new();
            text_value(t, 0, t.len(), t.contains('&'), &mut out).map(|()| out)
        };
        assert_eq!(text("a\r\nb\rc&#13;\r").unwrap(), "a\nb\nc\r\r");
        assert_eq!(text("a\r\nb\rc\r").unwrap(), "a\nb\nc\n");
        assert_eq!(text("\r\r\n\n").unwrap(), "\n\n\n");
        let mut out = String::new();
        let t = "x\ty\r\nz&#10;\r";
        attr_value(t, 0, t.len(), &mut out).unwrap();
        assert_eq!(out, "x y z\n ");
    }

    #[test]
    fn names() {
        let (q, end) = qname_at("p:a b", 0).unwrap();
        assert_eq!((q.prefix, q.local, end), ("p", "a", 3));
        assert!(qname_at("p:a:b", 0).is_err());
        assert!(qname_at("p:", 0).is_err());
        assert!(qname_at("1a", 0).is_err());
        let (q, _) = qname_at(":a", 0).unwrap();
        assert_eq!((q.prefix, q.local), ("", "a"));
    }
}
