//! A replay's warning for data read at the wrong precision: a file of seconds read as
//! nanoseconds puts a whole day within 1.5 s of 1970 and raises no alert, silently. When
//! the first point falls in 1970 but another precision puts it between 1990 and 2100,
//! the warning names the `--precision` that fits.

use std::path::Path;

use tickflow::engine::replay::{ReadOptions, Reader, Source};
use tickflow::line_protocol::Precision;
use tickflow::model::Time;

/// Precisions finest first, the order a timestamp is tried in.
const PRECISIONS: [Precision; 6] = [
    Precision::Nanosecond,
    Precision::Microsecond,
    Precision::Millisecond,
    Precision::Second,
    Precision::Minute,
    Precision::Hour,
];

/// The warning for the data file at `path` read with `options`, if its times look like
/// another precision. Reads the file again (after the replay) and parses its first chunk.
pub(crate) fn check(path: &Path, options: &ReadOptions) -> Option<String> {
    let source = Source::open(path, options).ok()?;
    let (mut reader, precision) = (Reader::new(&source, options), source.precision);
    let chunk = source.chunks().next()?.ok()?;
    let first = reader
        .parse(chunk.line, &chunk.bytes)
        .points
        .into_iter()
        .next()?;
    let fits = fitting(first.time, precision)?;
    Some(format!(
        "{}: warning: the first point is at {} with precision {}; the timestamps look like \
         precision {}: try --precision {}",
        path.display(),
        first.time.to_rfc3339(),
        precision.as_str(),
        fits.as_str(),
        fits.as_str(),
    ))
}

/// The precision that puts a timestamp read as `time` at `used` between 1990 and 2100,
/// when `time` is in 1970 and another one does.
fn fitting(time: Time, used: Precision) -> Option<Precision> {
    const YEAR: i64 = 365 * 86_400 * 1_000_000_000;
    let nanos = time.nanos();
    if !(0..YEAR).contains(&nanos) {
        return None;
    }
    let raw = nanos / used.unit().nanos();
    let plausible = (20 * YEAR)..(130 * YEAR);
    PRECISIONS.into_iter().find(|p| {
        *p != used
            && raw
                .checked_mul(p.unit().nanos())
                .is_some_and(|n| plausible.contains(&n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_read_as_nanoseconds_fit_seconds() {
        let time = Time::from_nanos(1_451_606_400);
        assert_eq!(
            fitting(time, Precision::Nanosecond),
            Some(Precision::Second)
        );
        let time = Time::from_nanos(1_451_606_400_000);
        assert_eq!(
            fitting(time, Precision::Nanosecond),
            Some(Precision::Millisecond)
        );
    }

    #[test]
    fn plausible_times_and_tiny_ones_get_no_hint() {
        let time = Time::from_nanos(1_451_606_400_000_000_000);
        assert_eq!(fitting(time, Precision::Nanosecond), None);
        assert_eq!(fitting(Time::from_nanos(10), Precision::Nanosecond), None);
    }
}
