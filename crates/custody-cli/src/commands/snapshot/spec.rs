//! The artifacts a server snapshot reports: the paths spec file of `snapshot
//! paths` (YAML, JSON or TOML, `version: 1`, strict about keys, with Kosli's
//! error texts), and the report entry of one path — its file or directory
//! fingerprint and modification time.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::UNIX_EPOCH;

use anyhow::{anyhow, bail};
use custody_fingerprint::{dir_fingerprint, file_fingerprint};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::output::io_text;

/// One artifact to fingerprint: its reported name, path and excludes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ArtifactPath {
    #[serde(skip)]
    pub name: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PathsSpec {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    artifacts: Option<BTreeMap<String, ArtifactPath>>,
}

/// A missing spec file, as viper reports it: by name and absolute directory.
fn not_found(file: &str) -> anyhow::Error {
    let path = Path::new(file);
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let place = format!(
        "Config File \"{stem}\" Not Found in \"[{}]\"",
        dir.display()
    );
    anyhow!("failed to parse path spec file [{file}] : {place}")
}

/// Reads a paths spec file, picking the format by extension (YAML otherwise).
pub fn load(file: &str) -> anyhow::Result<Vec<ArtifactPath>> {
    let path = Path::new(file);
    let text = std::fs::read_to_string(path).map_err(|_| not_found(file))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    parse(file, &text, &ext)
}

/// Keys of `value` outside `allowed`, in name order, as mapstructure reports them.
fn invalid_keys(at: &str, value: &Value, allowed: &[&str], errors: &mut Vec<String>) {
    if let Value::Object(map) = value {
        let mut bad: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !allowed.contains(k))
            .collect();
        bad.sort_unstable();
        if !bad.is_empty() {
            errors.push(format!("'{at}' has invalid keys: {}", bad.join(", ")));
        }
    }
}

/// Parses a spec's text; `ext` is `json`, `toml`, or anything else for YAML.
pub fn parse(file: &str, text: &str, ext: &str) -> anyhow::Result<Vec<ArtifactPath>> {
    let value: Value = match ext {
        "json" => serde_json::from_str(text).map_err(anyhow::Error::from),
        "toml" => toml::from_str(text).map_err(anyhow::Error::from),
        _ => serde_norway::from_str(text).map_err(anyhow::Error::from),
    }
    .map_err(|e| anyhow!("failed to parse path spec file [{file}] : {e}"))?;
    let unmarshal =
        |detail: String| anyhow!("failed to unmarshal path spec file [{file}] : {detail}");
    let mut errors = Vec::new();
    invalid_keys("", &value, &["version", "artifacts"], &mut errors);
    if let Some(Value::Object(artifacts)) = value.get("artifacts") {
        let mut artifacts: Vec<_> = artifacts.iter().collect();
        artifacts.sort_unstable_by_key(|(name, _)| *name);
        for (name, spec) in artifacts {
            invalid_keys(
                &format!("artifacts[{name}]"),
                spec,
                &["path", "exclude"],
                &mut errors,
            );
        }
    }
    if !errors.is_empty() {
        return Err(unmarshal(format!(
            "decoding failed due to the following error(s):\n\n{}",
            errors.join("\n")
        )));
    }
    let spec: PathsSpec = serde_json::from_value(value).map_err(|e| unmarshal(e.to_string()))?;
    let field = |key: &str, tag: &str| {
        let name = key.rsplit('.').next().unwrap_or(key);
        format!(
            "Key: 'PathsSpec.{key}' Error:Field validation for '{name}' failed on the '{tag}' tag"
        )
    };
    match spec.version {
        0 => errors.push(field("Version", "required")),
        1 => {}
        _ => errors.push(field("Version", "oneof")),
    }
    let artifacts = spec.artifacts.unwrap_or_else(|| {
        errors.push(field("Artifacts", "required"));
        BTreeMap::new()
    });
    for (name, artifact) in &artifacts {
        if artifact.path.is_empty() {
            errors.push(field(&format!("Artifacts[{name}].Path"), "required"));
        }
    }
    if !errors.is_empty() {
        bail!("path spec file [{file}] is invalid: {}", errors.join("\n"));
    }
    Ok(artifacts
        .into_iter()
        .map(|(name, artifact)| ArtifactPath { name, ..artifact })
        .collect())
}

/// The report entry of one path: `{"digests": {name: fp}, "creationTimestamp": mtime}`.
pub fn entry(name: &str, path: &str, excludes: &[String]) -> anyhow::Result<Value> {
    let meta = std::fs::metadata(path).map_err(|e| {
        anyhow!(
            "failed to open path {path} with error: stat {path}: {}",
            io_text(&e)
        )
    })?;
    let fingerprint = if meta.is_dir() {
        dir_fingerprint(Path::new(path), excludes)
    } else {
        if excludes.iter().any(|x| x == path) {
            bail!("path [{path}] is both included and excluded");
        }
        file_fingerprint(Path::new(path))
    }
    .map_err(|e| anyhow!("failed to get a digest of path {path} with error: {e}"))?;
    let modified = meta.modified().map_err(|e| {
        anyhow!("failed to get last modified timestamp of path {path} with error: {e}")
    })?;
    let seconds = match modified.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs() as i64,
        Err(before) => -(before.duration().as_secs() as i64),
    };
    Ok(json!({ "digests": { name: fingerprint }, "creationTimestamp": seconds }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(name: &str, path: &str, exclude: &[&str]) -> ArtifactPath {
        let exclude = exclude.iter().map(|s| s.to_string()).collect();
        ArtifactPath {
            name: name.into(),
            path: path.into(),
            exclude,
        }
    }

    #[test]
    fn the_three_formats_give_the_same_spec() {
        let yaml = "version: 1\nartifacts:\n  differ:\n    path: srv\n    exclude: [\"logs/*\"]\n";
        let json =
            r#"{"version": 1, "artifacts": {"differ": {"path": "srv", "exclude": ["logs/*"]}}}"#;
        let toml = "version = 1\n[artifacts.differ]\npath = \"srv\"\nexclude = [\"logs/*\"]\n";
        let want = vec![artifact("differ", "srv", &["logs/*"])];
        assert_eq!(parse("s.yml", yaml, "yml").unwrap(), want);
        assert_eq!(parse("s.json", json, "json").unwrap(), want);
        assert_eq!(parse("s.toml", toml, "toml").unwrap(), want);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = "versionnn: 1\nfoo:\n  differ:\n    path: x\n";
        let err = parse("f.yml", text, "yml").unwrap_err().to_string();
        let want = "failed to unmarshal path spec file [f.yml] : decoding failed due to the following error(s):\n\n'' has invalid keys: foo, versionnn";
        assert_eq!(err, want);
        let err = parse(
            "f.yml",
            "version: 1\nartifacts:\n  a:\n    path: x\n    paths: y\n",
            "yml",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("'artifacts[a]' has invalid keys: paths"),
            "{err}"
        );
    }

    #[test]
    fn version_and_artifacts_are_validated() {
        let err = parse(
            "f.yml",
            "version: 13\nartifacts:\n  a:\n    path: x\n",
            "yml",
        )
        .unwrap_err()
        .to_string();
        let want = "path spec file [f.yml] is invalid: Key: 'PathsSpec.Version' Error:Field validation for 'Version' failed on the 'oneof' tag";
        assert_eq!(err, want);
        let err = parse("f.yml", "version: 1\n", "yml")
            .unwrap_err()
            .to_string();
        let want = "Key: 'PathsSpec.Artifacts' Error:Field validation for 'Artifacts' failed on the 'required' tag";
        assert!(err.ends_with(want), "{err}");
        assert!(
            parse("f.json", "{", "json")
                .unwrap_err()
                .to_string()
                .starts_with("failed to parse path spec file [f.json] : ")
        );
    }

    #[test]
    fn entries_fingerprint_files_and_refuse_excluded_ones() {
        let dir = std::env::temp_dir().join(format!("custody-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("app.bin");
        std::fs::write(&file, "").unwrap();
        let file = file.display().to_string();
        let value = entry("app", &file, &[]).unwrap();
        assert_eq!(
            value["digests"]["app"],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(value["creationTimestamp"].as_i64().is_some_and(|t| t > 0));
        let err = entry("app", &file, std::slice::from_ref(&file))
            .unwrap_err()
            .to_string();
        assert_eq!(err, format!("path [{file}] is both included and excluded"));
        std::fs::remove_dir_all(&dir).unwrap();
        let err = entry("app", &file, &[]).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "failed to open path {file} with error: stat {file}: no such file or directory"
            )
        );
    }
}
