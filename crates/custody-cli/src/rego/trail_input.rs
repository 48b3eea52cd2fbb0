//! A trail as a policy sees it, built as Kosli builds it: the trail document
//! with every `attestations_statuses` list (the trail's, and each artifact's
//! under `compliance_status.artifacts_statuses`) turned into a map keyed by
//! attestation name, narrowed by `--attestations` (`name` for the trail's,
//! `artifact.name` for an artifact's), and each attestation filled in with
//! its full document (fields the status does not already have).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// Each attestation map of a trail, with the artifact it belongs to (`None`
/// for the trail's own).
pub fn attestation_maps(trail: &mut Value) -> Vec<(Option<String>, &mut Map<String, Value>)> {
    let mut out = Vec::new();
    let Some(status) = trail
        .get_mut("compliance_status")
        .and_then(Value::as_object_mut)
    else {
        return out;
    };
    let (own, artifacts) = split_two(status, "attestations_statuses", "artifacts_statuses");
    if let Some(Value::Object(map)) = own {
        out.push((None, map));
    }
    if let Some(Value::Object(artifacts)) = artifacts {
        for (name, artifact) in artifacts.iter_mut() {
            if let Some(Value::Object(map)) = artifact.get_mut("attestations_statuses") {
                out.push((Some(name.clone()), map));
            }
        }
    }
    out
}

/// Two distinct fields of one object, borrowed mutably at once.
fn split_two<'a>(
    object: &'a mut Map<String, Value>,
    first: &str,
    second: &str,
) -> (Option<&'a mut Value>, Option<&'a mut Value>) {
    let (mut a, mut b) = (None, None);
    for (key, value) in object.iter_mut() {
        if key == first {
            a = Some(value);
        } else if key == second {
            b = Some(value);
        }
    }
    (a, b)
}

/// Turns each `attestations_statuses` list into a map by attestation name.
pub fn key_by_name(trail: &mut Value) {
    let Some(status) = trail
        .get_mut("compliance_status")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if let Some(list) = status.get_mut("attestations_statuses") {
        by_name(list);
    }
    if let Some(Value::Object(artifacts)) = status.get_mut("artifacts_statuses") {
        for artifact in artifacts.values_mut() {
            if let Some(list) = artifact.get_mut("attestations_statuses") {
                by_name(list);
            }
        }
    }
}

fn by_name(list: &mut Value) {
    let Value::Array(entries) = list else { return };
    let map: Map<String, Value> = std::mem::take(entries)
        .into_iter()
        .filter_map(|entry| {
            let name = entry.get("attestation_name")?.as_str()?.to_string();
            Some((name, entry))
        })
        .collect();
    *list = Value::Object(map);
}

/// Keeps only the attestations `--attestations` names; with none named, all.
pub fn keep_only(trail: &mut Value, names: &[String]) {
    if names.is_empty() {
        return;
    }
    let mut own = BTreeSet::new();
    let mut of_artifact: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for name in names.iter().filter(|n| !n.is_empty()) {
        match name.split_once('.') {
            Some((artifact, attestation)) if !artifact.is_empty() && !attestation.is_empty() => {
                of_artifact.entry(artifact).or_default().insert(attestation);
            }
            Some(_) => {}
            None => {
                own.insert(name.as_str());
            }
        }
    }
    for (artifact, map) in attestation_maps(trail) {
        let kept = match &artifact {
            None => Some(&own),
            Some(a) => of_artifact.get(a.as_str()),
        };
        map.retain(|name, _| kept.is_some_and(|k| k.contains(name.as_str())));
    }
}

/// The attestation ids the trail's maps hold, each once, in order.
pub fn attestation_ids(trail: &mut Value) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut ids = Vec::new();
    for (_, map) in attestation_maps(trail) {
        for entry in map.values() {
            if let Some(id) = entry.get("attestation_id").and_then(Value::as_str)
                && seen.insert(id.to_string())
            {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

/// Adds each attestation's full document to its status entry, keeping the
/// fields the entry already has.
pub fn fill_in(trail: &mut Value, documents: &BTreeMap<String, Map<String, Value>>) {
    for (_, map) in attestation_maps(trail) {
        for entry in map.values_mut() {
            let Some(entry) = entry.as_object_mut() else {
                continue;
            };
            let id = entry.get("attestation_id").and_then(Value::as_str);
            let Some(document) = id.and_then(|id| documents.get(id)) else {
                continue;
            };
            for (key, value) in document {
                if !entry.contains_key(key) {
                    entry.insert(key.clone(), value.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn trail() -> Value {
        json!({"name": "t1", "compliance_status": {
            "attestations_statuses": [
                {"attestation_name": "pr", "attestation_id": "a1", "is_compliant": true},
                {"attestation_name": "tests", "attestation_id": "a2", "is_compliant": false}],
            "artifacts_statuses": {"app": {"attestations_statuses": [
                {"attestation_name": "scan", "attestation_id": "a3", "is_compliant": true},
                {"attestation_name": "sbom", "attestation_id": null, "status": "MISSING"}]}}}})
    }

    #[test]
    fn lists_become_maps_by_name_and_are_narrowed() {
        let mut t = trail();
        key_by_name(&mut t);
        let status = &t["compliance_status"];
        assert_eq!(
            status["attestations_statuses"]["tests"]["attestation_id"],
            "a2"
        );
        assert_eq!(
            status["artifacts_statuses"]["app"]["attestations_statuses"]["sbom"]["status"],
            "MISSING"
        );
        assert_eq!(attestation_ids(&mut t), ["a1", "a2", "a3"]);
        keep_only(&mut t, &["pr".into(), "app.scan".into(), ".x".into()]);
        let status = &t["compliance_status"];
        let own: Vec<&String> = status["attestations_statuses"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(own, ["pr"]);
        let art = status["artifacts_statuses"]["app"]["attestations_statuses"]
            .as_object()
            .unwrap();
        assert_eq!(art.keys().collect::<Vec<_>>(), ["scan"]);
    }

    #[test]
    fn an_artifact_not_named_keeps_none_of_its_attestations() {
        let mut t = trail();
        key_by_name(&mut t);
        keep_only(&mut t, &["tests".into()]);
        let art = &t["compliance_status"]["artifacts_statuses"]["app"]["attestations_statuses"];
        assert_eq!(art, &json!({}));
    }

    #[test]
    fn documents_fill_in_missing_fields_only() {
        let mut t = trail();
        key_by_name(&mut t);
        let doc = json!({"attestation_id": "other", "is_compliant": "no", "junit_results": [1]});
        let docs = BTreeMap::from([("a2".to_string(), doc.as_object().unwrap().clone())]);
        fill_in(&mut t, &docs);
        let tests = &t["compliance_status"]["attestations_statuses"]["tests"];
        assert_eq!(
            (
                &tests["attestation_id"],
                &tests["is_compliant"],
                &tests["junit_results"]
            ),
            (&json!("a2"), &json!(false), &json!([1]))
        );
    }
}
