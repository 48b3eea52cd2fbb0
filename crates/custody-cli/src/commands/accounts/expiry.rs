//! `--expires-at` of `create api-key` and `rotate api-key`: epoch seconds or a
//! date, read as the Kosli CLI reads it, sent as whole epoch seconds.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

/// Reads `--expires-at`: epoch seconds (`1798675200`), a UTC date
/// (`2026-12-31`, zero padding optional), a UTC date and time
/// (`2026-12-31 15:04:05`) or an RFC 3339 timestamp (`2026-12-31T15:04:05+02:00`).
pub fn parse_expires_at(value: &str) -> anyhow::Result<i64> {
    if let Ok(epoch) = value.parse::<i64>() {
        return Ok(epoch);
    }
    if let Ok(ts) = value.parse::<Timestamp>() {
        return Ok(ts.as_second());
    }
    civil(value)
        .and_then(|at| at.to_zoned(TimeZone::UTC).ok())
        .map(|at| at.timestamp().as_second())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "invalid --expires-at value {value:?}: expected an epoch timestamp or a date like \
                 '2006-01-02', '2006-01-02 15:04:05', or an RFC3339 timestamp"
            )
        })
}

/// `Y-M-D` or `Y-M-D H:MM:SS`, as Go's layouts `2006-1-2` and `2006-1-2 15:04:05`.
fn civil(value: &str) -> Option<DateTime> {
    let (date, time) = match value.split_once(' ') {
        Some((date, time)) => (date, Some(time)),
        None => (value, None),
    };
    let [year, month, day] = numbers(date, '-')?;
    let date = Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let time = match time {
        None => Time::midnight(),
        Some(time) => {
            let [hour, minute, second] = numbers(time, ':')?;
            let two_digits = |s: &str| s.len() == 2;
            if !time.split(':').skip(1).all(two_digits) {
                return None;
            }
            Time::new(
                i8::try_from(hour).ok()?,
                i8::try_from(minute).ok()?,
                i8::try_from(second).ok()?,
                0,
            )
            .ok()?
        }
    };
    Some(date.to_datetime(time))
}

/// Three unsigned decimal numbers separated by `separator`.
fn numbers(text: &str, separator: char) -> Option<[u32; 3]> {
    let mut parts = text.split(separator).map(|p| {
        let digits = !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| p.parse().ok()).flatten()
    });
    let numbers = [parts.next()??, parts.next()??, parts.next()??];
    parts.next().is_none().then_some(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_kosli_accepts() {
        let cases = [
            ("1798675200", 1_798_675_200),
            ("2026-12-31", 1_798_675_200),
            ("2026-6-5", 1_780_617_600),
            ("2026-06-04 15:04:05", 1_780_585_445),
            ("2026-06-04T15:04:05Z", 1_780_585_445),
            ("2026-06-04T17:04:05+02:00", 1_780_585_445),
            ("2026-06-04T15:04:05.75Z", 1_780_585_445),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_expires_at(value).unwrap(), expected, "{value}");
        }
    }

    #[test]
    fn refuses_anything_else() {
        for value in [
            "not-a-date",
            "",
            "2026-13-01",
            "2026-02-30",
            "2026-06-04 15:4:05",
            "2026-06-04 25:00:00",
            "2026-06-04T15:04:05",
            "2026-06",
            "2026-06-04-01",
            "1.5",
        ] {
            let error = parse_expires_at(value).unwrap_err().to_string();
            assert!(
                error.starts_with("invalid --expires-at value"),
                "{value}: {error}"
            );
        }
    }

    #[test]
    fn the_error_quotes_the_value() {
        let error = parse_expires_at("soon").unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid --expires-at value \"soon\": expected an epoch timestamp or a date like \
             '2006-01-02', '2006-01-02 15:04:05', or an RFC3339 timestamp"
        );
    }
}
