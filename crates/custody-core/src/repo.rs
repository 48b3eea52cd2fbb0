//! Repositories as pipelines describe them (`repo_info` on trails and
//! artifacts): which sightings name the same repo, and how a repo is chosen
//! by name when several share it.

use serde_json::Value;

/// Longest repo name, URL, provider or id kept from a report.
const MAX_FIELD: usize = 512;

/// One report's `repo_info`, read into what identifies and describes a repo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSighting {
    pub name: String,
    pub url: String,
    pub provider: String,
    /// The VCS's own id of the repo (`GITHUB_REPOSITORY_ID`…), or empty.
    pub external_id: String,
}

impl RepoSighting {
    /// Reads a `repo_info` document; `None` when it names no repo (no
    /// `name`), or when a field is not text or is too long to be a repo's.
    pub fn from_repo_info(info: &Value) -> Option<RepoSighting> {
        let field = |key: &str| match &info[key] {
            Value::Null => Some(String::new()),
            Value::String(s) if s.len() <= MAX_FIELD => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let sighting = RepoSighting {
            name: field("name")?,
            url: field("url")?,
            provider: field("provider")?,
            external_id: field("id")?,
        };
        (!sighting.name.is_empty()).then_some(sighting)
    }

    /// What makes two sightings the same repo: the provider's own id when
    /// there is one (so a renamed repo stays one repo), else its name.
    pub fn identity(&self) -> String {
        if self.external_id.is_empty() {
            format!("{}:name:{}", self.provider, self.name)
        } else {
            format!("{}:id:{}", self.provider, self.external_id)
        }
    }
}

/// Why a repo name does not pick out one repo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoChoiceError {
    NotFound(String),
    /// Several repos carry the name; their providers, sorted, to choose from.
    Ambiguous {
        name: String,
        providers: Vec<String>,
    },
}

impl std::fmt::Display for RepoChoiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RepoChoiceError::NotFound(name) => write!(f, "Repo '{name}' not found"),
            RepoChoiceError::Ambiguous { name, providers } => write!(
                f,
                "Multiple repos named '{name}' exist ({}). Specify the 'provider' \
                 query parameter to choose one, or use the repo's 'id'",
                providers.join(", ")
            ),
        }
    }
}

/// The one repo a name (and optional provider) means, among the repos
/// carrying that name given as `(provider, item)` newest first: with a
/// provider, the newest repo of that provider; without, the only repo, or an
/// error listing the providers when there are several.
pub fn choose_by_name<T>(
    name: &str,
    provider: Option<&str>,
    named: Vec<(String, T)>,
) -> Result<T, RepoChoiceError> {
    let mut named = match provider {
        Some(p) => named.into_iter().filter(|(q, _)| q == p).collect(),
        None => named,
    };
    match (named.len(), provider) {
        (0, _) => Err(RepoChoiceError::NotFound(name.to_string())),
        (1, _) | (_, Some(_)) => Ok(named.swap_remove(0).1),
        _ => {
            let mut providers: Vec<String> = named.into_iter().map(|(p, _)| p).collect();
            providers.sort();
            providers.dedup();
            Err(RepoChoiceError::Ambiguous {
                name: name.to_string(),
                providers,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_sighting_needs_a_name_and_text_fields() {
        let info = json!({"name": "acme/app", "url": "https://github.com/acme/app",
                          "provider": "github", "id": 1234});
        let seen = RepoSighting::from_repo_info(&info).unwrap();
        assert_eq!(seen.external_id, "1234");
        assert_eq!(seen.identity(), "github:id:1234");
        assert_eq!(RepoSighting::from_repo_info(&json!({"url": "x"})), None);
        assert_eq!(RepoSighting::from_repo_info(&json!(null)), None);
        assert_eq!(
            RepoSighting::from_repo_info(&json!({"name": {"nested": 1}})),
            None
        );
        let long = "n".repeat(MAX_FIELD + 1);
        assert_eq!(RepoSighting::from_repo_info(&json!({"name": long})), None);
    }

    #[test]
    fn without_an_id_a_repo_is_known_by_provider_and_name() {
        let a = RepoSighting::from_repo_info(&json!({"name": "acme/app"})).unwrap();
        let b = RepoSighting::from_repo_info(&json!({"name": "acme/app", "provider": "gitlab"}))
            .unwrap();
        assert_ne!(a.identity(), b.identity());
        assert_eq!(a.identity(), ":name:acme/app");
    }

    #[test]
    fn a_name_chooses_one_repo_or_says_why_not() {
        let two = || vec![("github".to_string(), 2), ("github".to_string(), 1)];
        assert_eq!(choose_by_name("r", Some("github"), two()), Ok(2));
        let ambiguous = choose_by_name("r", None, two()).unwrap_err();
        assert_eq!(
            ambiguous.to_string(),
            "Multiple repos named 'r' exist (github). Specify the 'provider' query \
             parameter to choose one, or use the repo's 'id'"
        );
        assert_eq!(
            choose_by_name("r", Some("gitlab"), two()),
            Err(RepoChoiceError::NotFound("r".into()))
        );
        assert_eq!(
            choose_by_name::<i32>("r", None, vec![])
                .unwrap_err()
                .to_string(),
            "Repo 'r' not found"
        );
        assert_eq!(choose_by_name("r", None, vec![("x".into(), 7)]), Ok(7));
    }
}
