//! Server settings and their defaults: where to listen and which database to use.

use std::path::PathBuf;

/// The address `custody server` listens on unless told otherwise.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// The embedded database file: `$CUSTODY_DATA_DIR/custody.db`, else
/// `$XDG_DATA_HOME/custody/custody.db`, else `~/.local/share/custody/custody.db`.
pub fn default_database_path() -> PathBuf {
    let dir = std::env::var_os("CUSTODY_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_DATA_HOME").map(|d| PathBuf::from(d).join("custody")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share/custody")))
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join("custody.db")
}

/// `sqlite://` URL of the default database, creating its directory.
pub fn default_database_url() -> std::io::Result<String> {
    let path = default_database_path();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    Ok(format!("sqlite://{}", path.display()))
}
