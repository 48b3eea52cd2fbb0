//! Cobra's usage line (`Usage: custody attest generic [IMAGE-NAME | FILE-PATH
//! | DIR-PATH] [flags]`), which Kosli prints after the errors of its pre-run
//! checks: `--org`/`--api-token` not set, artifact arguments and fingerprints,
//! page numbers, `--flow-tag` pairs. A command raises such an error with
//! [`error`]; the program adds the line for the command the words reached.

use std::fmt;

use clap::Command;

use crate::parse_errors::reach;

/// A pre-run check's complaint, printed with the command's usage line.
#[derive(Debug)]
pub struct WithUsage(pub String);

impl fmt::Display for WithUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WithUsage {}

/// An error Kosli reports with the command's usage line after it.
pub fn error(message: impl Into<String>) -> anyhow::Error {
    WithUsage(message.into()).into()
}

/// The arguments part of Kosli's `Use` for its commands, by command path.
const KOSLI_USE: &[(&str, &str)] = &[
    ("allow artifact", ARTIFACT),
    ("archive attestation-type", "TYPE-NAME"),
    ("archive control", "CONTROL-IDENTIFIER"),
    ("archive environment", "ENVIRONMENT-NAME"),
    ("archive flow", "FLOW-NAME"),
    ("assert artifact", ARTIFACT),
    ("assert snapshot", "ENVIRONMENT-NAME-OR-EXPRESSION"),
    ("attach-policy", "POLICY-NAME"),
    ("attest artifact", "{IMAGE-NAME | FILE-PATH | DIR-PATH}"),
    ("attest custom", ARTIFACT),
    ("attest decision", ARTIFACT),
    ("attest generic", ARTIFACT),
    ("attest jira", ARTIFACT),
    ("attest junit", ARTIFACT),
    ("attest override", ARTIFACT),
    ("attest pullrequest azure", ARTIFACT),
    ("attest pullrequest bitbucket", ARTIFACT),
    ("attest pullrequest github", ARTIFACT),
    ("attest pullrequest gitlab", ARTIFACT),
    ("attest snyk", ARTIFACT),
    ("attest sonar", ARTIFACT),
    ("begin trail", "TRAIL-NAME"),
    ("create attestation-type", "TYPE-NAME"),
    ("create control", "CONTROL-IDENTIFIER"),
    ("create environment", "ENVIRONMENT-NAME"),
    ("create flow", "FLOW-NAME"),
    ("create policy", "POLICY-NAME POLICY-FILE-PATH"),
    ("create service-account", "SERVICE-ACCOUNT-NAME"),
    ("delete api-key", "KEY-ID [KEY-ID...]"),
    (
        "delete service-account",
        "SERVICE-ACCOUNT-NAME [SERVICE-ACCOUNT-NAME...]",
    ),
    ("detach-policy", "POLICY-NAME"),
    ("diff snapshots", "SNAPPISH_1 SNAPPISH_2"),
    ("evaluate trail", "TRAIL-NAME"),
    ("evaluate trails", "TRAIL-NAME [TRAIL-NAME...]"),
    ("fingerprint", "{IMAGE-NAME | FILE-PATH | DIR-PATH}"),
    ("get api-key", "KEY-ID"),
    ("get artifact", "EXPRESSION"),
    ("get attestation", "[ATTESTATION-NAME]"),
    ("get attestation-type", "TYPE-NAME"),
    ("get control", "CONTROL-IDENTIFIER"),
    ("get environment", "ENVIRONMENT-NAME"),
    ("get flow", "FLOW-NAME"),
    ("get policy", "POLICY-NAME"),
    ("get repo", "[REPO-NAME]"),
    ("get service-account", "SERVICE-ACCOUNT-NAME"),
    ("get snapshot", "ENVIRONMENT-NAME-OR-EXPRESSION"),
    ("get trail", "TRAIL-NAME"),
    ("list snapshots", "ENV_NAME"),
    ("log environment", "ENV_NAME"),
    ("rename environment", "OLD_NAME NEW_NAME"),
    ("rename flow", "OLD_NAME NEW_NAME"),
    ("rotate api-key", "KEY-ID [KEY-ID...]"),
    ("search", "{GIT-COMMIT | FINGERPRINT}"),
    ("snapshot azure", "ENVIRONMENT-NAME"),
    ("snapshot cloud-run", "ENVIRONMENT-NAME"),
    ("snapshot docker", "ENVIRONMENT-NAME"),
    ("snapshot ecs", "ENVIRONMENT-NAME"),
    ("snapshot k8s", "ENVIRONMENT-NAME"),
    ("snapshot lambda", "ENVIRONMENT-NAME"),
    ("snapshot path", "ENVIRONMENT-NAME"),
    ("snapshot paths", "ENVIRONMENT-NAME"),
    ("snapshot s3", "ENVIRONMENT-NAME"),
    ("snapshot server", "ENVIRONMENT-NAME"),
    ("tag", "RESOURCE-TYPE [RESOURCE-ID]"),
    ("unarchive control", "CONTROL-IDENTIFIER"),
    ("update control", "CONTROL-IDENTIFIER"),
    ("update default-org", "ORG-NAME"),
    ("update service-account", "SERVICE-ACCOUNT-NAME"),
];

const ARTIFACT: &str = "[IMAGE-NAME | FILE-PATH | DIR-PATH]";

/// The arguments part for a command Kosli does not have, from its
/// positional arguments: `NAME` when required, `[NAME]` when not.
fn derived(command: &Command) -> String {
    let words: Vec<String> = command
        .get_positionals()
        .map(|arg| {
            let name = arg.get_value_names().and_then(|v| v.first()).map_or_else(
                || arg.get_id().to_string().to_uppercase(),
                |n| n.to_string(),
            );
            let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
            match (arg.is_required_set(), many) {
                (true, true) => format!("{name} [{name}...]"),
                (true, false) => name,
                (false, _) => format!("[{name}]"),
            }
        })
        .collect();
    words.join(" ")
}

/// Cobra's `UseLine` for the command `argv` reaches in `root` (built).
pub fn use_line(root: &Command, argv: &[String]) -> String {
    let reached = reach(root, argv);
    let path = reached.path.join(" ");
    let args = KOSLI_USE
        .iter()
        .find(|(p, _)| *p == path)
        .map_or_else(|| derived(reached.command), |(_, a)| a.to_string());
    let mut line = format!("custody {path}");
    if !args.is_empty() {
        line = format!("{line} {args}");
    }
    format!("{line} [flags]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Arg;

    fn root() -> Command {
        let mut root = Command::new("custody")
            .subcommand(
                Command::new("allow").subcommand(Command::new("artifact").arg(Arg::new("a"))),
            )
            .subcommand(Command::new("list").subcommand(Command::new("environments")))
            .subcommand(
                Command::new("verify").arg(Arg::new("bundle").value_name("BUNDLE").required(true)),
            );
        root.build();
        root
    }

    fn line(words: &str) -> String {
        let argv: Vec<String> = words.split(' ').map(String::from).collect();
        use_line(&root(), &argv)
    }

    #[test]
    fn the_line_names_the_command_and_its_arguments_as_cobra_does() {
        assert_eq!(
            line("custody allow artifact x"),
            "custody allow artifact [IMAGE-NAME | FILE-PATH | DIR-PATH] [flags]"
        );
        assert_eq!(
            line("custody list environments"),
            "custody list environments [flags]"
        );
        assert_eq!(line("custody verify b"), "custody verify BUNDLE [flags]");
    }
}
