//! A realistic large org, built through the [`Store`] API at any [`Scale`]:
//! flows, artifacts in trails with attestations (bound to the artifact, bound
//! by template name and commit, and about the trail), and environments whose
//! snapshots follow deploys, scaling, blue-green roll-outs and unknown images
//! ([`churn`]). Names, fingerprints and commits are derived from a seed, so a
//! run can find any of them again.

pub mod churn;

use custody_core::ids::{ArtifactId, FlowId, TrailId};
use custody_core::report::normalise;
use custody_core::{EnvironmentType, Fingerprint, Timestamp};
use serde_json::Value;

use crate::{
    ArtifactInsert, AttestationInsert, EnvironmentRow, EnvironmentUpsert, FlowUpsert, Org, Result,
    Store, StoreError, TrailUpsert,
};

/// How large an org to build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub flows: usize,
    pub artifacts: usize,
    pub environments: usize,
    /// Instances each environment runs (about: scaling moves it).
    pub instances: usize,
    /// Snapshots each environment gets.
    pub snapshots: usize,
}

impl Scale {
    /// The large org the targets are set for.
    pub const FULL: Scale = Scale {
        flows: 500,
        artifacts: 200_000,
        environments: 100,
        instances: 1_000,
        snapshots: 10_000,
    };

    /// A fraction of [`Scale::FULL`] (at least 5 flows, 10 artifacts per
    /// flow, 2 environments and 50 snapshots each); environments keep their
    /// full 1,000 instances.
    pub fn fraction(f: f64) -> Scale {
        let part = |n: usize, min: usize| ((n as f64 * f).round() as usize).max(min);
        let flows = part(Self::FULL.flows, 5);
        Scale {
            flows,
            artifacts: part(Self::FULL.artifacts, flows * 10),
            environments: part(Self::FULL.environments, 2),
            instances: Self::FULL.instances,
            snapshots: part(Self::FULL.snapshots, 50),
        }
    }

    /// Versions (artifacts) each flow has.
    pub fn versions(&self) -> usize {
        self.artifacts / self.flows
    }
}

/// A pseudo-random 64-bit value of `n` (splitmix64): uniform, repeatable.
pub fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn hex(seed: u64, words: u64) -> String {
    (0..words)
        .map(|w| format!("{:016x}", mix(seed.wrapping_mul(31).wrapping_add(w))))
        .collect()
}

/// The name of flow `flow`.
pub fn flow_name(flow: usize) -> String {
    format!("service-{flow:03}")
}

/// The fingerprint of version `version` of flow `flow`.
pub fn fingerprint(flow: usize, version: usize) -> Fingerprint {
    let seed = ((flow as u64) << 32) | version as u64;
    Fingerprint::parse(&hex(seed, 4)).expect("64 hex digits")
}

/// The commit version `version` of flow `flow` was built from.
pub fn commit(flow: usize, version: usize) -> String {
    let seed = ((flow as u64) << 32) | version as u64;
    hex(seed ^ 0xc0ff_ee00, 3)[..40].to_string()
}

fn at(seconds: f64) -> Timestamp {
    Timestamp::from_seconds(1_700_000_000.0 + seconds)
}

/// Creates the org, its flows and every artifact with its attestations. An
/// org of that name whose flows were all built before is taken as it is.
pub async fn build_flows(store: &dyn Store, name: &str, scale: &Scale) -> Result<Org> {
    if let Some(org) = store.org(name).await? {
        return flows_built(store, org, scale).await;
    }
    let org = store.create_org(name, at(0.0)).await?;
    for flow in 0..scale.flows {
        let upsert = FlowUpsert {
            name: flow_name(flow),
            description: format!("The {} service", flow_name(flow)),
            visibility: "private".into(),
            template: None,
        };
        let (row, _) = store.upsert_flow(org.id, &upsert, at(1.0)).await?;
        for version in 0..scale.versions() {
            build_artifact(store, (name, row.id), flow, version).await?;
        }
    }
    Ok(org)
}

/// `org` if its last flow's last trail is there (flows are built in order,
/// so then every one is).
async fn flows_built(store: &dyn Store, org: Org, scale: &Scale) -> Result<Org> {
    let last = scale.flows - 1;
    let flow = store.flow(org.id, &flow_name(last)).await?;
    let trail = match flow {
        Some(flow) => {
            store
                .trail(flow.id, &commit(last, scale.versions() - 1))
                .await?
        }
        None => None,
    };
    match trail {
        Some(_) => Ok(org),
        None => Err(StoreError::Conflict(format!(
            "this database holds an org '{}' whose flows were not all built at this scale: \
             build into an empty database",
            org.name
        ))),
    }
}

/// One CI run: a trail, the artifact, and three attestations.
async fn build_artifact(
    store: &dyn Store,
    (org, flow_id): (&str, FlowId),
    flow: usize,
    version: usize,
) -> Result<()> {
    let commit = commit(flow, version);
    let when = at(10.0 + version as f64 * 3600.0);
    let trail = TrailUpsert {
        name: commit.clone(),
        git_commit_info: Some(format!(
            r#"{{"sha1":"{commit}","message":"release {version}"}}"#
        )),
        ..Default::default()
    };
    let (trail, _) = store.upsert_trail(flow_id, &trail, when).await?;
    let name = flow_name(flow);
    let artifact = ArtifactInsert {
        flow_id,
        trail_id: Some(trail.id),
        fingerprint: fingerprint(flow, version),
        filename: format!("registry.example.com/{name}:{version}"),
        template_name: Some(name.clone()),
        git_commit: Some(commit.clone()),
        commit_url: Some(format!("https://git.example.com/{name}/commit/{commit}")),
        build_url: Some(format!("https://ci.example.com/{name}/{version}")),
        repo_url: None,
        repo: None,
        payload: "{}".into(),
        created_at: when,
    };
    let id = store.insert_artifact(&artifact).await?;
    let attest =
        |n: &str, artifact_id: Option<ArtifactId>, bound_by_commit: bool, trail_id: TrailId| {
            AttestationInsert {
                public_id: format!("{org}-{flow}-{version}-{n}"),
                flow_id,
                trail_id: Some(trail_id),
                artifact_id,
                target_artifact: bound_by_commit.then(|| name.clone()),
                commit_sha: bound_by_commit.then(|| commit.clone()),
                name: n.into(),
                kind: "generic".into(),
                is_compliant: true,
                control: None,
                payload: r#"{"results":{"passed":120,"failed":0}}"#.into(),
                created_at: when,
            }
        };
    store
        .insert_attestation(&attest("unit-test", Some(id), false, trail.id))
        .await?;
    store
        .insert_attestation(&attest("security-scan", None, true, trail.id))
        .await?;
    store
        .insert_attestation(&attest("pull-request", None, false, trail.id))
        .await?;
    Ok(())
}

/// The name of environment `index`.
pub fn environment_name(index: usize) -> String {
    format!("cluster-{index:03}")
}

/// Creates environment `index` of the org.
pub async fn create_environment(
    store: &dyn Store,
    org: &Org,
    index: usize,
) -> Result<EnvironmentRow> {
    let upsert = EnvironmentUpsert {
        name: environment_name(index),
        kind: EnvironmentType::K8s,
        description: String::new(),
        include_scaling: true,
    };
    Ok(store.upsert_environment(org.id, &upsert, at(2.0)).await?.0)
}

/// Creates environment `index` and records its `scale.snapshots` reports of
/// a churning [`churn::Cluster`], showing `seen` each report before it is
/// recorded; returns the environment and its cluster's final state. An
/// environment that has reported before goes on from its last report, so a
/// build that was stopped resumes and one that is complete is kept.
pub async fn build_environment(
    store: &dyn Store,
    org: &Org,
    index: usize,
    scale: &Scale,
    mut seen: impl FnMut(&[Value]),
) -> Result<(EnvironmentRow, churn::Cluster)> {
    let env = match store.environment(org.id, &environment_name(index)).await? {
        Some(env) => env,
        None => create_environment(store, org, index).await?,
    };
    let (mut cluster, first) = match env.last_reported_at {
        Some(last) => {
            let step = churn::Cluster::step_of(last);
            (churn::Cluster::at_step(index, scale, step), step + 1)
        }
        None => (churn::Cluster::new(index, scale), 0),
    };
    for step in first..scale.snapshots as u64 {
        if step > 0 {
            cluster.advance();
        }
        let report = cluster.report();
        seen(&report);
        let running = normalise(&report).expect("the churn makes valid reports");
        store
            .record_report(env.id, env.kind, cluster.at(), running)
            .await?;
    }
    Ok((env, cluster))
}
