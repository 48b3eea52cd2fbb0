//! Throwaway databases for tests: a SQLite file in the temp directory or a
//! uniquely named PostgreSQL database, removed when the value is dropped (or
//! a database a benchmark keeps, [`TestDatabase::kept`]).
//! PostgreSQL is reached at `CUSTODY_TEST_PG_URL` (default: the local server).
//! [`large_org`] fills a store with a realistic org of any size.

pub mod large_org;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{AnyPool, AssertSqlSafe};

/// The PostgreSQL server tests use, as an admin URL.
pub fn postgres_admin_url() -> String {
    std::env::var("CUSTODY_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "custody_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database that exists for the lifetime of this value.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
    Keep,
}

impl TestDatabase {
    pub fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
        TestDatabase {
            url: format!("sqlite://{}", path.display()),
            cleanup: Cleanup::File(path),
        }
    }

    /// Creates a fresh database on the test PostgreSQL server.
    pub async fn postgres() -> Self {
        sqlx::any::install_default_drivers();
        let admin_url = postgres_admin_url();
        let name = unique_name();
        let admin = AnyPool::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL tests need a server at {admin_url} (set CUSTODY_TEST_PG_URL): {e}")
        });
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .expect("create test database");
        admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(b, _)| b);
        TestDatabase {
            url: format!("{base}/{name}"),
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }
}

impl TestDatabase {
    /// The database at `url`, kept when this value is dropped: a SQLite file
    /// (created when missing) or a PostgreSQL database, created on its server
    /// when missing.
    pub async fn kept(url: &str) -> Self {
        if let Some((server, name)) = url
            .strip_prefix("postgres")
            .and_then(|_| url.rsplit_once('/'))
        {
            let name = name.split('?').next().unwrap_or(name);
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "name the PostgreSQL database with letters, digits and _: {url}"
            );
            sqlx::any::install_default_drivers();
            let admin_url = format!("{server}/postgres");
            let admin = AnyPool::connect(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin_url}: {e}"));
            let exists: Option<(i32,)> =
                sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
                    .bind(name)
                    .fetch_optional(&admin)
                    .await
                    .expect("list databases");
            if exists.is_none() {
                sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&admin)
                    .await
                    .expect("create the database");
            }
            admin.close().await;
        }
        TestDatabase {
            url: url.to_string(),
            cleanup: Cleanup::Keep,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Keep => {}
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop may run inside a runtime, so the cleanup gets its own thread.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    rt.block_on(async {
                        let admin = AnyPool::connect(&admin_url).await?;
                        sqlx::query(AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&admin)
                        .await?;
                        admin.close().await;
                        Ok::<_, sqlx::Error>(())
                    })
                    .map_err(std::io::Error::other)
                })
                .join();
            }
        }
    }
}
