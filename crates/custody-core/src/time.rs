//! Times: seconds since the Unix epoch. Kosli's wire carries them as float
//! seconds (a plain JSON number, which is how a [`Timestamp`] serialises) and
//! a few fields as whole seconds ([`Timestamp::whole_seconds`]); with the
//! `sqlx` feature a time reads and writes as the REAL/DOUBLE column it is
//! stored in.

use std::cmp::Ordering;
use std::ops::{Add, Sub};
use std::time::{SystemTime, UNIX_EPOCH};

/// A moment, in seconds (with fractions) since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
pub struct Timestamp(f64);

impl Timestamp {
    /// The system clock's time.
    pub fn now() -> Self {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        Timestamp(seconds)
    }

    pub const fn from_seconds(seconds: f64) -> Self {
        Timestamp(seconds)
    }

    /// Float seconds, as on the wire.
    pub const fn seconds(self) -> f64 {
        self.0
    }

    /// Whole seconds (rounded down), for the wire's integer fields.
    pub fn whole_seconds(self) -> i64 {
        self.0.floor() as i64
    }

    /// The earlier of two times.
    pub fn min(self, other: Self) -> Self {
        Timestamp(self.0.min(other.0))
    }

    /// The later of two times.
    pub fn max(self, other: Self) -> Self {
        Timestamp(self.0.max(other.0))
    }

    /// A total order (as [`f64::total_cmp`]), for sorting.
    pub fn total_cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Add<f64> for Timestamp {
    type Output = Timestamp;

    /// This many seconds later.
    fn add(self, seconds: f64) -> Timestamp {
        Timestamp(self.0 + seconds)
    }
}

impl Sub<f64> for Timestamp {
    type Output = Timestamp;

    /// This many seconds earlier.
    fn sub(self, seconds: f64) -> Timestamp {
        Timestamp(self.0 - seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_a_plain_number() {
        let t = Timestamp::from_seconds(1_764_300_120.75);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1764300120.75");
        assert_eq!(
            serde_json::from_str::<Timestamp>("1764300120.75").unwrap(),
            t
        );
    }

    #[test]
    fn whole_seconds_drop_the_fraction() {
        assert_eq!(
            Timestamp::from_seconds(1_764_300_120.75).whole_seconds(),
            1_764_300_120
        );
        assert_eq!(Timestamp::from_seconds(-0.5).whole_seconds(), -1);
    }
}
