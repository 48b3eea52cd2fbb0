//! The small expression languages of the CLI and API: snapshot references
//! (`aws-prod`, `aws-prod#65`, `aws-prod~2`, `aws-prod@{2.hours.ago}`), artifact
//! references (`runner:16d9990`, `runner@9af401c`) and snapshot intervals (`3..~1`).

use crate::Timestamp;
use crate::fingerprint::HexPrefix;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid expression: {expr}{reason}")]
pub struct ExprError {
    expr: String,
    reason: String,
}

fn invalid(expr: &str, reason: impl Into<String>) -> ExprError {
    ExprError {
        expr: expr.to_string(),
        reason: reason.into(),
    }
}

/// Which snapshot of an environment an expression points at.
#[derive(Debug, Clone, PartialEq)]
pub enum SnapshotRef {
    Latest,
    /// A 1-based index, or a negative number counting back from the latest (-1 = latest).
    Index(i64),
    /// N snapshots behind the latest (`~0` = latest).
    Behind(i64),
    /// The snapshot current at a moment.
    At(TimeRef),
}

/// A moment written by a user: `now`, an absolute UTC time, or `N.units.ago`.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeRef {
    Now,
    Absolute(Timestamp),
    Ago(f64),
}

impl TimeRef {
    pub fn resolve(&self, now: Timestamp) -> Timestamp {
        match self {
            TimeRef::Now => now,
            TimeRef::Absolute(t) => *t,
            TimeRef::Ago(seconds) => now - *seconds,
        }
    }
}

/// `env` plus a snapshot reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Snappish {
    pub env: String,
    pub at: SnapshotRef,
}

impl Snappish {
    pub fn parse(expr: &str) -> Result<Self, ExprError> {
        let markers = ['#', '~', '@'];
        let Some(pos) = expr.find(markers) else {
            return Ok(Snappish {
                env: expr.to_string(),
                at: SnapshotRef::Latest,
            });
        };
        let (env, suffix) = expr.split_at(pos);
        if expr.contains('#') && expr.contains('~') {
            return Err(invalid(expr, ". Both '~' and '#' are present"));
        }
        if env.is_empty() {
            return Err(invalid(expr, ". The environment name is missing"));
        }
        let at = parse_suffix(suffix).map_err(|reason| invalid(expr, reason))?;
        Ok(Snappish {
            env: env.to_string(),
            at,
        })
    }
}

/// Parses the part after the environment name, as sent in API paths:
/// `-1`, `65`, `#65`, `~2`, `@{...}`.
pub fn parse_suffix(suffix: &str) -> Result<SnapshotRef, String> {
    let int = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| format!(". '{s}' is not an integer"))
    };
    if let Some(rest) = suffix.strip_prefix('#') {
        let n = int(rest)?;
        return if n < 1 {
            Err(". Snapshot indexes are 1-based".into())
        } else {
            Ok(SnapshotRef::Index(n))
        };
    }
    if let Some(rest) = suffix.strip_prefix('~') {
        let n = int(rest)?;
        return if n < 0 {
            Err(format!(". '~{n}' must not be negative"))
        } else {
            Ok(SnapshotRef::Behind(n))
        };
    }
    if let Some(rest) = suffix.strip_prefix("@{").and_then(|r| r.strip_suffix('}')) {
        return parse_time(rest).map(SnapshotRef::At);
    }
    match int(suffix)? {
        0 => Err(". Snapshot indexes are 1-based".into()),
        -1 => Ok(SnapshotRef::Latest),
        n => Ok(SnapshotRef::Index(n)),
    }
}

/// `now`, `2023-10-02T12:00:00` (UTC), or `N.seconds|minutes|hours|days|weeks|months.ago`.
pub fn parse_time(text: &str) -> Result<TimeRef, String> {
    if text.eq_ignore_ascii_case("now") {
        return Ok(TimeRef::Now);
    }
    let parts: Vec<&str> = text.split('.').collect();
    if let [amount, unit, "ago"] = parts.as_slice() {
        let amount: f64 = amount
            .parse()
            .map_err(|_| format!(". '{amount}' is not a number"))?;
        let unit_seconds = unit_seconds(unit).ok_or_else(|| {
            format!(
                ". '{unit}' is not a time unit (use seconds, minutes, hours, days, weeks or months)"
            )
        })?;
        return Ok(TimeRef::Ago(amount * unit_seconds));
    }
    let civil: jiff::civil::DateTime = text.parse().map_err(|_| {
        format!(". '{text}' is neither a time like 2023-10-02T12:00:00 nor like 2.hours.ago")
    })?;
    let ts = civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| format!(". {e}"))?
        .timestamp();
    Ok(TimeRef::Absolute(Timestamp::from_seconds(
        ts.as_millisecond() as f64 / 1000.0,
    )))
}

/// The seconds in a time unit named in the singular or plural (`hour`,
/// `days`), from seconds to months of 30 days.
pub fn unit_seconds(unit: &str) -> Option<f64> {
    match unit.strip_suffix('s').unwrap_or(unit) {
        "second" => Some(1.0),
        "minute" => Some(60.0),
        "hour" => Some(3600.0),
        "day" => Some(86400.0),
        "week" => Some(7.0 * 86400.0),
        "month" => Some(30.0 * 86400.0),
        _ => None,
    }
}

/// Resolves a reference to a 1-based index, given the latest index (0 = no snapshots).
/// Time references are resolved by the caller, which knows the snapshot times.
pub fn resolve_index(at: &SnapshotRef, latest: i64) -> Option<i64> {
    match at {
        SnapshotRef::Latest => Some(latest),
        SnapshotRef::Index(n) if *n > 0 => Some(*n),
        SnapshotRef::Index(n) => Some(latest + 1 + n),
        SnapshotRef::Behind(n) => Some(latest - n),
        SnapshotRef::At(_) => None,
    }
}

/// `flow@<fingerprint prefix>` or `flow:<commit prefix>`.
#[derive(Debug, Clone, PartialEq)]
pub enum ArtifactRef {
    Fingerprint { flow: String, prefix: HexPrefix },
    Commit { flow: String, prefix: HexPrefix },
}

impl ArtifactRef {
    pub fn parse(expr: &str) -> Result<Self, ExprError> {
        let (flow, value, by_fingerprint) = if let Some((f, v)) = expr.split_once('@') {
            (f, v, true)
        } else if let Some((f, v)) = expr.split_once(':') {
            (f, v, false)
        } else {
            return Err(invalid(expr, ""));
        };
        if flow.is_empty() {
            return Err(invalid(expr, ". The flow name is missing"));
        }
        let prefix = HexPrefix::parse(value).map_err(|e| invalid(expr, format!(". {e}")))?;
        let flow = flow.to_string();
        Ok(if by_fingerprint {
            ArtifactRef::Fingerprint { flow, prefix }
        } else {
            ArtifactRef::Commit { flow, prefix }
        })
    }
}

/// One end of an interval: an index, `~N` behind latest, or `NOW`.
#[derive(Debug, Clone, PartialEq)]
enum Bound {
    Index(i64),
    Behind(i64),
    Now,
}

/// Parses `A..B` and resolves it against the latest index into an inclusive range.
/// A missing left side means 1, a missing right side means NOW; one
/// expression alone (`NOW`, `7`, `~2`) is the range of that snapshot.
pub fn parse_interval(text: &str, latest: i64) -> Result<(i64, i64), ExprError> {
    let (left, right) = match text.split_once("..") {
        Some(sides) => sides,
        None if !text.trim().is_empty() => (text, text),
        None => {
            return Err(invalid(
                text,
                ". An interval looks like 3..7, ~5..NOW, 10.. or NOW",
            ));
        }
    };
    let bound = |s: &str, default: Bound| -> Result<Bound, ExprError> {
        let s = s.trim();
        if s.is_empty() {
            Ok(default)
        } else if s.eq_ignore_ascii_case("now") {
            Ok(Bound::Now)
        } else if let Some(n) = s.strip_prefix('~') {
            n.parse()
                .map(Bound::Behind)
                .map_err(|_| invalid(text, format!(". '{n}' is not an integer")))
        } else {
            s.parse()
                .map(Bound::Index)
                .map_err(|_| invalid(text, format!(". '{s}' is not an integer")))
        }
    };
    let at = |b: Bound| match b {
        Bound::Index(n) => n,
        Bound::Behind(n) => latest.saturating_sub(n), // `~-N` parses too: no overflow
        Bound::Now => latest,
    };
    let from = at(bound(left, Bound::Index(1))?);
    let to = at(bound(right, Bound::Now)?);
    if from > to {
        return Err(invalid(text, ". The start is after the end"));
    }
    Ok((from.max(1), to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_snapshot_references() {
        let p = |s| Snappish::parse(s).unwrap().at;
        assert_eq!(p("aws-prod"), SnapshotRef::Latest);
        assert_eq!(p("aws-prod#65"), SnapshotRef::Index(65));
        assert_eq!(p("aws-prod~2"), SnapshotRef::Behind(2));
        assert_eq!(
            p("aws-prod@{2.hours.ago}"),
            SnapshotRef::At(TimeRef::Ago(7200.0))
        );
        assert_eq!(
            p("aws-prod@{2022-08-22T09:39:22}"),
            SnapshotRef::At(TimeRef::Absolute(Timestamp::from_seconds(1661161162.0)))
        );
    }

    #[test]
    fn reports_kosli_error_texts() {
        let e = |s| Snappish::parse(s).unwrap_err().to_string();
        assert_eq!(
            e("env#~"),
            "invalid expression: env#~. Both '~' and '#' are present"
        );
        assert_eq!(
            e("env#five"),
            "invalid expression: env#five. 'five' is not an integer"
        );
        assert_eq!(
            ArtifactRef::parse("flow#abc").unwrap_err().to_string(),
            "invalid expression: flow#abc"
        );
    }

    #[test]
    fn resolves_indexes_against_latest() {
        assert_eq!(resolve_index(&SnapshotRef::Latest, 7), Some(7));
        assert_eq!(resolve_index(&SnapshotRef::Behind(2), 7), Some(5));
        assert_eq!(resolve_index(&SnapshotRef::Index(-1), 7), Some(7));
        assert_eq!(resolve_index(&SnapshotRef::Index(-3), 7), Some(5));
        assert_eq!(parse_suffix("%23"), Err(". '%23' is not an integer".into()));
    }

    #[test]
    fn parses_artifact_references() {
        match ArtifactRef::parse("runner:16d9990").unwrap() {
            ArtifactRef::Commit { flow, prefix } => {
                assert_eq!((flow.as_str(), prefix.as_str()), ("runner", "16d9990"))
            }
            other => panic!("{other:?}"),
        }
        assert!(ArtifactRef::parse("runner@16d9").is_err());
    }

    #[test]
    fn resolves_intervals() {
        assert_eq!(parse_interval("3..7", 10).unwrap(), (3, 7));
        assert_eq!(parse_interval("~2..NOW", 10).unwrap(), (8, 10));
        assert_eq!(parse_interval("..", 10).unwrap(), (1, 10));
        assert!(parse_interval("7..3", 10).is_err());
        assert!(parse_interval("x..3", 10).is_err());
        assert_eq!(parse_interval("NOW", 10).unwrap(), (10, 10));
        assert_eq!(parse_interval("~2", 10).unwrap(), (8, 8));
        assert_eq!(parse_interval("4", 10).unwrap(), (4, 4));
        assert!(parse_interval(" ", 10).is_err());
    }
}
