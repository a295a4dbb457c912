//! NAB's timestamps: local `YYYY-MM-DD HH:MM:SS` in the data files and results, with
//! microseconds (`.000000`) in the label files. They are read as UTC seconds: NAB
//! compares them as written, never across a time zone.

use chrono::NaiveDateTime;

/// A timestamp NAB wrote that is not `YYYY-MM-DD HH:MM:SS[.ffffff]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad timestamp {0:?}: expected YYYY-MM-DD HH:MM:SS")]
pub struct TimestampError(pub String);

/// Seconds since the Unix epoch of `text`, read as UTC; a fraction of a second is
/// dropped (NAB's are all zero).
pub fn parse(text: &str) -> Result<i64, TimestampError> {
    let whole = text.split_once('.').map_or(text, |(whole, _)| whole);
    NaiveDateTime::parse_from_str(whole.trim(), "%Y-%m-%d %H:%M:%S")
        .map(|t| t.and_utc().timestamp())
        .map_err(|_| TimestampError(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_label_timestamps_agree() {
        assert_eq!(parse("1970-01-01 00:01:05"), Ok(65));
        assert_eq!(
            parse("2014-04-10 07:15:00.000000"),
            parse("2014-04-10 07:15:00")
        );
        assert_eq!(
            parse("2014-04-10T07:15:00").map_err(|e| e.to_string()),
            Err(r#"bad timestamp "2014-04-10T07:15:00": expected YYYY-MM-DD HH:MM:SS"#.into())
        );
    }
}
