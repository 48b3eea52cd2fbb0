//! The `repo_info` a CI describes (reference §8.3: GitHub, GitLab, Bitbucket,
//! Azure DevOps, CircleCI) and how the repository flags override it; Azure's
//! provider is worked out from its collection URI.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Ci, Env, detect, process_env};

/// `repo_info` as sent in payloads; empty fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RepoInfo {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub provider: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub namespace_path: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub additional_info: BTreeMap<String, String>,
}

/// An Azure DevOps collection URI: cloud-hosted or not, and the collection name.
struct Collection {
    services: bool,
    name: String,
}

fn collection(env: Env) -> Option<Collection> {
    let uri = env("SYSTEM_COLLECTIONURI")?;
    let (_, rest) = uri.split_once("://")?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    if host.ends_with(".visualstudio.com") {
        let name = host.split('.').next().unwrap_or_default().to_string();
        return Some(Collection {
            services: true,
            name,
        });
    }
    let services = host == "dev.azure.com" || host.ends_with(".dev.azure.com");
    let name = path
        .trim_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    Some(Collection { services, name })
}

pub(super) fn azure_provider(env: Env) -> String {
    let provider = match env("BUILD_REPOSITORY_PROVIDER")
        .unwrap_or_default()
        .as_str()
    {
        "GitHub" | "GitHubEnterprise" => "github",
        "Bitbucket" => "bitbucket_cloud",
        "Git" => "git",
        "Svn" => "subversion",
        _ => match collection(env) {
            None => "azure-devops",
            Some(c) if c.services => "azure_devops_services",
            Some(_) => "azure_devops_server",
        },
    };
    provider.to_string()
}

/// What the CI says about the repository (§8.3). Unlike flag defaults this is
/// read in tests too, as Kosli does.
pub fn repo_info_in(env: Env) -> Option<RepoInfo> {
    let var = |name: &str| env(name).unwrap_or_default();
    let split = |s: String| {
        s.split('/')
            .filter(|_| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let info = match detect(env)? {
        Ci::Github => RepoInfo {
            url: format!("{}/{}", var("GITHUB_SERVER_URL"), var("GITHUB_REPOSITORY")),
            name: var("GITHUB_REPOSITORY"),
            id: var("GITHUB_REPOSITORY_ID"),
            provider: "github".into(),
            ..RepoInfo::default()
        },
        Ci::Gitlab => RepoInfo {
            url: var("CI_PROJECT_URL"),
            name: var("CI_PROJECT_PATH"),
            id: var("CI_PROJECT_ID"),
            description: var("CI_PROJECT_DESCRIPTION"),
            provider: "gitlab".into(),
            namespace_path: split(var("CI_PROJECT_NAMESPACE")),
            ..RepoInfo::default()
        },
        Ci::Bitbucket => {
            let full = var("BITBUCKET_REPO_FULL_NAME");
            let workspace = full
                .split_once('/')
                .map(|(w, _)| w.to_string())
                .unwrap_or_default();
            let key = var("BITBUCKET_PROJECT_KEY");
            RepoInfo {
                url: var("BITBUCKET_GIT_HTTP_ORIGIN"),
                name: full,
                id: var("BITBUCKET_REPO_UUID"),
                provider: "bitbucket_cloud".into(),
                namespace_path: split(workspace),
                additional_info: [("project_key".to_string(), key.clone())]
                    .into_iter()
                    .filter(|_| !key.is_empty())
                    .collect(),
                ..RepoInfo::default()
            }
        }
        Ci::AzureDevops => {
            let mut info = RepoInfo {
                url: var("BUILD_REPOSITORY_URI"),
                name: var("BUILD_REPOSITORY_NAME"),
                id: var("BUILD_REPOSITORY_ID"),
                provider: azure_provider(env),
                ..RepoInfo::default()
            };
            let project = var("SYSTEM_TEAMPROJECT");
            let azure_git = matches!(var("BUILD_REPOSITORY_PROVIDER").as_str(), "TfsGit" | "");
            if let Some(c) = collection(env).filter(|c| {
                azure_git && !c.name.is_empty() && !project.is_empty() && !info.name.is_empty()
            }) {
                info.name = format!("{}/{project}/{}", c.name, info.name);
                info.namespace_path = vec![c.name, project];
            }
            info
        }
        Ci::Circle => RepoInfo {
            url: var("CIRCLE_REPOSITORY_URL"),
            name: var("CIRCLE_PROJECT_REPONAME"),
            provider: "circleci".into(),
            ..RepoInfo::default()
        },
        Ci::Teamcity | Ci::CodeBuild | Ci::Jenkins => return None,
    };
    Some(info)
}

/// [`repo_info_in`] with the process environment.
pub fn repo_info() -> Option<RepoInfo> {
    repo_info_in(&process_env)
}

/// The repository flags' values (CI defaults already applied).
#[derive(Debug, Clone, Default)]
pub struct RepoOverrides {
    pub id: String,
    pub name: String,
    pub url: String,
    pub provider: String,
    /// `--repository` was given, so it replaces the CI's fuller name.
    pub name_explicit: bool,
}

/// Applies the flags onto the CI's description; `None` when the id, name or
/// URL is still missing (then nothing is reported).
pub fn merge_repo_info(base: Option<RepoInfo>, flags: &RepoOverrides) -> Option<RepoInfo> {
    let mut info = base.unwrap_or_default();
    let set = |field: &mut String, value: &str| {
        if !value.is_empty() {
            *field = value.to_string();
        }
    };
    set(&mut info.id, &flags.id);
    if !flags.name.is_empty() && flags.name_explicit {
        info.name = flags.name.clone();
        info.namespace_path.clear();
        info.additional_info.clear();
    } else if info.name.is_empty() {
        set(&mut info.name, &flags.name);
    }
    set(&mut info.url, &flags.url);
    set(&mut info.provider, &flags.provider);
    (!info.id.is_empty() && !info.name.is_empty() && !info.url.is_empty()).then_some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| vars.get(k).cloned()
    }

    #[test]
    fn azure_provider_and_name_come_from_the_collection() {
        let env = env_of(&[
            ("TF_BUILD", "True"),
            ("SYSTEM_COLLECTIONURI", "https://dev.azure.com/acme/"),
            ("SYSTEM_TEAMPROJECT", "web"),
            ("BUILD_REPOSITORY_NAME", "shop"),
            ("BUILD_REPOSITORY_PROVIDER", "TfsGit"),
        ]);
        assert_eq!(
            super::super::default_in("repo-provider", &env).as_deref(),
            Some("azure_devops_services")
        );
        let info = repo_info_in(&env).unwrap();
        assert_eq!(
            (info.name.as_str(), info.namespace_path),
            ("acme/web/shop", vec!["acme".to_string(), "web".to_string()])
        );
        let env = env_of(&[
            ("TF_BUILD", "True"),
            (
                "SYSTEM_COLLECTIONURI",
                "https://tfs.acme.local/DefaultCollection",
            ),
        ]);
        assert_eq!(
            super::super::default_in("repo-provider", &env).as_deref(),
            Some("azure_devops_server")
        );
        assert_eq!(
            super::super::default_in("repo-provider", &env_of(&[("TF_BUILD", "True")])).as_deref(),
            Some("azure-devops")
        );
    }

    #[test]
    fn merging_needs_id_name_and_url() {
        let flags = RepoOverrides {
            id: "1".into(),
            name: "shop".into(),
            url: "https://x/shop".into(),
            ..Default::default()
        };
        assert_eq!(
            merge_repo_info(None, &flags).map(|r| r.name),
            Some("shop".to_string())
        );
        assert_eq!(merge_repo_info(None, &RepoOverrides::default()), None);
        let base = RepoInfo {
            name: "acme/shop".into(),
            namespace_path: vec!["acme".into()],
            ..Default::default()
        };
        let merged = merge_repo_info(Some(base.clone()), &flags).unwrap();
        assert_eq!(
            (merged.name.as_str(), merged.namespace_path.len()),
            ("acme/shop", 1)
        );
        let explicit = RepoOverrides {
            name_explicit: true,
            ..flags
        };
        let merged = merge_repo_info(Some(base), &explicit).unwrap();
        assert_eq!(
            (merged.name.as_str(), merged.namespace_path.len()),
            ("shop", 0)
        );
    }
}
