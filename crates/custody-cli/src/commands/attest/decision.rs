//! `attest decision [ARG]` (beta): records a decision on a control — a
//! `system` attestation with `type_name: "decision"`, the control and
//! `attestation_data.is_compliant`, which the server takes as the verdict.

use clap::{ArgAction, Args};
use serde_json::json;

use super::typed::CommonFlags;
use crate::context::Ctx;

#[derive(Debug, Args)]
pub struct AttestDecision {
    #[command(flatten)]
    common: Box<CommonFlags>,
    /// The control the decision is about.
    #[arg(long)]
    control: String,
    /// Whether the decision is compliant (must be given: --compliant or --compliant=false).
    #[arg(short = 'C', long, required = true, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    compliant: bool,
}

impl AttestDecision {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = self.common.check(ctx)?.to_string();
        let mut payload = self.common.payload(ctx)?;
        payload.insert("type_name".into(), json!("decision"));
        payload.insert("control".into(), json!(self.control));
        payload.insert(
            "attestation_data".into(),
            json!({"is_compliant": self.compliant}),
        );
        self.common
            .post(ctx, &org, "system", "decision", payload)
            .await
    }
}
