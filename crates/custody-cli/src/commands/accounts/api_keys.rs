//! `create|get|list|delete|rotate api-key`: the keys of a service account. A
//! key's secret is only in the answer to create and rotate, so those print it
//! (even when a later key of the batch fails) and say it will not be shown again.

use std::io::Write;

use clap::Args;
use custody_api::{ApiKey, NewApiKey};
use custody_client::{Body, Response};
use reqwest::Method;
use serde_json::json;

use super::expiry::parse_expires_at;
use super::{Deletion, delete_all, optional_timestamp};
use crate::context::{Ctx, OutputArg};
use crate::output::{TabWriter, json_pretty};

/// Printed (as a warning) under new keys in table output.
const SHOWN_ONCE: &str = "store the new API key now: it cannot be shown again";

#[derive(Debug, Args)]
pub struct CreateApiKey {
    /// The service account the key authenticates as.
    #[arg(short = 's', long)]
    service_account: String,
    /// A description for the API key.
    #[arg(short = 'd', long)]
    description: String,
    /// When the key expires: epoch seconds, `2026-06-04`, `2026-06-04 15:04:05`
    /// (UTC) or RFC 3339. Defaults to no expiry.
    #[arg(short = 'e', long)]
    expires_at: Option<String>,
    #[command(flatten)]
    output: OutputArg,
}

impl CreateApiKey {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let json = self.output.is_json()?;
        let mut body = json!({"description": self.description});
        if let Some(expires_at) = &self.expires_at {
            body["expires_at"] = json!(parse_expires_at(expires_at)?);
        }
        let path = ["service-accounts", org, &self.service_account, "api-keys"];
        let Some(response) = ctx.send(Method::POST, &path, Body::Json(body)).await? else {
            return Ok(());
        };
        if json {
            return ctx.print_json(&response);
        }
        print!("{}", new_key_table(&response.json()?));
        ctx.warn(SHOWN_ONCE);
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct GetApiKey {
    #[arg(value_name = "KEY-ID")]
    id: String,
    /// The service account the key belongs to.
    #[arg(short = 's', long)]
    service_account: String,
    #[command(flatten)]
    output: OutputArg,
}

impl GetApiKey {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let json = self.output.is_json()?;
        let path = [
            "service-accounts",
            org,
            &self.service_account,
            "api-keys",
            &self.id,
        ];
        let response = ctx.get(&path, &[]).await?;
        if json {
            return ctx.print_json(&response);
        }
        let key: ApiKey = response.json()?;
        let mut table = TabWriter::new();
        table.line(format!("ID:\t{}", key.id));
        table.line(format!("Description:\t{}", key.description));
        table.line(format!(
            "Created At:\t{}",
            optional_timestamp(Some(key.created_at))
        ));
        table.line(format!(
            "Expires At:\t{}",
            optional_timestamp(key.expires_at)
        ));
        table.line(format!(
            "Last Used:\t{}",
            optional_timestamp(key.last_used_at)
        ));
        print!("{}", table.render());
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct ListApiKeys {
    /// The service account whose keys to list.
    #[arg(short = 's', long)]
    service_account: String,
    #[command(flatten)]
    output: OutputArg,
}

impl ListApiKeys {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let json = self.output.is_json()?;
        let path = ["service-accounts", org, &self.service_account, "api-keys"];
        let response = ctx.get(&path, &[]).await?;
        if json {
            return ctx.print_json(&response);
        }
        print!("{}", keys_table(&response.json::<Vec<ApiKey>>()?));
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct DeleteApiKey {
    #[arg(value_name = "KEY-ID", required = true)]
    ids: Vec<String>,
    /// The service account the keys belong to.
    #[arg(short = 's', long)]
    service_account: String,
    /// Delete without asking for confirmation (also --yes). A value needs
    /// `=`, so that `-y NAME` reads NAME as a positional.
    #[arg(
        short = 'y',
        long,
        alias = "yes",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value = "false"
    )]
    assume_yes: bool,
}

impl DeleteApiKey {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let (ids, account) = (self.ids.join(", "), self.service_account.as_str());
        let words = Deletion {
            prompt: format!(
                "Are you sure you want to delete API key(s) {ids} for service account {account}? [y/N] "
            ),
            cancelled: format!("Deletion of API key(s) {ids} was cancelled."),
            plural: "Keys",
            failure: "failed to delete API key",
        };
        delete_all(
            ctx,
            self.assume_yes,
            &self.ids,
            words,
            |id| {
                ["service-accounts", org, account, "api-keys", id]
                    .map(String::from)
                    .to_vec()
            },
            |id| format!("API key {id} for service account {account} was deleted!"),
        )
        .await
    }
}

#[derive(Debug, Args)]
pub struct RotateApiKey {
    #[arg(value_name = "KEY-ID", required = true)]
    ids: Vec<String>,
    /// The service account the keys belong to.
    #[arg(short = 's', long)]
    service_account: String,
    /// When the new keys expire (same forms as `create api-key`). Defaults to no expiry.
    #[arg(short = 'e', long)]
    expires_at: Option<String>,
    /// How many hours the old keys keep working (the server's default is 24).
    #[arg(short = 'g', long)]
    grace_period_hours: Option<u32>,
    #[command(flatten)]
    output: OutputArg,
}

impl RotateApiKey {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let json = self.output.is_json()?;
        let mut body = json!({});
        if let Some(hours) = self.grace_period_hours {
            body["grace_period_hours"] = json!(hours);
        }
        if let Some(expires_at) = &self.expires_at {
            body["expires_at"] = json!(parse_expires_at(expires_at)?);
        }
        // Rotated secrets are returned once: print those already issued even
        // when a later key fails, then report the failure.
        let mut rotated = Vec::new();
        let mut failure = None;
        for id in &self.ids {
            let path = [
                "service-accounts",
                org,
                &self.service_account,
                "api-keys",
                id,
                "rotate",
            ];
            match ctx
                .send(Method::POST, &path, Body::Json(body.clone()))
                .await
            {
                Ok(Some(response)) => rotated.push(response),
                Ok(None) => {}
                Err(e) => {
                    failure = Some(e.context("failed to rotate API key"));
                    break;
                }
            }
        }
        if !rotated.is_empty() {
            print_rotated(ctx, &rotated, json)?;
        }
        failure.map_or(Ok(()), Err)
    }
}

/// Rotated keys: a JSON array of the server's answers, or one table per key.
fn print_rotated(ctx: &Ctx, rotated: &[Response], json: bool) -> anyhow::Result<()> {
    if json {
        // Joined as text so that each key keeps the server's field order.
        let bodies: Vec<&str> = rotated.iter().map(|r| r.body.as_str()).collect();
        print!("{}", json_pretty(&format!("[{}]", bodies.join(",")))?);
        // A failure may follow on stderr: let the keys come first.
        std::io::stdout().flush()?;
        return Ok(());
    }
    let tables = rotated
        .iter()
        .map(|r| Ok(new_key_table(&r.json()?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    print!("{}", tables.join("\n"));
    ctx.warn(SHOWN_ONCE);
    Ok(())
}

/// A key just created or rotated, secret included.
fn new_key_table(key: &NewApiKey) -> String {
    let mut table = TabWriter::new();
    table.line(format!("ID:\t{}", key.id));
    table.line(format!("Key:\t{}", key.key));
    table.line(format!("Description:\t{}", key.description));
    table.line(format!(
        "Expires At:\t{}",
        optional_timestamp(key.expires_at)
    ));
    table.render()
}

/// `list api-keys`: one row per key, or a sentence when there are none.
fn keys_table(keys: &[ApiKey]) -> String {
    if keys.is_empty() {
        return "No API keys were found.\n".to_string();
    }
    let mut table = TabWriter::new();
    table.line("ID\tDESCRIPTION\tCREATED\tEXPIRES\tLAST USED");
    for key in keys {
        table.line(format!(
            "{}\t{}\t{}\t{}\t{}",
            key.id,
            key.description,
            optional_timestamp(Some(key.created_at)),
            optional_timestamp(key.expires_at),
            optional_timestamp(key.last_used_at),
        ));
    }
    table.render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::long;

    #[test]
    fn a_new_key_shows_its_secret() {
        let key = NewApiKey {
            id: "k1".into(),
            key: "sk_one".into(),
            description: "ci".into(),
            expires_at: None,
        };
        let expected =
            "ID:           k1\nKey:          sk_one\nDescription:  ci\nExpires At:   N/A\n";
        assert_eq!(new_key_table(&key), expected);
    }

    #[test]
    fn the_list_has_kosli_headers() {
        let keys = [ApiKey {
            id: "id-1".into(),
            description: "ci".into(),
            created_at: 1_780_584_129.5,
            expires_at: Some(1_790_000_000.0),
            last_used_at: None,
        }];
        let (created, expires) = (long(1_780_584_129.5), long(1_790_000_000.0));
        let table = keys_table(&keys);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            format!(
                "ID    DESCRIPTION  CREATED{}EXPIRES{}LAST USED",
                " ".repeat(created.chars().count() - 5),
                " ".repeat(expires.chars().count() - 5)
            )
        );
        assert_eq!(
            lines[1],
            format!("id-1  ci           {created}  {expires}  N/A")
        );
    }

    #[test]
    fn an_empty_list_says_so() {
        assert_eq!(keys_table(&[]), "No API keys were found.\n");
    }
}
