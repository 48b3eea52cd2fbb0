//! Which CI system a command runs in, and what that gives (reference §8): the
//! defaults of `--commit`, `--build-url`, `--commit-url`, `--origin-url` and the
//! repository flags, expanded from the CI's variables, and (in [`repo`]) the
//! `repo_info` a CI describes, and (in [`required`]) the flags required for
//! want of a default. Defaults are off when `KOSLI_TESTS`,
//! `CUSTODY_TESTS` or `DOCS` is set, so tests see the bare flags.

mod repo;
mod required;

pub use repo::{RepoOverrides, merge_repo_info, repo_info};
pub use required::with_ci_requirements;

/// Reads one environment variable.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ci {
    Bitbucket,
    Github,
    Teamcity,
    Gitlab,
    AzureDevops,
    Circle,
    CodeBuild,
    Jenkins,
}

/// The variable that gives each CI away; the first present wins.
const DETECTION: [(&str, Ci); 8] = [
    ("BITBUCKET_BUILD_NUMBER", Ci::Bitbucket),
    ("GITHUB_RUN_NUMBER", Ci::Github),
    ("TEAMCITY_VERSION", Ci::Teamcity),
    ("GITLAB_CI", Ci::Gitlab),
    ("TF_BUILD", Ci::AzureDevops),
    ("CIRCLECI", Ci::Circle),
    ("CODEBUILD_CI", Ci::CodeBuild),
    ("JENKINS_URL", Ci::Jenkins),
];

/// Kosli's templates, keyed like its `ciTemplates` (`git-commit` feeds `--commit`).
fn template(ci: Ci, key: &str) -> Option<&'static str> {
    let table: &[(&str, &str)] = match ci {
        Ci::Github => &[
            ("git-commit", "${GITHUB_SHA}"),
            ("repository", "${GITHUB_REPOSITORY}"),
            ("github-org", "${GITHUB_REPOSITORY_OWNER}"),
            (
                "commit-url",
                "${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/commit/${GITHUB_SHA}",
            ),
            (
                "build-url",
                "${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}",
            ),
            ("repo-id", "${GITHUB_REPOSITORY_ID}"),
            ("repo-url", "${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}"),
            ("repo-provider", "github"),
        ],
        Ci::Bitbucket => &[
            ("git-commit", "${BITBUCKET_COMMIT}"),
            ("repository", "${BITBUCKET_REPO_SLUG}"),
            (
                "commit-url",
                "https://bitbucket.org/${BITBUCKET_WORKSPACE}/${BITBUCKET_REPO_SLUG}/commits/${BITBUCKET_COMMIT}",
            ),
            (
                "build-url",
                "https://bitbucket.org/${BITBUCKET_WORKSPACE}/${BITBUCKET_REPO_SLUG}/addon/pipelines/home#!/results/${BITBUCKET_BUILD_NUMBER}",
            ),
            ("repo-id", "${BITBUCKET_REPO_UUID}"),
            ("repo-url", "${BITBUCKET_GIT_HTTP_ORIGIN}"),
            ("repo-provider", "bitbucket_cloud"),
        ],
        Ci::Teamcity => &[("git-commit", "${BUILD_VCS_NUMBER}")],
        Ci::Gitlab => &[
            ("git-commit", "${CI_COMMIT_SHA}"),
            ("repository", "${CI_PROJECT_NAME}"),
            ("gitlab-org", "${CI_PROJECT_NAMESPACE}"),
            ("build-url", "${CI_JOB_URL}"),
            ("commit-url", "${CI_PROJECT_URL}/-/commit/${CI_COMMIT_SHA}"),
            ("repo-id", "${CI_PROJECT_ID}"),
            ("repo-url", "${CI_PROJECT_URL}"),
            ("repo-provider", "gitlab"),
        ],
        Ci::AzureDevops => &[
            ("git-commit", "${BUILD_SOURCEVERSION}"),
            ("repository", "${BUILD_REPOSITORY_NAME}"),
            (
                "build-url",
                "${SYSTEM_COLLECTIONURI}${SYSTEM_TEAMPROJECT}/_build/results?buildId=${BUILD_BUILDID}",
            ),
            (
                "commit-url",
                "${SYSTEM_COLLECTIONURI}${SYSTEM_TEAMPROJECT}/_git/${BUILD_REPOSITORY_NAME}/commit/${BUILD_SOURCEVERSION}",
            ),
            ("repo-id", "${BUILD_REPOSITORY_ID}"),
            ("repo-url", "${BUILD_REPOSITORY_URI}"),
        ],
        Ci::Circle => &[
            ("git-commit", "${CIRCLE_SHA1}"),
            ("repository", "${CIRCLE_PROJECT_REPONAME}"),
            (
                "commit-url",
                "${CIRCLE_REPOSITORY_URL}/commit/${CIRCLE_SHA1}",
            ),
            ("build-url", "${CIRCLE_BUILD_URL}"),
            ("repo-url", "${CIRCLE_REPOSITORY_URL}"),
        ],
        Ci::CodeBuild => &[
            ("git-commit", "${CODEBUILD_RESOLVED_SOURCE_VERSION}"),
            (
                "commit-url",
                "${CODEBUILD_SOURCE_REPO_URL}/commit/${CODEBUILD_RESOLVED_SOURCE_VERSION}",
            ),
            ("build-url", "${CODEBUILD_BUILD_URL}"),
            ("repo-url", "${CODEBUILD_SOURCE_REPO_URL}"),
        ],
        Ci::Jenkins => &[
            ("git-commit", "${GIT_COMMIT}"),
            ("commit-url", "${GIT_URL}/commit/${GIT_COMMIT}"),
            ("build-url", "${BUILD_URL}"),
        ],
    };
    table.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The CI the process runs in, by the first telltale variable present.
pub fn detect(env: Env) -> Option<Ci> {
    DETECTION
        .iter()
        .find(|(var, _)| env(var).is_some())
        .map(|(_, ci)| *ci)
}

/// Replaces every `${NAME}` with the variable's value (empty when unset).
fn expand(template: &str, env: Env) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        out.push_str(&env(&after[..end]).unwrap_or_default());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The CI default of a flag (`git-commit`, `build-url`, `commit-url`,
/// `repository`, `repo-id`, `repo-url`, `repo-provider`, `github-org`,
/// `gitlab-org`), if any.
pub fn default_in(key: &str, env: Env) -> Option<String> {
    if ["DOCS", "KOSLI_TESTS", "CUSTODY_TESTS"]
        .iter()
        .any(|v| env(v).is_some())
    {
        return None;
    }
    let ci = detect(env)?;
    if ci == Ci::AzureDevops && key == "repo-provider" {
        return Some(repo::azure_provider(env));
    }
    let mut value = expand(template(ci, key)?, env);
    if matches!(ci, Ci::Circle | Ci::CodeBuild | Ci::Jenkins) && key == "commit-url" {
        // These CIs give the remote as cloned, possibly over ssh.
        value = crate::git::normalise_remote(&value);
        if value.contains("bitbucket.org") {
            value = value.replacen("commit", "commits", 1);
        }
    }
    Some(value).filter(|v| !v.is_empty())
}

/// [`default_in`] with the process environment.
pub fn default(key: &str) -> Option<String> {
    default_in(key, &process_env)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| vars.get(k).cloned()
    }

    const GITHUB: [(&str, &str); 5] = [
        ("GITHUB_RUN_NUMBER", "7"),
        ("GITHUB_SHA", "abc123"),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_REPOSITORY", "acme/shop"),
        ("GITHUB_RUN_ID", "99"),
    ];

    #[test]
    fn github_defaults_are_expanded() {
        let env = env_of(&GITHUB);
        assert_eq!(detect(&env), Some(Ci::Github));
        assert_eq!(default_in("git-commit", &env).as_deref(), Some("abc123"));
        assert_eq!(
            default_in("build-url", &env).as_deref(),
            Some("https://github.com/acme/shop/actions/runs/99")
        );
        assert_eq!(
            default_in("commit-url", &env).as_deref(),
            Some("https://github.com/acme/shop/commit/abc123")
        );
        assert_eq!(default_in("repo-provider", &env).as_deref(), Some("github"));
    }

    #[test]
    fn tests_and_docs_turn_defaults_off_but_not_repo_info() {
        let mut vars = GITHUB.to_vec();
        vars.push(("CUSTODY_TESTS", "true"));
        let env = env_of(&vars);
        assert_eq!(default_in("git-commit", &env), None);
        assert_eq!(
            repo::repo_info_in(&env).map(|r| r.name),
            Some("acme/shop".to_string())
        );
    }

    #[test]
    fn first_detected_ci_wins_and_unknown_has_no_defaults() {
        let env = env_of(&[
            ("JENKINS_URL", "x"),
            ("GITLAB_CI", "true"),
            ("CI_COMMIT_SHA", "f00"),
        ]);
        assert_eq!(detect(&env), Some(Ci::Gitlab));
        assert_eq!(default_in("git-commit", &env).as_deref(), Some("f00"));
        assert_eq!(default_in("git-commit", &env_of(&[])), None);
        assert_eq!(
            default_in("build-url", &env_of(&[("TEAMCITY_VERSION", "1")])),
            None
        );
    }

    #[test]
    fn ssh_remotes_become_commit_urls() {
        let env = env_of(&[
            ("JENKINS_URL", "x"),
            ("GIT_URL", "git@bitbucket.org:acme/shop.git"),
            ("GIT_COMMIT", "c1"),
        ]);
        assert_eq!(
            default_in("commit-url", &env).as_deref(),
            Some("https://bitbucket.org/acme/shop/commits/c1")
        );
        let env = env_of(&[
            ("CIRCLECI", "true"),
            ("CIRCLE_REPOSITORY_URL", "git@github.com:acme/shop.git"),
            ("CIRCLE_SHA1", "c2"),
        ]);
        assert_eq!(
            default_in("commit-url", &env).as_deref(),
            Some("https://github.com/acme/shop/commit/c2")
        );
    }
}
