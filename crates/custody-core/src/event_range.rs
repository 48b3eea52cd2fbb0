//! The range an environment's event log is narrowed to besides its interval
//! and page: `start` and `end` (a snapshot index, or a time such as `NOW`,
//! `1hour` or `2.hours.ago`) and `start_ts` and `end_ts` (Unix seconds).
//! Times are turned into snapshot indexes by whoever knows when each
//! snapshot was taken; [`shown`] then keeps the interval or page within them.

use crate::Timestamp;
use crate::expr::{TimeRef, parse_time, unit_seconds};

/// One end of an event range as written: a snapshot index or a moment.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeEnd {
    Index(i64),
    Time(TimeRef),
}

impl RangeEnd {
    /// Reads `7`, `NOW`, `1hour`, `30minutes`, `2.hours.ago` or
    /// `2023-10-02T12:00:00` (UTC); a compact `1hour` means that long ago.
    pub fn parse(text: &str) -> Result<RangeEnd, String> {
        let text = text.trim();
        if let Ok(index) = text.parse::<i64>() {
            return if index >= 1 {
                Ok(RangeEnd::Index(index))
            } else {
                Err(format!(
                    "'{text}' is not a snapshot index: snapshot indexes start at 1"
                ))
            };
        }
        if let Some(seconds) = compact_ago(text) {
            return Ok(RangeEnd::Time(TimeRef::Ago(seconds)));
        }
        parse_time(text).map(RangeEnd::Time).map_err(|_| {
            format!(
                "'{text}' is neither a snapshot index nor a time such as NOW, 1hour, \
                 2.hours.ago or 2023-10-02T12:00:00"
            )
        })
    }
}

/// `1hour`, `30minutes`, `1.5days`: how many seconds ago.
fn compact_ago(text: &str) -> Option<f64> {
    let unit_at = text.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (amount, unit) = text.split_at(unit_at);
    let amount: f64 = amount.parse().ok()?;
    Some(amount * unit_seconds(unit)?)
}

/// Reads Unix seconds, whole or not (`1700000000`, `1700000000.5`).
pub fn parse_unix_seconds(text: &str) -> Result<Timestamp, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => {
            Ok(Timestamp::from_seconds(seconds))
        }
        _ => Err(format!(
            "'{text}' is not a Unix timestamp in seconds, such as 1700000000 or 1700000000.5"
        )),
    }
}

/// An event range's ends: on each side the index or time written there,
/// and the Unix time given beside it; the narrower one wins.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventRange {
    /// The first snapshot index shown.
    pub first_index: Option<i64>,
    /// The last snapshot index shown.
    pub last_index: Option<i64>,
    /// Only snapshots taken at or after this.
    pub since: Option<Timestamp>,
    /// Only snapshots taken at or before this.
    pub until: Option<Timestamp>,
}

impl EventRange {
    /// The range of `start`, `end`, `start_ts` and `end_ts`, times resolved
    /// at `now`; refused when its start is after its end.
    pub fn new(
        (start, start_ts): (Option<RangeEnd>, Option<Timestamp>),
        (end, end_ts): (Option<RangeEnd>, Option<Timestamp>),
        now: Timestamp,
    ) -> Result<EventRange, String> {
        let (first_index, start_time) = split(start, now);
        let (last_index, end_time) = split(end, now);
        let since = [start_time, start_ts]
            .into_iter()
            .flatten()
            .reduce(Timestamp::max);
        let until = [end_time, end_ts]
            .into_iter()
            .flatten()
            .reduce(Timestamp::min);
        if let (Some(first), Some(last)) = (first_index, last_index)
            && first > last
        {
            return Err(format!(
                "start (snapshot {first}) is after end (snapshot {last})"
            ));
        }
        if let (Some(since), Some(until)) = (since, until)
            && since > until
        {
            return Err(format!(
                "start ({}) is after end ({})",
                since.seconds(),
                until.seconds()
            ));
        }
        Ok(EventRange {
            first_index,
            last_index,
            since,
            until,
        })
    }
}

fn split(end: Option<RangeEnd>, now: Timestamp) -> (Option<i64>, Option<Timestamp>) {
    match end {
        None => (None, None),
        Some(RangeEnd::Index(index)) => (Some(index), None),
        Some(RangeEnd::Time(time)) => (None, Some(time.resolve(now))),
    }
}

/// The snapshot indexes shown: the `interval`, or else the page (`offset`
/// and `limit`, in snapshots) counted back from `last`, kept within
/// `first..=last`; `None` when that leaves none.
pub fn shown(
    (first, last): (i64, i64),
    interval: Option<(i64, i64)>,
    (offset, limit): (i64, i64),
) -> Option<(i64, i64)> {
    let first = first.max(1);
    let (from, to) = match interval {
        Some((from, to)) => (from.max(first), to.min(last)),
        None => {
            let to = last.saturating_sub(offset);
            (to.saturating_sub(limit - 1).max(first), to)
        }
    };
    (from <= to).then_some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_ends_are_indexes_or_times() {
        assert_eq!(RangeEnd::parse("7"), Ok(RangeEnd::Index(7)));
        assert_eq!(RangeEnd::parse("NOW"), Ok(RangeEnd::Time(TimeRef::Now)));
        assert_eq!(
            RangeEnd::parse("1hour"),
            Ok(RangeEnd::Time(TimeRef::Ago(3600.0)))
        );
        assert_eq!(
            RangeEnd::parse("30minutes"),
            Ok(RangeEnd::Time(TimeRef::Ago(1800.0)))
        );
        assert_eq!(
            RangeEnd::parse("2.hours.ago"),
            Ok(RangeEnd::Time(TimeRef::Ago(7200.0)))
        );
        assert!(matches!(
            RangeEnd::parse("2023-10-02T12:00:00"),
            Ok(RangeEnd::Time(TimeRef::Absolute(_)))
        ));
        assert!(RangeEnd::parse("0").unwrap_err().contains("start at 1"));
        for bad in ["", "1fortnight", "hour", "soon", "1..2"] {
            assert!(RangeEnd::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unix_seconds_are_finite_and_not_negative() {
        assert_eq!(
            parse_unix_seconds("1700000000.5"),
            Ok(Timestamp::from_seconds(1700000000.5))
        );
        for bad in ["-1", "NaN", "inf", "soon", ""] {
            assert!(parse_unix_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_narrower_end_wins_and_a_reversed_range_is_refused() {
        let now = Timestamp::from_seconds(10_000.0);
        let range = EventRange::new(
            (
                Some(RangeEnd::Time(TimeRef::Ago(3600.0))),
                Some(Timestamp::from_seconds(7_000.0)),
            ),
            (
                Some(RangeEnd::Index(9)),
                Some(Timestamp::from_seconds(9_000.0)),
            ),
            now,
        )
        .unwrap();
        assert_eq!(range.since, Some(Timestamp::from_seconds(7_000.0)));
        assert_eq!(range.until, Some(Timestamp::from_seconds(9_000.0)));
        assert_eq!((range.first_index, range.last_index), (None, Some(9)));
        let index = |n| (Some(RangeEnd::Index(n)), None);
        assert!(EventRange::new(index(5), index(3), now).is_err());
        let ts = |s| (None, Some(Timestamp::from_seconds(s)));
        assert!(EventRange::new(ts(5.0), ts(3.0), now).is_err());
        assert!(EventRange::new(index(3), index(3), now).is_ok());
    }

    #[test]
    fn pages_count_back_from_the_end_of_the_range() {
        assert_eq!(shown((1, 40), None, (0, 15)), Some((26, 40)));
        assert_eq!(shown((1, 40), None, (15, 15)), Some((11, 25)));
        assert_eq!(shown((30, 40), None, (0, 15)), Some((30, 40)));
        assert_eq!(shown((30, 40), None, (15, 15)), None);
        assert_eq!(shown((1, 20), Some((5, 30)), (0, 15)), Some((5, 20)));
        assert_eq!(shown((10, 20), Some((1, 5)), (0, 15)), None);
        assert_eq!(shown((1, 0), None, (0, 15)), None);
    }
}
