//! Byte scans eight bytes at a time: the exact word tests ("has a byte below n", "has this
//! byte") that let a scan skip a word none of whose bytes it needs to look at. The parser's
//! attribute-value scan, the patch layer's escaping and the header-value check use them.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `b` from `i` as one word, if there are eight.
#[inline]
pub(crate) fn word_at(b: &[u8], i: usize) -> Option<u64> {
    let word = b.get(i..i.checked_add(8)?)?;
    Some(u64::from_le_bytes(word.try_into().expect("eight bytes")))
}

/// Whether a byte of `x` is below `n` (exact for `n` up to 0x80).
#[inline]
pub(crate) fn has_below(x: u64, n: u8) -> bool {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS != 0
}

/// Whether a byte of `x` is `c`.
#[inline]
pub(crate) fn has_byte(x: u64, c: u8) -> bool {
    has_below(x ^ (ONES * u64::from(c)), 1)
}

/// Whether a byte of `x` is past ASCII.
#[inline]
pub(crate) fn has_high(x: u64) -> bool {
    x & HIGHS != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each test against its byte-by-byte definition, for every byte value at every place of a
    /// word whose other bytes are every value too (in steps).
    #[test]
    fn word_tests_say_what_the_bytes_say() {
        for fill in (0..=255u8).step_by(17) {
            for at in 0..8 {
                for v in 0..=255u8 {
                    let mut bytes = [fill; 8];
                    bytes[at] = v;
                    let x = word_at(&bytes, 0).unwrap();
                    for n in [1u8, 0x20, 0x3D, 0x80] {
                        assert_eq!(
                            has_below(x, n),
                            bytes.iter().any(|&b| b < n),
                            "{bytes:?} < {n}"
                        );
                    }
                    for c in [0u8, b'&', b'"', 0x7F, 0xC2, 0xEF, 0xFF] {
                        assert_eq!(has_byte(x, c), bytes.contains(&c), "{bytes:?} has {c}");
                    }
                    assert_eq!(has_high(x), bytes.iter().any(|&b| b >= 0x80));
                }
            }
        }
        assert_eq!(word_at(b"1234567", 0), None);
        assert_eq!(word_at(b"12345678", 1), None);
    }
}
