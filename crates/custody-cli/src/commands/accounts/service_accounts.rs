//! `create|get|list|update|delete service-account`: an org's non-human
//! identities, and their tables as the Kosli CLI prints them.

use clap::Args;
use custody_api::{ServiceAccount, ServiceAccountUpdate};
use custody_client::Body;
use reqwest::Method;
use serde_json::json;

use super::{AssumeYes, Deletion, delete_all, optional_timestamp};
use crate::context::{Ctx, OutputArg};
use crate::output::TabWriter;

#[derive(Debug, Args)]
pub struct CreateServiceAccount {
    #[arg(value_name = "SERVICE-ACCOUNT-NAME")]
    name: String,
    /// The privilege granted to the service account: admin, member, snapshotter or reader.
    #[arg(long)]
    privilege: String,
    /// A description for the service account.
    #[arg(short = 'd', long)]
    description: Option<String>,
}

impl CreateServiceAccount {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let mut body = json!({"name": self.name});
        if let Some(description) = self.description.as_ref().filter(|d| !d.is_empty()) {
            body["description"] = json!(description);
        }
        body["privilege"] = json!(self.privilege);
        let sent = ctx
            .send(Method::POST, &["service-accounts", org], Body::Json(body))
            .await?;
        if sent.is_some() {
            println!("service account {} was created", self.name);
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct GetServiceAccount {
    #[arg(value_name = "SERVICE-ACCOUNT-NAME")]
    name: String,
    #[command(flatten)]
    output: OutputArg,
}

impl GetServiceAccount {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let json = self.output.is_json()?;
        let response = ctx.get(&["service-accounts", org, &self.name], &[]).await?;
        if json {
            return ctx.print_json(&response);
        }
        print!("{}", account_table(&response.json()?));
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct ListServiceAccounts {
    #[command(flatten)]
    output: OutputArg,
}

impl ListServiceAccounts {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let json = self.output.is_json()?;
        let response = ctx.get(&["service-accounts", org], &[]).await?;
        if json {
            return ctx.print_json(&response);
        }
        print!(
            "{}",
            accounts_table(&response.json::<Vec<ServiceAccount>>()?)
        );
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct UpdateServiceAccount {
    #[arg(value_name = "SERVICE-ACCOUNT-NAME")]
    name: String,
    /// The new description.
    #[arg(short = 'd', long)]
    description: Option<String>,
    /// The new privilege: admin, member, snapshotter or reader.
    #[arg(long)]
    privilege: Option<String>,
}

impl UpdateServiceAccount {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        if self.description.is_none() && self.privilege.is_none() {
            anyhow::bail!("at least one of --description, --privilege is required");
        }
        let change = ServiceAccountUpdate {
            description: self.description,
            privilege: self.privilege,
        };
        let body = Body::Json(serde_json::to_value(change)?);
        let sent = ctx
            .send(Method::PATCH, &["service-accounts", org, &self.name], body)
            .await?;
        if sent.is_some() {
            println!("service account {} was updated", self.name);
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct DeleteServiceAccount {
    #[arg(value_name = "SERVICE-ACCOUNT-NAME", required = true)]
    names: Vec<String>,
    #[command(flatten)]
    confirm: AssumeYes,
}

impl DeleteServiceAccount {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let names = self.names.join(", ");
        let words = Deletion {
            prompt: format!("Are you sure you want to delete service account(s) {names}? [y/N] "),
            cancelled: format!("Deletion of service account(s) {names} was cancelled."),
            plural: "Service accounts",
            failure: "failed to delete service account",
        };
        delete_all(
            ctx,
            self.confirm.assume_yes,
            &self.names,
            words,
            |name| vec!["service-accounts".into(), org.into(), name.into()],
            |name| format!("service account {name} was deleted!"),
        )
        .await
    }
}

/// `get service-account`: one `Key:\tvalue` row per field.
fn account_table(account: &ServiceAccount) -> String {
    let mut table = TabWriter::new();
    table.line(format!("Name:\t{}", account.name));
    table.line(format!("Description:\t{}", description(account)));
    table.line(format!("Privilege:\t{}", account.privilege));
    table.line(format!(
        "Created At:\t{}",
        optional_timestamp(Some(account.created_at))
    ));
    table.render()
}

/// `list service-accounts`: one row per account, or a sentence when there are none.
fn accounts_table(accounts: &[ServiceAccount]) -> String {
    if accounts.is_empty() {
        return "No service accounts were found.\n".to_string();
    }
    let mut table = TabWriter::new();
    table.line("NAME\tDESCRIPTION\tPRIVILEGE\tCREATED");
    for account in accounts {
        let created = optional_timestamp(Some(account.created_at));
        let row = [
            account.name.as_str(),
            description(account),
            &account.privilege,
            &created,
        ];
        table.line(row.join("\t"));
    }
    table.render()
}

fn description(account: &ServiceAccount) -> &str {
    account
        .description
        .as_deref()
        .filter(|d| !d.is_empty())
        .unwrap_or("N/A")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::long;

    fn account(name: &str, description: Option<&str>, privilege: &str) -> ServiceAccount {
        ServiceAccount {
            name: name.into(),
            description: description.map(Into::into),
            privilege: privilege.into(),
            created_at: 1_780_584_129.5,
        }
    }

    #[test]
    fn one_account_is_a_key_value_table() {
        let created = long(1_780_584_129.5);
        let expected = format!(
            "Name:         ci-bot\nDescription:  CI bot\nPrivilege:    member\nCreated At:   {created}\n"
        );
        assert_eq!(
            account_table(&account("ci-bot", Some("CI bot"), "member")),
            expected
        );
    }

    #[test]
    fn the_list_has_kosli_headers_and_na_for_missing_descriptions() {
        let created = long(1_780_584_129.5);
        let accounts = [
            account("ci-bot", Some("CI bot"), "member"),
            account("deployer", Some(""), "admin"),
            account("auditor", None, "reader"),
        ];
        let expected = format!(
            "NAME      DESCRIPTION  PRIVILEGE  CREATED\n\
             ci-bot    CI bot       member     {created}\n\
             deployer  N/A          admin      {created}\n\
             auditor   N/A          reader     {created}\n"
        );
        assert_eq!(accounts_table(&accounts), expected);
    }

    #[test]
    fn an_empty_list_says_so() {
        assert_eq!(accounts_table(&[]), "No service accounts were found.\n");
    }
}
