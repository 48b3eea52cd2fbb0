//! How a run's instances are stored. A run opened because its fingerprint's
//! replica count changed does not copy the instances that stayed: it names a
//! base (the run before it, or that run's own base) and stores only pieces —
//! `[start, len]` for a range of the base's instances kept, an object for an
//! instance that is new. When the new instances outweigh half of the list, the
//! run is stored whole and becomes the base of the runs after it, so a
//! delta is always one step from a whole list. Reading rebuilds the exact text
//! that was reported.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use sqlx::AnyPool;

use super::{CHUNK, bind_args, ints, placeholders};
use crate::{Result, StoreError};

/// The instances of a run as a list of their JSON texts.
pub(super) fn elements(instances: &str) -> Result<Vec<String>> {
    let values: Vec<Value> = serde_json::from_str(instances)
        .map_err(|e| StoreError::Corrupt(format!("run instances: {e}")))?;
    Ok(values.iter().map(Value::to_string).collect())
}

/// The pieces that rebuild `instances` from `base`, or `None` when storing
/// the whole list costs less than half again.
pub(super) fn encode(base: &[String], instances: &[Value]) -> Option<String> {
    let mut positions: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, text) in base.iter().enumerate().rev() {
        positions.entry(text.as_str()).or_default().push(i);
    }
    let (mut pieces, mut literal_bytes, mut whole_bytes) = (Vec::<String>::new(), 0, 0);
    let mut range: Option<(usize, usize)> = None;
    for instance in instances {
        let text = instance.to_string();
        whole_bytes += text.len() + 1;
        let found = positions.get_mut(text.as_str()).and_then(Vec::pop);
        match (found, range) {
            (Some(at), Some((start, len))) if at == start + len => range = Some((start, len + 1)),
            (found, open) => {
                if let Some((start, len)) = open {
                    pieces.push(format!("[{start},{len}]"));
                }
                range = found.map(|at| (at, 1));
                if found.is_none() {
                    literal_bytes += text.len();
                    pieces.push(text);
                }
            }
        }
    }
    if let Some((start, len)) = range {
        pieces.push(format!("[{start},{len}]"));
    }
    (literal_bytes * 2 < whole_bytes).then(|| format!("[{}]", pieces.join(",")))
}

/// The instances text `pieces` stand for over `base`.
pub(super) fn decode(base: &[String], pieces: &str) -> Result<String> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("run instance pieces: {what}"));
    let pieces: Vec<Value> = serde_json::from_str(pieces).map_err(|e| corrupt(&e.to_string()))?;
    let mut texts: Vec<String> = Vec::new();
    for piece in &pieces {
        if piece.is_object() {
            texts.push(piece.to_string());
            continue;
        }
        let bound = |i: usize| {
            piece
                .get(i)
                .and_then(Value::as_u64)
                .ok_or_else(|| corrupt("a range"))
        };
        let (start, len) = (bound(0)? as usize, bound(1)? as usize);
        let kept = base
            .get(start..start + len)
            .ok_or_else(|| corrupt("a range past its base"))?;
        texts.extend_from_slice(kept);
    }
    Ok(format!("[{}]", texts.join(",")))
}

/// The whole instances of these base runs, by id, as lists of texts.
pub(super) async fn bases(
    conn: &mut sqlx::AnyConnection,
    ids: impl IntoIterator<Item = i64>,
) -> Result<BTreeMap<i64, Vec<String>>> {
    let mut found = BTreeMap::new();
    for chunk in ints(ids).chunks(CHUNK) {
        let sql = format!(
            "SELECT id, instances FROM runs WHERE id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(i64, String)> = bind_args(sqlx::query_as(sqlx::AssertSqlSafe(sql)), chunk)
            .fetch_all(&mut *conn)
            .await?;
        for (id, instances) in rows {
            found.insert(id, elements(&instances)?);
        }
    }
    Ok(found)
}

/// Rebuilds, in place, every `(base, instances)` that is stored as pieces.
pub(super) async fn rebuild<'a>(
    pool: &AnyPool,
    runs: impl IntoIterator<Item = (Option<i64>, &'a mut String)>,
) -> Result<()> {
    let runs: Vec<(i64, &mut String)> = runs
        .into_iter()
        .filter_map(|(base, text)| base.map(|b| (b, text)))
        .collect();
    if runs.is_empty() {
        return Ok(());
    }
    let mut conn = pool.acquire().await?;
    let bases = bases(&mut conn, runs.iter().map(|(base, _)| *base)).await?;
    for (base, text) in runs {
        let whole = bases
            .get(&base)
            .ok_or_else(|| StoreError::Corrupt(format!("run base {base} is missing")))?;
        *text = decode(whole, text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pods(names: &[&str]) -> Vec<Value> {
        names
            .iter()
            .map(|n| json!({"podName": n, "creationTimestamp": 1}))
            .collect()
    }

    fn texts(values: &[Value]) -> Vec<String> {
        values.iter().map(Value::to_string).collect()
    }

    #[test]
    fn a_scaled_list_is_ranges_of_its_base_and_the_new_instances() {
        let base = pods(&["a", "b", "c", "d"]);
        let scaled = pods(&["a", "b", "d", "e"]);
        let pieces = encode(&texts(&base), &scaled).expect("worth a delta");
        assert_eq!(
            pieces,
            r#"[[0,2],[3,1],{"podName":"e","creationTimestamp":1}]"#
        );
        let whole = Value::from(scaled).to_string();
        assert_eq!(decode(&texts(&base), &pieces).unwrap(), whole);
    }

    #[test]
    fn a_list_mostly_new_is_stored_whole() {
        let base = pods(&["a", "b", "c"]);
        assert_eq!(encode(&texts(&base), &pods(&["a", "x", "y"])), None);
    }

    #[test]
    fn repeated_and_reordered_instances_rebuild_exactly() {
        let base = pods(&["a", "a", "b", "c", "d", "e"]);
        let new = pods(&["b", "a", "c", "a", "d", "e", "f"]);
        let pieces = encode(&texts(&base), &new).expect("worth a delta");
        assert_eq!(
            decode(&texts(&base), &pieces).unwrap(),
            Value::from(new).to_string()
        );
    }

    #[test]
    fn pieces_past_their_base_are_corrupt() {
        let base = texts(&pods(&["a"]));
        assert!(matches!(
            decode(&base, "[[0,2]]"),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(decode(&base, "[7]"), Err(StoreError::Corrupt(_))));
    }
}
