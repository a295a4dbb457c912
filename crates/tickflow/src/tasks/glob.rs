//! Glob patterns as Go's `path.Match` reads them, for `?pattern=` of the list endpoints:
//! `*` (any run of characters except `/`), `?` (one character except `/`), `[…]` classes
//! with ranges and `^` negation, and `\` escapes.

/// Whether `text` matches `pattern` as a whole; a malformed pattern matches nothing.
pub fn matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    match_from(&pattern, &text)
}

fn match_from(pattern: &[char], text: &[char]) -> bool {
    let Some((&first, rest)) = pattern.split_first() else {
        return text.is_empty();
    };
    match first {
        '*' => (0..=text.len())
            .take_while(|&i| i == 0 || text[i - 1] != '/')
            .any(|i| match_from(rest, &text[i..])),
        '?' => matches!(text.split_first(), Some((&c, tail)) if c != '/' && match_from(rest, tail)),
        '[' => match (text.split_first(), class(rest)) {
            (Some((&c, tail)), Some((set, after))) => {
                c != '/' && set.contains(c) && match_from(after, tail)
            }
            _ => false,
        },
        '\\' => match (rest.split_first(), text.split_first()) {
            (Some((&p, after)), Some((&c, tail))) => p == c && match_from(after, tail),
            _ => false,
        },
        literal => {
            matches!(text.split_first(), Some((&c, tail)) if c == literal && match_from(rest, tail))
        }
    }
}

/// A character class: which characters it holds.
struct Class {
    negated: bool,
    ranges: Vec<(char, char)>,
}

impl Class {
    fn contains(&self, c: char) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != self.negated
    }
}

/// The class starting after `[`, and the pattern after its `]`.
fn class(pattern: &[char]) -> Option<(Class, &[char])> {
    let (negated, mut rest) = match pattern.split_first() {
        Some(('^', rest)) => (true, rest),
        _ => (false, pattern),
    };
    let mut ranges = Vec::new();
    loop {
        if let Some((']', after)) = rest.split_first() {
            if !ranges.is_empty() {
                return Some((Class { negated, ranges }, after));
            }
        }
        let (lo, after) = class_char(rest)?;
        rest = after;
        let hi = match rest.split_first() {
            Some(('-', after)) => {
                let (hi, after) = class_char(after)?;
                rest = after;
                hi
            }
            _ => lo,
        };
        ranges.push((lo, hi));
    }
}

/// One possibly escaped character of a class.
fn class_char(pattern: &[char]) -> Option<(char, &[char])> {
    match pattern.split_first()? {
        ('\\', rest) => rest.split_first().map(|(&c, rest)| (c, rest)),
        (&c, rest) => Some((c, rest)),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs_match_as_go_path_match() {
        let cases = [
            ("*", "cpu_alert", true),
            ("cpu*", "cpu_alert", true),
            ("cpu*", "mem_alert", false),
            ("*_alert", "mem_alert", true),
            ("c?u", "cpu", true),
            ("c?u", "cu", false),
            ("[a-c]pu", "cpu", true),
            ("[^a-c]pu", "cpu", false),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("", "", true),
            ("[", "a", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(matches(pattern, text), expected, "{pattern:?} vs {text:?}");
        }
    }
}
