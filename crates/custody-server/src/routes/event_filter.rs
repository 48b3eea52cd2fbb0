//! What `GET /environments/{org}/{env}/events` narrows an environment's log
//! to besides its interval and page, as the Kosli CLI's `log environment`
//! asks: `repo_name` (repeatable; events of artifacts built from any of these
//! repos), `start` and `end` (a snapshot index, or a time such as `NOW` or
//! `1hour`), and `start_ts` and `end_ts` (Unix seconds).

use custody_core::Timestamp;
use custody_core::event_range::{EventRange, RangeEnd, parse_unix_seconds, shown};
use custody_store::{EnvironmentRow, Page};

use crate::body::Pairs;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The `repo_name`, `start`, `end`, `start_ts` and `end_ts` parameters, read.
#[derive(Debug)]
pub struct EventFilter {
    /// Repo names, none for every artifact.
    pub repos: Vec<String>,
    range: EventRange,
}

impl EventFilter {
    /// The filter the query asks for, times resolved at `now`; a value that
    /// is not an index, a time or a timestamp, or a range that ends before
    /// it starts, is refused.
    pub fn from_query(query: &Pairs, now: Timestamp) -> ApiResult<Self> {
        let range = EventRange::new(
            (
                read(query, "start", RangeEnd::parse)?,
                read(query, "start_ts", parse_unix_seconds)?,
            ),
            (
                read(query, "end", RangeEnd::parse)?,
                read(query, "end_ts", parse_unix_seconds)?,
            ),
            now,
        )
        .map_err(ApiError::bad)?;
        let repos = query
            .all("repo_name")
            .into_iter()
            .filter(|name| !name.trim().is_empty())
            .collect();
        Ok(EventFilter { repos, range })
    }

    /// The snapshot indexes of `env` whose events are shown: the `interval`,
    /// or else the `page` counted back from the range's end, within the
    /// range; `None` when no snapshot is left. Each time costs one lookup of
    /// the snapshot it falls on.
    pub async fn indexes(
        &self,
        state: &AppState,
        env: &EnvironmentRow,
        interval: Option<(i64, i64)>,
        page: Page,
    ) -> ApiResult<Option<(i64, i64)>> {
        let mut first = self.range.first_index.unwrap_or(1);
        let mut last = self
            .range
            .last_index
            .unwrap_or(env.latest_index)
            .min(env.latest_index);
        if let Some(since) = self.range.since {
            match state.store.first_snapshot_since(env.id, since).await? {
                Some(index) => first = first.max(index),
                None => return Ok(None),
            }
        }
        if let Some(until) = self.range.until {
            match state.store.snapshot_at_time(env.id, until).await? {
                Some(index) => last = last.min(index),
                None => return Ok(None),
            }
        }
        Ok(shown(
            (first, last),
            interval,
            (page.offset(), page.limit()),
        ))
    }
}

/// The last value of `key`, read by `parse`; a refusal names the key.
fn read<T>(
    query: &Pairs,
    key: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> ApiResult<Option<T>> {
    query
        .last(key)
        .map(|text| parse(&text).map_err(|why| ApiError::bad(format!("{key} {why}"))))
        .transpose()
}
