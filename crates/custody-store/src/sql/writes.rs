//! Write transactions that settle their own races. On SQLite a write
//! transaction takes the database's write lock when it begins (`BEGIN
//! IMMEDIATE`), so two writers never deadlock upgrading read locks; on
//! PostgreSQL a transaction that loses a race (a unique key taken by a
//! concurrent writer, a serialisation failure, a deadlock) is run again from
//! the start, where it sees the winner's row. Callers get a result, not a
//! "retry" they must act on.

use std::time::Duration;

use sqlx::{Any, Transaction};

use super::{Backend, SqlStore};
use crate::{Result, StoreError};

/// A write transaction.
pub type Tx = Transaction<'static, Any>;

/// How many times a transaction that lost a race runs again.
const ATTEMPTS: u32 = 12;

/// Whether a database error means "a concurrent writer won; run again".
fn lost_race(e: &StoreError) -> bool {
    let StoreError::Database(sqlx::Error::Database(db)) = e else {
        return false;
    };
    if db.is_unique_violation() {
        return true;
    }
    let code = db.code().unwrap_or_default();
    // PostgreSQL: serialization_failure, deadlock_detected.
    // SQLite: SQLITE_BUSY, SQLITE_LOCKED and their extended codes.
    matches!(
        code.as_ref(),
        "40001" | "40P01" | "5" | "6" | "261" | "262" | "517"
    ) || db.message().contains("database is locked")
}

impl SqlStore {
    /// Begins a write transaction in this backend's way.
    pub(super) async fn begin_write(&self) -> Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }
}

/// Counts a transaction's attempts and decides, from each outcome, whether to
/// run it again.
pub(super) struct Retry {
    attempt: u32,
}

impl Retry {
    pub(super) fn new() -> Self {
        Retry { attempt: 0 }
    }

    /// `None` (after a short, growing pause) when the attempt lost a race and
    /// may run again; otherwise the outcome to return.
    pub(super) async fn settle<T>(&mut self, outcome: Result<T>) -> Option<Result<T>> {
        self.attempt += 1;
        match outcome {
            Err(e) if lost_race(&e) && self.attempt < ATTEMPTS => {
                let jitter = u64::from(rand_below(self.attempt * 3));
                let pause = u64::from(self.attempt) * 2 + jitter;
                tokio::time::sleep(Duration::from_millis(pause)).await;
                None
            }
            Err(e) if lost_race(&e) => Some(Err(StoreError::Conflict(format!(
                "the change kept colliding with concurrent writes ({ATTEMPTS} attempts); retry"
            )))),
            other => Some(other),
        }
    }
}

/// Runs `$body` with `$tx` bound to a write transaction of `$store`, commits,
/// and runs it again from the start when it lost a race to a concurrent
/// writer. The body must use only `$tx`: a second pool connection taken inside
/// a transaction can wait on the first forever. A `return` inside the body
/// ends the attempt with that value, uncommitted unless the body committed.
macro_rules! write_tx {
    ($store:expr, |$tx:ident| $body:block) => {{
        let mut retry = $crate::sql::writes::Retry::new();
        loop {
            let outcome: $crate::Result<_> = async {
                let mut $tx = $store.begin_write().await?;
                let value = $body;
                $tx.commit().await?;
                Ok(value)
            }
            .await;
            if let Some(result) = retry.settle(outcome).await {
                break result;
            }
        }
    }};
}
pub(super) use write_tx;

/// A small pseudo-random number below `n`, from the clock (jitter only).
fn rand_below(n: u32) -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    nanos % n.max(1)
}
