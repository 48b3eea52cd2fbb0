//! `custody admin`: the operator's bootstrap commands. They open the database
//! directly, so they work before any API key exists.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use custody_core::Timestamp;
use custody_server::{admin, open_store};

use crate::server::database_url;

#[derive(Debug, Args)]
pub struct Database {
    /// The database (default: the embedded SQLite file, see `custody server --help`).
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Admin {
    /// Create an organization.
    CreateOrg {
        name: String,
        #[command(flatten)]
        db: Database,
    },
    /// Create an API key with a role in an org (shown once).
    CreateApiKey {
        #[arg(long)]
        org: String,
        /// admin, member, snapshotter or reader.
        #[arg(long)]
        role: String,
        /// The service account the key belongs to (created when missing).
        #[arg(long)]
        service_account: Option<String>,
        #[command(flatten)]
        db: Database,
    },
    /// List organizations.
    ListOrgs {
        #[command(flatten)]
        db: Database,
    },
}

impl Admin {
    pub async fn run(self) -> ExitCode {
        match self.execute().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("Error: {e}");
                ExitCode::FAILURE
            }
        }
    }

    async fn execute(self) -> Result<(), String> {
        let db = match &self {
            Admin::CreateOrg { db, .. }
            | Admin::CreateApiKey { db, .. }
            | Admin::ListOrgs { db } => db,
        };
        let url = database_url(db.database_url.clone()).map_err(|e| e.to_string())?;
        let store = open_store(&url).await.map_err(|e| e.to_string())?;
        match self {
            Admin::CreateOrg { name, .. } => {
                admin::create_org(store.as_ref(), &name, Timestamp::now()).await?;
                println!("organization '{name}' was created");
                println!("next: custody admin create-api-key --org {name} --role admin");
            }
            Admin::CreateApiKey {
                org,
                role,
                service_account,
                ..
            } => {
                let account = service_account.unwrap_or_else(|| role.clone());
                let key =
                    admin::create_api_key(store.as_ref(), &org, &role, &account, Timestamp::now())
                        .await?;
                println!(
                    "API key {} ({role}) for service account '{account}' in organization '{org}':",
                    key.id
                );
                println!("{}", key.key);
                println!(
                    "It is shown only now; store it safely (e.g. export CUSTODY_API_TOKEN=...)."
                );
            }
            Admin::ListOrgs { .. } => {
                for org in store.orgs().await.map_err(|e| e.to_string())? {
                    println!("{}", org.name);
                }
            }
        }
        Ok(())
    }
}
