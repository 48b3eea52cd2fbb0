//! Spans of time in words, as the `xeonx/timeago` English format the Kosli
//! CLI uses has them: `about a minute`, `15 days`, `one year`, rounded half
//! up within the largest fitting unit (23.6 hours is `one day`, not `24
//! hours`). The CLI and the web UI both word time this way.

/// One second, in nanoseconds.
pub const SECOND: i128 = 1_000_000_000;
const DAY: i128 = 24 * 3600 * SECOND;
/// A `timeago` month: 30 days.
pub const MONTH: i128 = 30 * DAY;
const YEAR: i128 = 365 * DAY;

/// A period: its length in nanoseconds, the text for one, the unit for many.
struct Period(i128, &'static str, &'static str);

const PERIODS: [Period; 6] = [
    Period(SECOND, "about a second", "seconds"),
    Period(60 * SECOND, "about a minute", "minutes"),
    Period(3600 * SECOND, "about an hour", "hours"),
    Period(DAY, "one day", "days"),
    Period(MONTH, "one month", "months"),
    Period(YEAR, "one year", "years"),
];

/// `d` nanoseconds from now: `past_suffix` after the words for the past,
/// `in ` before them for the future.
pub fn words(d: i128, past_suffix: &str) -> String {
    let text = period_text(d.abs());
    if d >= 0 {
        format!("{text}{past_suffix}")
    } else {
        format!("in {text}")
    }
}

/// `seconds` ago: `15 days ago`, or `in 2 hours` when negative.
pub fn ago(seconds: f64) -> String {
    words((seconds * SECOND as f64) as i128, " ago")
}

/// A duration of `seconds` (whole seconds count) without suffix: `11 days`,
/// `59 seconds`, `about a minute`.
pub fn duration(seconds: f64) -> String {
    words(i128::from(seconds as i64) * SECOND, "")
}

/// The first period whose successor is longer than `d`, unless `d` rounds to
/// a whole successor.
fn period_text(d: i128) -> String {
    if d < SECOND {
        return PERIODS[0].1.to_owned();
    }
    let [.., last] = &PERIODS;
    let (Period(_, one, many), r) = PERIODS
        .windows(2)
        .find_map(|pair| {
            let [period, next] = pair else { return None };
            let r = round(d, period.0);
            (d < next.0 && r != round(next.0, period.0)).then_some((period, r))
        })
        .unwrap_or_else(|| (last, round(d, last.0)));
    if r == 1 {
        (*one).to_owned()
    } else {
        format!("{r} {many}")
    }
}

/// Half-up rounding of `d / step`, in floating point like `timeago`.
fn round(d: i128, step: i128) -> i64 {
    (d as f64 / step as f64 + 0.5) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: f64 = 3600.0;
    const DAYS: f64 = 24.0 * HOUR;

    #[test]
    fn spans_round_as_timeago_does() {
        assert_eq!(ago(0.0), "about a second ago");
        assert_eq!(ago(59.0), "59 seconds ago");
        assert_eq!(ago(89.0), "about a minute ago");
        assert_eq!(ago(90.0), "2 minutes ago");
        assert_eq!(ago(59.5 * 60.0), "about an hour ago");
        assert_eq!(ago(23.4 * HOUR), "23 hours ago");
        assert_eq!(ago(23.6 * HOUR), "one day ago");
        assert_eq!(ago(29.6 * DAYS), "one month ago");
        assert_eq!(ago(2.0 * 365.0 * DAYS), "2 years ago");
        assert_eq!(ago(-2.0 * HOUR), "in 2 hours");
    }

    #[test]
    fn durations_count_whole_seconds_and_have_no_suffix() {
        assert_eq!(duration(59.9), "59 seconds");
        assert_eq!(duration(60.0), "about a minute");
        assert_eq!(duration(11.0 * DAYS), "11 days");
        assert_eq!(duration(4.0 * 365.0 * DAYS), "4 years");
        assert_eq!(duration(0.0), "about a second");
    }
}
