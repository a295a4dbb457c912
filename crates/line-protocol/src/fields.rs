//! Fields: `field_set = field { "," field }`, `field = field_key "=" field_value`, after
//! the key and one or more spaces, up to an unquoted, unescaped space or the line's end.
//!
//! Kapacitor reads fields twice and tickflow does the same, so that odd input gets the
//! same result: [`field_section`] validates the section (counting `=` and `,` outside
//! strings, checking each value as it goes), then [`FieldPairs`] splits it into keys and
//! values the way Kapacitor's field iterator does. The two disagree only on odd escapes
//! (`a\\=1` passes the first and fails the second with `invalid value: field-key=a\\=1`).
//!
//! Nearly every section is numbers under plain keys (`hotend=219.9,bed=89.8`); [`plain`]
//! reads those in one tight pass and leaves anything else to the full reading.

use memchr::{memchr, memchr3};

use tickflow_model::FieldValue;

use crate::error::{fail, Error, IResult, Reason};
use crate::scan::{find_unescaped, whitespace};
use crate::value::{boolean, lossy, number, plain_number};

/// A field as written: raw key and raw value.
pub(crate) type RawField<'a> = (&'a [u8], &'a [u8]);

/// A field's raw key and its value.
pub(crate) type KeyValue<'a> = (&'a [u8], FieldValue);

/// A validated field section.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldSection<'a> {
    /// The section's text.
    pub(crate) text: &'a [u8],
    /// Whether it has no backslash and no quote. Then Kapacitor's two readings agree, and
    /// the fields `field_section` pushed are the section's fields; otherwise [`FieldPairs`]
    /// has them, to be converted with [`crate::value::field_value`].
    pub(crate) plain: bool,
}

/// `field_set`: skips the whitespace after the key and validates the section; the rest
/// starts at the space after it or at the line's end. While the section is plain, pushes
/// each field's key and value onto `fields`.
///
/// A backslash skips the byte after it; a quote opens or closes a string only where a
/// value is expected (more `=` than `,` seen outside strings). At each `=` outside a
/// string the key must not be empty and the value is checked as a number (starts with a
/// digit, `.`, `-`, `N`, `n`), a string (`"`) or else a boolean.
pub(crate) fn field_section<'a>(
    input: &'a [u8],
    fields: &mut Vec<KeyValue<'a>>,
) -> IResult<'a, FieldSection<'a>> {
    let (input, _) = whitespace(input)?;
    // Kapacitor says `missing field key` when a space precedes this `=`; after a tab or NUL
    // it keeps going and later drops the field with the empty key. tickflow rejects both.
    if input.first() == Some(&b'=') {
        return fail(input, Reason::MissingFieldKey);
    }
    let pushed = fields.len();
    if let Some(section) = plain(input, fields) {
        return Ok(section);
    }
    fields.truncate(pushed);
    full(input, fields)
}

/// The full reading of a section (after its leading whitespace) for what [`plain`] does
/// not take: escapes, strings, booleans, odd numbers and every error.
fn full<'a>(input: &'a [u8], fields: &mut Vec<KeyValue<'a>>) -> IResult<'a, FieldSection<'a>> {
    let (mut equals, mut commas) = (0usize, 0usize);
    // Where the open string started.
    let mut string: Option<usize> = None;
    let (mut plain, mut key_start) = (true, 0);
    let mut i = 0;
    while let Some(&byte) = input.get(i) {
        match byte {
            b'\\' => {
                plain = false;
                if i + 1 < input.len() {
                    i += 2;
                    continue;
                }
            }
            b'"' => {
                plain = false;
                if equals > commas {
                    string = if string.is_some() { None } else { Some(i) };
                }
            }
            b'=' if string.is_none() => {
                equals += 1;
                if matches!(input[i - 1], b' ' | b',') && !(i >= 2 && input[i - 2] == b'\\') {
                    return fail(&input[i..], Reason::MissingFieldKey);
                }
                let value = &input[i + 1..];
                let scanned = match value.first() {
                    None | Some(b',' | b' ') => {
                        return fail(&input[i..], Reason::MissingFieldValue)
                    }
                    Some(b'"') => None,
                    Some(b'0'..=b'9' | b'.' | b'-' | b'N' | b'n') => Some(number(value)?),
                    Some(_) => Some(boolean(value)?),
                };
                if let Some((rest, value)) = scanned {
                    if plain {
                        fields.push((&input[key_start..i], value));
                    }
                    i = input.len() - rest.len();
                    continue;
                }
            }
            b',' if string.is_none() => {
                commas += 1;
                key_start = i + 1;
            }
            b' ' if string.is_none() => break,
            _ => {}
        }
        i += 1;
    }
    if let Some(start) = string {
        return fail(&input[start..], Reason::UnbalancedQuotes);
    }
    if equals == 0 || commas + 1 != equals {
        return fail(input, Reason::InvalidFieldFormat);
    }
    Ok((
        &input[i..],
        FieldSection {
            text: &input[..i],
            plain,
        },
    ))
}

/// The section at the start of `input` if it is only plain numbers under plain keys
/// (`key=number{,key=number}`, no key empty or holding a backslash, quote, comma or
/// space), pushing its fields; `None` for anything else, which the full reading then
/// accepts or rejects. Where it answers, the full reading gives the same section.
fn plain<'a>(
    input: &'a [u8],
    fields: &mut Vec<KeyValue<'a>>,
) -> Option<(&'a [u8], FieldSection<'a>)> {
    let mut i = 0;
    loop {
        let key_start = i;
        loop {
            match *input.get(i)? {
                b'=' => break,
                byte if breaks_plain_key(byte) => return None,
                _ => i += 1,
            }
        }
        if i == key_start {
            return None;
        }
        let (value, len) = plain_number(&input[i + 1..])?;
        fields.push((&input[key_start..i], value));
        i += 1 + len;
        match input.get(i) {
            Some(b',') => i += 1,
            _ => break,
        }
    }
    let section = FieldSection {
        text: &input[..i],
        plain: true,
    };
    Some((&input[i..], section))
}

/// Whether `byte` keeps a key out of the fast readings of a section (an escape, a quote,
/// or a separator).
pub(crate) fn breaks_plain_key(byte: u8) -> bool {
    matches!(byte, b'\\' | b'"' | b',' | b' ')
}

/// The fields of a validated section as Kapacitor's field iterator splits them: each raw
/// key (up to the first `=` that no backslash precedes) with its raw value (up to a comma
/// outside quotes, where only `\"` and `\\` are escapes).
pub(crate) struct FieldPairs<'a> {
    rest: &'a [u8],
}

impl<'a> FieldPairs<'a> {
    pub(crate) fn new(section: FieldSection<'a>) -> Self {
        FieldPairs { rest: section.text }
    }
}

impl<'a> Iterator for FieldPairs<'a> {
    type Item = Result<RawField<'a>, Error<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let input = std::mem::take(&mut self.rest);
        if input.is_empty() {
            return None;
        }
        let key_end = match input.first() {
            Some(b'=') => 0,
            _ => find_unescaped(input, |rest| memchr(b'=', rest)).unwrap_or(input.len()),
        };
        if key_end + 2 > input.len() {
            let key = lossy(&input[..key_end]);
            return Some(Err(Error {
                at: input,
                reason: Reason::InvalidFieldValue { key },
            }));
        }
        let value = &input[key_end + 1..];
        let value_end = value_end(value);
        self.rest = value.get(value_end + 1..).unwrap_or_default();
        Some(Ok((&input[..key_end], &value[..value_end])))
    }
}

/// Where a value ends for Kapacitor's field iterator: at the first comma outside quotes;
/// any quote opens or closes, `\"` and `\\` are skipped.
fn value_end(value: &[u8]) -> usize {
    let mut quoted = false;
    let mut i = 0;
    while let Some(found) = memchr3(b'\\', b'"', b',', &value[i..]) {
        let at = i + found;
        i = at + 1;
        match value[at] {
            b'\\' if matches!(value.get(i), Some(b'"' | b'\\')) => i += 1,
            b'"' => quoted = !quoted,
            b',' if !quoted => return at,
            _ => {}
        }
    }
    value.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(input: &str) -> Result<(&str, &str), Reason> {
        match field_section(input.as_bytes(), &mut Vec::new()) {
            Ok((rest, section)) => Ok((
                std::str::from_utf8(section.text).unwrap(),
                std::str::from_utf8(rest).unwrap(),
            )),
            Err(nom::Err::Failure(e)) => Err(e.reason),
            Err(other) => panic!("{other:?}"),
        }
    }

    fn pairs(text: &str) -> Vec<Result<(String, String), Reason>> {
        let section = FieldSection {
            text: text.as_bytes(),
            plain: false,
        };
        FieldPairs::new(section)
            .map(|pair| {
                pair.map(|(k, v)| (lossy(k), lossy(v)))
                    .map_err(|e| e.reason)
            })
            .collect()
    }

    #[test]
    fn sections_end_at_an_unquoted_space() {
        assert_eq!(
            section("  a=1,b=\"x y\",c=t 123"),
            Ok(("a=1,b=\"x y\",c=t", " 123"))
        );
        assert_eq!(section(" \tvalue=1"), Ok(("value=1", "")));
        assert_eq!(
            section(r#" f="blah"=123,r 1"#),
            Ok((r#"f="blah"=123,r"#, " 1"))
        );
        assert_eq!(section(r" a\ b=1"), Ok((r"a\ b=1", "")));
    }

    #[test]
    fn section_errors() {
        let cases = [
            (" =1", Reason::MissingFieldKey),
            (" a=1,=2", Reason::MissingFieldKey),
            (" \t=1", Reason::MissingFieldKey),
            (" value=", Reason::MissingFieldValue),
            (" value= 1000000000i", Reason::MissingFieldValue),
            (" value=,b=1", Reason::MissingFieldValue),
            (" f=1,g", Reason::InvalidFieldFormat),
            (" f=1,,g=2", Reason::InvalidFieldFormat),
            (" value=1,", Reason::InvalidFieldFormat),
            (" 1434055562000000000i", Reason::InvalidFieldFormat),
            (" ", Reason::InvalidFieldFormat),
            (" value=\"unterminated", Reason::UnbalancedQuotes),
            (" value=\"test\"\"", Reason::UnbalancedQuotes),
            (" value=1\t5", Reason::InvalidNumber),
            (" value=yes", Reason::InvalidBoolean),
        ];
        for (input, reason) in cases {
            assert_eq!(section(input), Err(reason), "{input:?}");
        }
    }

    #[test]
    fn plain_sections_push_their_fields() {
        let mut fields = Vec::new();
        let (_, section) = field_section(b" a=1,bb=-2i,c=true 5", &mut fields).unwrap();
        assert!(section.plain);
        let expected = [
            (&b"a"[..], FieldValue::Float(1.0)),
            (&b"bb"[..], FieldValue::Integer(-2)),
            (&b"c"[..], FieldValue::Boolean(true)),
        ];
        assert_eq!(fields, expected);
        let pairs: Vec<_> = FieldPairs::new(section).map(Result::unwrap).collect();
        assert_eq!(
            pairs,
            [
                (&b"a"[..], &b"1"[..]),
                (&b"bb"[..], &b"-2i"[..]),
                (&b"c"[..], &b"true"[..])
            ]
        );
        let (_, section) = field_section(b" a=1,b=\"x\"", &mut Vec::new()).unwrap();
        assert!(!section.plain);
    }

    proptest::proptest! {
        /// Where the fast reading answers, the full reading gives the same section and
        /// fields.
        #[test]
        fn plain_agrees_with_the_full_reading(text in proptest::prop_oneof![
            "[a-c=,. 0-9i\\\\\"-]{1,16}",
            "([a-c]{1,2}=-?[0-9]{0,3}[.]?[0-9]{0,2}i?,){0,2}[a-c]{1,2}=-?[0-9.]{1,4}i?( [0-9]{1,3})?",
        ]) {
            let input = text.as_bytes();
            let mut fast = Vec::new();
            if let Some((rest, section)) = plain(input, &mut fast) {
                let mut slow = Vec::new();
                let (full_rest, full_section) = full(input, &mut slow).expect("the full reading accepts it");
                proptest::prop_assert_eq!(rest, full_rest);
                proptest::prop_assert_eq!(section.text, full_section.text);
                proptest::prop_assert!(full_section.plain);
                proptest::prop_assert_eq!(fast, slow);
            }
        }
    }

    #[test]
    fn pairs_split_like_kapacitors_iterator() {
        let ok = |k: &str, v: &str| Ok((k.to_string(), v.to_string()));
        assert_eq!(
            pairs(r#"a=1,b="x,y",c=t"#),
            [ok("a", "1"), ok("b", r#""x,y""#), ok("c", "t")]
        );
        assert_eq!(
            pairs(r#"value="foo\\",str2="bar""#),
            [ok("value", r#""foo\\""#), ok("str2", r#""bar""#)]
        );
        let missing_r = Err(Reason::InvalidFieldValue { key: "r".into() });
        assert_eq!(
            pairs(r#"f="blah"=123,r"#),
            [ok("f", r#""blah"=123"#), missing_r]
        );
        assert_eq!(
            pairs(r"a\\=1"),
            [Err(Reason::InvalidFieldValue {
                key: r"a\\=1".into()
            })]
        );
        assert_eq!(pairs(r"x\\=t,y=1"), [ok(r"x\\=t,y", "1")]);
    }
}
