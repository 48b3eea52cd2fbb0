//! `attest override [ARG]` (hidden): replaces the verdict of an attestation on
//! a trail, with a reason, as JSON to
//! `POST /attestations/{org}/{flow}/trail/{trail}/override`.

use clap::{ArgAction, Args};
use custody_client::Body;
use reqwest::Method;
use serde_json::{Value, json};

use super::typed::{CommonFlags, needs_target};
use crate::context::Ctx;

#[derive(Debug, Args)]
pub struct AttestOverride {
    #[command(flatten)]
    common: Box<CommonFlags>,
    /// Why the verdict is overridden.
    #[arg(long)]
    reason: String,
    /// The type of the attestation overridden (generic, junit, snyk, sarif…).
    #[arg(long)]
    original_attestation_type: String,
    /// The new verdict (must be given: --new-compliance-status or --new-compliance-status=false).
    #[arg(long, required = true, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    new_compliance_status: bool,
}

impl AttestOverride {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = self.common.check(ctx)?.to_string();
        let mut payload = self.common.payload(ctx)?;
        payload.insert("reason".into(), json!(self.reason));
        payload.insert(
            "new_compliance_status".into(),
            json!(self.new_compliance_status),
        );
        payload.insert(
            "original_attestation_type".into(),
            json!(self.original_attestation_type),
        );
        let name = payload["attestation_name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let trail = &self.common.trail;
        let path = [
            "attestations",
            &org,
            &self.common.flow,
            "trail",
            trail,
            "override",
        ];
        let sent = ctx
            .send(Method::POST, &path, Body::Json(Value::Object(payload)))
            .await
            .map_err(needs_target)?;
        if sent.is_some() {
            println!("attestation '{name}' has been overridden in trail: {trail}");
        }
        Ok(())
    }
}
