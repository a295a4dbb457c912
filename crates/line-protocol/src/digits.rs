//! Up to eight decimal digits read at once: the bytes are loaded as one little-endian word,
//! the digits found with a few mask operations, and their value combined in three
//! multiplications instead of one multiply-add per digit. Timestamps (19 digits) and the
//! parts of field values are read this way.

/// Exact powers of ten up to 10^8, as integers.
pub(crate) const POW10: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

const ZEROS: u64 = u64::from_le_bytes([b'0'; 8]);
const HIGH_NIBBLES: u64 = u64::from_le_bytes([0xf0; 8]);
const SIXES: u64 = u64::from_le_bytes([0x06; 8]);

/// The digits at the start of `text`, at most eight: their value and how many there are.
/// `None` when fewer than eight bytes remain (the caller reads those one by one).
#[inline]
pub(crate) fn leading(text: &[u8]) -> Option<(u64, usize)> {
    let word = word(text)?;
    let count = count(word);
    Some((value(word, count), count))
}

/// How many decimal digits `text` starts with.
pub(crate) fn run(text: &[u8]) -> usize {
    let mut length = 0;
    while let Some(word) = word(&text[length..]) {
        let taken = count(word);
        length += taken;
        if taken < 8 {
            return length;
        }
    }
    length
        + text[length..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
}

/// The first eight bytes of `text` as a little-endian word.
#[inline]
fn word(text: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(text.get(..8)?.try_into().ok()?))
}

/// How many of the word's bytes, from the first, are digits.
#[inline]
fn count(word: u64) -> usize {
    // A byte is a digit when its high nibble is 3 and adding 6 keeps it 3 (low nibble
    // at most 9). A carry out of a non-digit byte can only spoil the bytes after it.
    let misfits =
        ((word & HIGH_NIBBLES) ^ ZEROS) | ((word.wrapping_add(SIXES) & HIGH_NIBBLES) ^ ZEROS);
    (misfits.trailing_zeros() / 8) as usize
}

/// The value of the first `count` (0 to 8) digit bytes of `word`.
#[inline]
fn value(word: u64, count: usize) -> u64 {
    if count == 0 {
        return 0;
    }
    // Move the digit bytes to the top, dropping the rest: the zero bytes shifted in below
    // read as leading zeros. Then keep each byte's low nibble, its digit.
    let digits = (word << (64 - 8 * count as u32)) & 0x0f0f_0f0f_0f0f_0f0f;
    // Pairs, then quadruples, then the whole: each step joins neighbouring lanes.
    let pairs = (digits.wrapping_mul(10 * 256 + 1)) >> 8;
    let quads = ((pairs & 0x00ff_00ff_00ff_00ff).wrapping_mul(100 * 65_536 + 1)) >> 16;
    ((quads & 0x0000_ffff_0000_ffff).wrapping_mul(10_000 * (1 << 32) + 1)) >> 32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_the_leading_digits() {
        assert_eq!(leading(b"12345678"), Some((12_345_678, 8)));
        assert_eq!(leading(b"123456789"), Some((12_345_678, 8)));
        assert_eq!(leading(b"219.9279"), Some((219, 3)));
        assert_eq!(leading(b"00000007 "), Some((7, 8)));
        assert_eq!(leading(b",1234567"), Some((0, 0)));
        assert_eq!(leading(b"9:/ `~\xff\xfa"), Some((9, 1)));
        assert_eq!(leading(b"1234567"), None);
    }

    #[test]
    fn runs_of_any_length() {
        assert_eq!(run(b""), 0);
        assert_eq!(run(b"12"), 2);
        assert_eq!(run(b"1451606400000000000"), 19);
        assert_eq!(run(b"1451606400000000000 \n"), 19);
        assert_eq!(run(b"123456789x123"), 9);
        assert_eq!(run(b"x1"), 0);
    }

    proptest! {
        #[test]
        fn agrees_with_reading_byte_by_byte(bytes in proptest::collection::vec(any::<u8>(), 8..12), digits in "[0-9]{0,8}") {
            let mut text = digits.clone().into_bytes();
            text.extend(&bytes);
            let expected_count = text.iter().take(8).take_while(|b| b.is_ascii_digit()).count();
            let expected: u64 = text[..expected_count].iter().fold(0, |n, b| n * 10 + u64::from(b - b'0'));
            prop_assert_eq!(leading(&text), Some((expected, expected_count)));
        }
    }
}
