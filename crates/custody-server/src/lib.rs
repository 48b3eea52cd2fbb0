//! The Custody server: the Kosli API v2 over a [`Store`](custody_store::Store).
//! [`serve`] runs it on a listener (tests bind `127.0.0.1:0`); [`admin`] holds
//! the operator's bootstrap actions that work on the database directly.

pub mod admin;
mod auth;
pub mod body;
mod docs;
mod error;
pub mod evidence;
mod guards;
mod idempotency;
mod lookup;
mod public_id;
mod routes;
pub mod settings;
mod state;
pub mod throttle;
mod web;

use std::future::Future;
use std::sync::Arc;

use custody_store::{SqlStore, Store, StoreError};
use tokio::net::TcpListener;

pub use auth::hash_key;
pub use routes::router;
pub use state::{AppState, Clock};

/// Opens the database a URL names and brings its schema up to date.
pub async fn open_store(database_url: &str) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(SqlStore::connect(database_url).await?))
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
