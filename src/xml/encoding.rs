//! Character encodings: detect, decode to UTF-8 for parsing, encode back on output.
//!
//! web.config files are UTF-8 (with or without a byte-order mark) almost always, and UTF-16 with a
//! BOM when Visual Studio saved them that way. webxsl also honours US-ASCII, ISO-8859-1 and
//! windows-1252 declarations, which are one byte per character. Anything else is refused with a
//! clear error rather than guessed: a wrong guess corrupts configuration silently.
//!
//! The detected [`TextEncoding`] (encoding + BOM) is kept with the document, so that the output is
//! written back exactly as the input was.

use crate::diag::Pos;
use crate::xml::error::XmlError;

/// An encoding webxsl can read and write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8.
    Utf8,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// US-ASCII: 7-bit, a subset of UTF-8.
    Ascii,
    /// ISO-8859-1 (Latin-1): one byte per character, U+0000..U+00FF.
    Latin1,
    /// windows-1252: Latin-1 with printable characters in 0x80..0x9F.
    Windows1252,
}

/// An encoding plus whether the file starts with a byte-order mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TextEncoding {
    /// The character encoding.
    pub encoding: Encoding,
    /// Whether the file starts with a byte-order mark.
    pub bom: bool,
}

impl TextEncoding {
    /// UTF-8 without a BOM: the default for new files.
    pub const UTF8: TextEncoding = TextEncoding {
        encoding: Encoding::Utf8,
        bom: false,
    };
}

impl Encoding {
    /// The name as written in an XML declaration.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16Le | Encoding::Utf16Be => "utf-16",
            Encoding::Ascii => "us-ascii",
            Encoding::Latin1 => "iso-8859-1",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    /// Looks up an encoding by its declared name (case-insensitive). UTF-16 without a byte order
    /// gives little-endian; the BOM decides in practice.
    pub fn from_label(label: &str) -> Option<Encoding> {
        let l = label.trim().to_ascii_lowercase();
        Some(match l.as_str() {
            "utf-8" | "utf8" => Encoding::Utf8,
            "utf-16" | "utf16" | "utf-16le" | "ucs-2" | "unicode" => Encoding::Utf16Le,
            "utf-16be" => Encoding::Utf16Be,
            "us-ascii" | "ascii" | "iso646-us" => Encoding::Ascii,
            "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" | "iso_8859-1" => {
                Encoding::Latin1
            }
            "windows-1252" | "cp1252" | "x-cp1252" => Encoding::Windows1252,
            _ => return None,
        })
    }

    /// Whether `c` can be written in this encoding as a character (otherwise it needs a
    /// character reference).
    pub fn can_encode(self, c: char) -> bool {
        match self {
            Encoding::Utf8 | Encoding::Utf16Le | Encoding::Utf16Be => true,
            Encoding::Ascii => c.is_ascii(),
            Encoding::Latin1 => (c as u32) < 0x100,
            Encoding::Windows1252 => {
                (c as u32) < 0x80
                    || ((c as u32) >= 0xA0 && (c as u32) < 0x100)
                    || cp1252_byte(c).is_some()
            }
        }
    }
}

/// windows-1252's 0x80..=0x9F block. Undefined bytes map to the C1 control of the same value, as
/// the WHATWG encoding standard does.
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
];

fn cp1252_byte(c: char) -> Option<u8> {
    CP1252_HIGH
        .iter()
        .position(|&u| u as u32 == c as u32)
        .map(|i| 0x80 + i as u8)
}

/// Whether `bytes` announce UTF-8 (a UTF-8 BOM, or no other BOM, no UTF-16/32 start and no
/// other declared encoding): their text is then the bytes themselves, less the BOM.
pub fn is_utf8_encoded(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xEF, 0xBB, 0xBF])
        || !(bytes.starts_with(&[0xFF, 0xFE])
            || bytes.starts_with(&[0xFE, 0xFF])
            || bytes.starts_with(&[b'<', 0])
            || bytes.starts_with(&[0, b'<'])
            || bytes.starts_with(&[0, 0]))
            && declared_encoding(bytes)
                .is_none_or(|label| Encoding::from_label(&label) == Some(Encoding::Utf8))
}

/// [`decode`] for bytes the caller gives up: UTF-8 input (the usual case) becomes the text
/// without a copy.
pub fn decode_owned(bytes: Vec<u8>) -> Result<(String, TextEncoding), XmlError> {
    decode_owned_or_back(bytes).map_err(|(e, _)| e)
}

/// [`decode_owned`] that gives the bytes back with an error.
pub fn decode_owned_or_back(
    mut bytes: Vec<u8>,
) -> Result<(String, TextEncoding), (XmlError, Vec<u8>)> {
    if !is_utf8_encoded(&bytes) {
        return decode(&bytes).map_err(|e| (e, bytes));
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    if bom {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((
            text,
            TextEncoding {
                encoding: Encoding::Utf8,
                bom,
            },
        )),
        Err(e) => {
            // Let `decode` report the error, from the original bytes.
            let mut original = if bom {
                vec![0xEF, 0xBB, 0xBF]
            } else {
                Vec::new()
            };
            original.extend_from_slice(e.as_bytes());
            let decoded = decode(&original);
            decoded.map_err(|e| (e, original))
        }
    }
}

/// Decodes a file's bytes: BOM first, then the XML declaration's `encoding`, then UTF-8.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), XmlError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let text = decode_utf8(rest)?;
        return Ok((
            text,
            TextEncoding {
                encoding: Encoding::Utf8,
                bom: true,
            },
        ));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let text = decode_utf16(rest, false)?;
        return Ok((
            text,
            TextEncoding {
                encoding: Encoding::Utf16Le,
                bom: true,
            },
        ));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let text = decode_utf16(rest, true)?;
        return Ok((
            text,
            TextEncoding {
                encoding: Encoding::Utf16Be,
                bom: true,
            },
        ));
    }
    // UTF-16 without a BOM is recognisable by the zero bytes around '<' (XML 1.0 appendix F).
    if bytes.starts_with(&[b'<', 0, b'?', 0]) {
        let text = decode_utf16(bytes, false)?;
        return Ok((
            text,
            TextEncoding {
                encoding: Encoding::Utf16Le,
                bom: false,
            },
        ));
    }
    if bytes.starts_with(&[0, b'<', 0, b'?']) {
        let text = decode_utf16(bytes, true)?;
        return Ok((
            text,
            TextEncoding {
                encoding: Encoding::Utf16Be,
                bom: false,
            },
        ));
    }
    if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return Err(XmlError::Encoding {
            message: "UTF-32 is not supported: save the file as UTF-8".into(),
            pos: Pos::new(1, 1),
        });
    }
    let declared = declared_encoding(bytes);
    let encoding = match &declared {
        None => Encoding::Utf8,
        Some(label) => match Encoding::from_label(label) {
            Some(Encoding::Utf16Le | Encoding::Utf16Be) => {
                return Err(XmlError::Encoding {
                    message: format!(
                        "the XML declaration says encoding=\"{label}\", but the file has no UTF-16 byte-order mark and is not UTF-16"
                    ),
                    pos: Pos::new(1, 1),
                });
            }
            Some(e) => e,
            None => {
                return Err(XmlError::Encoding {
                    message: format!(
                        "unsupported encoding \"{label}\": webxsl reads UTF-8, UTF-16, US-ASCII, ISO-8859-1 and windows-1252; save the file as UTF-8"
                    ),
                    pos: decl_encoding_pos(bytes),
                });
            }
        },
    };
    let text = match encoding {
        Encoding::Utf8 => decode_utf8(bytes)?,
        Encoding::Ascii => {
            if let Some(i) = bytes.iter().position(|b| !b.is_ascii()) {
                return Err(XmlError::Encoding {
                    message: format!(
                        "byte 0x{:02X} is not US-ASCII, but the file declares encoding=\"us-ascii\"",
                        bytes[i]
                    ),
                    pos: byte_pos(bytes, i),
                });
            }
            // Checked above: every byte is ASCII.
            String::from_utf8(bytes.to_vec()).expect("ASCII is UTF-8")
        }
        Encoding::Latin1 => bytes.iter().map(|&b| b as char).collect(),
        Encoding::Windows1252 => bytes
            .iter()
            .map(|&b| {
                if (0x80..0xA0).contains(&b) {
                    char::from_u32(CP1252_HIGH[(b - 0x80) as usize] as u32).unwrap_or('\u{FFFD}')
                } else {
                    b as char
                }
            })
            .collect(),
        Encoding::Utf16Le | Encoding::Utf16Be => unreachable!("handled above"),
    };
    Ok((
        text,
        TextEncoding {
            encoding,
            bom: false,
        },
    ))
}

/// The position of a byte offset in a (possibly not yet decoded) byte string, counting lines by
/// LF and columns by UTF-8 characters of the valid prefix.
fn byte_pos(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset.min(bytes.len())];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = 1 + String::from_utf8_lossy(&before[start..]).chars().count();
    Pos::new(line as u32, col as u32)
}

fn decode_utf8(bytes: &[u8]) -> Result<String, XmlError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let at = e.valid_up_to();
            Err(XmlError::Encoding {
                message: format!(
                    "invalid UTF-8 (byte 0x{:02X}); if the file is in another encoding, declare it, e.g. <?xml version=\"1.0\" encoding=\"windows-1252\"?>",
                    bytes[at]
                ),
                pos: byte_pos(bytes, at),
            })
        }
    }
}

fn decode_utf16(bytes: &[u8], big_endian: bool) -> Result<String, XmlError> {
    let units = bytes.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => text.push(c),
            Err(e) => {
                let pos = crate::diag::line_col(&text, text.len());
                return Err(XmlError::Encoding {
                    message: format!(
                        "invalid UTF-16: unpaired surrogate 0x{:04X}",
                        e.unpaired_surrogate()
                    ),
                    pos,
                });
            }
        }
    }
    if bytes.len() % 2 == 1 {
        let pos = crate::diag::line_col(&text, text.len());
        return Err(XmlError::Encoding {
            message: "invalid UTF-16: the file has an odd number of bytes (truncated?)".into(),
            pos,
        });
    }
    Ok(text)
}

/// The `encoding` pseudo-attribute of an XML declaration at the start of `bytes`, if any.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let (start, end) = decl_encoding_range(bytes)?;
    Some(String::from_utf8_lossy(&bytes[start..end]).into_owned())
}

fn decl_encoding_pos(bytes: &[u8]) -> Pos {
    decl_encoding_range(bytes).map_or(Pos::new(1, 1), |(s, _)| byte_pos(bytes, s))
}

/// Byte range of the `encoding` value inside `<?xml ... ?>` at the start of the input.
fn decl_encoding_range(bytes: &[u8]) -> Option<(usize, usize)> {
    if !bytes.starts_with(b"<?xml") {
        return None;
    }
    let end = bytes.windows(2).take(512).position(|w| w == b"?>")?;
    let decl = &bytes[..end];
    let key = decl.windows(8).position(|w| w == b"encoding")?;
    let mut i = key + 8;
    while i < decl.len() && decl[i].is_ascii_whitespace() {
        i += 1;
    }
    if decl.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while i < decl.len() && decl[i].is_ascii_whitespace() {
        i += 1;
    }
    let quote = *decl.get(i)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let start = i + 1;
    let len = decl[start..].iter().position(|&b| b == quote)?;
    Some((start, start + len))
}

/// An error while encoding: a character the target encoding cannot represent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("character U+{:04X} cannot be written in {encoding} at byte {offset}", *.ch as u32)]
pub struct EncodeError {
    /// The character.
    pub ch: char,
    /// Its byte offset in the text.
    pub offset: usize,
    /// The encoding's name.
    pub encoding: &'static str,
}

/// [`encode`] for a text that is not needed afterwards: UTF-8 without a byte order mark reuses
/// its buffer instead of copying it.
pub fn encode_owned(text: String, enc: TextEncoding) -> Result<Vec<u8>, EncodeError> {
    if enc.encoding == Encoding::Utf8 && !enc.bom {
        return Ok(text.into_bytes());
    }
    encode(&text, enc)
}

/// Encodes `text` in `enc`, with a BOM if `enc.bom`. Fails on a character the encoding cannot
/// represent; writers escape such characters as character references before calling this.
pub fn encode(text: &str, enc: TextEncoding) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(text.len() + 3);
    crate::xml::pages::advise_huge(&out);
    match enc.encoding {
        Encoding::Utf8 => {
            if enc.bom {
                out.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
            }
            out.extend_from_slice(text.as_bytes());
        }
        Encoding::Utf16Le | Encoding::Utf16Be => {
            out.reserve(text.len());
            let be = enc.encoding == Encoding::Utf16Be;
            if enc.bom {
                out.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
            }
            for u in text.encode_utf16() {
                out.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
        }
        Encoding::Ascii | Encoding::Latin1 | Encoding::Windows1252 => {
            for (offset, ch) in text.char_indices() {
                let b = match enc.encoding {
                    Encoding::Ascii if ch.is_ascii() => Some(ch as u8),
                    Encoding::Latin1 if (ch as u32) < 0x100 => Some(ch as u32 as u8),
                    Encoding::Windows1252
                        if (ch as u32) < 0x80 || (0xA0..0x100).contains(&(ch as u32)) =>
                    {
                        Some(ch as u32 as u8)
                    }
                    Encoding::Windows1252 => cp1252_byte(ch),
                    _ => None,
                };
                match b {
                    Some(b) => out.push(b),
                    None => {
                        return Err(EncodeError {
                            ch,
                            offset,
                            encoding: enc.encoding.name(),
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Dominant line ending of a text, for writing new lines the way the file does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
}

impl LineEnding {
    /// The characters.
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
        }
    }

    /// The most common line ending in `text` (LF when there is none or a tie).
    pub fn detect(text: &str) -> LineEnding {
        let b = text.as_bytes();
        let (mut lf, mut crlf) = (0usize, 0usize);
        for i in memchr::memchr_iter(b'\n', b) {
            lf += 1;
            crlf += usize::from(i > 0 && b[i - 1] == b'\r');
        }
        if crlf * 2 > lf {
            LineEnding::CrLf
        } else {
            LineEnding::Lf
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_owned_agrees_with_decode() {
        let cases: &[&[u8]] = &[
            b"<a/>",
            b"\xEF\xBB\xBF<a>\xC3\xA9</a>",
            b"<?xml version='1.0' encoding='utf-8'?><a/>",
            b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\xE9</a>",
            b"<?xml version='1.0' encoding='windows-1252'?><a>\x80</a>",
            b"\xFF\xFE<\0a\0/\0>\0",
            b"<\0?\0x\0",
            b"<a>\xFF</a>",
            b"\xEF\xBB\xBF<a>\xC3</a>",
            b"<?xml version='1.0' encoding='klingon'?><a/>",
            b"",
        ];
        for &bytes in cases {
            let owned = decode_owned(bytes.to_vec()).map_err(|e| e.to_string());
            let borrowed = decode(bytes).map_err(|e| e.to_string());
            assert_eq!(owned, borrowed, "{bytes:?}");
        }
    }

    fn roundtrip(bytes: &[u8]) -> TextEncoding {
        let (text, enc) = decode(bytes).unwrap();
        assert_eq!(encode(&text, enc).unwrap(), bytes);
        enc
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(roundtrip(b"<a>\xC3\xA9</a>"), TextEncoding::UTF8);
        let e = roundtrip(b"\xEF\xBB\xBF<a/>");
        assert!(e.bom && e.encoding == Encoding::Utf8);
    }

    #[test]
    fn utf16_both_orders_with_and_without_bom() {
        let s = "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<a b='é€𝄞'/>";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(roundtrip(&le).encoding, Encoding::Utf16Le);
        assert_eq!(roundtrip(&be).encoding, Encoding::Utf16Be);
        let e = roundtrip(&le[2..]);
        assert!(!e.bom && e.encoding == Encoding::Utf16Le);
        let e = roundtrip(&be[2..]);
        assert!(!e.bom && e.encoding == Encoding::Utf16Be);
    }

    #[test]
    fn single_byte_encodings() {
        let latin = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\xE9</a>";
        let (t, e) = decode(latin).unwrap();
        assert!(t.contains('é'));
        assert_eq!(e.encoding, Encoding::Latin1);
        assert_eq!(encode(&t, e).unwrap(), latin);
        let cp = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x80\x96</a>";
        let (t, e) = decode(cp).unwrap();
        assert!(t.contains("€–"));
        assert_eq!(encode(&t, e).unwrap(), cp);
        assert!(!Encoding::Latin1.can_encode('€'));
        assert!(Encoding::Windows1252.can_encode('€'));
        let err = encode(
            "€",
            TextEncoding {
                encoding: Encoding::Latin1,
                bom: false,
            },
        )
        .unwrap_err();
        assert_eq!(err.ch, '€');
    }

    #[test]
    fn invalid_utf8_has_a_position() {
        let err = decode(b"<a>\n  <b>\xFF</b></a>").unwrap_err();
        assert_eq!(err.pos(), Pos::new(2, 6));
        assert!(err.to_string().contains("invalid UTF-8"), "{err}");
    }

    #[test]
    fn ascii_declaration_rejects_high_bytes() {
        let err =
            decode(b"<?xml version='1.0' encoding='us-ascii'?>\n<a>\xC3\xA9</a>").unwrap_err();
        assert_eq!(err.pos(), Pos::new(2, 4));
    }

    #[test]
    fn unpaired_surrogate_and_odd_length() {
        let mut b = vec![0xFF, 0xFE];
        for u in "<a>".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let mut lone = b.clone();
        lone.extend_from_slice(&0xD800u16.to_le_bytes());
        lone.extend_from_slice(&(b'x' as u16).to_le_bytes());
        let err = decode(&lone).unwrap_err();
        assert!(err.to_string().contains("surrogate"), "{err}");
        assert_eq!(err.pos(), Pos::new(1, 4));
        let mut odd = b.clone();
        odd.push(b'x');
        assert!(decode(&odd).unwrap_err().to_string().contains("odd number"));
    }

    #[test]
    fn unsupported_and_inconsistent_declarations() {
        let err = decode(b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a/>").unwrap_err();
        assert!(
            err.to_string()
                .contains("unsupported encoding \"Shift_JIS\""),
            "{err}"
        );
        assert_eq!(err.pos(), Pos::new(1, 31));
        let err = decode(b"<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>").unwrap_err();
        assert!(
            err.to_string().contains("no UTF-16 byte-order mark"),
            "{err}"
        );
        assert!(decode(b"\0\0\xFE\xFF").is_err());
    }

    #[test]
    fn line_endings() {
        assert_eq!(LineEnding::detect("a\r\nb\r\nc\n"), LineEnding::CrLf);
        assert_eq!(LineEnding::detect("a\nb\r\nc\n"), LineEnding::Lf);
        assert_eq!(LineEnding::detect(""), LineEnding::Lf);
    }
}
