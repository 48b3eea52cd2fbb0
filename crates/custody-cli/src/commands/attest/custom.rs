//! `attest custom [ARG] --type T --attestation-data FILE`: records an
//! attestation of a custom type (`custom:T`). The server validates the data
//! against the type's JSON Schema and judges it by the type's jq rules.

use anyhow::anyhow;
use clap::Args;
use serde_json::json;

use super::common::load_json;
use super::typed::CommonFlags;
use crate::context::Ctx;

#[derive(Debug, Args)]
pub struct AttestCustom {
    #[command(flatten)]
    common: CommonFlags,
    /// The custom attestation type (see `create attestation-type`).
    #[arg(long = "type")]
    type_name: String,
    /// A JSON file of the data the type's schema and rules check.
    #[arg(long)]
    attestation_data: String,
}

impl AttestCustom {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = self.common.check(ctx)?.to_string();
        let data = load_json(&self.attestation_data)
            .map_err(|e| anyhow!("failed to load attestation data. {e}"))?;
        let mut payload = self.common.payload(ctx)?;
        payload.insert("type_name".into(), json!(self.type_name));
        payload.insert("attestation_data".into(), data);
        let label = format!("custom:{}", self.type_name);
        self.common.post(ctx, &org, "custom", &label, payload).await
    }
}
