//! Orgs, service accounts and API keys (stored only as SHA-256 hashes).

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{OrgId, ServiceAccountId};
use sqlx::AssertSqlSafe;

use custody_core::Role;
use custody_core::ledger::facts::Fact;
use serde_json::json;

use super::ledger::{self, Owner, append};
use super::writes::write_tx;
use super::{SqlStore, conflict};
use crate::{ApiKeyRow, Org, OrgStore, Principal, Result, ServiceAccountRow};

const ACCOUNT_COLUMNS: &str = "id, name, description, role, created_at";

#[async_trait]
impl OrgStore for SqlStore {
    async fn create_org(&self, name: &str, at: Timestamp) -> Result<Org> {
        write_tx!(self, |tx| {
            let org: Org = sqlx::query_as(
                "INSERT INTO orgs (name, created_at) VALUES ($1, $2) RETURNING id, name, created_at, beta_enabled",
            )
            .bind(name)
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(conflict(format!("organization '{name}' already exists")))?;
            ledger::start(&mut tx, org.id, name, at).await?;
            org
        })
    }

    async fn org(&self, name: &str) -> Result<Option<Org>> {
        Ok(
            sqlx::query_as("SELECT id, name, created_at, beta_enabled FROM orgs WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn orgs(&self) -> Result<Vec<Org>> {
        Ok(
            sqlx::query_as("SELECT id, name, created_at, beta_enabled FROM orgs ORDER BY name")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn set_beta(&self, org_id: OrgId, enabled: bool, at: Timestamp) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE orgs SET beta_enabled = $1 WHERE id = $2")
                .bind(i64::from(enabled))
                .bind(org_id)
                .execute(&mut *tx)
                .await?;
            let fact = Fact::change("org", org_id, "beta", json!({"enabled": enabled}));
            append(&mut tx, Owner::Org(org_id), at, fact).await?;
        })
    }

    async fn create_service_account(
        &self,
        org_id: OrgId,
        name: &str,
        description: Option<&str>,
        role: Role,
        at: Timestamp,
    ) -> Result<ServiceAccountRow> {
        write_tx!(self, |tx| {
            let row: ServiceAccountRow = sqlx::query_as(AssertSqlSafe(format!(
                "INSERT INTO service_accounts (org_id, name, description, role, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING {ACCOUNT_COLUMNS}"
            )))
            .bind(org_id)
            .bind(name)
            .bind(description)
            .bind(role.as_str())
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(conflict(format!("service account '{name}' already exists")))?;
            let data = json!({"name": name, "role": role, "description": description});
            let fact = Fact::change("service_account", row.id, "created", data);
            append(&mut tx, Owner::Org(org_id), at, fact).await?;
            row
        })
    }

    async fn service_account(
        &self,
        org_id: OrgId,
        name: &str,
    ) -> Result<Option<ServiceAccountRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM service_accounts WHERE org_id = $1 AND name = $2"
        )))
        .bind(org_id)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn service_accounts(&self, org_id: OrgId) -> Result<Vec<ServiceAccountRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM service_accounts WHERE org_id = $1 ORDER BY name"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn update_service_account(
        &self,
        id: ServiceAccountId,
        description: Option<&str>,
        role: Option<Role>,
        at: Timestamp,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE service_accounts SET description = COALESCE($1, description), \
                 role = COALESCE($2, role) WHERE id = $3",
            )
            .bind(description)
            .bind(role.map(Role::as_str))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let data = json!({"role": role, "description": description});
            let fact = Fact::change("service_account", id, "updated", data);
            append(&mut tx, Owner::Account(id), at, fact).await?;
        })
    }

    async fn delete_service_account(&self, id: ServiceAccountId, at: Timestamp) -> Result<()> {
        write_tx!(self, |tx| {
            let fact = Fact::change("service_account", id, "deleted", json!({}));
            append(&mut tx, Owner::Account(id), at, fact).await?;
            sqlx::query("DELETE FROM api_keys WHERE service_account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM service_accounts WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        })
    }

    async fn create_api_key(
        &self,
        account_id: ServiceAccountId,
        public_id: &str,
        key_hash: &str,
        description: &str,
        at: Timestamp,
        expires_at: Option<Timestamp>,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO api_keys (public_id, service_account_id, key_hash, description, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(public_id)
            .bind(account_id)
            .bind(key_hash)
            .bind(description)
            .bind(at)
            .bind(expires_at)
            .fetch_one(&mut *tx)
            .await
            .map_err(conflict("this API key already exists"))?;
            let data = json!({"service_account_id": account_id, "public_id": public_id,
                "description": description, "expires_at": expires_at});
            append(
                &mut tx,
                Owner::Account(account_id),
                at,
                Fact::change("api_key", id, "created", data),
            )
            .await?;
        })
    }

    async fn api_keys(&self, account_id: ServiceAccountId) -> Result<Vec<ApiKeyRow>> {
        Ok(sqlx::query_as(
            "SELECT a.name AS account, k.public_id, k.description, k.created_at, k.expires_at \
             FROM api_keys k JOIN service_accounts a ON a.id = k.service_account_id \
             WHERE k.service_account_id = $1 ORDER BY k.created_at, k.id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn org_api_keys(&self, org_id: OrgId) -> Result<Vec<ApiKeyRow>> {
        Ok(sqlx::query_as(
            "SELECT a.name AS account, k.public_id, k.description, k.created_at, k.expires_at \
             FROM api_keys k JOIN service_accounts a ON a.id = k.service_account_id \
             WHERE a.org_id = $1 ORDER BY a.name, k.created_at, k.id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn set_api_key_expiry(
        &self,
        account_id: ServiceAccountId,
        public_id: &str,
        expires_at: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<bool> {
        write_tx!(self, |tx| {
            let changed: Option<(i64,)> = sqlx::query_as(
                "UPDATE api_keys SET expires_at = $1 WHERE service_account_id = $2 AND public_id = $3 RETURNING id",
            )
            .bind(expires_at)
            .bind(account_id)
            .bind(public_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id,)) = changed {
                let data = json!({"public_id": public_id, "expires_at": expires_at});
                let fact = Fact::change("api_key", id, "expiry_set", data);
                append(&mut tx, Owner::Account(account_id), at, fact).await?;
            }
            changed.is_some()
        })
    }

    async fn delete_api_key(
        &self,
        account_id: ServiceAccountId,
        public_id: &str,
        at: Timestamp,
    ) -> Result<bool> {
        write_tx!(self, |tx| {
            let deleted: Option<(i64,)> = sqlx::query_as(
                "DELETE FROM api_keys WHERE service_account_id = $1 AND public_id = $2 RETURNING id",
            )
            .bind(account_id)
            .bind(public_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id,)) = deleted {
                let data = json!({"public_id": public_id});
                append(
                    &mut tx,
                    Owner::Account(account_id),
                    at,
                    Fact::change("api_key", id, "deleted", data),
                )
                .await?;
            }
            deleted.is_some()
        })
    }

    async fn principal(&self, key_hash: &str, now: Timestamp) -> Result<Option<Principal>> {
        Ok(sqlx::query_as(
            "SELECT o.id AS org_id, o.name AS org_name, s.role, s.name AS service_account, \
                    k.public_id AS key_id, k.expires_at \
             FROM api_keys k JOIN service_accounts s ON s.id = k.service_account_id \
             JOIN orgs o ON o.id = s.org_id \
             WHERE k.key_hash = $1 AND (k.expires_at IS NULL OR k.expires_at > $2)",
        )
        .bind(key_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }
}
