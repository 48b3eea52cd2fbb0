//! What an outbox event means to actions: the notices it gives, each with its
//! trigger, the environment or flow it is about, and the webhook payload v1.0.
//! A snapshot gives one notice per artifact that started, exited or scaled,
//! and one more when the environment's compliance changed from the snapshot
//! before; flow facts give one notice each. Payloads are built when the event
//! is dispatched, with compliance as it is then.

use custody_api::{
    PayloadArtifact, PayloadAttestation, PayloadProvenance, PayloadSnapshot, WebhookPayload,
};
use custody_core::Fingerprint;
use custody_core::history::Transition;
use custody_store::OutboxEvent;

use super::triggers::Trigger;
use crate::auth::OrgScope;
use crate::docs::gate::compliance_during;
use crate::docs::provenance::provenance;
use crate::docs::snapshot;
use crate::error::ApiResult;
use crate::lookup;
use crate::state::AppState;

/// One thing to tell the actions watching `scope` (an environment or flow).
#[derive(Debug, Clone)]
pub struct Notice {
    pub trigger: Trigger,
    pub scope: String,
    pub payload: WebhookPayload,
}

fn status(compliant: bool) -> String {
    if compliant {
        "COMPLIANT"
    } else {
        "NON-COMPLIANT"
    }
    .to_string()
}

/// The notices of an event; none when what it names is gone.
pub async fn notices(state: &AppState, event: &OutboxEvent) -> ApiResult<Vec<Notice>> {
    let org = OrgScope {
        id: event.org_id,
        name: event.org_name.clone(),
        service_account: String::new(),
    };
    let base = WebhookPayload {
        version: "1.0".into(),
        timestamp: event.created_at.seconds(),
        org: org.name.clone(),
        environment: event.env_name.clone(),
        flow: event.flow_name.clone(),
        trail: event.trail_name.clone(),
        event_type: String::new(),
        description: String::new(),
        snapshot: None,
        artifact: None,
        attestation: None,
    };
    let reference = event.reference.as_deref().unwrap_or_default();
    match (event.kind.as_str(), &event.env_name, &event.flow_name) {
        ("snapshot", Some(env), _) => snapshot_notices(state, &org, env, event.idx, base).await,
        ("allowed", Some(env), _) => {
            let Ok(fp) = Fingerprint::parse(reference) else {
                return Ok(Vec::new());
            };
            let env_row = lookup::environment(state, &org, env).await?;
            let allowed = state.store.allowlist(&[env_row.id]).await?;
            let name = allowed
                .iter()
                .rfind(|a| a.fingerprint == fp)
                .map_or_else(String::new, |a| a.artifact_name.clone());
            let artifact = artifact(state, &org, &name, &fp, None).await?;
            let description = format!("Artifact {name} was allow-listed in {env}");
            Ok(vec![notice(
                Trigger::AllowedArtifact,
                env,
                base,
                description,
                |p| {
                    p.artifact = Some(artifact);
                },
            )])
        }
        ("trail", _, Some(flow)) => {
            let trail = event.trail_name.clone().unwrap_or_default();
            let description = format!("Trail {trail} started in flow {flow}");
            Ok(vec![notice(
                Trigger::StartedTrail,
                flow,
                base,
                description,
                |_| {},
            )])
        }
        ("artifact", _, Some(flow)) => {
            let Ok(fp) = Fingerprint::parse(reference) else {
                return Ok(Vec::new());
            };
            let artifact = artifact(state, &org, "", &fp, Some(flow)).await?;
            let description = format!("Artifact {} was reported to flow {flow}", artifact.name);
            Ok(vec![notice(
                Trigger::AttestedProvenance,
                flow,
                base,
                description,
                |p| {
                    p.artifact = Some(artifact);
                },
            )])
        }
        ("attestation", _, Some(flow)) => {
            let Some(row) = state.store.attestation(reference).await? else {
                return Ok(Vec::new());
            };
            let trail = event.trail_name.clone().unwrap_or_default();
            let verdict = if row.is_compliant != 0 {
                "compliant"
            } else {
                "non-compliant"
            };
            let description = format!(
                "Attestation {} ({}) was reported to trail {trail}: {verdict}",
                row.name, row.kind
            );
            let html_url = format!(
                "{}?attestation_id={}",
                state.trail_url(&org.name, flow, &trail),
                row.public_id
            );
            Ok(vec![notice(
                Trigger::Attestation,
                flow,
                base,
                description,
                |p| {
                    p.attestation = Some(PayloadAttestation {
                        name: row.name.clone(),
                        kind: row.kind.clone(),
                        is_compliant: row.is_compliant != 0,
                        html_url,
                    });
                },
            )])
        }
        _ => Ok(Vec::new()),
    }
}

fn notice(
    trigger: Trigger,
    scope: &str,
    mut payload: WebhookPayload,
    description: String,
    fill: impl FnOnce(&mut WebhookPayload),
) -> Notice {
    payload.event_type = trigger.event_type().to_string();
    payload.description = description;
    fill(&mut payload);
    Notice {
        trigger,
        scope: scope.to_string(),
        payload,
    }
}

async fn snapshot_notices(
    state: &AppState,
    org: &OrgScope,
    env_name: &str,
    index: Option<i64>,
    base: WebhookPayload,
) -> ApiResult<Vec<Notice>> {
    let Some(index) = index else {
        return Ok(Vec::new());
    };
    let env = lookup::environment(state, org, env_name).await?;
    let doc = snapshot::document(state, org, &env, index).await?;
    let compliant = doc.compliant == Some(true);
    let before = if index > 1 {
        compliance_during(state, org, &env, (index - 1, index - 1))
            .await?
            .get(&(index - 1))
            .copied()
            .unwrap_or(true)
    } else {
        true
    };
    let base = WebhookPayload {
        snapshot: Some(PayloadSnapshot {
            index,
            status: status(compliant),
            html_url: doc.html_url.clone(),
            api_url: format!(
                "{}/api/v2/snapshots/{}/{env_name}/{index}",
                state.public_url, org.name
            ),
        }),
        ..base
    };
    let mut notices = Vec::new();
    for a in &doc.artifacts {
        let trigger = match a.annotation.kind.as_str() {
            "started" => Trigger::StartedArtifact,
            "exited" => Trigger::ExitedArtifact,
            "scaled" => Trigger::ScaledArtifact,
            _ => continue,
        };
        let Ok(fp) = Fingerprint::parse(&a.fingerprint) else {
            continue;
        };
        let t = Transition {
            was: a.annotation.was,
            now: a.annotation.now,
        };
        let description = t.description().trim_end_matches('.').to_string();
        let artifact = artifact(state, org, &a.name, &fp, None).await?;
        notices.push(notice(trigger, env_name, base.clone(), description, |p| {
            p.artifact = Some(artifact);
        }));
    }
    if compliant != before {
        let (trigger, became) = if compliant {
            (Trigger::CompliantEnv, "compliant")
        } else {
            (Trigger::NonCompliantEnv, "non-compliant")
        };
        let description = format!("Environment {env_name} became {became}");
        notices.push(notice(trigger, env_name, base, description, |_| {}));
    }
    Ok(notices)
}

/// An artifact with its provenance: its record in `flow` when given, else
/// its first record; `name` is the name it runs under (its filename if empty).
async fn artifact(
    state: &AppState,
    org: &OrgScope,
    name: &str,
    fp: &Fingerprint,
    flow: Option<&str>,
) -> ApiResult<PayloadArtifact> {
    let known = provenance(state, org.id, vec![fp.clone()]).await?;
    let record = known.get(fp).and_then(|p| {
        p.records
            .iter()
            .rfind(|(r, _)| flow.is_none_or(|f| r.flow_name == f))
            .or(p.records.first())
    });
    let provenance = record.map(|(r, c)| PayloadProvenance {
        flow: r.flow_name.clone(),
        status: c.state.as_str().to_string(),
        commit: r.git_commit.clone(),
        commit_url: r.commit_url.clone(),
        html_url: state.artifact_url(&org.name, &r.flow_name, fp.as_str()),
        api_url: format!(
            "{}/api/v2/artifacts/{}/{}/fingerprint/{}",
            state.public_url,
            org.name,
            r.flow_name,
            fp.as_str()
        ),
        build_url: r.build_url.clone(),
    });
    let name = match (name, record) {
        ("", Some((r, _))) => r.filename.clone(),
        (name, _) => name.to_string(),
    };
    Ok(PayloadArtifact {
        name,
        fingerprint: fp.as_str().to_string(),
        provenance,
    })
}
