//! Flags Kosli requires unless the CI gives them a default: cobra marks them
//! required when the command is built, from the CI's defaults, so a missing
//! one is listed with the other missing flags (`required flag(s) "commit",
//! "jira-base-url", "name" not set`). [`with_ci_requirements`] marks them
//! the same way on the command tree before it parses.

use clap::Command;

use super::{Env, default_in, process_env};

/// A flag by its long name, and the key of its CI default.
type Flag = (&'static str, &'static str);

const COMMIT: Flag = ("commit", "git-commit");
const REPOSITORY: Flag = ("repository", "repository");
const BUILD_URL: Flag = ("build-url", "build-url");

/// Commands by their path, and their flags that are required when the CI has
/// no default for them.
const REQUIRED: [(&[&str], &[Flag]); 3] = [
    (
        &["attest", "artifact"],
        &[BUILD_URL, ("commit-url", "commit-url")],
    ),
    (&["expect", "deployment"], &[BUILD_URL]),
    (&["attest", "jira"], &[COMMIT]),
];

/// The git hosts of `attest pullrequest` and `assert pullrequest`, and their
/// flags that are required when the CI has no default for them.
const PULL_REQUEST_HOSTS: [(&str, &[Flag]); 4] = [
    (
        "github",
        &[COMMIT, ("github-org", "github-org"), REPOSITORY],
    ),
    (
        "gitlab",
        &[COMMIT, ("gitlab-org", "gitlab-org"), REPOSITORY],
    ),
    ("bitbucket", &[COMMIT, REPOSITORY]),
    ("azure", &[COMMIT, REPOSITORY]),
];

/// Every command with such flags.
fn required() -> impl Iterator<Item = (Vec<&'static str>, &'static [Flag])> {
    let pull_requests = ["attest", "assert"].into_iter().flat_map(|verb| {
        PULL_REQUEST_HOSTS
            .iter()
            .map(move |(host, flags)| (vec![verb, "pullrequest", *host], *flags))
    });
    REQUIRED
        .iter()
        .map(|(path, flags)| (path.to_vec(), *flags))
        .chain(pull_requests)
}

/// `tree` with the flags that have no CI default in this process marked
/// required.
pub fn with_ci_requirements(tree: Command) -> Command {
    with_ci_requirements_in(tree, &process_env)
}

fn with_ci_requirements_in(tree: Command, env: Env) -> Command {
    required().fold(tree, |tree, (path, flags)| {
        let required: Vec<&str> = flags
            .iter()
            .filter(|(_, key)| default_in(key, env).is_none())
            .map(|(flag, _)| *flag)
            .collect();
        mark(tree, &path, &required)
    })
}

/// Marks the flags named `longs` of the command at `path` under `cmd` required.
fn mark(cmd: Command, path: &[&str], longs: &[&str]) -> Command {
    match path.split_first() {
        None => cmd.mut_args(|arg| {
            if arg.get_long().is_some_and(|long| longs.contains(&long)) {
                arg.required(true)
            } else {
                arg
            }
        }),
        Some((name, rest)) => cmd.mut_subcommands(|sub| {
            if sub.get_name() == *name {
                mark(sub, rest, longs)
            } else {
                sub
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use clap::Subcommand;

    use super::*;

    fn tree(env: Env) -> Command {
        let root = crate::Command::augment_subcommands(Command::new("custody"));
        let mut tree = with_ci_requirements_in(root, env);
        tree.build();
        tree
    }

    /// The required flags of the command at `path`, by long name.
    fn marked(tree: &Command, path: &[&str]) -> Vec<String> {
        let cmd = path.iter().fold(tree, |cmd, name| {
            cmd.find_subcommand(name)
                .unwrap_or_else(|| panic!("no command {name}"))
        });
        cmd.get_arguments()
            .filter(|a| a.is_required_set())
            .filter_map(|a| a.get_long().map(String::from))
            .collect()
    }

    #[test]
    fn flags_without_a_ci_default_are_required() {
        let bare = tree(&|_| None);
        for (path, flags) in required() {
            let required_here = marked(&bare, &path);
            for (flag, _) in flags {
                assert!(
                    required_here.iter().any(|m| m == flag),
                    "{path:?} {flag}: {required_here:?}"
                );
            }
        }
    }

    #[test]
    fn flags_the_ci_gives_stay_optional() {
        let github = |key: &str| {
            let vars = [
                ("GITHUB_RUN_NUMBER", "7"),
                ("GITHUB_SHA", "abc123"),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_REPOSITORY", "acme/shop"),
                ("GITHUB_REPOSITORY_OWNER", "acme"),
                ("GITHUB_RUN_ID", "99"),
            ];
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        };
        let in_ci = tree(&github);
        for verb in ["attest", "assert"] {
            let github = marked(&in_ci, &[verb, "pullrequest", "github"]);
            for flag in ["commit", "github-org", "repository"] {
                assert!(
                    !github.iter().any(|m| m == flag),
                    "{verb} {flag}: {github:?}"
                );
            }
            assert!(github.iter().any(|m| m == "github-token"), "{github:?}");
        }
        assert!(
            !marked(&in_ci, &["attest", "jira"])
                .iter()
                .any(|m| m == "commit")
        );
    }
}
