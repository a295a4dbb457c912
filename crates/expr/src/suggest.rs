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

/// Edit distance over characters counting a swap of two neighbours as one edit (optimal
/// string alignment), case-insensitive: `.Period` is near `.period`, `tTset` near `tTest`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    // rows[i][j]: the distance between a[..i] and b[..j].
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitute = rows[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitute.min(rows[i - 1][j] + 1).min(rows[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
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
        assert_eq!(nearest("tTset", ["tTest", "movingAvg"]), Some("tTest"));
    }
}
