//! `custody server`: open the database, optionally load the demo, and serve.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use custody_server::evidence::{DEFAULT_MAX_EVIDENCE_BYTES, FsObjectStore};
use custody_server::settings::{
    DEFAULT_BIND, default_database_path, default_database_url, evidence_dir_for,
    load_or_create_signing_key, signing_key_path_for,
};
use custody_server::{AppState, open_store, serve};
use tokio::net::TcpListener;

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Address to listen on (also CUSTODY_BIND).
    #[arg(long, default_value = DEFAULT_BIND)]
    bind: String,
    /// sqlite://PATH or postgres://USER@HOST/DB (also CUSTODY_DATABASE_URL). Default:
    /// an SQLite file in $CUSTODY_DATA_DIR, $XDG_DATA_HOME/custody or ~/.local/share/custody.
    #[arg(long)]
    database_url: Option<String>,
    /// Directory of the evidence vault (attachments, by SHA-256; also
    /// CUSTODY_EVIDENCE_DIR). Default: `evidence` next to the SQLite database file
    /// (with PostgreSQL, next to where the default SQLite database would be).
    #[arg(long)]
    evidence_dir: Option<std::path::PathBuf>,
    /// The largest attachment accepted, in bytes (also CUSTODY_MAX_EVIDENCE_BYTES).
    /// Request bodies are limited to 32 MiB whatever this says.
    #[arg(long, default_value_t = DEFAULT_MAX_EVIDENCE_BYTES)]
    max_evidence_bytes: usize,
    /// The key that signs the log's checkpoints (also CUSTODY_SIGNING_KEY):
    /// made on first start. Default: `signing.key` beside the evidence directory.
    /// Every server process of one database must use the same key.
    #[arg(long)]
    signing_key: Option<std::path::PathBuf>,
    /// Where users reach this server's web UI (also CUSTODY_PUBLIC_URL), as
    /// pages and the API's `html_url` fields link to it. Default: the bind address.
    #[arg(long, env = "CUSTODY_PUBLIC_URL")]
    public_url: Option<String>,
    /// Load the cyber-dojo demo organization (once) before serving.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    demo: bool,
}

/// The database URL to use: the one given, else the default SQLite file.
pub fn database_url(given: Option<String>) -> std::io::Result<String> {
    match given {
        Some(url) => Ok(url),
        None => default_database_url(),
    }
}

/// A URL safe to print: any password replaced.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub async fn run(args: ServerArgs) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match start(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn start(args: ServerArgs) -> anyhow::Result<()> {
    let url = database_url(args.database_url)?;
    let store = open_store(&url).await?;
    let evidence_dir = args.evidence_dir.unwrap_or_else(|| evidence_dir_for(&url));
    let vault = FsObjectStore::open(&evidence_dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot open the evidence directory {}: {e}",
            evidence_dir.display()
        )
    })?;
    let key_path = args
        .signing_key
        .unwrap_or_else(|| signing_key_path_for(&url));
    let key = load_or_create_signing_key(&key_path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read or make the signing key {}: {e}",
            key_path.display()
        )
    })?;
    let state = AppState::new(store.clone())
        .with_evidence(Arc::new(vault), args.max_evidence_bytes)
        .with_signing_key(key);
    let listener = TcpListener::bind(&args.bind).await?;
    let addr = listener.local_addr()?;
    let host = format!(
        "http://{}",
        if addr.ip().is_unspecified() {
            format!("127.0.0.1:{}", addr.port())
        } else {
            addr.to_string()
        }
    );
    let public_url = args.public_url.clone().unwrap_or_else(|| host.clone());
    let state = state.with_public_url(&public_url);
    if args.demo {
        crate::demo::ensure_loaded(&state, &host).await?;
    } else if store.orgs().await?.is_empty() {
        println!("No organization exists yet. Create one and its first admin key with:");
        println!("  custody admin create-org NAME");
        println!("  custody admin create-api-key --org NAME --role admin");
        if url == format!("sqlite://{}", default_database_path().display()) {
            println!("(database: {})", default_database_path().display());
        } else {
            println!("(add --database-url {} to both)", redacted(&url));
        }
    }
    println!("Web UI: {public_url}/ (sign in with an API key)");
    println!(
        "Custody server listening on {host} (database {}, evidence in {})",
        redacted(&url),
        evidence_dir.display()
    );
    serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn hides_database_passwords() {
        assert_eq!(
            redacted("postgres://u:secret@db/x"),
            "postgres://u:***@db/x"
        );
        assert_eq!(redacted("postgres://u@db/x"), "postgres://u@db/x");
        assert_eq!(redacted("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
    }
}
