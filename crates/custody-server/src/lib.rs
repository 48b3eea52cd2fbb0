//! The Custody server: the Kosli API v2 over a [`Store`](custody_store::Store).
//! [`serve`] runs it on a listener (tests bind `127.0.0.1:0`) until told to
//! stop; [`config`] is what it runs with; [`admin`] holds the operator's
//! bootstrap actions that work on the database directly.

pub mod admin;
mod auth;
pub mod body;
mod cidr;
pub mod client_address;
pub mod config;
mod docs;
mod error;
pub mod evidence;
mod guards;
mod idempotency;
mod lifecycle;
mod lookup;
pub mod maintenance;
pub mod notify;
mod public_id;
mod routes;
pub mod settings;
pub mod spool;
mod state;
pub mod telemetry;
pub mod throttle;
mod web;

use std::sync::Arc;

use custody_store::{SqlStore, Store, StoreError};

pub use auth::hash_key;
pub use lifecycle::{serve, shutdown_signal};
pub use routes::router;
pub use state::{AppState, Clock};

/// Opens the database a URL names and brings its schema up to date.
pub async fn open_store(database_url: &str) -> Result<Arc<dyn Store>, StoreError> {
    open_store_pooled(database_url, None).await
}

/// [`open_store`] with at most `pool_size` connections (the store's default when `None`).
pub async fn open_store_pooled(
    database_url: &str,
    pool_size: Option<u32>,
) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(
        SqlStore::connect_pooled(database_url, pool_size).await?,
    ))
}
