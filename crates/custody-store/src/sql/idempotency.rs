//! Idempotency keys on SQL: a claim is one insert that only the first request
//! with a key wins; the response and the request's digest are stored when the
//! request succeeds.

use async_trait::async_trait;
use custody_core::Timestamp;

use super::SqlStore;
use super::writes::write_tx;
use crate::{IdempotencyClaim, IdempotencyStore, Result};

#[async_trait]
impl IdempotencyStore for SqlStore {
    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        at: Timestamp,
        forget_before: Timestamp,
    ) -> Result<IdempotencyClaim> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                .bind(forget_before)
                .execute(&mut *tx)
                .await?;
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) \
                 VALUES ($1, $2, '', $3) ON CONFLICT (scope, key) DO NOTHING",
            )
            .bind(scope)
            .bind(key)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                IdempotencyClaim::Claimed
            } else {
                let (request_hash, status, body): (String, Option<i64>, Option<Vec<u8>>) =
                    sqlx::query_as(
                        "SELECT request_hash, status, body FROM idempotency_keys \
                         WHERE scope = $1 AND key = $2",
                    )
                    .bind(scope)
                    .bind(key)
                    .fetch_one(&mut *tx)
                    .await?;
                match status {
                    None => IdempotencyClaim::InProgress,
                    Some(status) => IdempotencyClaim::Answered {
                        request_hash,
                        status: u16::try_from(status).unwrap_or(200),
                        body: body.unwrap_or_default(),
                    },
                }
            }
        })
    }

    async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        status: u16,
        body: &[u8],
    ) -> Result<()> {
        sqlx::query(
            "UPDATE idempotency_keys SET request_hash = $1, status = $2, body = $3 \
             WHERE scope = $4 AND key = $5",
        )
        .bind(request_hash)
        .bind(i64::from(status))
        .bind(body.to_vec())
        .bind(scope)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn release_idempotency_key(&self, scope: &str, key: &str) -> Result<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL",
        )
        .bind(scope)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
