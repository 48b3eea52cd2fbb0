//! A small Azure client for `snapshot azure`, on reqwest: a service
//! principal's OAuth2 client-credentials token, the Web and Function apps of a
//! resource group from Azure Resource Manager, and the Kudu (SCM) endpoints of
//! an app for its docker logs and site package. `AZURE_AUTHORITY_HOST`,
//! `CUSTODY_AZURE_ARM_URL` and `CUSTODY_AZURE_SCM_URL` (with `{app}` for the
//! app name) point it at sovereign clouds or fakes.

pub mod unzip;

use anyhow::{Context, anyhow, bail};
use reqwest::{Response, Url};
use serde_json::Value;

/// The ARM API version of the `Microsoft.Web/sites` requests.
const API_VERSION: &str = "2022-03-01";

/// Who signs in and which resource group is read.
pub struct Principal<'a> {
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub subscription: &'a str,
    pub resource_group: &'a str,
}

/// An app of the resource group, as ARM lists it.
pub struct Site {
    pub name: String,
    /// `kind` verbatim, e.g. `app,linux,container` or `functionapp,linux`.
    pub kind: String,
    pub running: bool,
    /// `siteConfig.linuxFxVersion`, e.g. `DOCKER|myacr.azurecr.io/web:1.2`.
    pub linux_fx_version: String,
}

/// A signed-in client for one resource group.
pub struct Client {
    http: reqwest::Client,
    token: String,
    sites_url: String,
}

fn setting(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
        .trim_end_matches('/')
        .to_string()
}

/// The body of a successful response, else an error naming the status and Azure's message.
async fn checked(response: Response) -> anyhow::Result<Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let error = &body["error"];
    let (code, message) = match error {
        Value::Object(_) => (&error["code"], &error["message"]),
        _ => (error, &body["error_description"]),
    };
    let detail = [code, message]
        .iter()
        .filter_map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(": ");
    bail!(
        "{status}{}",
        if detail.is_empty() {
            String::new()
        } else {
            format!(": {detail}")
        }
    )
}

impl Client {
    /// Signs in with the service principal's secret.
    pub async fn login(principal: &Principal<'_>) -> anyhow::Result<Client> {
        let http = custody_client::http::client();
        let authority = setting("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com");
        let arm = setting("CUSTODY_AZURE_ARM_URL", "https://management.azure.com");
        let mut form = Url::parse("http://form/")?;
        form.query_pairs_mut().extend_pairs([
            ("grant_type", "client_credentials"),
            ("client_id", principal.client_id),
            ("client_secret", principal.client_secret),
            ("scope", "https://management.azure.com/.default"),
        ]);
        let url = format!("{authority}/{}/oauth2/v2.0/token", principal.tenant);
        let token = async {
            let response = http
                .post(&url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(form.query().unwrap_or_default().to_string())
                .send()
                .await
                .with_context(|| format!("cannot reach {url}"))?;
            let body: Value = checked(response).await?.json().await?;
            body["access_token"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| anyhow!("no access_token in the response"))
        }
        .await
        .map_err(|e| anyhow!("failed to get an Azure access token: {e:#}"))?;
        let sites_url = format!(
            "{arm}/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Web/sites",
            principal.subscription, principal.resource_group
        );
        Ok(Client {
            http,
            token,
            sites_url,
        })
    }

    /// A GET with the bearer token; errors name the URL.
    async fn get(&self, url: &str) -> anyhow::Result<Response> {
        let response = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("cannot reach {url}"))?;
        checked(response)
            .await
            .with_context(|| format!("GET {url}"))
    }

    /// Every Web and Function app of the resource group (all pages).
    pub async fn sites(&self) -> anyhow::Result<Vec<Site>> {
        let mut sites = Vec::new();
        let mut next = Some(format!("{}?api-version={API_VERSION}", self.sites_url));
        while let Some(url) = next {
            let page: Value = self.get(&url).await?.json().await?;
            for site in page["value"].as_array().into_iter().flatten() {
                let name = site["name"].as_str().unwrap_or_default().to_string();
                let inline = &site["properties"]["siteConfig"]["linuxFxVersion"];
                let linux_fx_version = match inline.as_str().filter(|v| !v.is_empty()) {
                    Some(v) => v.to_string(),
                    None => self.linux_fx_version(&name).await?,
                };
                sites.push(Site {
                    kind: site["kind"].as_str().unwrap_or_default().to_string(),
                    running: site["properties"]["state"]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case("running")),
                    name,
                    linux_fx_version,
                });
            }
            next = page["nextLink"].as_str().map(str::to_string);
        }
        Ok(sites)
    }

    /// `linuxFxVersion` from the app's `config/web`, when the listing leaves it out.
    async fn linux_fx_version(&self, app: &str) -> anyhow::Result<String> {
        let url = format!(
            "{}/{app}/config/web?api-version={API_VERSION}",
            self.sites_url
        );
        let config: Value = self.get(&url).await?.json().await?;
        Ok(config["properties"]["linuxFxVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// The Kudu base URL of an app.
    fn scm(app: &str) -> String {
        setting(
            "CUSTODY_AZURE_SCM_URL",
            "https://{app}.scm.azurewebsites.net",
        )
        .replace("{app}", app)
    }

    /// The app's newest docker (platform) log, if any: from the log listing,
    /// or with `zipped` from the zip of all docker logs.
    pub async fn docker_log(&self, app: &str, zipped: bool) -> anyhow::Result<Option<String>> {
        let is_platform_log =
            |name: &str| name.ends_with("_docker.log") && !name.ends_with("_default_docker.log");
        let base = Self::scm(app);
        if zipped {
            let data = self
                .get(&format!("{base}/api/logs/docker/zip"))
                .await?
                .bytes()
                .await?;
            let mut logs = unzip::entries(&data)?;
            logs.retain(|(name, _)| is_platform_log(name));
            logs.sort_by(|a, b| a.0.cmp(&b.0));
            return Ok(logs
                .pop()
                .map(|(_, text)| String::from_utf8_lossy(&text).into_owned()));
        }
        let listing: Value = self
            .get(&format!("{base}/api/logs/docker"))
            .await?
            .json()
            .await?;
        let newest = listing
            .as_array()
            .into_iter()
            .flatten()
            .filter(|l| l["path"].as_str().is_some_and(is_platform_log))
            .max_by_key(|l| l["lastUpdated"].as_str().unwrap_or_default().to_string());
        let Some(href) = newest.and_then(|l| l["href"].as_str()) else {
            return Ok(None);
        };
        Ok(Some(self.get(href).await?.text().await?))
    }

    /// The zip of the app's deployed site (`wwwroot`).
    pub async fn site_package(&self, app: &str) -> anyhow::Result<Vec<u8>> {
        let url = format!("{}/api/zip/site/wwwroot/", Self::scm(app));
        Ok(self.get(&url).await?.bytes().await?.to_vec())
    }
}
