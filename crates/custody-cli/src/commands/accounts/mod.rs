//! Service accounts and their API keys: the `create`, `get` and `list` leaves
//! mounted by those groups, the `update`, `delete` and `rotate` groups, and what
//! they share — the `[y/N]` deletion prompt, batch deletion that reports what
//! was already deleted when it stops, and Kosli's optional timestamps.

mod api_keys;
mod expiry;
mod new_keys;
mod service_accounts;

use std::io::{BufRead, Write};

use clap::{Args, Subcommand};
use custody_client::Body;
use reqwest::Method;
use serde_json::Value;

pub use api_keys::{DeleteApiKey, GetApiKey, ListApiKeys};
pub use new_keys::{CreateApiKey, RotateApiKey};
pub use service_accounts::{
    CreateServiceAccount, DeleteServiceAccount, GetServiceAccount, ListServiceAccounts,
    UpdateServiceAccount,
};

use crate::context::Ctx;
use crate::output::long;

#[derive(Debug, Subcommand)]
pub enum Delete {
    /// Delete one or more actions.
    Action(super::actions::DeleteAction),
    /// Delete one or more service accounts, with their API keys.
    #[command(visible_alias = "sa")]
    ServiceAccount(DeleteServiceAccount),
    /// Delete one or more API keys of a service account.
    #[command(visible_alias = "ak")]
    ApiKey(DeleteApiKey),
}

impl Delete {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Delete::ServiceAccount(c) => c.run(ctx).await,
            Delete::ApiKey(c) => c.run(ctx).await,
            Delete::Action(c) => c.run(ctx).await,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Rotate {
    /// Issue new API keys; the old ones keep working for a grace period.
    #[command(visible_alias = "ak")]
    ApiKey(RotateApiKey),
}

impl Rotate {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Rotate::ApiKey(c) => c.run(ctx).await,
        }
    }
}

/// A timestamp in Kosli's long form, or `N/A` when absent or zero ("never").
fn optional_timestamp(ts: Option<f64>) -> String {
    match ts {
        Some(ts) if ts != 0.0 => long(ts),
        _ => "N/A".to_string(),
    }
}

/// The words of a batch deletion.
pub(crate) struct Deletion {
    /// The question asked unless `--assume-yes` or `--dry-run`.
    pub prompt: String,
    /// Printed when the answer is not yes.
    pub cancelled: String,
    /// What the deleted items are called when a later one fails, e.g. `Keys`.
    pub plural: &'static str,
    /// The context of a failed request, e.g. `failed to delete API key`.
    pub failure: &'static str,
}

/// `--assume-yes/-y` (also `--yes`) of the delete commands.
#[derive(Debug, Args)]
pub struct AssumeYes {
    /// Delete without asking for confirmation (also --yes).
    #[arg(
        short = 'y',
        long,
        alias = "yes",
        num_args = 0..=1,
        default_missing_value = "true",
        default_value = "false"
    )]
    pub assume_yes: bool,
}

/// Deletes every item (`paths` gives each one's URL segments), printing
/// `deleted(item)` after each. Asks first unless `assume_yes` or dry-run. On a
/// failure, names the items already deleted before returning the error.
pub(crate) async fn delete_all(
    ctx: &Ctx,
    assume_yes: bool,
    items: &[String],
    words: Deletion,
    paths: impl Fn(&str) -> Vec<String>,
    deleted: impl Fn(&str) -> String,
) -> anyhow::Result<()> {
    if !assume_yes && !ctx.dry_run() {
        let stdin = std::io::stdin();
        if !confirm(&words.prompt, &mut stdin.lock(), &mut std::io::stdout())? {
            println!("{}", words.cancelled);
            return Ok(());
        }
    }
    for (i, item) in items.iter().enumerate() {
        let segments = paths(item);
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match ctx
            .send(Method::DELETE, &segments, Body::Json(Value::Null))
            .await
        {
            Ok(Some(_)) => println!("{}", deleted(item)),
            Ok(None) => {}
            Err(e) => {
                if i > 0 {
                    let done = items[..i].join(", ");
                    println!(
                        "{} already deleted before this failure: {done}",
                        words.plural
                    );
                }
                return Err(e.context(words.failure));
            }
        }
    }
    Ok(())
}

/// Writes `prompt` (no newline, so the answer goes on the same line) and reads
/// one line: true only for `y` or `yes`, in any case. Input that ends before
/// anything was typed means nobody can answer, which is an error rather than a
/// refusal; a blank line ended by Enter is a refusal.
fn confirm(
    prompt: &str,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> anyhow::Result<bool> {
    write!(output, "{prompt}")?;
    output.flush()?;
    let mut answer = String::new();
    input.read_line(&mut answer)?;
    if !answer.ends_with('\n') && answer.trim().is_empty() {
        anyhow::bail!(
            "cannot confirm deletion: stdin is not interactive, re-run with --assume-yes to delete without confirmation"
        );
    }
    let answer = answer.trim().to_lowercase();
    Ok(answer == "y" || answer == "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(typed: &str) -> (anyhow::Result<bool>, String) {
        let mut output = Vec::new();
        let answer = confirm("Sure? [y/N] ", &mut typed.as_bytes(), &mut output);
        (answer, String::from_utf8(output).unwrap())
    }

    #[test]
    fn only_y_or_yes_confirms() {
        for typed in ["y\n", "Y\n", "yes\n", " YES \r\n", "y"] {
            assert!(ask(typed).0.unwrap(), "{typed:?}");
        }
        for typed in ["n\n", "no\n", "\n", " \n", "yep\n", "nope"] {
            assert!(!ask(typed).0.unwrap(), "{typed:?}");
        }
    }

    #[test]
    fn the_prompt_has_no_newline() {
        assert_eq!(ask("n\n").1, "Sure? [y/N] ");
    }

    #[test]
    fn no_answer_at_all_is_an_error() {
        for typed in ["", "  "] {
            let error = ask(typed).0.unwrap_err().to_string();
            assert!(
                error.starts_with("cannot confirm deletion: stdin is not interactive"),
                "{error}"
            );
        }
    }

    #[test]
    fn missing_or_zero_timestamps_are_not_available() {
        assert_eq!(optional_timestamp(None), "N/A");
        assert_eq!(optional_timestamp(Some(0.0)), "N/A");
        assert_eq!(
            optional_timestamp(Some(1_452_902_400.5)),
            long(1_452_902_400.5)
        );
    }
}
