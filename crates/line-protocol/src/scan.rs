//! Byte-scanning building blocks shared by the grammar functions: whitespace and the search
//! for a separator that no backslash escapes, done with `memchr` so the common case (no
//! escapes at all) runs at memory speed.

use nom::bytes::complete::take_while;
use nom::Parser as _;

use crate::error::IResult;

/// Whether `byte` is whitespace that Kapacitor skips where a section starts: space, tab, NUL.
pub(crate) fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\0')
}

/// `whitespace = { " " | TAB | NUL }`
pub(crate) fn whitespace(input: &[u8]) -> IResult<'_, &[u8]> {
    take_while(is_whitespace).parse(input)
}

/// The index of the first byte of `input[1..]` that `find` reports and that does not follow
/// a backslash (Kapacitor's rule for keys: "escaped" means "the previous byte is a
/// backslash", so `\\,` does not end a measurement). The first byte is never a separator:
/// every caller has checked it already.
pub(crate) fn find_unescaped(input: &[u8], find: impl Fn(&[u8]) -> Option<usize>) -> Option<usize> {
    let mut from = 1;
    while from < input.len() {
        let i = from + find(&input[from..])?;
        if input[i - 1] != b'\\' {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

/// Whether `a` and `b` hold the same bytes: for the short names and keys the caches
/// compare on every line, a plain loop beats a call to `memcmp`.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// The offset of `part` (a subslice of `whole`, or its empty end) within `whole`.
pub(crate) fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize)
        .saturating_sub(whole.as_ptr() as usize)
        .min(whole.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_unescaped_separator() {
        let find = |s: &[u8]| find_unescaped(s, |h| memchr::memchr2(b',', b' ', h));
        assert_eq!(find(b"cpu,host"), Some(3));
        assert_eq!(find(br"cpu\,x y"), Some(6));
        assert_eq!(find(br"cpu\\ x"), None);
        assert_eq!(find(b",x"), None);
        assert_eq!(find(b""), None);
    }

    #[test]
    fn offsets_of_subslices() {
        let line = b"cpu value=1";
        assert_eq!(offset_in(line, &line[4..]), 4);
        assert_eq!(offset_in(line, &line[11..]), 11);
    }
}
