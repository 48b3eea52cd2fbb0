//! `create api-key` and `rotate api-key`: the two answers that carry a key's
//! secret. It is never returned again, so these print it — rotate even when a
//! later key of the batch fails — and warn that it cannot be shown again.

use std::io::Write;

use clap::Args;
use custody_api::NewApiKey;
use custody_client::{Body, Response};
use reqwest::Method;
use serde_json::json;

use super::expiry::parse_expires_at;
use super::optional_timestamp;
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

/// Prints rotated keys and flushes, since a failure may follow on stderr.
fn print_rotated(ctx: &Ctx, rotated: &[Response], json: bool) -> anyhow::Result<()> {
    print!("{}", rotated_text(rotated, json)?);
    std::io::stdout().flush()?;
    if !json {
        ctx.warn(SHOWN_ONCE);
    }
    Ok(())
}

/// Rotated keys: a JSON array of the server's answers (joined as text, so each
/// keeps the server's field order), or one table per key.
fn rotated_text(rotated: &[Response], json: bool) -> anyhow::Result<String> {
    if json {
        let bodies: Vec<&str> = rotated.iter().map(|r| r.body.as_str()).collect();
        return Ok(json_pretty(&format!("[{}]", bodies.join(",")))?);
    }
    let tables = rotated
        .iter()
        .map(|r| Ok(new_key_table(&r.json()?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(tables.join("\n"))
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

#[cfg(test)]
mod tests {
    use super::*;

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

    fn answer(id: &str) -> Response {
        let body =
            format!(r#"{{"id":"{id}","key":"sk_{id}","description":"d","expires_at":null}}"#);
        Response { status: 201, body }
    }

    #[test]
    fn rotated_keys_are_a_json_array_in_server_order() {
        let text = rotated_text(&[answer("a"), answer("b")], true).unwrap();
        let expected = "[\n  {\n    \"id\": \"a\",\n    \"key\": \"sk_a\",\n    \"description\": \"d\",\n    \"expires_at\": null\n  },\n  {\n    \"id\": \"b\",";
        assert!(text.starts_with(expected), "{text}");
        assert!(text.ends_with("}\n]"), "{text}");
    }

    #[test]
    fn rotated_tables_are_separated_by_a_blank_line() {
        let text = rotated_text(&[answer("a"), answer("b")], false).unwrap();
        let blocks: Vec<&str> = text.split("\n\n").collect();
        assert_eq!(blocks.len(), 2, "{text}");
        assert!(
            blocks[0].starts_with("ID:           a\nKey:          sk_a\n"),
            "{text}"
        );
        assert!(blocks[1].starts_with("ID:           b\n"), "{text}");
    }
}
