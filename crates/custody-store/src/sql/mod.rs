//! [`SqlStore`]: the store on SQLite or PostgreSQL through sqlx's `Any` driver.
//! Statements are written once in the SQL both databases share (`$n`
//! placeholders, `RETURNING`, `ON CONFLICT`); only the schema migrations and a
//! few connection settings differ per database.

mod actions;
mod artifacts;
mod attestation_list;
mod attestation_lookup;
mod attestation_types;
mod auth_buckets;
mod controls;
mod environment_admin;
mod environments;
mod evidence;
mod flow_names;
mod flows;
mod idempotency;
mod ledger;
mod ledger_records;
mod orgs;
mod outbox;
#[cfg(feature = "testing")]
mod plans;
mod policies;
mod reports;
mod repos;
mod run_checkpoints;
mod run_instances;
mod writes;

pub use attestation_list::MAX_PAGE as MAX_ATTESTATION_PAGE;
#[cfg(feature = "testing")]
pub use plans::LookupPlans;

use custody_core::Timestamp;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyArguments, AnyConnectOptions, AnyPoolOptions};
use sqlx::query::QueryAs;
use sqlx::{Any, AnyPool, AssertSqlSafe, Executor};

use crate::{PoolUse, Result, Store, StoreError};
use writes::write_tx;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// The SQL store.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl SqlStore {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…` and
    /// brings the schema up to date, with the backend's default pool size.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_pooled(url, None).await
    }

    /// [`SqlStore::connect`] with at most `max_connections` connections
    /// (default: 4 on SQLite, 10 on PostgreSQL).
    pub async fn connect_pooled(url: &str, max_connections: Option<u32>) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL '{url}': use sqlite://PATH or postgres://USER@HOST/DB"
            )));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.unwrap_or(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 10,
            }))
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Reads through a memory map instead of a read call
                        // per page; every connection maps the file, and the
                        // pages are the system's file cache, shared by all.
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA mmap_size = 1073741824;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(SqlStore { pool, backend })
    }

    /// Closes every connection (tests drop their databases afterwards).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait::async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn pool_use(&self) -> PoolUse {
        PoolUse {
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    async fn close(&self) {
        SqlStore::close(self).await;
    }

    async fn optimize(&self) -> Result<()> {
        let statement = match self.backend {
            // Every table, not only those changed since the last run; ANALYZE
            // each one whose statistics are missing or stale.
            Backend::Sqlite => "PRAGMA optimize = 0x10002",
            Backend::Postgres => "ANALYZE",
        };
        sqlx::query(statement).execute(&self.pool).await?;
        Ok(())
    }

    async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        if self.backend == Backend::Postgres {
            return Err(StoreError::Config(
                "a PostgreSQL database is backed up with pg_dump (see the README), not by Custody"
                    .into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Config(format!(
                "{} exists already: back up to a new file",
                path.display()
            )));
        }
        let file = path
            .to_str()
            .ok_or_else(|| StoreError::Config(format!("{} is not a UTF-8 path", path.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(file.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// `$start, $start+1, …` for `n` values.
fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Binds values to a query, in order.
fn bind_args<'q, T>(
    mut q: QueryAs<'q, Any, T, AnyArguments>,
    args: &[Arg],
) -> QueryAs<'q, Any, T, AnyArguments> {
    for arg in args {
        q = match arg {
            Arg::Int(i) => q.bind(*i),
            Arg::Text(s) => q.bind(s.clone()),
        };
    }
    q
}

fn ints<Id: Into<i64>>(ids: impl IntoIterator<Item = Id>) -> Vec<Arg> {
    let mut ids: Vec<i64> = ids.into_iter().map(Into::into).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().map(Arg::Int).collect()
}

fn texts(values: impl IntoIterator<Item = String>) -> Vec<Arg> {
    let mut values: Vec<String> = values.into_iter().collect();
    values.sort();
    values.dedup();
    values.into_iter().map(Arg::Text).collect()
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
fn conflict(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
    let what = what.into();
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(e),
    }
}

/// Sets the tags of row `id` of `table` (an org's `entity`: `repo`,
/// `control`): its `tags` column, its rows in `tag_table`, and a fact.
async fn set_tags(
    store: &SqlStore,
    (table, tag_table, owner_column, entity): (&str, &str, &str, &str),
    id: i64,
    tags: &std::collections::BTreeMap<String, String>,
    at: Timestamp,
) -> Result<()> {
    let tags_json = serde_json::to_string(tags).unwrap_or_default();
    let update = format!("UPDATE {table} SET tags = $1 WHERE id = $2 RETURNING org_id");
    write_tx!(store, |tx| {
        let (org_id,): (custody_core::ids::OrgId,) = sqlx::query_as(AssertSqlSafe(update.clone()))
            .bind(&tags_json)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        replace_tags(&mut tx, tag_table, owner_column, id, tags).await?;
        let data = serde_json::json!({ "tags": tags_json });
        let fact = custody_core::ledger::facts::Fact::change(entity, id, "tagged", data);
        ledger::append(&mut tx, ledger::Owner::Org(org_id), at, fact).await?;
    })
}

/// Replaces the tags of `id` in a tag table (`owner_column`, `key`, `value`).
async fn replace_tags(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    owner_column: &str,
    id: i64,
    tags: &std::collections::BTreeMap<String, String>,
) -> Result<()> {
    let delete = format!("DELETE FROM {table} WHERE {owner_column} = $1");
    sqlx::query(AssertSqlSafe(delete))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let insert = format!("INSERT INTO {table} ({owner_column}, key, value) VALUES ($1, $2, $3)");
    for (key, value) in tags {
        sqlx::query(AssertSqlSafe(insert.clone()))
            .bind(id)
            .bind(key)
            .bind(value)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A comma-separated column list with each column prefixed by `alias.`.
fn qualified(columns: &str, alias: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per multi-row statement: keeps bind counts far below both databases' limits.
const CHUNK: usize = 500;

/// A value bound to a dynamically built statement.
#[derive(Debug, Clone)]
enum Arg {
    Int(i64),
    Text(String),
}

/// A `WHERE` clause built from optional filters; `?` in a condition becomes the
/// next `$n` placeholder.
#[derive(Debug, Default)]
struct Filters {
    conditions: Vec<String>,
    args: Vec<Arg>,
}

impl Filters {
    fn new() -> Self {
        Filters::default()
    }

    /// Only rows whose `owner` id carries a tag in `table` (`owner_column`,
    /// `key`, `value`): the key, or the key with this value.
    fn tagged(
        self,
        owner: &str,
        table: &str,
        owner_column: &str,
        tag: &(String, Option<String>),
    ) -> Self {
        let select = format!("{owner} IN (SELECT {owner_column} FROM {table} WHERE key = ?");
        match &tag.1 {
            Some(v) => self.and(
                &format!("{select} AND value = ?)"),
                [Arg::Text(tag.0.clone()), Arg::Text(v.clone())],
            ),
            None => self.and(&format!("{select})"), [Arg::Text(tag.0.clone())]),
        }
    }

    fn and(mut self, condition: &str, args: impl IntoIterator<Item = Arg>) -> Self {
        let mut text = String::new();
        let mut args = args.into_iter();
        for part in condition.split_inclusive('?') {
            match part.strip_suffix('?') {
                Some(before) => {
                    let arg = args.next().expect("one argument per placeholder");
                    self.args.push(arg);
                    text.push_str(&format!("{before}${}", self.args.len()));
                }
                None => text.push_str(part),
            }
        }
        self.conditions.push(text);
        self
    }

    fn sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    fn bind<'q, T>(
        &self,
        q: QueryAs<'q, Any, T, AnyArguments>,
    ) -> QueryAs<'q, Any, T, AnyArguments> {
        bind_args(q, &self.args)
    }
}

impl SqlStore {
    /// `position of needle in haystack` (1-based, 0 when absent) in this dialect.
    fn position(&self, haystack: &str, needle: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("instr({haystack}, {needle})"),
            Backend::Postgres => format!("strpos({haystack}, {needle})"),
        }
    }

    /// Runs `sql(placeholders)` once per chunk of `values` and collects the rows:
    /// a lookup by a list costs one statement per 500 values, not one per value.
    async fn fetch_in<T>(&self, values: Vec<Arg>, sql: impl Fn(&str) -> String) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut rows = Vec::new();
        for chunk in values.chunks(CHUNK) {
            let statement = sql(&placeholders(1, chunk.len()));
            let query = bind_args(sqlx::query_as(AssertSqlSafe(statement)), chunk);
            rows.extend(query.fetch_all(&self.pool).await?);
        }
        Ok(rows)
    }

    /// One page of `select`'s rows under `filters`, in `order`, and how many
    /// rows of `from` match in all.
    async fn page_of<T>(
        &self,
        select: &str,
        from: &str,
        filters: &Filters,
        order: &str,
        page: crate::Page,
    ) -> Result<(Vec<T>, u64)>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let total = self.count(from, filters).await?;
        let sql = format!(
            "{select}{}{order} LIMIT {} OFFSET {}",
            filters.sql(),
            page.limit(),
            page.offset()
        );
        let rows = filters
            .bind(sqlx::query_as(AssertSqlSafe(sql)))
            .fetch_all(&self.pool)
            .await?;
        Ok((rows, total))
    }

    /// Runs a `SELECT COUNT(*)` with the given filters.
    async fn count(&self, from: &str, filters: &Filters) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM {from}{}", filters.sql());
        let (n,): (i64,) = filters
            .bind(sqlx::query_as(AssertSqlSafe(sql)))
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }
}
