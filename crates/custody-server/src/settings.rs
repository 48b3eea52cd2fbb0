//! Server settings and their defaults: where to listen, which database to use,
//! where to keep evidence, and the key that signs the log's checkpoints.

use std::path::PathBuf;

use custody_core::ledger::facts::{hex, unhex};
use ed25519_dalek::SigningKey;

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

/// The signing key for a database: `signing.key` beside its evidence directory.
pub fn signing_key_path_for(database_url: &str) -> PathBuf {
    let evidence = evidence_dir_for(database_url);
    evidence
        .parent()
        .map_or_else(|| PathBuf::from("signing.key"), |d| d.join("signing.key"))
}

/// Reads the checkpoint signing key (64 hex characters), or makes one and
/// keeps it, readable by its owner only. Every server process of one database
/// must use the same key.
pub fn load_or_create_signing_key(path: &std::path::Path) -> std::io::Result<SigningKey> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let seed: [u8; 32] = unhex(text.trim())
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    std::io::Error::other(format!(
                        "{} does not hold a signing key (64 hex characters)",
                        path.display()
                    ))
                })?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let seed: [u8; 32] = rand::random();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)?;
            file.write_all(hex(&seed).as_bytes())?;
            file.sync_all()?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) => Err(e),
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

    #[test]
    fn a_signing_key_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/signing.key");
        let made = load_or_create_signing_key(&path).unwrap();
        let read = load_or_create_signing_key(&path).unwrap();
        assert_eq!(made.to_bytes(), read.to_bytes());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::write(&path, "nonsense").unwrap();
        assert!(
            load_or_create_signing_key(&path)
                .unwrap_err()
                .to_string()
                .contains("64 hex")
        );
        assert_eq!(
            signing_key_path_for("sqlite:///srv/custody/custody.db"),
            PathBuf::from("/srv/custody/signing.key")
        );
    }
}
