//! Tags: `tag_set = tag { "," tag }`, `tag = tag_key "=" tag_value`, after the
//! measurement's comma and up to the space before the fields.
//!
//! Keys and values end at an unescaped separator (the previous byte is not a backslash).
//! A value must be non-empty and must not hold an unescaped `=`. Duplicate keys are found
//! when the set is built ([`tag_map`]), which is skipped for a set seen before.

use memchr::memchr3;
use tickflow_model::{Str, Tags};

use crate::error::{fail, Error, IResult, Reason};
use crate::scan::find_unescaped;

/// A tag as written: raw key and raw value.
pub(crate) type RawTag<'a> = (&'a [u8], &'a [u8]);

/// `tag_set`: validates the tags, pushes each onto `tags` and returns the raw set (from
/// the first key to the end of the last value); the rest starts at the space.
pub(crate) fn tag_set<'a>(input: &'a [u8], tags: &mut Vec<RawTag<'a>>) -> IResult<'a, &'a [u8]> {
    let mut rest = input;
    loop {
        let (after_key, key) = tag_key(rest)?;
        let (after_value, (value, more)) = tag_value(after_key)?;
        tags.push((key, value));
        rest = after_value;
        if !more {
            return Ok((rest, &input[..input.len() - rest.len()]));
        }
    }
}

/// `tag_key`: up to the first unescaped `=`; the rest starts after it.
fn tag_key(input: &[u8]) -> IResult<'_, &[u8]> {
    if matches!(input.first(), None | Some(b' ' | b',' | b'=')) {
        return fail(input, Reason::MissingTagKey);
    }
    match find_unescaped(input, |rest| memchr3(b'=', b' ', b',', rest)) {
        Some(end) if input[end] == b'=' => Ok((&input[end + 1..], &input[..end])),
        Some(end) => fail(&input[end..], Reason::MissingTagValue),
        None => fail(&input[input.len()..], Reason::MissingTagValue),
    }
}

/// `tag_value`: up to an unescaped `,` (another tag follows: `true`, the rest starts after
/// it) or space (the fields follow: `false`, the rest starts at it).
fn tag_value(input: &[u8]) -> IResult<'_, (&[u8], bool)> {
    if matches!(input.first(), None | Some(b' ' | b',')) {
        return fail(input, Reason::MissingTagValue);
    }
    match find_unescaped(input, |rest| memchr3(b'=', b',', b' ', rest)) {
        Some(end) if input[end] == b'=' => fail(&input[end..], Reason::InvalidTagFormat),
        Some(end) if input[end] == b',' => Ok((&input[end + 1..], (&input[..end], true))),
        Some(end) => Ok((&input[end..], (&input[..end], false))),
        None => fail(&input[input.len()..], Reason::MissingFields),
    }
}

/// Builds the sorted tag map from `tags`, each key and value made a string by `text`; a
/// key that repeats fails at its second occurrence.
pub(crate) fn tag_map<'a>(
    tags: &[RawTag<'a>],
    mut text: impl FnMut(&[u8]) -> Str,
) -> Result<Tags, Error<'a>> {
    let mut pairs: Vec<(Str, Str, &'a [u8])> = tags
        .iter()
        .map(|&(key, value)| (text(key), text(value), key))
        .collect();
    // Stable: of two equal keys, the later one is second.
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(dup) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(Error {
            at: dup[1].2,
            reason: Reason::DuplicateTags,
        });
    }
    Ok(Tags::from_unsorted(
        pairs
            .into_iter()
            .map(|(key, value, _)| (key, value))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &[u8]) -> Result<(Vec<RawTag<'_>>, &[u8]), Reason> {
        let mut tags = Vec::new();
        match tag_set(input, &mut tags) {
            Ok((rest, _)) => Ok((tags, rest)),
            Err(nom::Err::Failure(e)) => Err(e.reason),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn splits_keys_and_values() {
        let (tags, rest) = parse(br"host=a,tag\ key=val\,ue v=1").unwrap();
        assert_eq!(
            tags,
            [
                (&b"host"[..], &b"a"[..]),
                (&br"tag\ key"[..], &br"val\,ue"[..])
            ]
        );
        assert_eq!(rest, b" v=1");
        let (tags, _) = parse(br"regions=east\\  v=1").unwrap();
        assert_eq!(tags, [(&b"regions"[..], &br"east\\ "[..])]);
    }

    #[test]
    fn errors() {
        let cases: [(&[u8], Reason); 10] = [
            (b"", Reason::MissingTagKey),
            (b" value=1", Reason::MissingTagKey),
            (b"=a value=1", Reason::MissingTagKey),
            (b"host value=1", Reason::MissingTagValue),
            (b"host= value=1", Reason::MissingTagValue),
            (b"host", Reason::MissingTagValue),
            (b"host==", Reason::MissingFields),
            (b"host=a=b value=1", Reason::InvalidTagFormat),
            (br"t=\\ value=1", Reason::InvalidTagFormat),
            (b"host=a\tvalue=1", Reason::InvalidTagFormat),
        ];
        for (input, reason) in cases {
            assert_eq!(
                parse(input).map(|_| ()),
                Err(reason),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn duplicate_keys_fail_at_the_second() {
        let line = b"b=2,a=1,b=3";
        let tags = [
            (&line[0..1], &line[2..3]),
            (&line[4..5], &line[6..7]),
            (&line[8..9], &line[10..11]),
        ];
        let err = tag_map(&tags, |b| Str::from(String::from_utf8_lossy(b))).unwrap_err();
        assert_eq!(
            (err.reason, crate::scan::offset_in(line, err.at)),
            (Reason::DuplicateTags, 8)
        );
    }
}
