//! Checkpoints of an environment's runs: every [`EVERY`]th snapshot lists the
//! runs open once it was taken (`run_checkpoints`). The runs of a snapshot,
//! or of a range of snapshots, are then looked for among the checkpoint
//! before it and the runs that started since: a read costs what it returns
//! plus at most [`EVERY`] snapshots of changes, however long the history.

use custody_core::ids::EnvironmentId;

use super::writes::Tx;
use crate::Result;

/// Snapshots between two checkpoints.
pub(super) const EVERY: i64 = 100;

/// The last checkpoint taken before snapshot `index` (0: none, nothing before).
pub(super) fn before(index: i64) -> i64 {
    (index - 1).max(0) / EVERY * EVERY
}

/// A derived table `k (id)` of the runs that may be open at some snapshot in
/// `from..=to` of environment `$1`, where `$2` is `to` and `$3` is
/// [`before`]`(from)`: the runs open at that checkpoint and the runs that
/// started after it. The caller filters them to what it asks.
pub(super) const CANDIDATES: &str = "(SELECT run_id AS id FROM run_checkpoints WHERE env_id = $1 AND idx = $3 \
     UNION ALL SELECT id FROM runs WHERE env_id = $1 AND from_idx > $3 AND from_idx <= $2) k";

/// Writes snapshot `index`'s checkpoint when one is due, once its runs are
/// recorded.
pub(super) async fn write_if_due(tx: &mut Tx, env_id: EnvironmentId, index: i64) -> Result<()> {
    if index % EVERY != 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO run_checkpoints (env_id, idx, run_id) \
         SELECT env_id, $2, id FROM runs WHERE env_id = $1 AND to_idx IS NULL",
    )
    .bind(env_id)
    .bind(index)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkpoint_before_a_snapshot_is_strictly_before_it() {
        assert_eq!(before(0), 0);
        assert_eq!(before(1), 0);
        assert_eq!(before(100), 0);
        assert_eq!(before(101), 100);
        assert_eq!(before(200), 100);
        assert_eq!(before(250), 200);
    }
}
