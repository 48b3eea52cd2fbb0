//! Registry credentials as Docker keeps them in `~/.docker/config.json` (or
//! `$DOCKER_CONFIG/config.json`): the registry's own credential helper
//! (`credHelpers`), else the global store (`credsStore`), else the `auth` of
//! `auths`. A helper is `docker-credential-<name> get`, given the server on
//! stdin and answering `{"Username", "Secret"}`; it is bounded in time and
//! output, and a helper that fails or knows nothing leaves the file's entry.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use base64::Engine;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::registry::Credentials;

/// How long a credential helper may take.
const HELPER_TIME: Duration = Duration::from_secs(30);
/// The most a helper may print.
const HELPER_OUTPUT: u64 = 64 * 1024;

fn config() -> Option<Value> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))?;
    serde_json::from_slice(&std::fs::read(dir.join("config.json")).ok()?).ok()
}

/// The names a registry goes by in the config and to helpers; the first is
/// what helpers are asked for.
fn server_names(registry: &str) -> Vec<String> {
    match registry {
        "docker.io" => vec![
            "https://index.docker.io/v1/".into(),
            "index.docker.io".into(),
            "docker.io".into(),
        ],
        r => vec![r.into(), format!("https://{r}"), format!("http://{r}")],
    }
}

/// Credentials for `registry`, if Docker has any.
pub async fn stored_credentials(registry: &str) -> Option<Credentials> {
    let config = config()?;
    let names = server_names(registry);
    let helper = names
        .iter()
        .find_map(|n| config["credHelpers"][n].as_str())
        .or_else(|| config["credsStore"].as_str())
        .filter(|h| !h.is_empty());
    if let Some(helper) = helper {
        match ask_helper(helper, &names[0]).await {
            Ok(found) => return Some(found),
            Err(why) => eprintln!("[warning] docker credential helper '{helper}': {why}"),
        }
    }
    let auths = config.get("auths")?.as_object()?;
    let auth = names
        .iter()
        .find_map(|k| auths.get(k)?.get("auth")?.as_str())?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .ok()?;
    let (username, password) = String::from_utf8(decoded)
        .ok()?
        .split_once(':')
        .map(|(u, p)| (u.to_string(), p.to_string()))?;
    Some(Credentials { username, password })
}

/// Runs `docker-credential-<helper> get` for `server`.
async fn ask_helper(helper: &str, server: &str) -> Result<Credentials, String> {
    if !helper
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("not a helper name".into());
    }
    let program = format!("docker-credential-{helper}");
    let mut child = tokio::process::Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let talk = async {
        stdin
            .write_all(server.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        drop(stdin);
        let mut out = Vec::new();
        (&mut stdout)
            .take(HELPER_OUTPUT)
            .read_to_end(&mut out)
            .await
            .map_err(|e| e.to_string())?;
        let status = child.wait().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((status, out))
    };
    let (status, out) = tokio::time::timeout(HELPER_TIME, talk)
        .await
        .map_err(|_| format!("{program} did not answer within {}s", HELPER_TIME.as_secs()))??;
    if !status.success() {
        let said = String::from_utf8_lossy(&out).trim().to_string();
        return Err(format!(
            "{program} found no credentials for {server}: {said}"
        ));
    }
    let answer: Value =
        serde_json::from_slice(&out).map_err(|e| format!("{program} answered no JSON: {e}"))?;
    match (answer["Username"].as_str(), answer["Secret"].as_str()) {
        (Some(user), Some(secret)) if !secret.is_empty() => Ok(Credentials {
            username: user.to_string(),
            password: secret.to_string(),
        }),
        _ => Err(format!("{program} answered without Username and Secret")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_goes_by_its_legacy_index_url() {
        assert_eq!(server_names("docker.io")[0], "https://index.docker.io/v1/");
        assert_eq!(server_names("ghcr.io")[0], "ghcr.io");
    }

    #[tokio::test]
    async fn helper_names_cannot_reach_other_programs() {
        let refused = ask_helper("../../bin/sh", "ghcr.io").await.unwrap_err();
        assert_eq!(refused, "not a helper name");
        let missing = ask_helper("no-such-helper-here", "ghcr.io")
            .await
            .unwrap_err();
        assert!(
            missing.starts_with("cannot run docker-credential-no-such-helper-here"),
            "{missing}"
        );
    }
}
