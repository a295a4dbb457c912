//! Go's `time` package as templates see it: the civil calendar of a UTC time (year,
//! month, day, clock, weekday, day of year), `AddDate`'s normalisation, and
//! `Time.Format` with Go's reference-time layouts (`Mon Jan 2 15:04:05 MST 2006`).
//!
//! Every time is UTC: tickflow's times carry no zone, and `Local` is UTC as in the rest
//! of tickflow's calendar functions, so `MST` prints `UTC` and `-07:00` prints `+00:00`.

use std::fmt::Write as _;

use tickflow_model::Time;

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;
/// Seconds from 0001-01-01 to 1970-01-01, the offset of Go's internal time counter.
pub(super) const SECONDS_FROM_YEAR_ONE: i64 = 62_135_596_800;

/// A UTC time split into calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Civil {
    pub(super) year: i64,
    /// 1 to 12.
    pub(super) month: i64,
    /// 1 to 31.
    pub(super) day: i64,
    pub(super) hour: i64,
    pub(super) minute: i64,
    pub(super) second: i64,
    pub(super) nanosecond: i64,
    /// 0 (Sunday) to 6.
    pub(super) weekday: i64,
    /// 1 to 366.
    pub(super) year_day: i64,
}

impl Civil {
    /// The calendar fields of `t`.
    pub(super) fn of(t: Time) -> Civil {
        let secs = t.nanos().div_euclid(NANOS_PER_SECOND);
        let days = secs.div_euclid(SECONDS_PER_DAY);
        let clock = secs.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: clock / 3600,
            minute: clock / 60 % 60,
            second: clock % 60,
            nanosecond: t.nanos().rem_euclid(NANOS_PER_SECOND),
            // 1970-01-01 was a Thursday.
            weekday: (days + 4).rem_euclid(7),
            year_day: days - days_from_civil(year, 1, 1) + 1,
        }
    }
}

/// Go's `time.Date` in UTC: month, day, hour, minute, second and nanosecond may lie
/// outside their ranges and carry into the next larger unit. `None` when the result
/// does not fit tickflow's time range.
pub(super) fn date(year: i64, month: i64, day: i64, clock_nanos: i128) -> Option<Time> {
    let month0 = month - 1;
    let year = year.checked_add(month0.div_euclid(12))?;
    let month = month0.rem_euclid(12) + 1;
    let days = i128::from(days_from_civil(year, month, 1)) + i128::from(day) - 1;
    let nanos = days * i128::from(SECONDS_PER_DAY * NANOS_PER_SECOND) + clock_nanos;
    i64::try_from(nanos).ok().map(Time::from_nanos)
}

/// Nanoseconds since midnight of `t`'s day.
pub(super) fn clock_nanos(t: Time) -> i128 {
    i128::from(t.nanos().rem_euclid(SECONDS_PER_DAY * NANOS_PER_SECOND))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// `time.Month.String`: `January`, or `%!Month(13)` out of range.
pub(super) fn month_name(month: i64) -> String {
    usize::try_from(month - 1)
        .ok()
        .and_then(|i| LONG_MONTHS.get(i))
        .map_or_else(|| format!("%!Month({month})"), |name| (*name).to_owned())
}

/// `time.Weekday.String`: `Sunday`, or `%!Weekday(7)` out of range.
pub(super) fn weekday_name(weekday: i64) -> String {
    usize::try_from(weekday)
        .ok()
        .and_then(|i| LONG_DAYS.get(i))
        .map_or_else(
            || format!("%!Weekday({weekday})"),
            |name| (*name).to_owned(),
        )
}

/// One element of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm {
        upper: bool,
    },
    /// A numeric zone offset; `iso` prints `Z` for UTC.
    Offset {
        iso: bool,
        colons: bool,
        seconds: bool,
        minutes: bool,
    },
    ZoneName,
    /// Fractional seconds: separator, digits, and whether trailing zeros are dropped.
    Fraction {
        sep: char,
        digits: usize,
        trim: bool,
    },
}

/// The first chunk of `layout`: (literal prefix, chunk, rest), or `None` when the
/// layout is all literal.
fn next_chunk(layout: &str) -> Option<(&str, Chunk, &str)> {
    let b = layout.as_bytes();
    for i in 0..b.len() {
        let at = |s: &str| layout[i..].starts_with(s);
        let lower_after = |n: usize| b.get(i + n).is_some_and(u8::is_ascii_lowercase);
        let found = match b[i] {
            b'J' if at("January") => Some((Chunk::LongMonth, 7)),
            b'J' if at("Jan") && !lower_after(3) => Some((Chunk::Month, 3)),
            b'M' if at("Monday") => Some((Chunk::LongWeekDay, 6)),
            b'M' if at("Mon") && !lower_after(3) => Some((Chunk::WeekDay, 3)),
            b'M' if at("MST") => Some((Chunk::ZoneName, 3)),
            b'0' => match b.get(i + 1) {
                Some(b'1') => Some((Chunk::ZeroMonth, 2)),
                Some(b'2') => Some((Chunk::ZeroDay, 2)),
                Some(b'3') => Some((Chunk::ZeroHour12, 2)),
                Some(b'4') => Some((Chunk::ZeroMinute, 2)),
                Some(b'5') => Some((Chunk::ZeroSecond, 2)),
                Some(b'6') => Some((Chunk::Year, 2)),
                Some(b'0') if b.get(i + 2) == Some(&b'2') => Some((Chunk::ZeroYearDay, 3)),
                _ => None,
            },
            b'1' if b.get(i + 1) == Some(&b'5') => Some((Chunk::Hour, 2)),
            b'1' => Some((Chunk::NumMonth, 1)),
            b'2' if at("2006") => Some((Chunk::LongYear, 4)),
            b'2' => Some((Chunk::Day, 1)),
            b'_' if at("_2006") => {
                // A literal `_` followed by the year.
                return Some((&layout[..i + 1], Chunk::LongYear, &layout[i + 5..]));
            }
            b'_' if at("_2") => Some((Chunk::UnderDay, 2)),
            b'_' if at("__2") => Some((Chunk::UnderYearDay, 3)),
            b'3' => Some((Chunk::Hour12, 1)),
            b'4' => Some((Chunk::Minute, 1)),
            b'5' => Some((Chunk::Second, 1)),
            b'P' if at("PM") => Some((Chunk::Pm { upper: true }, 2)),
            b'p' if at("pm") => Some((Chunk::Pm { upper: false }, 2)),
            b'-' | b'Z' => offset_chunk(&layout[i..]),
            b'.' | b',' => fraction_chunk(&layout[i..]),
            _ => None,
        };
        if let Some((chunk, len)) = found {
            return Some((&layout[..i], chunk, &layout[i + len..]));
        }
    }
    None
}

/// `-070000`, `-07:00:00`, `-0700`, `-07:00`, `-07` and their `Z` forms.
fn offset_chunk(s: &str) -> Option<(Chunk, usize)> {
    let iso = s.starts_with('Z');
    let body = &s[1..];
    let forms = [
        ("070000", false, true, true),
        ("07:00:00", true, true, true),
        ("0700", false, false, true),
        ("07:00", true, false, true),
        ("07", false, false, false),
    ];
    forms
        .into_iter()
        .find(|(form, ..)| body.starts_with(form))
        .map(|(form, colons, seconds, minutes)| {
            (
                Chunk::Offset {
                    iso,
                    colons,
                    seconds,
                    minutes,
                },
                form.len() + 1,
            )
        })
}

/// `.000` / `,999`: a run of one digit after the separator, not followed by a digit.
fn fraction_chunk(s: &str) -> Option<(Chunk, usize)> {
    let b = s.as_bytes();
    let digit = *b.get(1).filter(|d| matches!(d, b'0' | b'9'))?;
    let run = b[1..].iter().take_while(|&&d| d == digit).count();
    if b.get(1 + run).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((
        Chunk::Fraction {
            sep: char::from(b[0]),
            digits: run,
            trim: digit == b'9',
        },
        1 + run,
    ))
}

/// Go's `Time.Format(layout)` for a UTC time.
pub(super) fn format(t: Time, layout: &str) -> String {
    let c = Civil::of(t);
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout;
    while let Some((literal, chunk, after)) = next_chunk(rest) {
        out.push_str(literal);
        write_chunk(&mut out, chunk, &c);
        rest = after;
    }
    out.push_str(rest);
    out
}

fn write_chunk(out: &mut String, chunk: Chunk, c: &Civil) {
    let hour12 = match c.hour % 12 {
        0 => 12,
        h => h,
    };
    let _ = match chunk {
        Chunk::LongMonth => write!(out, "{}", month_name(c.month)),
        Chunk::Month => write!(out, "{}", &month_name(c.month)[..3]),
        Chunk::NumMonth => write!(out, "{}", c.month),
        Chunk::ZeroMonth => write!(out, "{:02}", c.month),
        Chunk::LongWeekDay => write!(out, "{}", weekday_name(c.weekday)),
        Chunk::WeekDay => write!(out, "{}", &weekday_name(c.weekday)[..3]),
        Chunk::Day => write!(out, "{}", c.day),
        Chunk::UnderDay => write!(out, "{:>2}", c.day),
        Chunk::ZeroDay => write!(out, "{:02}", c.day),
        Chunk::UnderYearDay => write!(out, "{:>3}", c.year_day),
        Chunk::ZeroYearDay => write!(out, "{:03}", c.year_day),
        Chunk::Hour => write!(out, "{:02}", c.hour),
        Chunk::Hour12 => write!(out, "{hour12}"),
        Chunk::ZeroHour12 => write!(out, "{hour12:02}"),
        Chunk::Minute => write!(out, "{}", c.minute),
        Chunk::ZeroMinute => write!(out, "{:02}", c.minute),
        Chunk::Second => write!(out, "{}", c.second),
        Chunk::ZeroSecond => write!(out, "{:02}", c.second),
        Chunk::LongYear => write!(out, "{:04}", c.year),
        Chunk::Year => write!(out, "{:02}", c.year.rem_euclid(100)),
        Chunk::Pm { upper } => {
            let pm = if c.hour >= 12 { "PM" } else { "AM" };
            write!(
                out,
                "{}",
                if upper {
                    pm.to_owned()
                } else {
                    pm.to_lowercase()
                }
            )
        }
        Chunk::Offset { iso: true, .. } => write!(out, "Z"),
        Chunk::Offset {
            colons,
            seconds,
            minutes,
            ..
        } => {
            let sep = if colons { ":" } else { "" };
            out.push_str("+00");
            if minutes {
                out.push_str(sep);
                out.push_str("00");
            }
            if seconds {
                out.push_str(sep);
                out.push_str("00");
            }
            Ok(())
        }
        Chunk::ZoneName => write!(out, "UTC"),
        Chunk::Fraction { sep, digits, trim } => {
            write_fraction(out, c.nanosecond, sep, digits, trim);
            Ok(())
        }
    };
}

/// `digits` digits of the second's fraction; with `trim`, trailing zeros (and the whole
/// fraction, separator included, when it is zero) are left out.
fn write_fraction(out: &mut String, nanos: i64, sep: char, digits: usize, trim: bool) {
    let all = format!("{nanos:09}");
    let shown = &all[..digits.min(9)];
    let shown = if trim {
        shown.trim_end_matches('0')
    } else {
        shown
    };
    if trim && shown.is_empty() {
        return;
    }
    out.push(sep);
    out.push_str(shown);
    if !trim {
        out.extend(std::iter::repeat_n('0', digits.saturating_sub(9)));
    }
}

/// Go's `Time.String` in UTC: `2024-01-01 00:00:10.5 +0000 UTC`.
pub(super) fn go_time(t: Time) -> String {
    format(t, "2006-01-02 15:04:05.999999999 -0700 MST")
}

/// Go's `Duration.String`: `0s`, `1.5s`, `1m30s`, `1h0m0s`, `1.5ms`, `2µs`, `-3ns`.
pub(super) fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    if u < SECOND {
        let (unit, scale) = match u {
            0..1_000 => ("ns", 1),
            1_000..1_000_000 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{sign}{}{unit}", decimal(u, scale));
    }
    let hours = u / (3600 * SECOND);
    let minutes = u / (60 * SECOND) % 60;
    let mut out = sign.to_owned();
    if hours > 0 {
        let _ = write!(out, "{hours}h");
    }
    if hours > 0 || minutes > 0 {
        let _ = write!(out, "{minutes}m");
    }
    let _ = write!(out, "{}s", decimal(u % (60 * SECOND), SECOND));
    out
}

/// `value / scale` as a decimal without trailing zeros (`scale` a power of ten).
fn decimal(value: u64, scale: u64) -> String {
    let (int, frac) = (value / scale, value % scale);
    if frac == 0 {
        return int.to_string();
    }
    let width = scale.ilog10() as usize;
    let frac = format!("{frac:0width$}");
    format!("{int}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc: &str) -> Time {
        let (date, clock) = rfc.split_once('T').expect("T");
        let mut d = date.split('-').map(|p| p.parse::<i64>().expect("number"));
        let (y, m, day) = (
            d.next().expect("y"),
            d.next().expect("m"),
            d.next().expect("d"),
        );
        let (hms, nanos) = clock.split_once('.').unwrap_or((clock, "0"));
        let mut c = hms.split(':').map(|p| p.parse::<i128>().expect("number"));
        let secs = c.next().expect("h") * 3600 + c.next().expect("m") * 60 + c.next().expect("s");
        let nanos: i128 = format!("{nanos:0<9}").parse().expect("nanos");
        date_fn(y, m, day, secs * 1_000_000_000 + nanos)
    }

    fn date_fn(y: i64, m: i64, d: i64, clock: i128) -> Time {
        date(y, m, d, clock).expect("in range")
    }

    #[test]
    fn calendar_fields() {
        let c = Civil::of(at("2024-02-29T13:04:05.5"));
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second),
            (2024, 2, 29, 13, 4, 5)
        );
        assert_eq!((c.weekday, c.year_day, c.nanosecond), (4, 60, 500_000_000));
        let c = Civil::of(Time::from_nanos(-1));
        assert_eq!((c.year, c.month, c.day, c.hour), (1969, 12, 31, 23));
    }

    #[test]
    fn dates_normalise_like_go() {
        // Go's documented example: Oct 32 is Nov 1.
        assert_eq!(date_fn(2009, 10, 32, 0), at("2009-11-01T00:00:00"));
        assert_eq!(date_fn(2024, 13, 1, 0), at("2025-01-01T00:00:00"));
        assert_eq!(date_fn(2024, 0, 1, 0), at("2023-12-01T00:00:00"));
    }

    #[test]
    fn layouts() {
        let t = at("2009-11-10T23:04:05.0123");
        let cases = [
            ("2006-01-02T15:04:05Z07:00", "2009-11-10T23:04:05Z"),
            (
                "2006-01-02T15:04:05.999999999Z07:00",
                "2009-11-10T23:04:05.0123Z",
            ),
            (
                "Mon Jan _2 15:04:05 MST 2006",
                "Tue Nov 10 23:04:05 UTC 2009",
            ),
            (
                "Monday, 02-Jan-06 15:04:05 MST",
                "Tuesday, 10-Nov-09 23:04:05 UTC",
            ),
            (
                "Mon, 02 Jan 2006 15:04:05 -0700",
                "Tue, 10 Nov 2009 23:04:05 +0000",
            ),
            ("3:04PM", "11:04PM"),
            ("03:04:05 pm", "11:04:05 pm"),
            ("Jan 2 '06 at 15:04", "Nov 10 '09 at 23:04"),
            ("15:04:05.000", "23:04:05.012"),
            ("15:04:05,000000", "23:04:05,012300"),
            ("15:04:05.999", "23:04:05.012"),
            ("002 __2", "314 314"),
            ("January Monday", "November Tuesday"),
            ("-07:00:00 -070000 -07 Z07", "+00:00:00 +000000 +00 Z"),
            ("Janet Month", "Janet Month"),
            ("_2006", "_2009"),
            ("1/2/06", "11/10/09"),
        ];
        for (layout, want) in cases {
            assert_eq!(format(t, layout), want, "{layout}");
        }
        assert_eq!(format(at("2009-11-10T23:04:05"), ".999"), "");
    }
}
