//! `custody server --demo`: loads the cyber-dojo organization of the tutorial
//! once, through the real API, with the server's clock replaying its history.

use custody_client::Client;
use custody_core::Timestamp;
use custody_server::{AppState, admin, hash_key, serve};
use tokio::net::TcpListener;

/// The demo organization.
pub const DEMO_ORG: &str = "cyber-dojo";
/// The demo's published API key (member role): for trying Custody out only.
pub const DEMO_TOKEN: &str = "cyber-dojo-demo-key";

/// Loads the demo unless the org exists, then says how to point the CLI at it.
pub async fn ensure_loaded(state: &AppState, host: &str) -> anyhow::Result<()> {
    let store = state.store.as_ref();
    if store.org(DEMO_ORG).await?.is_some() {
        tracing::info!("the demo organization '{DEMO_ORG}' is already loaded");
    } else {
        let now = state.now();
        admin::create_org(store, DEMO_ORG, now)
            .await
            .map_err(anyhow::Error::msg)?;
        let org = store
            .org(DEMO_ORG)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo org vanished"))?;
        let account = store
            .create_service_account(
                org.id,
                "demo",
                Some("demo data"),
                custody_core::Role::Member,
                now,
            )
            .await?;
        store
            .create_api_key(
                account.id,
                "demo",
                &hash_key(DEMO_TOKEN),
                "published demo key",
                now,
                None,
            )
            .await?;
        tracing::info!("loading the demo organization '{DEMO_ORG}'");
        load(state).await?;
    }
    tracing::info!(
        "point the CLI at the demo with: export CUSTODY_HOST={host} CUSTODY_ORG={DEMO_ORG} CUSTODY_API_TOKEN={DEMO_TOKEN}; then try `custody get artifact runner:16d9990` (TZ=Europe/Berlin shows the tutorial's times)"
    );
    tracing::info!(
        "or open {}/ in a browser and sign in with the key {DEMO_TOKEN}",
        state.public_url
    );
    Ok(())
}

/// Replays the demo through the API on a private port, then returns the clock to real time.
async fn load(state: &AppState) -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stop_signal = async {
        let _ = stopped.await;
    };
    let server = tokio::spawn(serve(
        listener,
        state.clone().without_request_log(),
        stop_signal,
        std::time::Duration::from_secs(5),
    ));
    let client = Client::new(&url, Some(DEMO_TOKEN.to_string()), 3)?;
    let clock = state.clock.clone();
    let loaded = custody_demo::load(&client, DEMO_ORG, &|t| {
        clock.replay_at(Timestamp::from_seconds(t))
    })
    .await;
    clock.follow_system();
    let _ = stop.send(());
    server.await??;
    let summary = loaded?;
    tracing::info!("loaded {summary}");
    Ok(())
}
