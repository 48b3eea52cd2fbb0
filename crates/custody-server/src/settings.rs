//! Server settings and their defaults: where to listen, which database to use
//! and where to keep evidence.

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

/// The evidence vault: an `evidence` directory next to the default database.
pub fn default_evidence_dir() -> PathBuf {
    let db = default_database_path();
    db.parent()
        .map_or_else(|| PathBuf::from("evidence"), |d| d.join("evidence"))
}

/// The evidence vault for a database: `evidence` next to an SQLite file, else
/// [`default_evidence_dir`].
pub fn evidence_dir_for(database_url: &str) -> PathBuf {
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|path| !path.is_empty() && !path.starts_with(':'));
    match file.map(PathBuf::from) {
        Some(path) => path
            .parent()
            .map_or_else(|| PathBuf::from("evidence"), |d| d.join("evidence")),
        None => default_evidence_dir(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_lives_next_to_an_sqlite_database() {
        assert_eq!(
            evidence_dir_for("sqlite:///srv/custody/custody.db?mode=rwc"),
            PathBuf::from("/srv/custody/evidence")
        );
        assert_eq!(
            evidence_dir_for("sqlite://custody.db"),
            PathBuf::from("evidence")
        );
        assert_eq!(
            evidence_dir_for("postgres://u@db/x"),
            default_evidence_dir()
        );
        assert_eq!(evidence_dir_for("sqlite::memory:"), default_evidence_dir());
    }
}
