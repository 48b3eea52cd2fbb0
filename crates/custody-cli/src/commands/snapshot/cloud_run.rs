//! `snapshot cloud-run ENV --project P --region R`: the Cloud Run services
//! (one artifact per revision their traffic names) and jobs (one artifact
//! each, idle ones too) of a Google Cloud project and region, reported as
//! `PUT /environments/{org}/{env}/report/cloud-run` in Kosli's payload.

use clap::Args;
use custody_api::EnvironmentReport;
use custody_client::Body;
use reqwest::Method;
use serde_json::{Value, json};

use super::AutoEnvironment;
use crate::aws::NameFilter;
use crate::context::Ctx;
use crate::flags::only_one;
use crate::gcp::{Client, Deployed};

/// The environment type this reporter feeds.
const ENV_TYPE: &str = "cloud-run";

#[derive(Debug, Args)]
#[command(
    after_help = "Credentials are Google's Application Default Credentials: \
GOOGLE_OAUTH_ACCESS_TOKEN, the key file in GOOGLE_APPLICATION_CREDENTIALS (a service \
account key or 'gcloud auth application-default login'), gcloud's \
application_default_credentials.json, then the metadata server (GCE_METADATA_HOST). \
The caller needs roles/run.viewer on the project, and roles/artifactregistry.reader \
for digests of images pinned by tag on Artifact Registry or Container Registry (without \
it they are reported with an empty digest) and for --resolve-names.
CUSTODY_CLOUD_RUN_URL points at another Cloud Run API endpoint (default https://run.googleapis.com), \
CUSTODY_GCP_REGISTRY_URL at another registry (default https://HOST of the image) and \
CUSTODY_ARTIFACT_REGISTRY_URL at another Artifact Registry API (default \
https://artifactregistry.googleapis.com)."
)]
pub struct SnapshotCloudRun {
    #[arg(value_name = "ENVIRONMENT-NAME")]
    env: String,
    /// The GCP project ID.
    #[arg(long, required = true)]
    project: String,
    /// The GCP region, e.g. europe-west1.
    #[arg(long, required = true)]
    region: String,
    /// Only these services and jobs, by exact name (comma-separated).
    #[arg(long, value_delimiter = ',')]
    include: Vec<String>,
    /// Only services and jobs whose names match these regexes.
    #[arg(long, value_delimiter = ',')]
    include_regex: Vec<String>,
    /// Leave out these services and jobs, by exact name.
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// Leave out services and jobs whose names match these regexes.
    #[arg(long, value_delimiter = ',')]
    exclude_regex: Vec<String>,
    /// Name images pinned by digest on Artifact Registry by a tag of that digest
    /// (the longest, e.g. a commit SHA), looked up in the Artifact Registry API.
    #[arg(long)]
    resolve_names: bool,
    #[command(flatten)]
    auto: AutoEnvironment,
}

/// One artifact of Kosli's cloud-run payload.
fn artifact(d: &Deployed, identity: Value) -> Value {
    // Images in name order, as Kosli's map of digests has them.
    let digests: std::collections::BTreeMap<&str, &str> = d
        .images
        .iter()
        .map(|(image, digest)| (image.as_str(), digest.as_str()))
        .collect();
    let mut artifact = json!({"digests": digests, "creationTimestamp": d.created});
    if let (Value::Object(a), Value::Object(id)) = (&mut artifact, identity) {
        a.extend(id);
    }
    artifact
}

impl SnapshotCloudRun {
    /// Kosli's exclusions (an include flag with an exclude flag), then the filter.
    fn filter(&self) -> anyhow::Result<NameFilter> {
        let set = |v: &Vec<String>| !v.is_empty();
        let (inc, inc_re) = (set(&self.include), set(&self.include_regex));
        let (exc, exc_re) = (set(&self.exclude), set(&self.exclude_regex));
        only_one(&[
            &[("include", inc), ("exclude", exc)],
            &[("include", inc), ("exclude-regex", exc_re)],
            &[("include-regex", inc_re), ("exclude", exc)],
            &[("include-regex", inc_re), ("exclude-regex", exc_re)],
        ])?;
        let compile = |patterns: &[String], which: &str| -> anyhow::Result<Vec<regex::Regex>> {
            patterns
                .iter()
                .map(|p| {
                    regex::Regex::new(p).map_err(|e| {
                        anyhow::anyhow!("invalid {which} name regex pattern '{p}': {e}")
                    })
                })
                .collect()
        };
        Ok(NameFilter {
            names: self.include.clone(),
            regexes: compile(&self.include_regex, "include")?,
            exclude: self.exclude.clone(),
            exclude_regexes: compile(&self.exclude_regex, "exclude")?,
        })
    }

    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let filter = self.filter()?;
        self.auto.ensure(ctx, org, &self.env, ENV_TYPE).await?;
        let client = Client::new(&self.project, &self.region).await?;
        let mut artifacts = Vec::new();
        let (names, debug) = (self.resolve_names, ctx.globals.debug);
        for service in client.services().await? {
            if filter.keeps(&service.name) {
                for mut revision in service.revisions {
                    client.resolve(&mut revision, names, debug).await;
                    let id = json!({"kind": "service", "serviceName": service.name, "revisionName": revision.name});
                    artifacts.push(artifact(&revision, id));
                }
            }
        }
        for mut job in client.jobs().await? {
            if filter.keeps(&job.name) {
                client.resolve(&mut job, names, debug).await;
                artifacts.push(artifact(&job, json!({"kind": "job", "jobName": job.name})));
            }
        }
        let count = artifacts.len();
        let report = EnvironmentReport {
            kind: Some(ENV_TYPE.to_string()),
            artifacts,
        };
        let body = Body::Json(serde_json::to_value(report)?);
        let path = ["environments", org, &self.env, "report", ENV_TYPE];
        if ctx.send(Method::PUT, &path, body).await?.is_some() {
            println!(
                "[{count}] artifacts were reported to environment {}",
                self.env
            );
        }
        Ok(())
    }
}
