//! Timestamps as the Kosli CLI prints them: Go's RFC 1123 layout in the local
//! time zone, RFC 3339, and `xeonx/timeago` English relative times, plus the
//! `KOSLI_TESTS` hook that pins every displayed timestamp for golden tests, and
//! `CUSTODY_NOW`, which pins the moment relative times are measured from.

use custody_core::timeago::{MONTH, words};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// The instant every displayed timestamp becomes under the test hook
/// (`Sat, 16 Jan 2016 00:00:00 UTC`).
const TEST_SECOND: i64 = 1_452_902_400;

/// From this distance on, a relative time is printed as a date (`Max = 36 * timeago.Month`).
const MAX_RELATIVE: i128 = 36 * MONTH;

/// The current time, or `CUSTODY_NOW` (unix seconds or an RFC 3339 time) when set,
/// so that relative times in output can be reproduced (documentation, tests).
pub fn now() -> Timestamp {
    std::env::var("CUSTODY_NOW")
        .ok()
        .and_then(|v| parse_instant(&v))
        .unwrap_or_else(Timestamp::now)
}

fn parse_instant(text: &str) -> Option<Timestamp> {
    match text.parse::<i64>() {
        Ok(seconds) => Timestamp::from_second(seconds).ok(),
        Err(_) => text.parse().ok(),
    }
}

/// Whether the test hook is on (`KOSLI_TESTS` or `CUSTODY_TESTS` set to anything).
fn fixed_for_tests() -> bool {
    ["KOSLI_TESTS", "CUSTODY_TESTS"]
        .iter()
        .any(|name| std::env::var_os(name).is_some())
}

/// The moment and zone a server timestamp (seconds, truncated like Go's
/// `int64(f)`) is shown in: local time, or the fixed test instant in UTC.
fn displayed(ts: f64, fixed: bool) -> Zoned {
    if fixed {
        zoned(TEST_SECOND, TimeZone::UTC)
    } else {
        zoned(ts as i64, TimeZone::system())
    }
}

fn zoned(second: i64, tz: TimeZone) -> Zoned {
    let ts = Timestamp::from_second(second).unwrap_or(if second < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    });
    ts.to_zoned(tz)
}

/// Go's RFC 1123 layout `Mon, 02 Jan 2006 15:04:05 MST`, e.g.
/// `Mon, 22 Aug 2022 11:35:00 CEST`.
pub fn short(ts: f64) -> String {
    rfc1123(&displayed(ts, fixed_for_tests()))
}

/// `short` followed by ` • ` and the relative time.
pub fn long(ts: f64) -> String {
    let at = displayed(ts, fixed_for_tests());
    format!("{} \u{2022} {}", rfc1123(&at), relative_from(&at, now()))
}

/// How long ago (or ahead) a timestamp is, e.g. `15 days ago` or `in 2 hours`.
pub fn relative(ts: f64) -> String {
    relative_to(ts, now())
}

/// `relative` measured from `now` rather than the clock.
pub fn relative_to(ts: f64, now: Timestamp) -> String {
    relative_from(&displayed(ts, fixed_for_tests()), now)
}

/// Go's RFC 3339 layout in the local zone, e.g. `2022-10-30T14:51:42+01:00`
/// (`Z` for a zero offset). Like Kosli, this ignores the test hook.
pub fn rfc3339_local(ts: f64) -> String {
    rfc3339(&zoned(ts as i64, TimeZone::system()))
}

fn rfc1123(at: &Zoned) -> String {
    format!("{} {}", at.strftime("%a, %d %b %Y %H:%M:%S"), zone_name(at))
}

fn rfc3339(at: &Zoned) -> String {
    let offset = at.offset().seconds();
    let zone = if offset == 0 {
        "Z".to_owned()
    } else {
        numeric_offset(offset, ":")
    };
    format!("{}{zone}", at.strftime("%Y-%m-%dT%H:%M:%S"))
}

/// The zone abbreviation, or Go's `-0700` form when the zone has none
/// (jiff names fixed-offset zones after their offset, e.g. `+05:30`).
fn zone_name(at: &Zoned) -> String {
    let info = at.time_zone().to_offset_info(at.timestamp());
    let abbreviation = info.abbreviation();
    let unnamed =
        at.time_zone().to_fixed_offset().is_ok() && abbreviation == info.offset().to_string();
    if abbreviation.is_empty() || unnamed {
        numeric_offset(info.offset().seconds(), "")
    } else {
        abbreviation.to_owned()
    }
}

/// `+hhmm` / `-hh:mm` with whole minutes, as Go prints offsets.
fn numeric_offset(seconds: i32, separator: &str) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = (seconds / 60).abs();
    format!("{sign}{:02}{separator}{:02}", minutes / 60, minutes % 60)
}

/// `timeago.English.FormatReference` with `Max = 36 months`.
fn relative_from(at: &Zoned, now: Timestamp) -> String {
    let d = now.as_nanosecond() - at.timestamp().as_nanosecond();
    if d.abs() >= MAX_RELATIVE {
        at.strftime("%Y-%m-%d").to_string()
    } else {
        words(d, " ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: f64 = 3600.0;
    const DAYS: f64 = 24.0 * HOUR;

    fn ago(seconds: f64) -> String {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let at = Timestamp::from_nanosecond(now.as_nanosecond() - (seconds * 1e9) as i128);
        let at = at.unwrap();
        relative_from(&at.to_zoned(TimeZone::UTC), now)
    }

    fn berlin(second: i64) -> Zoned {
        zoned(second, TimeZone::get("Europe/Berlin").unwrap())
    }

    #[test]
    fn relative_times_follow_timeago() {
        assert_eq!(ago(1.0), "about a second ago");
        assert_eq!(ago(23.6 * HOUR), "one day ago");
        assert_eq!(ago(15.0 * DAYS), "15 days ago");
        assert_eq!(ago(-2.0 * HOUR), "in 2 hours");
    }

    #[test]
    fn relative_times_beyond_36_months_are_dates() {
        assert_eq!(ago(4.0 * 365.0 * DAYS), "2019-11-15");
        assert_eq!(ago(36.0 * 30.0 * DAYS - 1.0), "3 years ago");
        assert_eq!(ago(36.0 * 30.0 * DAYS), "2020-11-29");
    }

    #[test]
    fn rfc1123_uses_the_zone_abbreviation() {
        assert_eq!(
            rfc1123(&berlin(1_661_160_900)),
            "Mon, 22 Aug 2022 11:35:00 CEST"
        );
        assert_eq!(
            rfc1123(&berlin(1_641_013_200)),
            "Sat, 01 Jan 2022 06:00:00 CET"
        );
        let utc = zoned(TEST_SECOND, TimeZone::UTC);
        assert_eq!(rfc1123(&utc), "Sat, 16 Jan 2016 00:00:00 UTC");
        let sao_paulo = zoned(1_661_160_900, TimeZone::get("America/Sao_Paulo").unwrap());
        assert_eq!(rfc1123(&sao_paulo), "Mon, 22 Aug 2022 06:35:00 -03");
    }

    #[test]
    fn unnamed_zones_print_a_numeric_offset() {
        let offset = |s| TimeZone::fixed(jiff::tz::Offset::from_seconds(s).unwrap());
        let ist = zoned(1_661_160_900, offset(19_800));
        assert_eq!(rfc1123(&ist), "Mon, 22 Aug 2022 15:05:00 +0530");
        let west = zoned(1_661_160_900, offset(-9_000));
        assert_eq!(rfc1123(&west), "Mon, 22 Aug 2022 07:05:00 -0230");
    }

    #[test]
    fn rfc3339_uses_z_for_utc() {
        assert_eq!(rfc3339(&berlin(1_667_137_902)), "2022-10-30T14:51:42+01:00");
        assert_eq!(
            rfc3339(&zoned(1_667_137_902, TimeZone::UTC)),
            "2022-10-30T13:51:42Z"
        );
    }

    #[test]
    fn the_test_hook_pins_timestamps_to_2016_in_utc() {
        let at = displayed(1_661_160_900.7, true);
        assert_eq!(rfc1123(&at), "Sat, 16 Jan 2016 00:00:00 UTC");
        assert_eq!(
            relative_from(&at, Timestamp::from_second(1_700_000_000).unwrap()),
            "2016-01-16"
        );
        assert_eq!(
            displayed(1_661_160_900.7, false).timestamp().as_second(),
            1_661_160_900
        );
    }
}
