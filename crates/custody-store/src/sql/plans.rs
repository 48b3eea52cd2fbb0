//! The query plans the databases choose for the org-wide lookups whose shape
//! matters at scale (runs of fingerprints, running fingerprints by prefix, the
//! attestations of artifacts), for tests that check an index drives each one.
//! The statements are the very ones the store runs.

use custody_core::ids::OrgId;
use custody_core::{Fingerprint, HexPrefix};
use sqlx::{AssertSqlSafe, Row};

use super::environments::{RUNNING_FINGERPRINTS, runs_of_statement};
use super::{Arg, Backend, SqlStore, attestation_lookup, placeholders, texts};
use crate::{ArtifactRow, Result};

/// The plan of each lookup, one line per plan step.
#[derive(Debug, Clone)]
pub struct LookupPlans {
    pub runs_of: String,
    pub running_fingerprints: String,
    pub attestations_for: String,
}

impl SqlStore {
    /// The plans of the lookups for these arguments, as the database explains them.
    pub async fn lookup_plans(
        &self,
        org_id: OrgId,
        fingerprints: &[Fingerprint],
        prefix: &HexPrefix,
        artifacts: &[ArtifactRow],
    ) -> Result<LookupPlans> {
        let values = texts(fingerprints.iter().map(Fingerprint::to_string));
        let runs_of = runs_of_statement(org_id, &placeholders(1, values.len()));
        let (lo, hi) = prefix.range();
        let range = [Arg::Int(org_id.into()), Arg::Text(lo), Arg::Text(hi)];
        let (attestations, attestation_args) = attestation_lookup::statement(artifacts);
        Ok(LookupPlans {
            runs_of: self.explain(&runs_of, &values).await?,
            running_fingerprints: self.explain(RUNNING_FINGERPRINTS, &range).await?,
            attestations_for: self.explain(&attestations, &attestation_args).await?,
        })
    }

    async fn explain(&self, sql: &str, args: &[Arg]) -> Result<String> {
        let (prefix, column) = match self.backend {
            Backend::Sqlite => ("EXPLAIN QUERY PLAN", "detail"),
            Backend::Postgres => ("EXPLAIN", "QUERY PLAN"),
        };
        let mut query = sqlx::query(AssertSqlSafe(format!("{prefix} {sql}")));
        for arg in args {
            query = match arg {
                Arg::Int(i) => query.bind(*i),
                Arg::Text(s) => query.bind(s.clone()),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        let lines: Vec<String> = rows
            .iter()
            .map(|row| row.try_get::<String, _>(column))
            .collect::<std::result::Result<_, _>>()?;
        Ok(lines.join("\n"))
    }
}
