//! `custody server`: read and check the configuration, open the database,
//! optionally load the demo, serve until SIGTERM or SIGINT, then close the
//! database. Its settings are its own — flags, their `CUSTODY_*` variables
//! and a TOML file — never the CLI's `KOSLI_*` defaults.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use custody_server::config::{ConfigError, Layer, LogFormat, ServerConfig, Vault};
use custody_server::evidence::{FsObjectStore, ObjectStore, S3ObjectStore};
use custody_server::settings::{default_database_path, load_or_create_signing_key};
use custody_server::{AppState, maintenance, open_store_pooled, serve, shutdown_signal};
use tokio::net::TcpListener;

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// A TOML file of settings, keyed by these flags' names with underscores
    /// (bind, database_url, pool_size, …). Flags and variables win over it.
    #[arg(long, env = "CUSTODY_SERVER_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on. Default: 127.0.0.1:8080.
    #[arg(long, env = "CUSTODY_BIND")]
    bind: Option<String>,
    /// sqlite://PATH or postgres://USER@HOST/DB. Default: an SQLite file in
    /// $CUSTODY_DATA_DIR, $XDG_DATA_HOME/custody or ~/.local/share/custody.
    #[arg(long, env = "CUSTODY_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// The most database connections to open. Default: 4 on SQLite, 10 on PostgreSQL.
    #[arg(long, env = "CUSTODY_POOL_SIZE")]
    pool_size: Option<u32>,
    /// Directory of the evidence vault (attachments, by SHA-256). Default:
    /// `evidence` next to the SQLite database file (with PostgreSQL, next to
    /// where the default SQLite database would be).
    #[arg(long, env = "CUSTODY_EVIDENCE_DIR")]
    evidence_dir: Option<PathBuf>,
    /// Keep evidence in an S3-compatible bucket instead, s3://BUCKET[/PREFIX],
    /// shared by every replica; credentials, region and endpoint from the
    /// standard AWS_* variables (AWS_ENDPOINT_URL, AWS_ALLOW_HTTP=true for a local S3).
    #[arg(long, env = "CUSTODY_EVIDENCE_STORE")]
    evidence_store: Option<String>,
    /// The largest attachment accepted, in bytes (at most 32 MiB, the request
    /// size limit). Default: 10 MiB.
    #[arg(long, env = "CUSTODY_MAX_EVIDENCE_BYTES")]
    max_evidence_bytes: Option<usize>,
    /// The key that signs the log's checkpoints, made on first start. Every
    /// server process of one database must use the same key. Default:
    /// `signing.key` beside the evidence directory.
    #[arg(long, env = "CUSTODY_SIGNING_KEY")]
    signing_key: Option<PathBuf>,
    /// Where users reach this server's web UI, as pages and the API's
    /// `html_url` fields link to it. Default: the bind address.
    #[arg(long, env = "CUSTODY_PUBLIC_URL")]
    public_url: Option<String>,
    /// text (default) or json: one JSON object per log line.
    #[arg(long, env = "CUSTODY_LOG_FORMAT")]
    log_format: Option<String>,
    /// Seconds that requests in flight may run on after SIGTERM. Default: 30.
    #[arg(long, env = "CUSTODY_SHUTDOWN_TIMEOUT")]
    shutdown_timeout: Option<u64>,
    /// CIDRs and host names (comma-separated) that actions' webhooks may
    /// reach although they are not public addresses: loopback, private,
    /// link-local, … are refused otherwise. For tests and private deployments.
    #[arg(long, env = "CUSTODY_WEBHOOK_ALLOW", value_delimiter = ',')]
    webhook_allow: Option<Vec<String>>,
    /// Load balancers or proxies in front of this server (CIDRs or addresses,
    /// comma-separated). A request from one of them is counted, for the
    /// failed-key and sign-in limits, against the client its
    /// `X-Forwarded-For` names; other requests' headers are ignored.
    #[arg(
        long = "trusted-proxy",
        env = "CUSTODY_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Option<Vec<String>>,
    /// Load the cyber-dojo demo organization (once) before serving.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    demo: Option<bool>,
}

impl ServerArgs {
    /// The settings given here, over those of the config file if one is named.
    fn config(self) -> Result<ServerConfig, ConfigError> {
        let file = match &self.config {
            Some(path) => Layer::from_file(path)?,
            None => Layer::default(),
        };
        let given = Layer {
            bind: self.bind,
            database_url: self.database_url,
            pool_size: self.pool_size,
            public_url: self.public_url,
            evidence_dir: self.evidence_dir,
            evidence_store: self.evidence_store,
            max_evidence_bytes: self.max_evidence_bytes,
            signing_key: self.signing_key,
            log_format: self.log_format,
            shutdown_timeout: self.shutdown_timeout,
            demo: self.demo,
            webhook_allow: self.webhook_allow,
            trusted_proxies: self.trusted_proxies,
        };
        ServerConfig::from_layer(given.over(file))
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(terminal);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}

pub async fn run(args: ServerArgs) -> ExitCode {
    let config = match args.config() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logging(config.log_format);
    match start(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn open_vault(vault: &Vault) -> anyhow::Result<Arc<dyn ObjectStore>> {
    Ok(match vault {
        Vault::Dir(dir) => Arc::new(FsObjectStore::open(dir).map_err(|e| {
            anyhow::anyhow!("cannot open the evidence directory {}: {e}", dir.display())
        })?),
        Vault::S3(url) => Arc::new(S3ObjectStore::open(url)?),
    })
}

async fn start(config: ServerConfig) -> anyhow::Result<()> {
    let url = &config.database_url;
    let store = open_store_pooled(url.expose(), config.pool_size).await?;
    let vault = open_vault(&config.evidence)?;
    let vault_name = match &config.evidence {
        Vault::Dir(dir) => dir.display().to_string(),
        Vault::S3(url) => url.clone(),
    };
    let key = load_or_create_signing_key(&config.signing_key).map_err(|e| {
        anyhow::anyhow!(
            "cannot read or make the signing key {}: {e}",
            config.signing_key.display()
        )
    })?;
    let state = AppState::new(store.clone())
        .with_evidence(vault, config.max_evidence_bytes)
        .with_signing_key(key)
        .with_webhooks(config.webhooks.clone())
        .with_trusted_proxies(config.trusted_proxies.clone());
    let stop = shutdown_signal();
    let listener = TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    let host = format!(
        "http://{}",
        if addr.ip().is_unspecified() {
            format!("127.0.0.1:{}", addr.port())
        } else {
            addr.to_string()
        }
    );
    let public_url = config.public_url.clone().unwrap_or_else(|| host.clone());
    let state = state.with_public_url(&public_url);
    if config.demo {
        crate::demo::ensure_loaded(&state, &host).await?;
    } else if store.orgs().await?.is_empty() {
        tracing::info!(
            "no organization exists yet: create one and its first admin key with `custody admin create-org NAME` and `custody admin create-api-key --org NAME --role admin`"
        );
        if url.expose() == format!("sqlite://{}", default_database_path().display()) {
            tracing::info!("(database: {})", default_database_path().display());
        } else {
            tracing::info!("(add --database-url {url} to both)");
        }
    }
    tracing::info!("Web UI: {public_url}/ (sign in with an API key)");
    tracing::info!("Custody server listening on {host} (database {url}, evidence in {vault_name})");
    let upkeep = maintenance::keep_statistics_fresh(store.clone());
    let pruning = maintenance::keep_outbox_small(store.clone());
    let served = serve(listener, state, stop, config.shutdown_timeout).await;
    upkeep.abort();
    pruning.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(served?)
}
