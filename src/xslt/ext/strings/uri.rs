//! `str:encode-uri` and `str:decode-uri` on plain strings, as libexslt does them with
//! libxml2's `xmlURIEscapeStr` and `xmlURIUnescapeString`.
//!
//! libexslt quirks reproduced here: `@` never escaped, `#` escaped even when reserved
//! characters are kept, malformed `%` escapes kept as they are, decoding stopped at a decoded
//! NUL byte, and an empty result for bytes that are not UTF-8. Not reproduced: libexslt passes
//! overlong forms, surrogates and code points past U+10FFFF through as invalid UTF-8; here
//! they give an empty result like any other invalid UTF-8.

/// Characters never escaped besides ASCII letters and digits: RFC 2396's marks, and `@`, which
/// `xmlURIEscapeStr` always leaves alone.
const UNRESERVED: &[u8] = b"-_.!~*'()@";

/// Reserved characters left alone when `escape-reserved` is false: RFC 2396's reserved set
/// with `[` and `]` (libexslt's list), but without `#`.
const RESERVED: &[u8] = b";/?:&=+$,[]";

/// `str:encode-uri`: every UTF-8 byte of `s` that is not an ASCII letter or digit, one of
/// [`UNRESERVED`], or (if `escape_reserved` is false) one of [`RESERVED`], written `%XX` with
/// upper-case hex digits. `%` itself is escaped (`%20` becomes `%2520`).
pub(super) fn encode_uri(s: &str, escape_reserved: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || UNRESERVED.contains(&b)
            || (!escape_reserved && RESERVED.contains(&b));
        if keep {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// `str:decode-uri`: every `%` followed by two hex digits (either case) is the byte they
/// spell; anything else, a lone or short `%` included, is kept as it is (`+` is not a space).
/// As in libexslt, the result stops at a decoded NUL byte (`a%00b` is `a`: C strings), and is
/// empty if the bytes are not UTF-8. libexslt only checks UTF-8's byte patterns, so it lets
/// overlong forms, surrogates and code points past U+10FFFF through as invalid UTF-8; no Rust
/// string can hold them, so here they are not UTF-8 either: the result is empty.
pub(super) fn decode_uri(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let escape = match b.get(i..i + 3) {
            Some(&[b'%', h, l]) => hex(h).zip(hex(l)),
            _ => None,
        };
        match escape {
            Some((hi, lo)) => {
                let byte = hi << 4 | lo;
                if byte == 0 {
                    break;
                }
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The value of a hex digit.
fn hex(c: u8) -> Option<u8> {
    char::from(c).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_everything() {
        assert_eq!(
            encode_uri("a b/c?d=e&f#g", true),
            "a%20b%2Fc%3Fd%3De%26f%23g"
        );
        assert_eq!(
            encode_uri(" !\"#$%&()*+,-./09:;<=>?@AZ[\\]^_`az{|}~'", true),
            "%20!%22%23%24%25%26()*%2B%2C-.%2F09%3A%3B%3C%3D%3E%3F@AZ%5B%5C%5D%5E_%60az%7B%7C%7D~'"
        );
        assert_eq!(encode_uri("%20%", true), "%2520%25");
        assert_eq!(encode_uri("\t\n\r", true), "%09%0A%0D");
        assert_eq!(encode_uri("", true), "");
    }

    #[test]
    fn encode_keeps_reserved_but_not_hash() {
        assert_eq!(encode_uri("a b/c?d=e&f#g", false), "a%20b/c?d=e&f%23g");
        assert_eq!(
            encode_uri(" !\"#$%&()*+,-./09:;<=>?@AZ[\\]^_`az{|}~'", false),
            "%20!%22%23$%25&()*+,-./09:;%3C=%3E?@AZ[%5C]%5E_%60az%7B%7C%7D~'"
        );
    }

    #[test]
    fn encode_non_ascii_as_utf8_bytes() {
        assert_eq!(
            encode_uri("café 日本", true),
            "caf%C3%A9%20%E6%97%A5%E6%9C%AC"
        );
        assert_eq!(encode_uri("ÿ€𝄞", false), "%C3%BF%E2%82%AC%F0%9D%84%9E");
    }

    #[test]
    fn decode_escapes() {
        assert_eq!(decode_uri("a%20b"), "a b");
        assert_eq!(decode_uri("caf%C3%A9%20%E6%97%A5"), "café 日");
        assert_eq!(decode_uri("caf%c3%a9"), "café");
        assert_eq!(decode_uri("a%2Fb%3f"), "a/b?");
        assert_eq!(decode_uri("a+b"), "a+b");
        assert_eq!(decode_uri("%25252"), "%252");
        assert_eq!(decode_uri("日本%20"), "日本 ");
        assert_eq!(decode_uri(""), "");
    }

    #[test]
    fn decode_keeps_broken_escapes() {
        assert_eq!(decode_uri("%"), "%");
        assert_eq!(decode_uri("a%2"), "a%2");
        assert_eq!(decode_uri("a%zzb"), "a%zzb");
        assert_eq!(decode_uri("%%41"), "%A");
    }

    #[test]
    fn decode_stops_at_nul_and_refuses_invalid_utf8() {
        assert_eq!(decode_uri("a%00b"), "a");
        assert_eq!(decode_uri("a%00%FF"), "a");
        assert_eq!(decode_uri("%E9"), "");
        assert_eq!(decode_uri("x%E9y"), "");
        assert_eq!(decode_uri("%C3"), "");
        assert_eq!(decode_uri("%E2%98"), "");
        // Byte patterns of UTF-8 that libexslt passes through; not characters.
        assert_eq!(decode_uri("%C0%80x"), "");
        assert_eq!(decode_uri("%ED%A0%80"), "");
        assert_eq!(decode_uri("%F4%90%80%80"), "");
    }

    #[test]
    fn round_trip() {
        for s in ["café/日本 x", "a%b", "", "𝄞?#"] {
            assert_eq!(decode_uri(&encode_uri(s, true)), s);
            assert_eq!(decode_uri(&encode_uri(s, false)), s);
        }
    }
}
