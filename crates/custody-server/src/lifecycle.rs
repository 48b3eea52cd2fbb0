//! Serving until told to stop. [`serve`] stops accepting connections when its
//! `shutdown` future completes, lets the requests in flight finish within a
//! grace period, then returns; [`shutdown_signal`] is that future for a
//! process: SIGTERM (what Kubernetes and systemd send) or SIGINT (Ctrl-C).

use std::future::{Future, IntoFuture};
use std::time::Duration;

use tokio::net::TcpListener;

use crate::routes::router;
use crate::state::AppState;

/// A task stopped when this is dropped, however serving ends.
struct StopOnDrop(tokio::task::JoinHandle<()>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Serves the API and web UI on `listener` until `shutdown` completes, then
/// waits at most `grace` for the requests in flight; delivers actions'
/// notifications meanwhile.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let _notifications = StopOnDrop(crate::notify::deliver_notifications(state.clone()));
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let (stopping, stop_seen) = tokio::sync::oneshot::channel::<()>();
    let watch = async move {
        shutdown.await;
        tracing::debug!(
            grace_seconds = grace.as_secs(),
            "no new connections; finishing requests in flight"
        );
        let _ = stopping.send(());
    };
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(watch)
        .into_future();
    tokio::pin!(server);
    tokio::select! {
        served = &mut server => return served,
        _ = stop_seen => {}
    }
    match tokio::time::timeout(grace, server).await {
        Ok(served) => served,
        Err(_) => {
            tracing::warn!(
                grace_seconds = grace.as_secs(),
                "requests still in flight after the grace period were cut off"
            );
            Ok(())
        }
    }
}

/// A future that completes on the first SIGTERM or SIGINT. The handlers are
/// installed when this is called, so a signal sent right after is caught.
#[cfg(unix)]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let terminate = signal(SignalKind::terminate());
    let interrupt = signal(SignalKind::interrupt());
    async move {
        match (terminate, interrupt) {
            (Ok(mut terminate), Ok(mut interrupt)) => {
                tokio::select! {
                    _ = terminate.recv() => tracing::info!("SIGTERM received: shutting down, finishing requests in flight"),
                    _ = interrupt.recv() => tracing::info!("SIGINT received: shutting down, finishing requests in flight"),
                }
            }
            (terminate, interrupt) => {
                let e = terminate.err().or(interrupt.err());
                tracing::warn!(error = ?e, "cannot listen for SIGTERM and SIGINT; stop the server with SIGKILL");
                std::future::pending::<()>().await;
            }
        }
    }
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
