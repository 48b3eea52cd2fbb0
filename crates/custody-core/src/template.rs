//! Flow and trail templates: which attestations a trail and each of its
//! artifacts must have. Two forms are read: the `version: 1` YAML document and
//! the legacy comma list (`artifact,branch-coverage`), where every name but
//! `artifact` is an attestation each artifact needs.

use serde::Deserialize;

/// One required attestation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// An artifact the template expects, by its template name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtifactSpec {
    pub name: String,
    #[serde(default)]
    pub attestations: Vec<Requirement>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrailSpec {
    #[serde(default)]
    attestations: Vec<Requirement>,
    #[serde(default)]
    artifacts: Vec<ArtifactSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    version: serde_norway::Value,
    #[serde(default)]
    trail: Option<TrailSpec>,
}

/// A parsed template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template {
    pub trail_attestations: Vec<Requirement>,
    pub artifacts: Vec<ArtifactSpec>,
    /// Legacy templates: attestations every artifact needs, whatever its name.
    pub every_artifact: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid template: {0}")]
pub struct TemplateError(String);

const TYPES: [&str; 9] = [
    "generic",
    "junit",
    "snyk",
    "sarif",
    "pull_request",
    "jira",
    "sonar",
    "decision",
    "*",
];

fn check_type(kind: &str) -> Result<(), TemplateError> {
    let custom = kind.strip_prefix("custom:").is_some_and(|n| !n.is_empty());
    if custom || TYPES.contains(&kind) {
        Ok(())
    } else {
        Err(TemplateError(format!(
            "unsupported attestation type '{kind}': use one of {}, or custom:<type-name>",
            TYPES.join(", ")
        )))
    }
}

fn check_names(scope: &str, reqs: &[Requirement]) -> Result<(), TemplateError> {
    let mut seen = std::collections::BTreeSet::new();
    for r in reqs {
        if r.name.trim().is_empty() {
            return Err(TemplateError(format!(
                "an attestation name in {scope} is empty"
            )));
        }
        if !seen.insert(r.name.as_str()) {
            return Err(TemplateError(format!(
                "attestation '{}' appears twice in {scope}",
                r.name
            )));
        }
        check_type(&r.kind)?;
    }
    Ok(())
}

impl Template {
    /// Parses a `version: 1` YAML template.
    pub fn parse_yaml(text: &str) -> Result<Self, TemplateError> {
        crate::limits::yaml_document("template", text).map_err(|e| TemplateError(e.0))?;
        let file: TemplateFile =
            serde_norway::from_str(text).map_err(|e| TemplateError(e.to_string()))?;
        if file.version != 1 {
            return Err(TemplateError("'version' must be 1".into()));
        }
        let trail = file.trail.unwrap_or_default();
        check_names("the trail", &trail.attestations)?;
        let mut artifact_names = std::collections::BTreeSet::new();
        for a in &trail.artifacts {
            if !artifact_names.insert(a.name.as_str()) {
                return Err(TemplateError(format!(
                    "artifact '{}' appears twice",
                    a.name
                )));
            }
            check_names(&format!("artifact '{}'", a.name), &a.attestations)?;
        }
        Ok(Template {
            trail_attestations: trail.attestations,
            artifacts: trail.artifacts,
            every_artifact: Vec::new(),
        })
    }

    /// Parses a legacy comma list such as `artifact,branch-coverage`.
    pub fn parse_legacy(items: &[String]) -> Result<Self, TemplateError> {
        let mut every_artifact = Vec::new();
        for item in items.iter().map(|i| i.trim()) {
            if item.is_empty() {
                return Err(TemplateError("the template list has an empty item".into()));
            }
            if item != "artifact" {
                every_artifact.push(Requirement {
                    name: item.to_string(),
                    kind: "*".to_string(),
                });
            }
        }
        Ok(Template {
            every_artifact,
            ..Template::default()
        })
    }

    /// Parses stored template text: YAML when it starts with `version`, otherwise a
    /// legacy list separated by commas or spaces.
    pub fn parse_stored(text: &str) -> Result<Self, TemplateError> {
        if text.trim_start().starts_with("version") {
            Self::parse_yaml(text)
        } else {
            let items: Vec<String> = text
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            Self::parse_legacy(&items)
        }
    }

    /// The template in force for a trail: the trail's own when it has one, else
    /// its flow's; a flow without a template expects nothing. Stored text that no
    /// longer parses is an error, for the caller to surface.
    pub fn in_force(trail: Option<&str>, flow: Option<&str>) -> Result<Self, TemplateError> {
        trail
            .or(flow)
            .map_or_else(|| Ok(Template::default()), Self::parse_stored)
    }

    /// The attestations an artifact with this template name must have.
    pub fn artifact_requirements(&self, template_name: Option<&str>) -> Vec<Requirement> {
        let named = template_name
            .and_then(|n| self.artifacts.iter().find(|a| a.name == n))
            .map(|a| a.attestations.clone())
            .unwrap_or_default();
        named
            .into_iter()
            .chain(self.every_artifact.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_template() {
        let t = Template::parse_yaml(
            "version: 1\ntrail:\n  attestations:\n  - name: pull-request\n    type: pull_request\n  artifacts:\n  - name: runner\n    attestations:\n    - name: unit-test\n      type: junit\n  - name: terraform-state\n",
        )
        .unwrap();
        assert_eq!(t.trail_attestations[0].name, "pull-request");
        assert_eq!(t.artifact_requirements(Some("runner"))[0].kind, "junit");
        assert!(t.artifact_requirements(Some("terraform-state")).is_empty());
    }

    #[test]
    fn rejects_unknown_keys_naming_them_and_their_line() {
        let err = Template::parse_yaml("version: 1\ntrail:\n  atestations: []\n").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("atestations") && msg.contains("line 3"),
            "{msg}"
        );
    }

    #[test]
    fn rejects_bad_versions_types_and_duplicates() {
        assert!(Template::parse_yaml("version: 2\n").is_err());
        let bad_type = "version: 1\ntrail:\n  attestations:\n  - name: a\n    type: nope\n";
        assert!(
            Template::parse_yaml(bad_type)
                .unwrap_err()
                .to_string()
                .contains("'nope'")
        );
        let dup = "version: 1\ntrail:\n  attestations:\n  - {name: a, type: generic}\n  - {name: a, type: junit}\n";
        assert!(Template::parse_yaml(dup).is_err());
    }

    #[test]
    fn legacy_lists_require_each_item_of_every_artifact() {
        let t = Template::parse_stored("artifact,branch-coverage").unwrap();
        let reqs = t.artifact_requirements(None);
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].name, "branch-coverage");
    }
}
