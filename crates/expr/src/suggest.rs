//! "Did you mean" suggestions: the nearest name by edit distance.

/// The candidate nearest to `name`, if it is close enough to be a likely misspelling
/// (an edit distance of at most a third of the name's length, and at least 1).
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters, case-insensitive (`.Period` is near `.period`).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_transpositions_and_typos() {
        let props = ["period", "every", "align", "fillPeriod"];
        assert_eq!(nearest("peroid", props), Some("period"));
        assert_eq!(nearest("evry", props), Some("every"));
        assert_eq!(nearest("fillperiod", props), Some("fillPeriod"));
        assert_eq!(nearest("xyz", props), None);
    }
}
