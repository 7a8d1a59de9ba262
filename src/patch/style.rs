//! The file's formatting conventions, detected from its text, and the writer that formats new
//! nodes the same way.

use crate::xml::encoding::{Encoding, LineEnding};
use crate::xml::{Document, NodeId, NodeKind, Tree};

/// How the file writes things.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Style {
    /// The quote most attributes use.
    pub quote: char,
    /// How empty elements end: `" />"` (Visual Studio's habit) or `"/>"`.
    pub self_close: &'static str,
    /// One level of indentation.
    pub indent: String,
    /// The line ending for new lines.
    pub eol: &'static str,
    /// The file's encoding (characters it cannot hold become character references).
    pub encoding: Encoding,
}

impl Default for Style {
    /// The style of a file that shows none: `"`, `" />"`, two spaces, LF, UTF-8.
    fn default() -> Style {
        Style {
            quote: '"',
            self_close: " />",
            indent: "  ".into(),
            eol: "\n",
            encoding: Encoding::Utf8,
        }
    }
}

impl Style {
    /// What a document's style is without looking at its elements: its line ending and
    /// encoding, with the default quote (`"`), empty-element ending (`" />"`) and indentation
    /// (two spaces) that [`Style::detect`] falls back to.
    pub fn basic(doc: &Document) -> Style {
        Style {
            eol: doc.line_ending().as_str(),
            encoding: doc.encoding().encoding,
            ..Style::default()
        }
    }

    /// Detects the style of a document.
    pub fn detect(doc: &Document) -> Style {
        let t = doc.tree();
        let src = doc.text();
        let (mut double, mut single, mut spaced, mut tight) = (0usize, 0usize, 0usize, 0usize);
        for n in t.descendants(NodeId::ROOT) {
            match t.kind(n) {
                NodeKind::Element => {
                    for a in t.attributes(n) {
                        if t.attr_quote(a) == '\'' {
                            single += 1;
                        } else {
                            double += 1;
                        }
                    }
                    if t.is_self_closing(n) {
                        let st = &src[t.start_tag_span(n)];
                        if st.ends_with(" />") {
                            spaced += 1;
                        } else {
                            tight += 1;
                        }
                    }
                }
                _ => continue,
            }
        }
        let basic = Style::basic(doc);
        Style {
            quote: if single > double { '\'' } else { basic.quote },
            self_close: if tight > spaced {
                "/>"
            } else {
                basic.self_close
            },
            indent: doc.indent_unit().unwrap_or(basic.indent),
            ..basic
        }
    }

    /// This style with what a neighbourhood shows ([`Style::local`]) in place of its quote and
    /// empty-element ending.
    pub fn with_local(&self, (quote, self_close): (Option<char>, Option<&'static str>)) -> Style {
        Style {
            quote: quote.unwrap_or(self.quote),
            self_close: self_close.unwrap_or(self.self_close),
            ..self.clone()
        }
    }

    /// The quote and the empty-element ending `parent`'s element children show (the nearest
    /// one named `like` first), where they show one.
    pub fn local(
        doc: &Document,
        parent: NodeId,
        like: Option<&str>,
    ) -> (Option<char>, Option<&'static str>) {
        let t = doc.tree();
        let src = doc.text();
        let siblings: Vec<NodeId> = t.element_children(parent).collect();
        let pick = siblings
            .iter()
            .rev()
            .find(|&&s| like.is_some_and(|l| t.local_name(s) == l))
            .or_else(|| siblings.last())
            .copied();
        let Some(sib) = pick else {
            return (None, None);
        };
        let quote = t.attributes(sib).next().map(|a| t.attr_quote(a));
        let self_close = siblings
            .iter()
            .rev()
            .find(|&&e| t.is_self_closing(e) && like.is_none_or(|l| t.local_name(e) == l))
            .or_else(|| siblings.iter().rev().find(|&&e| t.is_self_closing(e)))
            .map(|&empty| {
                if src[t.start_tag_span(empty)].ends_with(" />") {
                    " />"
                } else {
                    "/>"
                }
            });
        (quote, self_close)
    }

    /// Appends `v` with each ASCII character `table` names replaced by its reference, and each
    /// character the file's encoding cannot hold written as a character reference; runs of
    /// other characters are copied as they are. The scan goes byte by byte through one table
    /// lookup; it looks at whole characters only past ASCII in an encoding that cannot hold
    /// them all.
    fn escape(&self, v: &str, out: &mut String, table: &Escapes) {
        // Eight bytes at a time while none is one the table may name (a control byte or one of
        // three characters) or, in an encoding that cannot hold every character, past ASCII.
        use crate::xml::words::{has_below, has_byte, has_high, word_at};
        let [c1, c2, c3] = table.words;
        let unicode = self.encoding.can_encode(char::MAX);
        let b = v.as_bytes();
        let mut plain = 0;
        let mut i = 0;
        while i < b.len() {
            if let Some(x) = word_at(b, i)
                && !(has_below(x, 0x20)
                    || has_byte(x, c1)
                    || has_byte(x, c2)
                    || has_byte(x, c3)
                    || (!unicode && has_high(x)))
            {
                i += 8;
                continue;
            }
            let c = b[i];
            if c < 0x80 {
                let r = table.bytes[usize::from(c)];
                if r != 0 {
                    out.push_str(&v[plain..i]);
                    out.push_str(REFERENCES[usize::from(r)]);
                    plain = i + 1;
                }
                i += 1;
                continue;
            }
            if unicode {
                i += 1;
                continue;
            }
            // The start of a multi-byte character (`i` only ever stops on a boundary here).
            let ch = v[i..].chars().next().expect("a character starts here");
            let len = ch.len_utf8();
            if !self.encoding.can_encode(ch) {
                use std::fmt::Write as _;
                out.push_str(&v[plain..i]);
                // Writing into a String cannot fail.
                let _ = write!(out, "&#x{:X};", ch as u32);
                plain = i + len;
            }
            i += len;
        }
        out.push_str(&v[plain..]);
    }

    /// Escapes an attribute value for the given quote.
    pub fn escape_attr(&self, v: &str, quote: char, out: &mut String) {
        let table = if quote == '"' {
            &ATTR_IN_DOUBLE_QUOTES
        } else {
            &ATTR_IN_SINGLE_QUOTES
        };
        self.escape(v, out, table);
    }

    /// Escapes character data.
    pub fn escape_text(&self, v: &str, out: &mut String) {
        self.escape(v, out, &TEXT);
    }
}

/// What escaping replaces: for each ASCII byte, the index in [`REFERENCES`] of what it is
/// written as (0: itself); and the bytes it names that are not control characters (at most
/// three), for the word-at-a-time skip.
struct Escapes {
    bytes: [u8; 128],
    words: [u8; 3],
}

/// The references escaping writes; index 0 is unused.
const REFERENCES: [&str; 9] = [
    "", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#xA;", "&#xD;", "&#x9;",
];

const fn escapes(pairs: &[(u8, u8)], words: [u8; 3]) -> Escapes {
    let mut bytes = [0u8; 128];
    let mut i = 0;
    while i < pairs.len() {
        let c = pairs[i].0;
        // Every byte named is a control character or one of `words`.
        assert!(c < 0x20 || c == words[0] || c == words[1] || c == words[2]);
        bytes[c as usize] = pairs[i].1;
        i += 1;
    }
    Escapes { bytes, words }
}

/// An attribute value in `"`: `&`, `<`, the quote, and the white space that attribute-value
/// normalisation would turn into spaces.
const ATTR_IN_DOUBLE_QUOTES: Escapes = escapes(
    &[
        (b'&', 1),
        (b'<', 2),
        (b'"', 4),
        (b'\n', 6),
        (b'\r', 7),
        (b'\t', 8),
    ],
    [b'&', b'<', b'"'],
);
const ATTR_IN_SINGLE_QUOTES: Escapes = escapes(
    &[
        (b'&', 1),
        (b'<', 2),
        (b'\'', 5),
        (b'\n', 6),
        (b'\r', 7),
        (b'\t', 8),
    ],
    [b'&', b'<', b'\''],
);
/// Character data: `&`, `<`, `>` (for `]]>`), and a CR that a parser would turn into a LF.
const TEXT: Escapes = escapes(
    &[(b'&', 1), (b'<', 2), (b'>', 3), (b'\r', 7)],
    [b'&', b'<', b'>'],
);

/// Namespace bindings in scope while writing new nodes: (prefix, uri), innermost last.
pub type NsScope = Vec<(String, String)>;

/// Writes a node of the result tree in the file's style. `indent` is the indentation of the
/// line the node starts on; children of element-only content go on their own lines.
pub fn write_node(
    res: &Tree,
    n: NodeId,
    style: &Style,
    indent: &str,
    scope: &mut NsScope,
    out: &mut String,
) {
    match res.kind(n) {
        NodeKind::Element => write_element(res, n, style, indent, scope, out),
        NodeKind::Text => style.escape_text(res.value(n), out),
        NodeKind::Comment => {
            out.push_str("<!--");
            out.push_str(res.value(n));
            out.push_str("-->");
        }
        NodeKind::ProcessingInstruction => {
            out.push_str("<?");
            out.push_str(res.local_name(n));
            if !res.value(n).is_empty() {
                out.push(' ');
                out.push_str(res.value(n));
            }
            out.push_str("?>");
        }
        NodeKind::Root | NodeKind::Attribute => {}
    }
}

fn lookup<'s>(scope: &'s NsScope, prefix: &str) -> &'s str {
    scope
        .iter()
        .rev()
        .find(|(p, _)| p == prefix)
        .map_or("", |(_, u)| u.as_str())
}

fn write_element(
    res: &Tree,
    n: NodeId,
    style: &Style,
    indent: &str,
    scope: &mut NsScope,
    out: &mut String,
) {
    let mark = scope.len();
    let qn = res.qualified_name(n);
    out.push('<');
    out.push_str(&qn);
    // Declare what the element's and its attributes' names need, nothing more.
    let declare = |p: &str, u: &str, scope: &mut NsScope, out: &mut String| {
        if p == "xml" || lookup(scope, p) == u {
            return;
        }
        if p.is_empty() {
            out.push_str(" xmlns=");
        } else {
            out.push_str(&format!(" xmlns:{p}="));
        }
        out.push(style.quote);
        style.escape_attr(u, style.quote, out);
        out.push(style.quote);
        scope.push((p.to_owned(), u.to_owned()));
    };
    declare(res.prefix(n), res.namespace_uri(n), scope, out);
    for a in res.attributes(n) {
        if !res.namespace_uri(a).is_empty() {
            declare(res.prefix(a), res.namespace_uri(a), scope, out);
        }
    }
    for a in res.attributes(n) {
        out.push(' ');
        out.push_str(&res.qualified_name(a));
        out.push('=');
        out.push(style.quote);
        style.escape_attr(res.value(a), style.quote, out);
        out.push(style.quote);
    }
    let kids: Vec<NodeId> = res.children(n).collect();
    if kids.is_empty() {
        out.push_str(style.self_close);
        scope.truncate(mark);
        return;
    }
    out.push('>');
    let significant: Vec<NodeId> = kids
        .iter()
        .copied()
        .filter(|&c| !(res.kind(c) == NodeKind::Text && is_blank(res.value(c))))
        .collect();
    let block = significant
        .iter()
        .any(|&c| res.kind(c) == NodeKind::Element)
        && significant.iter().all(|&c| res.kind(c) != NodeKind::Text);
    if block {
        let inner = format!("{indent}{}", style.indent);
        for c in significant {
            out.push_str(style.eol);
            out.push_str(&inner);
            write_node(res, c, style, &inner, scope, out);
        }
        out.push_str(style.eol);
        out.push_str(indent);
    } else {
        for c in kids {
            write_node(res, c, style, indent, scope, out);
        }
    }
    out.push_str("</");
    out.push_str(&qn);
    out.push('>');
    scope.truncate(mark);
}

/// Whether text is only XML white space.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// The line ending used by the line that contains byte `offset` (or the file's).
pub fn line_ending_at(text: &str, offset: usize, default: &'static str) -> &'static str {
    match text[offset.min(text.len())..].find('\n') {
        Some(i) if i > 0 && text.as_bytes()[offset + i - 1] == b'\r' => LineEnding::CrLf.as_str(),
        Some(_) => LineEnding::Lf.as_str(),
        None => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::Limits;

    #[test]
    fn escaping_replaces_only_what_must_be() {
        let style = |encoding| Style {
            quote: '"',
            self_close: " />",
            indent: "  ".into(),
            eol: "\n",
            encoding,
        };
        let cases = [
            (Encoding::Utf8, "a&b<c>\"d'e\tf\r\ng é€😀", '"'),
            (Encoding::Ascii, "é<€", '\''),
            (Encoding::Windows1252, "€é\u{0100}'x", '\''),
            (Encoding::Latin1, "", '"'),
        ];
        let attr = [
            "a&amp;b&lt;c>&quot;d'e&#x9;f&#xD;&#xA;g é€😀",
            "&#xE9;&lt;&#x20AC;",
            "€é&#x100;&apos;x",
            "",
        ];
        let text = [
            "a&amp;b&lt;c&gt;\"d'e\tf&#xD;\ng é€😀",
            "&#xE9;&lt;&#x20AC;",
            "€é&#x100;'x",
            "",
        ];
        for (k, (encoding, v, quote)) in cases.into_iter().enumerate() {
            let (mut a, mut t) = (String::new(), String::new());
            style(encoding).escape_attr(v, quote, &mut a);
            style(encoding).escape_text(v, &mut t);
            assert_eq!((a.as_str(), t.as_str()), (attr[k], text[k]), "{v:?}");
        }
    }

    /// The word-at-a-time skip changes nothing: seeded values of every length, built from the
    /// characters escaping looks at and others around them, escaped as a character-by-character
    /// reference escapes them, in each encoding and for each quote. Fails when the skip passes
    /// over a character it should have replaced.
    #[test]
    fn escaping_a_word_at_a_time_is_escaping_each_character() {
        let reference = |style: &Style, v: &str, table: &Escapes| {
            let mut out = String::new();
            for c in v.chars() {
                match c {
                    c if c.is_ascii() && table.bytes[c as usize] != 0 => {
                        out.push_str(REFERENCES[usize::from(table.bytes[c as usize])]);
                    }
                    c if !style.encoding.can_encode(c) => {
                        out.push_str(&format!("&#x{:X};", c as u32))
                    }
                    c => out.push(c),
                }
            }
            out
        };
        let alphabet = [
            'a', 'Z', ' ', '=', '(', ')', ',', ';', '&', '<', '>', '"', '\'', '\t', '\n', '\r',
            '\u{1}', '\u{7f}', 'é', '€', '\u{100}', '😀',
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for encoding in [
            Encoding::Utf8,
            Encoding::Ascii,
            Encoding::Latin1,
            Encoding::Windows1252,
        ] {
            let style = Style {
                encoding,
                ..Style::default()
            };
            for _ in 0..3000 {
                let len = (next() % 40) as usize;
                // Mostly plain letters, so that whole words are skipped.
                let v: String = (0..len)
                    .map(|_| match next() % 8 {
                        0 => alphabet[(next() % alphabet.len() as u64) as usize],
                        _ => 'x',
                    })
                    .collect();
                for (table, (mut got, quote)) in [
                    (&ATTR_IN_DOUBLE_QUOTES, (String::new(), Some('"'))),
                    (&ATTR_IN_SINGLE_QUOTES, (String::new(), Some('\''))),
                    (&TEXT, (String::new(), None)),
                ] {
                    match quote {
                        Some(q) => style.escape_attr(&v, q, &mut got),
                        None => style.escape_text(&v, &mut got),
                    }
                    assert_eq!(got, reference(&style, &v, table), "{v:?} in {encoding:?}");
                }
            }
        }
    }

    #[test]
    fn detects_quotes_empty_elements_indentation_and_line_endings() {
        let d = Document::parse_str(
            "<a>\r\n\t<b x='1'/>\r\n\t<c y='2'/>\r\n</a>",
            &Limits::default(),
        )
        .unwrap();
        let s = Style::detect(&d);
        assert_eq!(
            (s.quote, s.self_close, s.indent.as_str(), s.eol),
            ('\'', "/>", "\t", "\r\n")
        );
        let d = Document::parse_str("<a>\n    <b x=\"1\" />\n</a>", &Limits::default()).unwrap();
        let s = Style::detect(&d);
        assert_eq!(
            (s.quote, s.self_close, s.indent.as_str(), s.eol),
            ('"', " />", "    ", "\n")
        );
    }

    #[test]
    fn escapes_for_the_quote_and_the_encoding() {
        let mut s = Style::detect(&Document::parse_str("<a/>", &Limits::default()).unwrap());
        let mut out = String::new();
        s.escape_attr("a\"b'c&<d>\te", '"', &mut out);
        assert_eq!(out, "a&quot;b'c&amp;&lt;d>&#x9;e");
        out.clear();
        s.escape_attr("'", '\'', &mut out);
        assert_eq!(out, "&apos;");
        s.encoding = Encoding::Ascii;
        out.clear();
        s.escape_text("é<", &mut out);
        assert_eq!(out, "&#xE9;&lt;");
    }
}
