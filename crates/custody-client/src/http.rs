//! Every outgoing HTTP client of the CLI is built here, so corporate network
//! settings apply to all of them alike: the proxies of `HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (reqwest reads them), and extra
//! trusted certificate authorities from `--ca-cert` or `SSL_CERT_FILE`.

use std::sync::OnceLock;

/// Certificate authorities trusted beside the system's, set once at start.
static EXTRA_ROOTS: OnceLock<Vec<reqwest::Certificate>> = OnceLock::new();

/// Largest CA bundle read.
const MAX_BUNDLE: u64 = 16 * 1024 * 1024;

/// Trusts the certificates of a PEM bundle for every client built after
/// this; only the first call counts.
pub fn trust_bundle(path: &str) -> Result<(), String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read the CA bundle {path}: {e}"))?
        .len();
    if size > MAX_BUNDLE {
        return Err(format!("the CA bundle {path} is {size} bytes: too large"));
    }
    let pem = std::fs::read(path).map_err(|e| format!("cannot read the CA bundle {path}: {e}"))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("the CA bundle {path} is not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err(format!("the CA bundle {path} holds no certificates"));
    }
    let _ = EXTRA_ROOTS.set(certs);
    Ok(())
}

/// A client builder with Custody's user agent and the trusted extra roots.
pub fn builder() -> reqwest::ClientBuilder {
    let builder =
        reqwest::Client::builder().user_agent(concat!("Custody/", env!("CARGO_PKG_VERSION")));
    match EXTRA_ROOTS.get() {
        Some(roots) => builder.tls_certs_merge(roots.iter().cloned()),
        None => builder,
    }
}

/// A default client from [`builder`].
pub fn client() -> reqwest::Client {
    builder().build().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_bundles_are_named() {
        let dir = std::env::temp_dir().join(format!("custody-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let path = empty.display().to_string();
        assert_eq!(
            trust_bundle(&path).unwrap_err(),
            format!("the CA bundle {path} holds no certificates")
        );
        let missing = dir.join("missing.pem").display().to_string();
        assert!(
            trust_bundle(&missing)
                .unwrap_err()
                .starts_with("cannot read the CA bundle")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
