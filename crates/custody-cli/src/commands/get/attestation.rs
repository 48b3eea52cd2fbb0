//! `get attestation NAME --flow F (--trail T | --fingerprint FP)` or
//! `get attestation --attestation-id ID`: every attestation of a name (newest
//! first), or the one with that id, as Kosli prints it plus its evidence; with
//! `--download-evidence FILE` (a Custody extension) the newest one's attachment
//! is saved.

use anyhow::{Context, bail};
use clap::Args;
use custody_api::Attestation;
use serde_json::Value;

use crate::context::{Ctx, OutputArg};
use crate::output::{TabWriter, long};

#[derive(Debug, Args)]
pub struct GetAttestation {
    /// The attestation's name.
    #[arg(value_name = "ATTESTATION-NAME")]
    name: Option<String>,
    /// The flow (with ATTESTATION-NAME).
    #[arg(short = 'f', long)]
    flow: Option<String>,
    /// The trail holding the attestation.
    #[arg(short = 't', long)]
    trail: Option<String>,
    /// The fingerprint of the artifact the attestation is about.
    #[arg(short = 'F', long)]
    fingerprint: Option<String>,
    /// The attestation's id (instead of ATTESTATION-NAME and its flags).
    #[arg(long)]
    attestation_id: Option<String>,
    /// Custody extension (not in Kosli): save the attestation's attachment
    /// (evidence) to this file.
    #[arg(long, value_name = "FILE")]
    download_evidence: Option<String>,
    #[command(flatten)]
    output: OutputArg,
}

impl GetAttestation {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let org = ctx.require_login()?;
        let response = match &self.attestation_id {
            Some(id) => {
                if self.name.is_some() {
                    bail!("--attestation-id cannot be used when ATTESTATION-NAME is provided");
                }
                if self.flow.is_some() || self.trail.is_some() || self.fingerprint.is_some() {
                    bail!(
                        "--flow, --trail, and --fingerprint flags cannot be used with --attestation-id"
                    );
                }
                ctx.get(&["attestations", org], &[("attestation_id", id.clone())])
                    .await?
            }
            None => ctx.get(&self.by_name_path(org)?, &[]).await?,
        };
        let found = documents(&response.json::<Value>()?)?;
        if let Some(file) = &self.download_evidence {
            let latest = found
                .first()
                .context("No attestations found: there is no evidence to download")?;
            return save_evidence(ctx, org, latest, file).await;
        }
        if json {
            return ctx.print_json(&response);
        }
        if found.is_empty() {
            println!("No attestations found.");
            return Ok(());
        }
        let blocks: Vec<String> = found.iter().map(render).collect();
        print!("{}", blocks.join("\n"));
        Ok(())
    }

    /// The path of the attestations named ATTESTATION-NAME.
    fn by_name_path<'a>(&'a self, org: &'a str) -> anyhow::Result<[&'a str; 6]> {
        let Some(name) = &self.name else {
            bail!("one of ATTESTATION-NAME argument or --attestation-id flag is required");
        };
        let Some(flow) = &self.flow else {
            bail!("--flow is required when using ATTESTATION-NAME");
        };
        Ok(match (&self.trail, &self.fingerprint) {
            (Some(_), Some(_)) => {
                bail!("only one of --trail, --fingerprint is allowed when using ATTESTATION-NAME")
            }
            (None, None) => bail!(
                "at least one of --trail, --fingerprint is required when using ATTESTATION-NAME"
            ),
            (Some(trail), None) => ["attestations", org, flow, "trail", trail, name],
            (None, Some(fp)) => ["attestations", org, flow, "artifact", fp, name],
        })
    }
}

/// The attestations of a response: a list (by name) or `{"data": [...]}` (by
/// id).
fn documents(body: &Value) -> anyhow::Result<Vec<Attestation>> {
    let list = body.get("data").unwrap_or(body);
    Ok(serde_json::from_value(list.clone())?)
}

/// Downloads an attestation's attachment into `file`.
async fn save_evidence(ctx: &Ctx, org: &str, doc: &Attestation, file: &str) -> anyhow::Result<()> {
    if !doc.has_evidence {
        bail!(
            "attestation '{}' ({}) has no evidence attached",
            doc.attestation_name,
            doc.attestation_id
        );
    }
    let url = ctx.client.api_url(&[
        "attestations",
        org,
        &doc.flow_name,
        "trail",
        &doc.trail_name,
        "attestation",
        &doc.attestation_id,
        "evidence",
    ]);
    super::download::save(ctx, url, file, "evidence").await?;
    Ok(())
}

/// One attestation as `get attestation` prints it.
fn render(a: &Attestation) -> String {
    let mut w = TabWriter::new();
    w.line(format!("Name:\t{}", a.attestation_name));
    w.line(format!("Type:\t{}", a.attestation_type));
    w.line(format!("Compliance:\t{}", a.is_compliant));
    w.line(format!("Created at:\t{}", long(a.created_at)));
    if let Some(fp) = &a.artifact_fingerprint {
        w.line(format!("Artifact fingerprint:\t{fp}"));
    }
    if let Some(commit) = &a.git_commit_info {
        w.line("Git Commit Info:");
        w.line(format!("    Sha1:\t{}", commit.sha1));
        w.line(format!("    Author:\t{}", commit.author));
        w.line(format!("    Branch:\t{}", commit.branch));
        if let Some(url) = &commit.url {
            w.line(format!("    Commit URL:\t{url}"));
        }
        w.line(format!("    Timestamp:\t{}", long(commit.timestamp)));
    }
    if !a.html_url.is_empty() {
        w.line(format!("Attestation URL:\t{}", a.html_url));
    }
    if !a.summary.is_empty() {
        w.line("Summary:");
        for row in &a.summary {
            w.line(format!("    {}:\t{}", row.name, row.shown()));
        }
    }
    match (&a.evidence_file_name, &a.evidence_archive_fingerprint) {
        (Some(file), Some(fp)) if a.has_evidence => {
            w.line(format!("Evidence file:\t{file}"));
            w.line(format!("Evidence fingerprint:\t{fp}"));
        }
        _ => w.line("Evidence file:\tNone"),
    }
    w.render()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn responses_may_be_wrapped_in_data() {
        let doc = json!({"attestation_id": "i", "attestation_name": "scan", "attestation_type": "generic",
            "is_compliant": true, "flow_name": "f", "trail_name": "t", "artifact_fingerprint": null,
            "target_artifacts": [], "git_commit_info": null, "origin_url": null, "user_data": {},
            "description": null, "created_at": 1.0, "evidence_archive_fingerprint": "ab",
            "evidence_file_name": "evidence.tgz", "has_evidence": true});
        let wrapped = documents(&json!({"data": [doc.clone()]})).unwrap();
        let bare = documents(&json!([doc])).unwrap();
        assert_eq!(wrapped.len(), 1);
        assert_eq!(bare[0].attestation_name, wrapped[0].attestation_name);
        let text = render(&wrapped[0]);
        assert!(text.starts_with("Name:"), "{text}");
        assert!(
            text.contains("Evidence file:         evidence.tgz\n"),
            "{text}"
        );
        assert!(text.contains("Evidence fingerprint:  ab\n"), "{text}");
    }

    #[test]
    fn links_and_summary_rows_are_shown() {
        let doc = json!({"attestation_id": "i", "attestation_name": "scan", "attestation_type": "custom:cov",
            "is_compliant": true, "flow_name": "f", "trail_name": "t", "artifact_fingerprint": null,
            "target_artifacts": [], "git_commit_info": null, "origin_url": null, "user_data": {},
            "description": null, "created_at": 1.0, "html_url": "http://h/acme/flows/f/trails/t?attestation_id=i",
            "summary": [{"name": "Tool", "value": "trivy"}, {"name": "Critical", "value": 3},
                        {"name": "Broken", "value": null, "error": "summary '.x|keys' failed"}]});
        let text = render(&documents(&json!([doc])).unwrap()[0]);
        let rows: Vec<Vec<&str>> = text
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        let url = [
            "Attestation",
            "URL:",
            "http://h/acme/flows/f/trails/t?attestation_id=i",
        ];
        assert!(rows.contains(&url.to_vec()), "{text}");
        let at = rows.iter().position(|r| r == &["Summary:"]).expect(&text);
        assert_eq!(rows[at + 1], ["Tool:", "trivy"], "{text}");
        assert_eq!(rows[at + 2], ["Critical:", "3"], "{text}");
        assert_eq!(
            rows[at + 3].join(" "),
            "Broken: error: summary '.x|keys' failed",
            "{text}"
        );
    }
}
