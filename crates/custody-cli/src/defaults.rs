//! Flag values from outside the command line. Before clap parses, every flag of
//! the chosen command that was not typed is looked up as `CUSTODY_<FLAG>`, then
//! `KOSLI_<FLAG>`, then as a key of the config file, and added to the arguments.
//! Typed values are checked here too: none may be empty or start with `-`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Command;

/// Flags never filled from the environment.
const SKIPPED: [&str; 3] = ["help", "version", "config-file"];

/// The environment variable names for a flag: `CUSTODY_API_TOKEN`, `KOSLI_API_TOKEN`.
pub fn env_names(long: &str) -> [String; 2] {
    let upper = long.to_ascii_uppercase().replace('-', "_");
    [format!("CUSTODY_{upper}"), format!("KOSLI_{upper}")]
}

fn find_arg<'a>(cmd: &'a Command, token: &str) -> Option<&'a clap::Arg> {
    if let Some(long) = token.strip_prefix("--") {
        let long = long.split('=').next().unwrap_or(long);
        cmd.get_arguments().find(|a| a.get_long() == Some(long))
    } else {
        let short = token.strip_prefix('-')?.chars().next()?;
        cmd.get_arguments().find(|a| a.get_short() == Some(short))
    }
}

/// A flag whose value may be left out (`--debug` = `--debug=true`).
fn optional_value(arg: &clap::Arg) -> bool {
    arg.get_num_args()
        .is_some_and(|n| n.min_values() == 0 && n.max_values() == 1)
}

fn takes_value(arg: &clap::Arg) -> bool {
    arg.get_action().takes_values() && arg.get_num_args().is_none_or(|n| n.min_values() > 0)
}

/// Adds the flags found in the environment and config file to `args`
/// (`args[0]` is the program name). `env` reads an environment variable.
pub fn with_defaults(
    cmd: &Command,
    mut args: Vec<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Vec<String>> {
    let mut root = cmd.clone();
    root.build();
    let mut leaf = &root;
    let mut leaf_end = 1;
    let mut given: Vec<String> = Vec::new();
    let mut config_file: Option<String> = None;
    let mut i = 1;
    let mut positional_seen = false;
    while i < args.len() {
        let token = &args[i];
        if token == "--" {
            break;
        }
        if token.starts_with('-') && token.len() > 1 {
            let Some(arg) = find_arg(leaf, token) else {
                i += 1;
                continue;
            };
            let long = arg.get_long().unwrap_or_default().to_string();
            if optional_value(arg) && !token.contains('=') {
                // `--debug`, `--debug true`, `--debug false`: a boolean never takes
                // the next token unless it is literally true or false.
                let value = match args.get(i + 1).map(String::as_str) {
                    Some(v @ ("true" | "false")) => v.to_string(),
                    _ => "true".to_string(),
                };
                if value != "true" || args.get(i + 1).is_some_and(|v| v == "true") {
                    args.remove(i + 1);
                }
                args[i] = format!("--{long}={value}");
                given.push(long);
                i += 1;
                continue;
            }
            let inline = token.split_once('=').map(|(_, v)| v.to_string());
            let separate = token.starts_with("--") || token.chars().count() == 2;
            let value = if takes_value(arg) && inline.is_none() && separate {
                i += 1;
                let v = args.get(i).cloned().unwrap_or_default();
                if v.starts_with('-') && v.len() > 1 {
                    bail!("flag '--{long}' has value '{v}' which is illegal");
                }
                Some(v)
            } else {
                inline
            };
            if value
                .as_deref()
                .is_some_and(|v| v.is_empty() || v.split(',').any(str::is_empty))
            {
                bail!("flag '--{long}' was given an empty value");
            }
            if long == "config-file" {
                config_file = value;
            }
            given.push(long);
        } else if !positional_seen {
            match leaf.find_subcommand(token) {
                Some(sub) => {
                    leaf = sub;
                    leaf_end = i + 1;
                }
                None => positional_seen = true,
            }
        }
        i += 1;
    }
    // `config` refuses --config-file itself, with its own message.
    let config = if leaf.get_name() == "config" && config_file.is_some() {
        BTreeMap::new()
    } else {
        load_config(config_file, env)?
    };
    let mut extra = Vec::new();
    for arg in leaf.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if SKIPPED.contains(&long) || given.iter().any(|g| g == long) {
            continue;
        }
        let from_env = env_names(long)
            .iter()
            .find_map(|n| env(n).filter(|v| !v.is_empty()));
        if let Some(value) = from_env.or_else(|| config.get(long).cloned()) {
            extra.push(format!("--{long}={value}"));
        }
    }
    let mut out = args;
    out.splice(leaf_end..leaf_end, extra);
    Ok(out)
}

/// The config files read when no --config-file is given, in order.
pub const DEFAULT_CONFIG_FILES: [&str; 2] = [".custody.yml", ".kosli.yml"];

/// The first default config file that exists in `home`.
pub fn existing_default_config(home: &Path) -> Option<PathBuf> {
    DEFAULT_CONFIG_FILES
        .iter()
        .map(|f| home.join(f))
        .find(|p| p.is_file())
}

/// The config file's flag values, keyed by lower-case flag name.
fn load_config(
    explicit: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<BTreeMap<String, String>> {
    let explicit = explicit.or_else(|| {
        env_names("config-file")
            .iter()
            .find_map(|n| env(n).filter(|v| !v.is_empty()))
    });
    let path = match explicit {
        Some(p) => PathBuf::from(p),
        None => {
            let home = env("HOME").map(PathBuf::from).unwrap_or_default();
            match existing_default_config(&home) {
                Some(p) => p,
                None => return Ok(BTreeMap::new()),
            }
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("failed to read config file [{}]", path.display()))?;
    let value: serde_json::Value = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => serde_json::from_str(&text).map_err(anyhow::Error::from),
        Some("toml") => toml::from_str(&text).map_err(anyhow::Error::from),
        _ => serde_norway::from_str(&text).map_err(anyhow::Error::from),
    }
    .with_context(|| format!("failed to parse config file [{}]", path.display()))?;
    let Some(map) = value.as_object() else {
        bail!(
            "config file [{}] must be a map of flag names to values",
            path.display()
        );
    };
    Ok(map
        .iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), String::from))
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            (k.to_ascii_lowercase(), v)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction};

    fn cmd() -> Command {
        Command::new("custody")
            .arg(Arg::new("org").short('o').long("org").global(true))
            .arg(
                Arg::new("debug")
                    .long("debug")
                    .global(true)
                    .num_args(0..=1)
                    .default_missing_value("true")
                    .action(ArgAction::Set),
            )
            .subcommand(Command::new("get").subcommand(Command::new("flow").arg(Arg::new("name"))))
    }

    fn run(args: &[&str], vars: &[(&str, &str)]) -> anyhow::Result<Vec<String>> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        with_defaults(&cmd(), args.iter().map(|s| s.to_string()).collect(), &|k| {
            vars.get(k).cloned()
        })
    }

    #[test]
    fn custody_variables_win_over_kosli_ones() {
        let out = run(
            &["c", "get", "flow", "x"],
            &[("CUSTODY_ORG", "a"), ("KOSLI_ORG", "b")],
        )
        .unwrap();
        assert_eq!(out, ["c", "get", "flow", "--org=a", "x"]);
        let out = run(&["c", "get", "flow", "x"], &[("KOSLI_ORG", "b")]).unwrap();
        assert!(out.contains(&"--org=b".to_string()));
    }

    #[test]
    fn typed_flags_win_over_variables() {
        let out = run(
            &["c", "get", "flow", "--org", "typed"],
            &[("CUSTODY_ORG", "env")],
        )
        .unwrap();
        assert!(!out.iter().any(|a| a.contains("env")));
    }

    #[test]
    fn refuses_empty_and_dash_values() {
        let e = run(&["c", "get", "flow", "--org="], &[]).unwrap_err();
        assert_eq!(e.to_string(), "flag '--org' was given an empty value");
        let e = run(&["c", "get", "flow", "--org", "-1"], &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "flag '--org' has value '-1' which is illegal"
        );
    }

    #[test]
    fn booleans_take_only_true_or_false_from_the_next_token() {
        let out = run(&["c", "--debug", "get", "flow", "x"], &[]).unwrap();
        assert_eq!(out, ["c", "--debug=true", "get", "flow", "x"]);
        let out = run(&["c", "get", "flow", "--debug", "false", "x"], &[]).unwrap();
        assert_eq!(out, ["c", "get", "flow", "--debug=false", "x"]);
    }

    #[test]
    fn short_flags_take_the_next_token_as_their_value() {
        let out = run(
            &["c", "-o", "acme", "get", "flow", "x"],
            &[("CUSTODY_DEBUG", "true")],
        )
        .unwrap();
        assert_eq!(out, ["c", "-o", "acme", "get", "flow", "--debug=true", "x"]);
        let e = run(&["c", "-o", "", "get", "flow", "x"], &[]).unwrap_err();
        assert_eq!(e.to_string(), "flag '--org' was given an empty value");
    }

    #[test]
    fn reads_the_config_file() {
        let dir = std::env::temp_dir().join(format!("custody-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.yml");
        std::fs::write(&file, "org: from-file\n").unwrap();
        let file = file.display().to_string();
        let out = run(
            &["c", "get", "flow", "x"],
            &[("CUSTODY_CONFIG_FILE", &file)],
        )
        .unwrap();
        assert!(out.contains(&"--org=from-file".to_string()), "{out:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
