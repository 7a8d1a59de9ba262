//! The string work of `str:tokenize`, `str:split`, `str:replace`, `str:padding` and
//! `str:align`, on plain Rust strings (the XPath side is in `mod.rs`). Lengths and positions
//! count characters, as libexslt's do (it measures UTF-8 characters); matching compares bytes.
//!
//! libexslt quirks reproduced here: empty tokens dropped by `tokenize` and `split`; `split`
//! folding ASCII case; `replace`'s longest-match rule and its insertion of an empty search
//! string's replacement between unmatched characters only; `padding`'s cap of 100,000
//! characters and its space for an empty padding string; `align` comparing its alignment
//! exactly. Not reproduced: `split(s, '')` splitting UTF-8 bytes (here: characters).

/// `str:tokenize`: the non-empty runs of `s` between characters of `delimiters`; with no
/// delimiters, every character on its own.
pub(super) fn tokenize<'a>(s: &'a str, delimiters: &str) -> Vec<&'a str> {
    if delimiters.is_empty() {
        return chars(s);
    }
    s.split(|c: char| delimiters.contains(c))
        .filter(|t| !t.is_empty())
        .collect()
}

/// `str:split`: the non-empty pieces of `s` between occurrences of `delimiter`, matched
/// left to right with ASCII letters compared case-insensitively (libexslt compares with
/// `xmlStrncasecmp`: `split('aXbxc', 'x')` is `a`, `b`, `c`); with an empty delimiter, every
/// character on its own.
pub(super) fn split<'a>(s: &'a str, delimiter: &str) -> Vec<&'a str> {
    if delimiter.is_empty() {
        return chars(s);
    }
    let (bytes, d) = (s.as_bytes(), delimiter.as_bytes());
    let mut out = Vec::new();
    let (mut token, mut cur) = (0, 0);
    while cur < bytes.len() {
        if bytes[cur..].len() >= d.len() && bytes[cur..cur + d.len()].eq_ignore_ascii_case(d) {
            // The delimiter starts with a lead byte and matches whole characters (only ASCII
            // folds), so `cur` and `cur + d.len()` are character boundaries.
            if cur > token {
                out.push(&s[token..cur]);
            }
            cur += d.len();
            token = cur;
        } else {
            cur += 1;
        }
    }
    if token < s.len() {
        out.push(&s[token..]);
    }
    out
}

/// Every character of `s` as a string of its own.
fn chars(s: &str) -> Vec<&str> {
    s.char_indices()
        .map(|(i, c)| &s[i..i + c.len_utf8()])
        .collect()
}

/// `str:replace` on strings: each of `searches` replaced by the replacement at the same
/// index (`None`: removed), as libexslt does it:
///
/// - at each position the longest search string that matches wins (the first of equal
///   length), and scanning goes on after it;
/// - an empty search string never matches; the first one, if its replacement is not empty,
///   is inserted between two characters that no search string matched, when the first of them
///   was not matched either (`replace('abc', '', 'x')` is `axbxc`, never at the ends);
/// - no search strings leaves `s` as it is.
pub(super) fn replace(s: &str, searches: &[String], replacements: &[Option<String>]) -> String {
    let with = |i: usize| replacements.get(i).and_then(|r| r.as_deref()).unwrap_or("");
    let empty = searches
        .iter()
        .position(|x| x.is_empty())
        .filter(|&i| !with(i).is_empty());
    let mut out = String::with_capacity(s.len());
    let (mut start, mut src) = (0, 0);
    while src < s.len() {
        let rest = &s[src..];
        let mut best: Option<(usize, usize)> = None;
        for (i, x) in searches.iter().enumerate() {
            if !x.is_empty()
                && rest.starts_with(x.as_str())
                && best.is_none_or(|(_, l)| x.len() > l)
            {
                best = Some((i, x.len()));
            }
        }
        match best {
            Some((i, len)) => {
                out.push_str(&s[start..src]);
                out.push_str(with(i));
                src += len;
                start = src;
            }
            None => {
                if let Some(e) = empty
                    && start < src
                {
                    out.push_str(&s[start..src]);
                    out.push_str(with(e));
                    start = src;
                }
                src += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out.push_str(&s[start..]);
    out
}

/// libexslt's cap on `str:padding`'s length, in characters.
pub(super) const MAX_PADDING: usize = 100_000;

/// `str:padding`: `pad` (a space if empty) repeated and cut to `length` characters. A NaN or
/// negative length is 0, a fractional one is truncated, and libexslt caps it at
/// [`MAX_PADDING`] (infinity included).
pub(super) fn padding(length: f64, pad: &str) -> String {
    let pad = if pad.is_empty() { " " } else { pad };
    let n = if length.is_nan() || length < 0.0 {
        0
    } else if length >= MAX_PADDING as f64 {
        MAX_PADDING
    } else {
        length as usize
    };
    pad.chars().cycle().take(n).collect()
}

/// `str:align`: `s` written over `pad`. A string as long as `pad` or longer is cut to its
/// length; otherwise `right` puts it at the end, `center` in the middle (the extra character
/// of an odd difference on the right), and anything else (`left`, or a misspelt or
/// differently cased value, compared exactly) at the start.
pub(super) fn align(s: &str, pad: &str, alignment: &str) -> String {
    let (sl, pl) = (s.chars().count(), pad.chars().count());
    if sl >= pl {
        return s.chars().take(pl).collect();
    }
    let (left, right) = match alignment {
        "right" => (pl - sl, 0),
        "center" => ((pl - sl) / 2, pl - sl - (pl - sl) / 2),
        _ => (0, pl - sl),
    };
    let mut out: String = pad.chars().take(left).collect();
    out.push_str(s);
    out.extend(pad.chars().skip(pl - right));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tokenize_drops_empty_tokens() {
        assert_eq!(tokenize("a,b;;c,", ",;"), ["a", "b", "c"]);
        assert_eq!(tokenize("  a  b  ", " "), ["a", "b"]);
        assert_eq!(tokenize("abc", "xyz"), ["abc"]);
        assert!(tokenize("", " ").is_empty());
        assert!(tokenize("   ", " ").is_empty());
        assert!(tokenize("", "").is_empty());
    }

    #[test]
    fn tokenize_is_case_sensitive_and_per_character() {
        assert_eq!(tokenize("aXbxc", "x"), ["aXb", "c"]);
        assert_eq!(tokenize("a日b本c", "日本"), ["a", "b", "c"]);
        assert_eq!(
            tokenize("café 日本", ""),
            ["c", "a", "f", "é", " ", "日", "本"]
        );
        assert_eq!(tokenize("café 日本", "é"), ["caf", " 日本"]);
    }

    #[test]
    fn split_on_strings() {
        assert_eq!(split("a, simple, list", ", "), ["a", "simple", "list"]);
        assert_eq!(split("a--b----c", "--"), ["a", "b", "c"]);
        assert_eq!(split("a;;b;", ";"), ["a", "b"]);
        assert_eq!(split("aaa", "a"), Vec::<&str>::new());
        assert_eq!(split("aba", "a"), ["b"]);
        assert_eq!(split("ab", "abc"), ["ab"]);
        assert_eq!(split("abcd", "bc"), ["a", "d"]);
        assert!(split("", "x").is_empty());
        assert!(split("", "").is_empty());
    }

    #[test]
    fn split_folds_ascii_case_only() {
        assert_eq!(split("aXbxc", "x"), ["a", "b", "c"]);
        assert_eq!(split("xAbAy", "ab"), ["x", "Ay"]);
        assert_eq!(split("ÀB", "àb"), ["ÀB"]);
        assert_eq!(split("café", "É"), ["café"]);
        assert_eq!(split("日本語", "本"), ["日", "語"]);
    }

    #[test]
    fn split_on_nothing_gives_characters() {
        assert_eq!(split("foo", ""), ["f", "o", "o"]);
        // libexslt splits bytes here (invalid UTF-8); characters are what a string can hold.
        assert_eq!(split("é日", ""), ["é", "日"]);
    }

    #[test]
    fn replace_one_string() {
        let r = |s: &str, x: &str, w: &str| replace(s, &strings(&[x]), &[Some(w.to_owned())]);
        assert_eq!(r("a-b-c", "-", "+"), "a+b+c");
        assert_eq!(r("aaa", "aa", "b"), "ba");
        assert_eq!(r("aaaa", "a", "aa"), "aaaaaaaa");
        assert_eq!(r("abc", "abc", ""), "");
        assert_eq!(r("ABC", "b", "x"), "ABC");
        assert_eq!(r("日本語", "本", "-"), "日-語");
        assert_eq!(r("", "a", "x"), "");
    }

    #[test]
    fn replace_empty_search_inserts_between_characters() {
        let r = |s: &str, x: &str, w: &str| replace(s, &strings(&[x]), &[Some(w.to_owned())]);
        assert_eq!(r("abc", "", "x"), "axbxc");
        assert_eq!(r("日本", "", "-"), "日-本");
        assert_eq!(r("", "", "x"), "");
        assert_eq!(r("a", "", "x"), "a");
        assert_eq!(r("abc", "", ""), "abc");
        // Not after a match: `start` is then the current position.
        let s = strings(&["", "b"]);
        assert_eq!(
            replace("abc", &s, &[Some("X".into()), Some("Y".into())]),
            "aYc"
        );
    }

    #[test]
    fn replace_many_longest_first() {
        let two = |a: &str, b: &str| vec![Some(a.to_owned()), Some(b.to_owned())];
        assert_eq!(
            replace("abcd", &strings(&["ab", "b"]), &two("1", "2")),
            "1cd"
        );
        assert_eq!(
            replace("abcd", &strings(&["b", "ab"]), &two("1", "2")),
            "2cd"
        );
        assert_eq!(
            replace("abc", &strings(&["bc", "ab"]), &two("1", "2")),
            "2c"
        );
        // Missing replacements remove.
        let s = strings(&["1", "2", "3"]);
        assert_eq!(replace("a1b2c3", &s, &two("x", "y")), "axbyc");
        assert_eq!(
            replace("a1b2", &strings(&["1", "2"]), &[Some("X".into())]),
            "aXb"
        );
        // No search strings: unchanged.
        assert_eq!(replace("abc", &[], &[]), "abc");
    }

    #[test]
    fn padding_lengths() {
        assert_eq!(padding(5.0, ""), "     ");
        assert_eq!(padding(5.0, "ab"), "ababa");
        assert_eq!(padding(0.0, "x"), "");
        assert_eq!(padding(-0.0, "x"), "");
        assert_eq!(padding(-3.0, "x"), "");
        assert_eq!(padding(2.9, "x"), "xx");
        assert_eq!(padding(1.99999, "ab"), "a");
        assert_eq!(padding(-0.5, "x"), "");
        assert_eq!(padding(f64::NAN, "x"), "");
        assert_eq!(padding(f64::INFINITY, "x").len(), MAX_PADDING);
        assert_eq!(padding(200_000.0, "").len(), MAX_PADDING);
        assert_eq!(padding(5.0, "日本"), "日本日本日");
        assert_eq!(padding(3.0, "é").chars().count(), 3);
    }

    #[test]
    fn align_positions() {
        assert_eq!(align("abc", "-----", ""), "abc--");
        assert_eq!(align("abc", "-----", "right"), "--abc");
        assert_eq!(align("abc", "-----", "center"), "-abc-");
        assert_eq!(align("abc", "------", "center"), "-abc--");
        assert_eq!(align("ab", "-------", "center"), "--ab---");
        assert_eq!(align("abcdef", "---", "right"), "abc");
        assert_eq!(align("abc", "---", "center"), "abc");
        assert_eq!(align("", "---", "center"), "---");
        assert_eq!(align("ab", "12345", "RIGHT"), "ab345");
        assert_eq!(align("日本", "abcde", "right"), "abc日本");
        assert_eq!(align("ab", "日本語éx", "center"), "日abéx");
        assert_eq!(align("é", "xyz", ""), "éyz");
        assert_eq!(align("abc", "", ""), "");
        assert_eq!(align("", "", ""), "");
    }
}
