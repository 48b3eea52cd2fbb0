//! Which namespaces a K8S environment covers: the namespace filter built from
//! the `--namespaces*` flags (include and exclude lists are mutually exclusive,
//! with Kosli's messages) and the multi-environment YAML file of
//! `snapshot k8s --config-file`, validated with Kosli's error texts.

use std::collections::BTreeSet;

use anyhow::{Context, anyhow, bail};
use regex::Regex;
use serde::Deserialize;

/// Namespaces to scan. Names match exactly; regexes search (unanchored).
#[derive(Debug, Clone, Default)]
pub struct NamespaceFilter {
    pub names: Vec<String>,
    pub regexes: Vec<Regex>,
    pub exclude: Vec<String>,
    pub exclude_regexes: Vec<Regex>,
}

/// One environment to report and the namespaces its pods come from.
#[derive(Debug, Clone)]
pub struct Target {
    pub env: String,
    pub filter: NamespaceFilter,
}

fn compile(patterns: &[String]) -> Result<Vec<Regex>, (String, regex::Error)> {
    patterns
        .iter()
        .map(|p| Regex::new(p).map_err(|e| (p.clone(), e)))
        .collect()
}

impl NamespaceFilter {
    /// From the four flag lists, refusing include/exclude combinations as Kosli does.
    pub fn from_flags(
        names: Vec<String>,
        regexes: Vec<String>,
        exclude: Vec<String>,
        exclude_regexes: Vec<String>,
    ) -> anyhow::Result<Self> {
        let pairs = [
            ("namespaces", &names, "exclude-namespaces", &exclude),
            (
                "namespaces-regex",
                &regexes,
                "exclude-namespaces-regex",
                &exclude_regexes,
            ),
            (
                "namespaces",
                &names,
                "exclude-namespaces-regex",
                &exclude_regexes,
            ),
            ("namespaces-regex", &regexes, "exclude-namespaces", &exclude),
        ];
        for (a, a_values, b, b_values) in pairs {
            if !a_values.is_empty() && !b_values.is_empty() {
                bail!("only one of --{a}, --{b} is allowed");
            }
        }
        let invalid = |(p, e): (String, regex::Error)| anyhow!("invalid regex '{p}': {e}");
        Ok(NamespaceFilter {
            regexes: compile(&regexes).map_err(invalid)?,
            exclude_regexes: compile(&exclude_regexes).map_err(invalid)?,
            names,
            exclude,
        })
    }

    /// No filter at all: every namespace, listed cluster-wide.
    pub fn is_all(&self) -> bool {
        self.names.is_empty()
            && self.regexes.is_empty()
            && self.exclude.is_empty()
            && self.exclude_regexes.is_empty()
    }

    /// Only exact names: they are used without listing the namespaces.
    pub fn names_only(&self) -> bool {
        !self.names.is_empty()
            && self.regexes.is_empty()
            && self.exclude.is_empty()
            && self.exclude_regexes.is_empty()
    }

    /// Whether a namespace is scanned.
    pub fn keeps(&self, namespace: &str) -> bool {
        let excluded = self.exclude.iter().any(|n| n == namespace)
            || self.exclude_regexes.iter().any(|r| r.is_match(namespace));
        if excluded {
            return false;
        }
        if self.names.is_empty() && self.regexes.is_empty() {
            return true;
        }
        self.names.iter().any(|n| n == namespace)
            || self.regexes.iter().any(|r| r.is_match(namespace))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespaces: Vec<String>,
    #[serde(default)]
    namespaces_regex: Vec<String>,
    #[serde(default)]
    exclude_namespaces: Vec<String>,
    #[serde(default)]
    exclude_namespaces_regex: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct EnvironmentsFile {
    #[serde(default)]
    environments: Vec<Entry>,
}

/// Whether a YAML file has an `environments` key (a multi-environment file).
pub fn is_environments_file(path: &str) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_norway::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|doc| doc.get("environments").is_some())
}

/// Reads and validates a multi-environment file.
pub fn load(path: &str) -> anyhow::Result<Vec<Target>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read config file [{path}]"))?;
    let file: EnvironmentsFile = serde_norway::from_str(&text)
        .with_context(|| format!("failed to parse config file [{path}]"))?;
    parse(file)
}

fn parse(file: EnvironmentsFile) -> anyhow::Result<Vec<Target>> {
    if file.environments.is_empty() {
        bail!("invalid config: 'environments' list must contain at least one entry");
    }
    let mut seen = BTreeSet::new();
    let mut targets = Vec::new();
    // Entries are counted from 1, as Kosli counts them.
    for (index, entry) in (1..).zip(file.environments) {
        let name = entry.name;
        if name.is_empty() {
            bail!("invalid config: environment entry {index} is missing required field 'name'");
        }
        if !seen.insert(name.clone()) {
            bail!("invalid config: duplicate environment name '{name}'");
        }
        let include = [
            ("namespaces", &entry.namespaces),
            ("namespacesRegex", &entry.namespaces_regex),
        ];
        let exclude = [
            ("excludeNamespaces", &entry.exclude_namespaces),
            ("excludeNamespacesRegex", &entry.exclude_namespaces_regex),
        ];
        let first = |fields: &[(&'static str, &Vec<String>)]| {
            fields.iter().find(|(_, v)| !v.is_empty()).map(|(k, _)| *k)
        };
        if let (Some(a), Some(b)) = (first(&include), first(&exclude)) {
            bail!("invalid config for environment '{name}': cannot combine '{a}' with '{b}'");
        }
        let invalid = |(p, e): (String, regex::Error)| {
            anyhow!("invalid config for environment '{name}': invalid regex '{p}': {e}")
        };
        let filter = NamespaceFilter {
            regexes: compile(&entry.namespaces_regex).map_err(invalid)?,
            exclude_regexes: compile(&entry.exclude_namespaces_regex).map_err(invalid)?,
            names: entry.namespaces,
            exclude: entry.exclude_namespaces,
        };
        targets.push(Target { env: name, filter });
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(yaml: &str) -> String {
        parse(serde_norway::from_str(yaml).unwrap())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn files_are_validated_with_kosli_messages() {
        assert_eq!(
            error("environments: []"),
            "invalid config: 'environments' list must contain at least one entry"
        );
        assert_eq!(
            error("environments: [{namespaces: [a]}]"),
            "invalid config: environment entry 1 is missing required field 'name'"
        );
        assert_eq!(
            error("environments: [{name: x}, {name: x}]"),
            "invalid config: duplicate environment name 'x'"
        );
        assert_eq!(
            error("environments: [{name: x, namespaces: [a], excludeNamespaces: [b]}]"),
            "invalid config for environment 'x': cannot combine 'namespaces' with 'excludeNamespaces'"
        );
        assert!(
            error("environments: [{name: x, namespacesRegex: ['(']}]")
                .starts_with("invalid config for environment 'x': invalid regex '(': ")
        );
    }

    #[test]
    fn filters_include_exclude_and_search() {
        let yaml = "environments: [{name: s, namespacesRegex: ['^staging-']}, {name: i, excludeNamespaces: [default]}]";
        let targets = parse(serde_norway::from_str(yaml).unwrap()).unwrap();
        assert!(targets[0].filter.keeps("staging-a") && !targets[0].filter.keeps("prod"));
        assert!(targets[1].filter.keeps("prod") && !targets[1].filter.keeps("default"));
        let by_name = NamespaceFilter::from_flags(vec!["a".into()], vec![], vec![], vec![]);
        assert!(by_name.unwrap().names_only());
        let search = NamespaceFilter::from_flags(vec![], vec!["ag".into()], vec![], vec![]);
        assert!(search.unwrap().keeps("staging"));
        let both = NamespaceFilter::from_flags(vec!["a".into()], vec![], vec![], vec!["b".into()]);
        assert_eq!(
            both.unwrap_err().to_string(),
            "only one of --namespaces, --exclude-namespaces-regex is allowed"
        );
    }
}
