//! `get|list|delete api-key`: the keys of a service account, seen without
//! their secrets (those are only shown by `create` and `rotate`, in `new_keys`).

use clap::Args;
use custody_api::ApiKey;

use super::{AssumeYes, Deletion, delete_all, optional_timestamp};
use crate::context::{Ctx, OutputArg};
use crate::output::TabWriter;

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
    #[command(flatten)]
    confirm: AssumeYes,
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
            self.confirm.assume_yes,
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
