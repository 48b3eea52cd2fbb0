//! The shared AWS config and credentials files (`~/.aws/config`,
//! `~/.aws/credentials`, or `AWS_CONFIG_FILE` and
//! `AWS_SHARED_CREDENTIALS_FILE`): a profile's settings, the credentials
//! file's keys winning over the config file's.

use std::collections::BTreeMap;

use super::env;

/// Largest config or credentials file read.
const MAX_FILE: u64 = 1024 * 1024;

/// One profile's settings (`region`, `role_arn`, `aws_access_key_id`…).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub name: String,
    pub settings: BTreeMap<String, String>,
}

impl Profile {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

fn read(path: Option<String>) -> String {
    let Some(path) = path else {
        return String::new();
    };
    match std::fs::metadata(&path) {
        Ok(m) if m.len() <= MAX_FILE => std::fs::read_to_string(&path).unwrap_or_default(),
        _ => String::new(),
    }
}

/// The `key = value` lines of section `wanted` of an INI text.
fn section(text: &str, wanted: &[String]) -> BTreeMap<String, String> {
    let mut inside = false;
    let mut out = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            inside = wanted.contains(&name);
        } else if let (true, Some((k, v))) = (inside, line.split_once('=')) {
            out.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    out
}

fn config_text() -> String {
    let home = env("HOME");
    read(env("AWS_CONFIG_FILE").or_else(|| home.map(|h| format!("{h}/.aws/config"))))
}

/// The `[sso-session NAME]` section of the config file.
pub fn sso_session(name: &str) -> Option<Profile> {
    let settings = section(&config_text(), &[format!("sso-session {name}")]);
    (!settings.is_empty()).then(|| Profile {
        name: name.to_string(),
        settings,
    })
}

/// The named profile from both files, or `None` when neither has it.
pub fn load(name: &str) -> Option<Profile> {
    let home = env("HOME");
    let config = config_text();
    let credentials = read(
        env("AWS_SHARED_CREDENTIALS_FILE")
            .or_else(|| home.as_ref().map(|h| format!("{h}/.aws/credentials"))),
    );
    let config_names = if name == "default" {
        vec!["default".to_string(), "profile default".to_string()]
    } else {
        vec![format!("profile {name}")]
    };
    let mut settings = section(&config, &config_names);
    settings.extend(section(&credentials, &[name.to_string()]));
    (!settings.is_empty()).then(|| Profile {
        name: name.to_string(),
        settings,
    })
}

/// The profile to use: `AWS_PROFILE`, else `default`; and whether it was named.
pub fn selected() -> (String, bool) {
    match env("AWS_PROFILE") {
        Some(name) => (name, true),
        None => ("default".to_string(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_read_by_name_with_comments_skipped() {
        let text = "# top\n[default]\nregion = eu-west-1\n[profile  ci ]\nrole_arn=arn:aws:iam::1:role/ci\n; note\nsource_profile = default\n";
        let ci = section(text, &["profile ci".to_string()]);
        assert_eq!(ci["role_arn"], "arn:aws:iam::1:role/ci");
        assert_eq!(ci["source_profile"], "default");
        assert_eq!(
            section(text, &["default".to_string()])["region"],
            "eu-west-1"
        );
        assert!(section(text, &["nope".to_string()]).is_empty());
    }
}
