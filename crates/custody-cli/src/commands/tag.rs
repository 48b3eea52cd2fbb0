//! `tag RESOURCE-TYPE RESOURCE-ID --set k=v --unset k`: set and remove tags on
//! a flow, an environment or a repo (by name, resolved to its id first, or by
//! `--repo-id`), reading `--set` as pflag's string-to-string flag does and
//! reporting the change in the Kosli CLI's words.

use std::collections::BTreeMap;

use clap::Args;
use custody_api::TagChange;
use custody_client::Body;
use reqwest::Method;

use crate::context::Ctx;

/// The resource types the server can tag.
const RESOURCE_TYPES: [&str; 9] = [
    "flow",
    "flows",
    "env",
    "environment",
    "environments",
    "control",
    "controls",
    "repo",
    "repos",
];

/// The arguments of `tag` (its help is on the command, in `commands`).
#[derive(Debug, Args)]
pub struct TagArgs {
    /// flow(s), env, environment(s), control(s) or repo(s).
    #[arg(value_name = "RESOURCE-TYPE")]
    resource_type: String,
    /// The flow's, environment's, control's or repo's name.
    #[arg(value_name = "RESOURCE-ID")]
    resource_id: Option<String>,
    /// The repo's VCS provider, when several repos share its name (repos only).
    #[arg(long)]
    provider: Option<String>,
    /// The repo's id, instead of RESOURCE-ID (repos only).
    #[arg(long = "repo-id")]
    repo_id: Option<String>,
    /// Tags to add or update, as key=value (repeatable, or comma-separated).
    #[arg(short = 's', long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Tag keys to remove (repeatable, or comma-separated).
    #[arg(short = 'u', long = "unset", value_name = "KEY", value_delimiter = ',')]
    unset: Vec<String>,
}

impl TagArgs {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        if !RESOURCE_TYPES.contains(&self.resource_type.as_str()) {
            anyhow::bail!(
                "{} is not a valid resource type. Valid resource types are: [{}]",
                self.resource_type,
                RESOURCE_TYPES.join(" ")
            );
        }
        let is_repo = matches!(self.resource_type.as_str(), "repo" | "repos");
        if !is_repo && self.provider.is_some() {
            anyhow::bail!("--provider is only valid when tagging repos");
        }
        if !is_repo && self.repo_id.is_some() {
            anyhow::bail!("--repo-id is only valid when tagging repos");
        }
        if self.provider.is_some() && self.repo_id.is_some() {
            anyhow::bail!("--provider cannot be combined with --repo-id");
        }
        let (id, target) = match (&self.resource_id, &self.repo_id) {
            (Some(_), Some(_)) => anyhow::bail!(
                "exactly one of the RESOURCE-ID argument or --repo-id must be provided"
            ),
            (None, Some(id)) => (id, id.clone()),
            (Some(name), None) if is_repo && !ctx.dry_run() => (
                name,
                super::repos::id_of(ctx, name, self.provider.as_deref()).await?,
            ),
            (Some(name), None) => (name, name.clone()),
            (None, None) => anyhow::bail!(
                "the RESOURCE-ID argument is required unless tagging a repo with --repo-id"
            ),
        };
        let mut set_tags = BTreeMap::new();
        for value in &self.set {
            set_tags.extend(parse_set(value)?);
        }
        let change = TagChange {
            set_tags,
            remove_tags: self.unset,
        };
        let body = Body::Json(serde_json::to_value(&change)?);
        let path = ["tags", org, &self.resource_type, &target];
        if ctx.send(Method::PATCH, &path, body).await?.is_some() {
            println!("{}", message(&change, &self.resource_type, id));
        }
        Ok(())
    }
}

/// One `--set` value as pflag reads it: with a single `=` the whole value is
/// one pair (so `k=a,b` sets `k` to `a,b`); with several, comma-separated pairs.
fn parse_set(value: &str) -> anyhow::Result<Vec<(String, String)>> {
    let pairs: Vec<&str> = match value.matches('=').count() {
        0 => anyhow::bail!("{}", not_a_pair(value, value)),
        1 => vec![value.trim_matches('"')],
        _ => value.split(',').collect(),
    };
    pairs
        .into_iter()
        .map(|pair| match pair.split_once('=') {
            Some((key, tag)) => Ok((key.to_string(), tag.to_string())),
            None => anyhow::bail!("{}", not_a_pair(value, pair)),
        })
        .collect()
}

/// pflag's error for a `--set` value, naming the pair at fault.
fn not_a_pair(value: &str, pair: &str) -> String {
    format!(
        "invalid argument \"{value}\" for \"-s, --set\" flag: {pair} must be formatted as key=value"
    )
}

/// What was done, e.g. `Tag(s) [a, b] added, and Tag(s) [c] removed for flow 'f'`
/// (keys sorted; the resource type as typed).
fn message(change: &TagChange, resource_type: &str, id: &str) -> String {
    let added: Vec<&str> = change.set_tags.keys().map(String::as_str).collect();
    let mut removed: Vec<&str> = change.remove_tags.iter().map(String::as_str).collect();
    removed.sort_unstable();
    let added = (!added.is_empty()).then(|| format!("Tag(s) [{}] added", added.join(", ")));
    let removed = (!removed.is_empty()).then(|| format!("Tag(s) [{}] removed", removed.join(", ")));
    let done = match (added, removed) {
        (Some(a), Some(r)) => format!("{a}, and {r}"),
        (Some(done), None) | (None, Some(done)) => done,
        (None, None) => return format!("No tags were applied for {resource_type} '{id}'"),
    };
    format!("{done} for {resource_type} '{id}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(set: &[(&str, &str)], remove: &[&str]) -> TagChange {
        TagChange {
            set_tags: set
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            remove_tags: remove.iter().map(ToString::to_string).collect(),
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn messages_match_kosli() {
        let cases = [
            (
                change(&[("foo", "bar")], &[]),
                "environment",
                "Tag(s) [foo] added for environment 'e'",
            ),
            (
                change(&[("key", "v"), ("foo", "b")], &[]),
                "flow",
                "Tag(s) [foo, key] added for flow 'e'",
            ),
            (
                change(&[], &["z", "foo"]),
                "env",
                "Tag(s) [foo, z] removed for env 'e'",
            ),
            (
                change(&[("key", "value")], &["foo"]),
                "environment",
                "Tag(s) [key] added, and Tag(s) [foo] removed for environment 'e'",
            ),
            (
                change(&[], &[]),
                "flows",
                "No tags were applied for flows 'e'",
            ),
        ];
        for (change, kind, expected) in cases {
            assert_eq!(message(&change, kind, "e"), expected);
        }
    }

    #[test]
    fn a_single_pair_keeps_commas_in_its_value() {
        assert_eq!(parse_set("k=a,b").unwrap(), pairs(&[("k", "a,b")]));
        assert_eq!(parse_set("\"k=v\"").unwrap(), pairs(&[("k", "v")]));
        assert_eq!(parse_set("k=").unwrap(), pairs(&[("k", "")]));
    }

    #[test]
    fn several_pairs_are_comma_separated() {
        assert_eq!(
            parse_set("a=1,b=2").unwrap(),
            pairs(&[("a", "1"), ("b", "2")])
        );
        assert_eq!(parse_set("a=x=y").unwrap(), pairs(&[("a", "x=y")]));
    }

    #[test]
    fn a_value_without_equals_is_refused() {
        let error = parse_set("foo").unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid argument \"foo\" for \"-s, --set\" flag: foo must be formatted as key=value"
        );
        let error = parse_set("a=1,b,c=2").unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid argument \"a=1,b,c=2\" for \"-s, --set\" flag: b must be formatted as key=value"
        );
    }
}
