//! [`Interner`]: the strings and tag sets of earlier lines, by their raw bytes, so that the
//! points of one series share one name, one `Tags` and their field keys, and repeated text
//! is unescaped, checked and allocated once.
//!
//! The caches are plain hash maps with a small multiplicative hash (FxHash, as in rustc:
//! keys are short and not attacker-chosen in a way that matters here, since the caches are
//! per parser and bounded). Each cache is emptied when it reaches [`MAX_ENTRIES`], which
//! bounds the memory a parser holds on to.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use tickflow_model::{Str, Tags};

use crate::escape::{is_verbatim, unescape, Component};
use crate::scan::same_bytes;
use crate::value::string;

/// The most entries a cache holds before it starts over.
const MAX_ENTRIES: usize = 1 << 16;

/// The parser's caches.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    /// Measurement names and field keys (they share their escape rules).
    names: Cache<Str>,
    /// Tag keys and values.
    tag_strings: Cache<Str>,
    /// Whole tag sets, by their text from the first key to the end of the last value.
    tag_sets: Cache<Tags>,
    /// The measurement last found, if it has no backslash (so it is its own raw text).
    recent_measurement: Option<Str>,
    /// The tag set last found, with its text.
    recent_tags: (Vec<u8>, Tags),
}

impl Interner {
    /// The measurement written as `raw`; a line of the same measurement as the line before
    /// finds it without hashing.
    pub(crate) fn measurement(&mut self, raw: &[u8]) -> Str {
        if let Some(name) = &self.recent_measurement {
            if same_bytes(name.as_bytes(), raw) {
                return name.clone();
            }
        }
        let name = self.name(raw);
        self.recent_measurement = is_verbatim(&name).then(|| name.clone());
        name
    }

    /// The measurement or field key written as `raw`.
    pub(crate) fn name(&mut self, raw: &[u8]) -> Str {
        self.names.get_or_insert_with(raw, || {
            string(&unescape(raw, Component::FieldKey.escaped()))
        })
    }

    /// The tag key or value written as `raw`.
    pub(crate) fn tag_string(&mut self, raw: &[u8]) -> Str {
        self.tag_strings
            .get_or_insert_with(raw, || string(&unescape(raw, Component::TagKey.escaped())))
    }

    /// The tag set written as `raw` (not empty), built by `build` the first time.
    pub(crate) fn tag_set<E>(
        &mut self,
        raw: &[u8],
        build: impl FnOnce(&mut Self) -> Result<Tags, E>,
    ) -> Result<Tags, E> {
        if same_bytes(&self.recent_tags.0, raw) {
            return Ok(self.recent_tags.1.clone());
        }
        let tags = match self.tag_sets.map.get(raw) {
            Some(tags) => tags.clone(),
            None => {
                let tags = build(self)?;
                self.tag_sets.insert(raw, tags)
            }
        };
        self.recent_tags.0.clear();
        self.recent_tags.0.extend_from_slice(raw);
        self.recent_tags.1 = tags.clone();
        Ok(tags)
    }
}

/// Values by the raw bytes they were made from.
#[derive(Debug)]
struct Cache<V> {
    map: HashMap<Box<[u8]>, V, BuildHasherDefault<FxHasher>>,
}

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Cache {
            map: HashMap::default(),
        }
    }
}

impl<V: Clone> Cache<V> {
    fn get_or_insert_with(&mut self, raw: &[u8], make: impl FnOnce() -> V) -> V {
        match self.map.get(raw) {
            Some(value) => value.clone(),
            None => self.insert(raw, make()),
        }
    }

    fn insert(&mut self, raw: &[u8], value: V) -> V {
        if self.map.len() >= MAX_ENTRIES {
            self.map.clear();
        }
        self.map.insert(raw.into(), value.clone());
        value
    }
}

/// rustc's FxHash: a rotate, xor and multiply per 8 bytes.
#[derive(Default)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut word = [0; 8];
        let tail = chunks.remainder();
        word[..tail.len()].copy_from_slice(tail);
        self.add(u64::from_le_bytes(word));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_unescapes() {
        let mut interner = Interner::default();
        // Names longer than a `Str` holds inline live on the heap, shared by every point.
        let a = interner.measurement(br"cpu\ load\ of\ the\ printers");
        let b = interner.measurement(br"cpu\ load\ of\ the\ printers");
        assert_eq!(&*a, "cpu load of the printers");
        assert_eq!(a.as_ptr(), b.as_ptr());
        let c = interner.measurement(b"temperatures_of_the_printers");
        let same = interner.measurement(b"temperatures_of_the_printers");
        assert_eq!(c.as_ptr(), same.as_ptr());
        assert_eq!(
            c.as_ptr(),
            interner.name(b"temperatures_of_the_printers").as_ptr()
        );
        assert_eq!(&*interner.tag_string(br#"a\"b\=c"#), r#"a\"b=c"#);
        // A name with a backslash is not its own text: `\\,` reads as `\,`, and `\,` as `,`.
        assert_eq!(&*interner.measurement(br"\\,"), r"\,");
        assert_eq!(&*interner.measurement(br"\,"), ",");
    }

    #[test]
    fn caches_are_bounded() {
        let mut cache: Cache<usize> = Cache::default();
        for i in 0..MAX_ENTRIES + 10 {
            cache.get_or_insert_with(i.to_string().as_bytes(), || i);
        }
        assert_eq!(cache.map.len(), 10);
    }
}
