//! Container image fingerprints: `docker` asks the local daemon for the
//! image's repo digest, `oci` asks the registry for the manifest digest.
//! Both give the 64 hex characters after `sha256:`.

pub mod docker;
mod docker_config;
pub mod registry;

pub use registry::Credentials;

/// The fingerprint of image `name` for artifact type `docker` or `oci`. As in
/// Kosli, `docker` with registry credentials asks the registry instead.
pub async fn fingerprint(
    kind: &str,
    name: &str,
    credentials: Option<Credentials>,
) -> anyhow::Result<String> {
    if kind == "docker" && credentials.is_none() {
        docker::Daemon::from_env()?.digest(name).await
    } else {
        registry::digest(name, credentials).await
    }
}
