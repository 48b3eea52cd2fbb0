//! `attest generic [ARG]`: records a generic attestation (compliant or not) on
//! a trail, or on an artifact of it, as the multipart `data_json` of
//! `POST /attestations/{org}/{flow}/trail/{trail}/generic`.

use clap::{ArgAction, Args};
use serde_json::json;

use super::typed::CommonFlags;
use crate::context::Ctx;

#[derive(Debug, Args)]
pub struct AttestGeneric {
    #[command(flatten)]
    common: Box<CommonFlags>,
    /// Whether the attestation is compliant.
    #[arg(
        short = 'C',
        long,
        action = ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        default_value = "true"
    )]
    compliant: bool,
}

impl AttestGeneric {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = self.common.check(ctx)?.to_string();
        let mut payload = self.common.payload(ctx)?;
        payload.insert("is_compliant".into(), json!(self.compliant));
        self.common
            .post(ctx, &org, "generic", "generic", payload)
            .await
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        attest: AttestGeneric,
    }

    #[derive(Parser)]
    struct GlobalsOnly {
        #[command(flatten)]
        globals: crate::Globals,
    }

    fn parse(args: &[&str]) -> AttestGeneric {
        let base = ["attest", "-f", "flow", "-T", "trail"];
        Cli::try_parse_from(base.iter().chain(args)).unwrap().attest
    }

    fn ctx() -> Ctx {
        let globals =
            GlobalsOnly::try_parse_from(["custody", "--org=acme", "-a", "key", "--quiet=true"]);
        Ctx::new(globals.unwrap().globals).unwrap()
    }

    #[test]
    fn compliant_accepts_bare_equals_and_space_forms() {
        assert!(parse(&["-n", "a"]).compliant);
        assert!(parse(&["-n", "a", "--compliant"]).compliant);
        assert!(!parse(&["-n", "a", "--compliant=false"]).compliant);
        assert!(!parse(&["-n", "a", "--compliant", "false"]).compliant);
        assert!(!parse(&["-n", "a", "-C", "false"]).compliant);
    }

    #[test]
    fn flag_combinations_are_checked_in_kosli_order() {
        let fp = "a".repeat(64);
        let both = [
            "attest", "-f", "flow", "-T", "trail", "-n", "a", "-F", &fp, "-t", "file", "x",
        ];
        let error = Cli::try_parse_from(both)
            .err()
            .expect("refused while parsing");
        assert_eq!(
            crate::describe_parse_error(&error, &clap::Command::new("custody"), &[]),
            "only one of --fingerprint, --artifact-type is allowed"
        );
        assert!(parse(&["-n", "a", "-F", &fp]).common.check(&ctx()).is_ok());
    }

    #[test]
    fn the_payload_targets_the_named_artifact() {
        let fp = "b".repeat(64);
        let generic = parse(&[
            "-n",
            "app.scan",
            "-F",
            &fp,
            "-o",
            "https://ci/2",
            "--description",
            "d",
        ]);
        let value = generic.common.payload(&ctx()).unwrap();
        assert_eq!(value["attestation_name"], "scan");
        assert_eq!(value["target_artifacts"], json!(["app"]));
        assert_eq!(value["artifact_fingerprint"], json!(fp));
        assert_eq!(value["origin_url"], "https://ci/2");
        assert_eq!(value["user_data"], json!({}));
    }
}
