//! Lambda over its REST JSON API: `ListFunctions` (paged by `Marker`) and
//! `GetFunctionConfiguration` for each selected function, turned into Kosli's
//! lambda report entries (`CodeSha256` decoded to hex for Zip packages).

use anyhow::{Context, anyhow};
use base64::Engine;
use reqwest::{Method, Url};
use serde_json::{Value, json};

use super::sigv4::uri_encode;
use super::{Client, NameFilter};

/// Seconds since the epoch of a `LastModified` value: AWS's
/// `2006-01-02T15:04:05.000+0000`, or RFC 3339 as compatible clouds send.
pub fn last_modified(text: &str) -> anyhow::Result<i64> {
    let parsed = jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", text)
        .and_then(|t| t.to_timestamp())
        .or_else(|_| text.parse::<jiff::Timestamp>());
    parsed
        .map(|t| t.as_second())
        .map_err(|e| anyhow!("cannot parse LastModified '{text}': {e}"))
}

/// The report entry of a function configuration.
pub fn function_entry(config: &Value) -> anyhow::Result<Value> {
    let name = config["FunctionName"].as_str().unwrap_or_default();
    let sha = config["CodeSha256"].as_str().unwrap_or_default();
    let digest = if config["PackageType"].as_str() == Some("Image") {
        sha.to_string()
    } else {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sha)
            .with_context(|| format!("function {name}: invalid CodeSha256 '{sha}'"))?;
        hex::encode(bytes)
    };
    let timestamp = last_modified(config["LastModified"].as_str().unwrap_or_default())?;
    Ok(json!({"digests": {name: digest}, "creationTimestamp": timestamp}))
}

impl Client {
    async fn lambda_get(&self, path: &str, query: &[(&str, &str)]) -> anyhow::Result<Value> {
        let (base, _) = self.endpoint("lambda");
        let url = Url::parse_with_params(&format!("{base}{path}"), query)?;
        let bytes = self
            .send("lambda", Method::GET, url, vec![], vec![])
            .await?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// The report entries of the functions the filter keeps.
    pub async fn lambda_functions(&self, filter: &NameFilter) -> anyhow::Result<Vec<Value>> {
        let mut names = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let query: Vec<(&str, &str)> = marker.iter().map(|m| ("Marker", m.as_str())).collect();
            let page = self.lambda_get("/2015-03-31/functions/", &query).await?;
            let functions = page["Functions"].as_array().into_iter().flatten();
            names.extend(
                functions
                    .filter_map(|f| f["FunctionName"].as_str())
                    .filter(|n| filter.keeps(n))
                    .map(str::to_string),
            );
            marker = page["NextMarker"].as_str().map(str::to_string);
            if marker.is_none() {
                break;
            }
        }
        let configs = names.iter().map(|name| async move {
            let path = format!(
                "/2015-03-31/functions/{}/configuration",
                uri_encode(name, false)
            );
            function_entry(&self.lambda_get(&path, &[]).await?)
        });
        futures::future::try_join_all(configs).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_digests_are_decoded_and_image_digests_kept() {
        let zip = json!({"FunctionName": "f", "PackageType": "Zip",
            "CodeSha256": "AWVaBUg/eT94XrDDg3AnTqx4JnfWiHLR5devWBetCSk=",
            "LastModified": "2023-01-02T03:04:05.000+0000"});
        let hex = "01655a05483f793f785eb0c38370274eac782677d68872d1e5d7af5817ad0929";
        assert_eq!(
            function_entry(&zip).unwrap(),
            json!({"digests": {"f": hex}, "creationTimestamp": 1_672_628_645})
        );
        let image = json!({"FunctionName": "g", "PackageType": "Image", "CodeSha256": "abc",
            "LastModified": "2023-01-02T03:04:05.5Z"});
        assert_eq!(function_entry(&image).unwrap()["digests"]["g"], "abc");
        assert!(last_modified("yesterday").is_err());
    }
}
