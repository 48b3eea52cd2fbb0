//! `custody admin`: the operator's bootstrap commands. They open the database
//! directly, so they work before any API key exists.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use custody_core::Timestamp;
use custody_server::config::{Layer, database_url};
use custody_server::settings::default_database_url;
use custody_server::{admin, open_store};

#[derive(Debug, Args)]
pub struct Database {
    /// The database (default: the embedded SQLite file, see `custody server --help`).
    #[arg(long, env = "CUSTODY_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// The server's TOML config file, for its `database_url`.
    #[arg(long, env = "CUSTODY_SERVER_CONFIG")]
    config: Option<std::path::PathBuf>,
}

impl Database {
    /// The database named here, else in the config file, else the default.
    fn url(&self) -> Result<String, String> {
        let file = match &self.config {
            Some(path) => Layer::from_file(path).map_err(|e| e.to_string())?,
            None => Layer::default(),
        };
        match self.database_url.clone().or(file.database_url) {
            Some(url) => database_url(url).map_err(|e| e.to_string()),
            None => default_database_url().map_err(|e| e.to_string()),
        }
    }
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
    /// Bring the database schema up to date (the server also does on start).
    Migrate {
        #[command(flatten)]
        db: Database,
    },
    /// Copy a live SQLite database to a new file, consistently, while the
    /// server runs (PostgreSQL: use pg_dump, see the README).
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        to: std::path::PathBuf,
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
            | Admin::ListOrgs { db }
            | Admin::Migrate { db }
            | Admin::Backup { db, .. } => db,
        };
        let url = db.url()?;
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
            Admin::Migrate { .. } => {
                println!("the database schema is up to date");
            }
            Admin::Backup { to, .. } => {
                store.backup_to(&to).await.map_err(|e| e.to_string())?;
                println!("backed up to {}", to.display());
            }
        }
        Ok(())
    }
}
