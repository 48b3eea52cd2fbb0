//! CDEvents (specification 0.4.1) of an outbox event, for `CDEVENTS`
//! targets: a snapshot's changes by service — a service is an artifact's
//! name without its tag or digest — as `service.deployed` (a service began
//! running), `service.upgraded` (it runs a version new to the environment),
//! `service.rolledback` (it runs a version that ran there before) and
//! `service.removed` (it stopped), with one `environment.modified`;
//! `artifact.published` when an artifact is reported to a flow; and
//! `testsuiterun.finished` (passed or failed, the flow as its environment)
//! when JUnit results are attested. They are sent as CloudEvents in binary
//! mode ([`super::deliver`]).

use std::collections::BTreeMap;

use custody_core::Fingerprint;
use custody_store::OutboxEvent;
use serde_json::{Value, json};

use super::triggers::Scope;
use crate::auth::OrgScope;
use crate::docs::snapshot;
use crate::error::ApiResult;
use crate::lookup;
use crate::state::AppState;
use crate::web::format::url_encode;

/// The CDEvents specification version the events follow.
pub const SPEC_VERSION: &str = "0.4.1";

/// One CDEvent, for the actions watching `name` among their `scope`.
#[derive(Debug, Clone)]
pub struct CdEvent {
    pub scope: Scope,
    pub name: String,
    pub body: Value,
}

/// An artifact's service: its name without a tag (after the last `/`) or digest.
pub fn service_of(name: &str) -> &str {
    let name = name.split('@').next().unwrap_or(name);
    match name.rfind(':') {
        Some(colon) if !name[colon..].contains('/') => &name[..colon],
        _ => name,
    }
}

/// A package URL naming an artifact by its digest.
fn artifact_id(name: &str, fp: &str) -> String {
    let last = service_of(name).rsplit('/').next().unwrap_or(name);
    format!("pkg:generic/{}@sha256%3A{fp}", url_encode(last))
}

fn event(kind: &str, source: &str, at: f64, subject: Value) -> Value {
    let whole = at.floor() as i64;
    let time = jiff::Timestamp::from_second(whole)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    json!({
        "context": {
            "version": SPEC_VERSION,
            "id": super::dispatch::delivery_id(),
            "source": source,
            "type": format!("dev.cdevents.{kind}.0.2.0"),
            "timestamp": time,
        },
        "subject": subject,
    })
}

/// The CDEvents of an event; none when what it names is gone.
pub async fn of(state: &AppState, e: &OutboxEvent) -> ApiResult<Vec<CdEvent>> {
    let org = OrgScope {
        id: e.org_id,
        name: e.org_name.clone(),
        service_account: String::new(),
    };
    let at = e.created_at.seconds();
    match (e.kind.as_str(), &e.env_name, &e.flow_name, e.idx) {
        ("snapshot", Some(env), _, Some(index)) => {
            snapshot_events(state, &org, env, index, at).await
        }
        ("artifact", _, Some(flow), _) => {
            let Ok(fp) = Fingerprint::parse(e.reference.as_deref().unwrap_or_default()) else {
                return Ok(Vec::new());
            };
            let records = state
                .store
                .artifacts_with_fingerprints(org.id, std::slice::from_ref(&fp))
                .await?;
            let Some(record) = records.iter().rfind(|r| &r.flow_name == flow) else {
                return Ok(Vec::new());
            };
            let source = state.flow_url(&org.name, flow);
            let subject = json!({"id": artifact_id(&record.filename, fp.as_str()),
                "source": source, "type": "artifact", "content": {}});
            Ok(vec![CdEvent {
                scope: Scope::Flows,
                name: flow.clone(),
                body: event("artifact.published", &source, at, subject),
            }])
        }
        ("attestation", _, Some(flow), _) => {
            let Some(row) = state
                .store
                .attestation(e.reference.as_deref().unwrap_or_default())
                .await?
            else {
                return Ok(Vec::new());
            };
            if row.kind != "junit" {
                return Ok(Vec::new());
            }
            let trail = e.trail_name.as_deref().unwrap_or_default();
            let source = state.trail_url(&org.name, flow, trail);
            let outcome = if row.is_compliant != 0 {
                "pass"
            } else {
                "fail"
            };
            let subject = json!({"id": format!("{flow}/{trail}/{}", row.name), "source": source,
            "type": "testSuiteRun", "content": {
                "outcome": outcome,
                "environment": {"id": flow, "source": state.flow_url(&org.name, flow)},
                "testSuite": {"id": row.name, "name": row.name},
            }});
            Ok(vec![CdEvent {
                scope: Scope::Flows,
                name: flow.clone(),
                body: event("testsuiterun.finished", &source, at, subject),
            }])
        }
        _ => Ok(Vec::new()),
    }
}

async fn snapshot_events(
    state: &AppState,
    org: &OrgScope,
    env_name: &str,
    index: i64,
    at: f64,
) -> ApiResult<Vec<CdEvent>> {
    let env = lookup::environment(state, org, env_name).await?;
    let doc = snapshot::document(state, org, &env, index).await?;
    // service → (fingerprint that started, fingerprint that exited)
    let mut changes: BTreeMap<&str, (Option<&str>, Option<&str>)> = BTreeMap::new();
    for a in &doc.artifacts {
        let entry = changes.entry(service_of(&a.name)).or_default();
        match a.annotation.kind.as_str() {
            "started" => entry.0 = Some(&a.fingerprint),
            "exited" => entry.1 = Some(&a.fingerprint),
            _ => {}
        }
    }
    let started: Vec<Fingerprint> = changes
        .values()
        .filter_map(|(s, _)| s.and_then(|fp| Fingerprint::parse(fp).ok()))
        .collect();
    let earlier = state.store.runs_of(org.id, &started).await?;
    let ran_before = |fp: &str| {
        earlier.iter().any(|r| {
            r.env_name == env.name
                && r.fingerprint.as_str() == fp
                && r.to_idx.is_some_and(|t| t <= index)
        })
    };
    let source = state.environment_url(&org.name, env_name);
    let environment = json!({"id": env_name, "source": source});
    let mut events = Vec::new();
    for (service, (new, old)) in &changes {
        let (kind, fp) = match (new, old) {
            (Some(new), None) => ("service.deployed", *new),
            (None, Some(old)) => ("service.removed", *old),
            (Some(new), Some(_)) if ran_before(new) => ("service.rolledback", *new),
            (Some(new), Some(_)) => ("service.upgraded", *new),
            (None, None) => continue,
        };
        let mut content = json!({"environment": environment});
        if kind != "service.removed" {
            content["artifactId"] = json!(artifact_id(service, fp));
        }
        let subject = json!({"id": format!("{env_name}/{service}"), "source": source,
            "type": "service", "content": content});
        events.push(event(kind, &source, at, subject));
    }
    if doc
        .artifacts
        .iter()
        .any(|a| a.annotation.kind != "unchanged")
    {
        let subject = json!({"id": env_name, "source": source, "type": "environment",
            "content": {"name": env_name, "url": source}});
        events.push(event("environment.modified", &source, at, subject));
    }
    Ok(events
        .into_iter()
        .map(|body| CdEvent {
            scope: Scope::Environments,
            name: env_name.to_string(),
            body,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_is_an_artifact_name_without_tag_or_digest() {
        assert_eq!(service_of("cyberdojo/runner:4f5a"), "cyberdojo/runner");
        assert_eq!(
            service_of("registry:5000/app:1.2@sha256:ab"),
            "registry:5000/app"
        );
        assert_eq!(service_of("registry:5000/app"), "registry:5000/app");
        assert_eq!(service_of("app"), "app");
    }
}
