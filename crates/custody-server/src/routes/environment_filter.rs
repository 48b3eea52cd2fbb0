//! Which environments `GET /environments/{org}` lists, and in what order, as
//! Kosli's list narrows them: `name` (a part of the name, in any case),
//! `type` and `tag` (`key`, `key:value` or `key=value`, both repeatable; any one of them
//! matches), and `sort` (`name`, `last_modified_at` or `last_changed_at`)
//! with `sort_direction`.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use custody_core::{EnvironmentType, Timestamp};
use custody_store::{EnvironmentRow, Page};

use crate::body::Pairs;
use crate::error::{ApiError, ApiResult};

/// The field environments are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Name,
    LastModified,
    LastChanged,
}

/// The `name`, `type`, `tag`, `sort` and `sort_direction` parameters.
#[derive(Debug)]
pub struct EnvironmentFilter {
    name: Option<String>,
    types: Vec<EnvironmentType>,
    tags: Vec<(String, Option<String>)>,
    sort: SortKey,
    descending: bool,
}

impl EnvironmentFilter {
    /// The filter the query asks for; an unknown type or sort field is refused.
    pub fn from_query(query: &Pairs) -> ApiResult<Self> {
        let types = query
            .all("type")
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().map_err(|e| ApiError::bad(format!("{e}"))))
            .collect::<ApiResult<_>>()?;
        let sort = match query.last("sort").as_deref() {
            None | Some("name") => SortKey::Name,
            Some("last_modified_at") => SortKey::LastModified,
            Some("last_changed_at") => SortKey::LastChanged,
            Some(other) => {
                return Err(ApiError::bad(format!(
                    "sort '{other}' is not valid: use name, last_modified_at or last_changed_at"
                )));
            }
        };
        Ok(Self {
            name: query.last("name").map(|n| n.to_lowercase()),
            types,
            tags: query.tags(),
            sort,
            descending: query.descending()?,
        })
    }

    /// Whether it keeps every environment in the store's order (by name).
    pub fn is_everything(&self) -> bool {
        self.name.is_none()
            && self.types.is_empty()
            && self.tags.is_empty()
            && self.sort == SortKey::Name
            && !self.descending
    }

    /// The `page` (all when `None`) of the environments of `rows` it keeps,
    /// and how many it keeps.
    pub fn page(
        &self,
        rows: Vec<EnvironmentRow>,
        page: Option<Page>,
    ) -> (Vec<EnvironmentRow>, u64) {
        let kept = self.apply(rows);
        let total = kept.len() as u64;
        let Some(page) = page else {
            return (kept, total);
        };
        let skip = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        (kept.into_iter().skip(skip).take(take).collect(), total)
    }

    /// The environments of `rows` it keeps, in its order.
    fn apply(&self, rows: Vec<EnvironmentRow>) -> Vec<EnvironmentRow> {
        let mut kept: Vec<EnvironmentRow> = rows.into_iter().filter(|r| self.keeps(r)).collect();
        kept.sort_by(|a, b| {
            let order = match self.sort {
                SortKey::Name => Ordering::Equal,
                SortKey::LastModified => {
                    by_time(Some(a.last_modified_at), Some(b.last_modified_at))
                }
                SortKey::LastChanged => by_time(a.last_changed_at, b.last_changed_at),
            }
            .then_with(|| a.name.cmp(&b.name));
            if self.descending {
                order.reverse()
            } else {
                order
            }
        });
        kept
    }

    fn keeps(&self, row: &EnvironmentRow) -> bool {
        let named = self
            .name
            .as_ref()
            .is_none_or(|part| row.name.to_lowercase().contains(part));
        let typed = self.types.is_empty() || self.types.contains(&row.kind);
        named && typed && (self.tags.is_empty() || self.tagged(row))
    }

    fn tagged(&self, row: &EnvironmentRow) -> bool {
        let tags: BTreeMap<String, String> = serde_json::from_str(&row.tags).unwrap_or_default();
        self.tags
            .iter()
            .any(|(key, value)| match (tags.get(key), value) {
                (Some(has), Some(want)) => has == want,
                (Some(_), None) => true,
                (None, _) => false,
            })
    }
}

/// Earlier first; never is before any time.
fn by_time(a: Option<Timestamp>, b: Option<Timestamp>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.total_cmp(&b),
        _ => a.is_some().cmp(&b.is_some()),
    }
}
