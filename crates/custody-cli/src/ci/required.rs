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

/// Commands by their path, and their flags that are required when the CI has
/// no default for them.
const REQUIRED: [(&[&str], &[Flag]); 5] = [
    (&["attest", "jira"], &[COMMIT]),
    (
        &["attest", "pullrequest", "github"],
        &[COMMIT, ("github-org", "github-org"), REPOSITORY],
    ),
    (
        &["attest", "pullrequest", "gitlab"],
        &[COMMIT, ("gitlab-org", "gitlab-org"), REPOSITORY],
    ),
    (
        &["attest", "pullrequest", "bitbucket"],
        &[COMMIT, REPOSITORY],
    ),
    (&["attest", "pullrequest", "azure"], &[COMMIT, REPOSITORY]),
];

/// `tree` with the flags that have no CI default in this process marked
/// required.
pub fn with_ci_requirements(tree: Command) -> Command {
    with_ci_requirements_in(tree, &process_env)
}

fn with_ci_requirements_in(tree: Command, env: Env) -> Command {
    REQUIRED.iter().fold(tree, |tree, (path, flags)| {
        let required: Vec<&str> = flags
            .iter()
            .filter(|(_, key)| default_in(key, env).is_none())
            .map(|(flag, _)| *flag)
            .collect();
        mark(tree, path, &required)
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
    fn required(tree: &Command, path: &[&str]) -> Vec<String> {
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
        for (path, flags) in REQUIRED {
            let marked = required(&bare, path);
            for (flag, _) in flags {
                assert!(
                    marked.iter().any(|m| m == flag),
                    "{path:?} {flag}: {marked:?}"
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
        let marked = required(&in_ci, &["attest", "pullrequest", "github"]);
        for flag in ["commit", "github-org", "repository"] {
            assert!(!marked.iter().any(|m| m == flag), "{flag}: {marked:?}");
        }
        assert!(marked.iter().any(|m| m == "github-token"), "{marked:?}");
        assert!(
            !required(&in_ci, &["attest", "jira"])
                .iter()
                .any(|m| m == "commit")
        );
    }
}
