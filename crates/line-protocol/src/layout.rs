//! [`FieldLayout`]: a line's fields in key order, of repeated keys the last one
//! (Kapacitor's "last one wins", type included).
//!
//! The lines of one series have the same field keys in the same order, so the order
//! worked out for one line is kept and reused while the keys stay the same: no sorting and
//! no key lookups for the next line, only a comparison of its raw keys with the last ones.
//! The sorted keys are interned ([`SortedKeys::interned`]), so the points of a series
//! share their keys without a reference count and each point allocates only its values.

use tickflow_model::{EcoVec, FieldValue, Fields, SortedKeys, Str};

use crate::error::{field_key_length, MAX_KEY_LENGTH};
use crate::escape::is_verbatim;
use crate::fields::{breaks_plain_key, KeyValue};
use crate::scan::{is_whitespace, same_bytes};
use crate::value::plain_number;

/// Whether `key` is one the fast reading of a section takes.
fn plain_key(key: &[u8]) -> bool {
    !key.is_empty() && !key.iter().any(|&b| b == b'=' || breaks_plain_key(b))
}

/// The fields of a line whose values `take` gives by line index, in the key order
/// `order` picks, under the interned `keys`.
fn in_key_order(
    order: &[usize],
    keys: &SortedKeys,
    mut take: impl FnMut(usize) -> FieldValue,
) -> Fields {
    let mut values = EcoVec::with_capacity(order.len());
    for &i in order {
        values.push(take(i));
    }
    Fields::from_parts(keys.clone(), values)
}

/// A value moved out of its slot.
fn take(value: &mut FieldValue) -> FieldValue {
    std::mem::replace(value, FieldValue::Boolean(false))
}

/// The field keys of the last line and their order.
#[derive(Debug, Default)]
pub(crate) struct FieldLayout {
    /// The field keys of the last line, in line order.
    keys: Vec<Str>,
    /// Whether every key is its own raw text (has no backslash), so that raw keys can be
    /// compared with them.
    verbatim: bool,
    /// Indexes into `keys` in key order, of equal keys only the last.
    order: Vec<usize>,
    /// The keys in key order: `keys` picked by `order`, shared by the points.
    sorted: SortedKeys,
    /// Whether every key could be read by the fast reading of a section (not empty, no
    /// backslash, quote, comma, equals sign or space), so the next line can be read
    /// against them ([`FieldLayout::predicted`]).
    predictable: bool,
    /// The longest key's length.
    longest: usize,
    /// The values of a predicted line, in line order.
    line_values: Vec<FieldValue>,
}

impl FieldLayout {
    /// The fields of a line, given as raw keys with their values (taken out of `line`);
    /// `key` makes a raw key a string when the layout changes.
    pub(crate) fn fields(
        &mut self,
        line: &mut [KeyValue<'_>],
        mut key: impl FnMut(&[u8]) -> Str,
    ) -> Fields {
        if !self.matches(line) {
            self.keys.clear();
            self.keys.extend(line.iter().map(|&(raw, _)| key(raw)));
            self.verbatim = self.keys.iter().all(|key| is_verbatim(key));
            self.predictable = self.keys.iter().all(|key| plain_key(key.as_bytes()));
            self.longest = self.keys.iter().map(|key| key.len()).max().unwrap_or(0);
            let keys = &self.keys;
            self.order.clear();
            self.order.extend(0..keys.len());
            // Stable: equal keys stay in line order.
            self.order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
            self.order.dedup_by(|later, kept| {
                let same = keys[*later] == keys[*kept];
                if same {
                    *kept = *later;
                }
                same
            });
            let sorted: Vec<Str> = self.order.iter().map(|&i| keys[i].clone()).collect();
            // `order` is sorted and free of repeats, so this always interns.
            self.sorted = SortedKeys::interned(&sorted).unwrap_or_else(SortedKeys::empty);
        }
        in_key_order(&self.order, &self.sorted, |i| take(&mut line[i].1))
    }

    /// The fields of a section, read on the guess that it has the last line's keys in
    /// the same order with plain numbers for values (the rule for a series): the keys are
    /// compared rather than scanned for, and the values go straight into a map. Gives the
    /// rest of the line and the fields, or `None` when the guess is wrong (or any field
    /// key would be too long) and the section must be read in full. Where it answers, the
    /// full reading gives the same fields.
    pub(crate) fn predicted<'a>(
        &mut self,
        input: &'a [u8],
        series_key: usize,
    ) -> Option<(&'a [u8], Fields)> {
        if !self.predictable || self.keys.is_empty() {
            return None;
        }
        if field_key_length(series_key, self.longest) > MAX_KEY_LENGTH {
            return None;
        }
        let mut at = input.iter().position(|&b| !is_whitespace(b))?;
        self.line_values.clear();
        for (i, key) in self.keys.iter().enumerate() {
            let key = key.as_bytes();
            if i > 0 {
                if input.get(at) != Some(&b',') {
                    return None;
                }
                at += 1;
            }
            let rest = &input[at..];
            let same = rest
                .get(..key.len())
                .is_some_and(|head| same_bytes(head, key));
            if !same || rest.get(key.len()) != Some(&b'=') {
                return None;
            }
            at += key.len() + 1;
            let (value, length) = plain_number(&input[at..])?;
            self.line_values.push(value);
            at += length;
        }
        if input.get(at) == Some(&b',') {
            return None;
        }
        let values = &mut self.line_values;
        let fields = in_key_order(&self.order, &self.sorted, |i| take(&mut values[i]));
        Some((&input[at..], fields))
    }

    /// Whether `line` has the last line's keys.
    fn matches(&self, line: &[KeyValue<'_>]) -> bool {
        self.verbatim
            && line.len() == self.keys.len()
            && line
                .iter()
                .zip(&self.keys)
                .all(|(&(raw, _), key)| same_bytes(key.as_bytes(), raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escape::{unescape, Component};
    use crate::value::string;

    fn fields(layout: &mut FieldLayout, line: &[(&'static str, f64)]) -> Vec<(String, f64)> {
        let mut line: Vec<KeyValue<'_>> = line
            .iter()
            .map(|&(k, v)| (k.as_bytes(), FieldValue::Float(v)))
            .collect();
        let key = |raw: &[u8]| string(&unescape(raw, Component::FieldKey.escaped()));
        layout
            .fields(&mut line, key)
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_f64().unwrap_or(f64::NAN)))
            .collect()
    }

    #[test]
    fn sorts_and_keeps_the_last_of_equal_keys() {
        let mut layout = FieldLayout::default();
        let expected = [("a".to_string(), 4.0), ("b".into(), 3.0), ("c".into(), 1.0)];
        assert_eq!(
            fields(
                &mut layout,
                &[("c", 1.0), ("b", 2.0), ("b", 3.0), ("a", 4.0)]
            ),
            expected
        );
        // The same keys again: the kept order.
        let kept = layout.keys[0].clone();
        assert_eq!(
            fields(
                &mut layout,
                &[("c", 1.0), ("b", 2.0), ("b", 3.0), ("a", 4.0)]
            ),
            expected
        );
        assert_eq!(kept, layout.keys[0]);
        // Other keys: a new order.
        assert_eq!(
            fields(&mut layout, &[("z", 1.0), ("y", 2.0)]),
            [("y".to_string(), 2.0), ("z".into(), 1.0)]
        );
    }

    #[test]
    fn keys_that_are_not_their_own_text_are_looked_up_every_time() {
        let mut layout = FieldLayout::default();
        // `\\,` reads as `\,`, which as raw text would read as `,`.
        assert_eq!(
            fields(&mut layout, &[(r"\\,", 1.0)]),
            [(r"\,".to_string(), 1.0)]
        );
        assert!(!layout.verbatim);
        assert_eq!(
            fields(&mut layout, &[(r"\,", 2.0)]),
            [(",".to_string(), 2.0)]
        );
    }
}
