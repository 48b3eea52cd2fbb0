//! Failed-authentication buckets on SQL: taking an attempt is one upsert that
//! refills the bucket by the time passed, takes one attempt and returns when
//! the bucket is full again; full buckets are deleted by an index range.

use async_trait::async_trait;
use custody_core::Timestamp;

use super::SqlStore;
use crate::{AuthBucketStore, BucketShape, Result};

/// `$2` is now, `$3` one interval, `$4` now plus the whole burst: a bucket
/// already empty stays empty for one more interval, as a token bucket held at
/// zero does.
const TAKE: &str = "INSERT INTO auth_buckets (address, full_at) VALUES ($1, $2 + $3) \
     ON CONFLICT (address) DO UPDATE SET full_at = CASE \
         WHEN auth_buckets.full_at + $3 > $4 THEN $4 \
         WHEN auth_buckets.full_at > $2 THEN auth_buckets.full_at + $3 \
         ELSE $2 + $3 END \
     RETURNING full_at";

#[async_trait]
impl AuthBucketStore for SqlStore {
    async fn take_auth_attempt(
        &self,
        address: &str,
        shape: BucketShape,
        at: Timestamp,
    ) -> Result<Timestamp> {
        let full = at + f64::from(shape.burst.max(1)) * shape.interval;
        let full_at: Timestamp = sqlx::query_scalar(TAKE)
            .bind(address)
            .bind(at)
            .bind(shape.interval)
            .bind(full)
            .fetch_one(&self.pool)
            .await?;
        Ok(full_at)
    }

    async fn auth_bucket_full_at(&self, address: &str) -> Result<Option<Timestamp>> {
        let full_at = sqlx::query_scalar("SELECT full_at FROM auth_buckets WHERE address = $1")
            .bind(address)
            .fetch_optional(&self.pool)
            .await?;
        Ok(full_at)
    }

    async fn forget_full_auth_buckets(&self, at: Timestamp) -> Result<u64> {
        let forgotten = sqlx::query("DELETE FROM auth_buckets WHERE full_at <= $1")
            .bind(at)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(forgotten)
    }
}
