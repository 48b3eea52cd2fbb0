//! What the attest commands and `begin trail` share: annotations, attestation
//! names, user-data files, and the JSON a payload goes out as. Their shared
//! flag groups are in [`super::flags`]; argument and flag rules of every
//! command in [`crate::flags`].

use std::collections::BTreeMap;

use anyhow::{anyhow, bail};

use crate::output::{io_text, sorted_keys};
use serde::Serialize;
use serde_json::{Value, json};

/// A JSON file's content (`--user-data`), its objects' keys sorted as Kosli
/// sends a file's data.
pub fn load_json(path: &str) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow!("open {path}: {}", io_text(&e)))?;
    let value =
        serde_json::from_str(&text).map_err(|_| anyhow!("{path} does not contain a valid JSON"))?;
    Ok(sorted_keys(value))
}

/// A payload's JSON as Kosli sends it: top-level `null`s left out and a
/// commit's `timestamp` in whole seconds.
pub fn wire(payload: &impl Serialize) -> anyhow::Result<Value> {
    let mut value = serde_json::to_value(payload)?;
    if let Value::Object(map) = &mut value {
        map.retain(|_, v| !v.is_null());
        if let Some(ts) = map
            .get_mut("git_commit_info")
            .and_then(|g| g.get_mut("timestamp"))
            && let Some(secs) = ts.as_f64().filter(|t| t.fract() == 0.0)
        {
            *ts = json!(secs as i64);
        }
    }
    Ok(value)
}

/// An optional text, left out of a payload when it is empty, as Kosli leaves
/// out empty optional fields.
pub fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.is_empty())
}

/// `--name ARTIFACT.ATTESTATION` → `(Some(ARTIFACT), ATTESTATION)`; a name
/// without a dot names the attestation alone.
pub fn split_name(name: &str) -> anyhow::Result<(Option<String>, String)> {
    let Some((artifact, attestation)) = name.split_once('.') else {
        return Ok((None, name.to_string()));
    };
    if artifact.is_empty() || attestation.is_empty() || attestation.contains('.') {
        bail!("failed to parse attestation name: invalid attestation name format: {name}");
    }
    Ok((Some(artifact.to_string()), attestation.to_string()))
}

/// `--annotate key=value` pairs; keys are `[A-Za-z0-9_]+`.
pub fn annotations(pairs: &[(String, String)]) -> anyhow::Result<Option<BTreeMap<String, String>>> {
    let map: BTreeMap<String, String> = pairs.iter().cloned().collect();
    if let Some(bad) = map
        .keys()
        .find(|k| k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        bail!(
            "--annotate flag should be in the format key=value. Invalid key: '{bad}'. Key can only contain [A-Za-z0-9_]"
        );
    }
    Ok(Some(map).filter(|m| !m.is_empty()))
}

/// What an attest command's `--assert` ends with: the report's error and the
/// assertion's failure, both when both happened, as Kosli prints them
/// (`<report error>\nError: <failure>`).
pub fn with_assertion(reported: anyhow::Result<()>, failed: Option<String>) -> anyhow::Result<()> {
    match (reported, failed) {
        (Ok(()), None) => Ok(()),
        (Ok(()), Some(failure)) => Err(anyhow!(failure)),
        (Err(e), None) => Err(e),
        (Err(e), Some(failure)) => Err(anyhow!("{e:#}\nError: {failure}")),
    }
}

#[cfg(test)]
mod tests {
    use custody_api::GitCommitInfo;

    use super::*;

    #[test]
    fn attestation_names_may_target_an_artifact() {
        assert_eq!(split_name("unit").unwrap(), (None, "unit".to_string()));
        assert_eq!(
            split_name("app.unit").unwrap(),
            (Some("app".to_string()), "unit".to_string())
        );
        for bad in [".foo", "foo.", "a.b.c"] {
            let err = split_name(bad).unwrap_err().to_string();
            assert_eq!(
                err,
                format!("failed to parse attestation name: invalid attestation name format: {bad}")
            );
        }
    }

    #[test]
    fn annotations_and_pairs_are_checked() {
        let pairs = vec![("foo.baz".to_string(), "bar".to_string())];
        let err = annotations(&pairs).unwrap_err().to_string();
        assert_eq!(
            err,
            "--annotate flag should be in the format key=value. Invalid key: 'foo.baz'. Key can only contain [A-Za-z0-9_]"
        );
        assert_eq!(annotations(&[]).unwrap(), None);
    }

    #[test]
    fn payloads_drop_nulls_and_send_whole_second_timestamps() {
        let info = GitCommitInfo {
            sha1: "s".into(),
            timestamp: 1_700_000_000.0,
            ..Default::default()
        };
        let value = wire(&json!({"a": null, "git_commit_info": info})).unwrap();
        assert_eq!(
            value,
            json!({"git_commit_info": {"sha1": "s", "message": "", "author": "", "timestamp": 1_700_000_000, "branch": ""}})
        );
        assert_eq!(
            io_text(&std::fs::read("/nonexistent/x").unwrap_err()),
            "no such file or directory"
        );
    }

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn attestation_payloads_keep_kosli_field_order() {
        let payload = custody_api::AttestationPayload {
            artifact_fingerprint: Some("ab".into()),
            git_commit_info: Some(GitCommitInfo {
                sha1: "s".into(),
                url: Some("https://git/s".into()),
                ..Default::default()
            }),
            repo_info: Some(json!({"url": "https://git"})),
            attestation_name: "unit".into(),
            target_artifacts: vec!["app".into()],
            external_urls: Some(json!({"doc": {"href": "https://doc"}})),
            origin_url: Some("https://ci/1".into()),
            user_data: json!({}),
            description: Some("d".into()),
            annotations: Some([("team".to_string(), "web".to_string())].into()),
            ..Default::default()
        };
        let value = wire(&payload).unwrap();
        assert_eq!(
            keys(&value),
            [
                "artifact_fingerprint",
                "git_commit_info",
                "repo_info",
                "attestation_name",
                "target_artifacts",
                "external_urls",
                "origin_url",
                "user_data",
                "description",
                "annotations",
            ]
        );
        assert_eq!(
            keys(&value["git_commit_info"]),
            ["sha1", "message", "author", "timestamp", "branch", "url"]
        );
    }

    #[test]
    fn data_files_have_their_keys_sorted_and_empty_texts_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.json");
        std::fs::write(
            &path,
            r#"{"name": "Jane", "age": 34, "address": {"zip": 1, "city": "x"}}"#,
        )
        .unwrap();
        let value = load_json(&path.display().to_string()).unwrap();
        assert_eq!(keys(&value), ["address", "age", "name"]);
        assert_eq!(keys(&value["address"]), ["city", "zip"]);
        assert_eq!(non_empty(Some(String::new())), None);
        assert_eq!(non_empty(Some("x".into())), Some("x".into()));
    }

    #[test]
    fn an_assertion_failure_follows_the_reports_error() {
        assert!(with_assertion(Ok(()), None).is_ok());
        let failed = |r, f: Option<&str>| {
            format!("{:#}", with_assertion(r, f.map(String::from)).unwrap_err())
        };
        assert_eq!(failed(Ok(()), Some("no PR")), "no PR");
        assert_eq!(failed(Err(anyhow!("refused")), None), "refused");
        assert_eq!(
            failed(Err(anyhow!("refused")), Some("no PR")),
            "refused\nError: no PR"
        );
    }
}
