//! What every command needs: the resolved global flags, an API client and the
//! conventions around requests — dry-run printing, debug payloads and JSON output.

use clap::Args;
use custody_client::{Body, Client, FormBody, Response};
use reqwest::Method;
use serde_json::Value;

use crate::output::json_pretty;

/// The server a fresh `custody server` listens on.
pub const DEFAULT_HOST: &str = "http://127.0.0.1:8080";

/// Flags every command accepts. Each can also come from `CUSTODY_<FLAG>`,
/// `KOSLI_<FLAG>` or the config file.
#[derive(Debug, Clone, Args)]
pub struct Globals {
    /// The Custody server's address.
    #[arg(short = 'H', long, global = true, default_value = DEFAULT_HOST)]
    pub host: String,
    /// The organization.
    #[arg(long, global = true, default_value = "")]
    pub org: String,
    /// The API key. The value DRY_RUN turns on --dry-run.
    #[arg(
        short = 'a',
        long,
        global = true,
        default_value = "",
        hide_default_value = true
    )]
    pub api_token: String,
    /// How many times to retry when the server is unreachable or busy.
    #[arg(short = 'r', long, global = true, default_value_t = 3)]
    pub max_api_retries: u32,
    /// A YAML, JSON or TOML file of flag values (default ~/.custody.yml, else ~/.kosli.yml).
    #[arg(short = 'c', long, global = true)]
    pub config_file: Option<String>,
    /// Print debug information (requests and payloads) on stderr.
    #[arg(long, global = true, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub debug: bool,
    /// Do not send changes; print what would be sent.
    #[arg(short = 'D', long, global = true, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub dry_run: bool,
    /// Hide warnings.
    #[arg(short = 'q', long, global = true, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub quiet: bool,
    /// A PEM bundle of certificate authorities to trust beside the system's, for
    /// every request (default: $SSL_CERT_FILE). Proxies come from HTTPS_PROXY,
    /// HTTP_PROXY, ALL_PROXY and NO_PROXY.
    #[arg(long, global = true)]
    pub ca_cert: Option<String>,
}

/// `--output table|json`, on read commands.
#[derive(Debug, Clone, Args)]
pub struct OutputArg {
    /// table or json.
    #[arg(short = 'o', long, default_value = "table")]
    pub output: String,
}

impl OutputArg {
    pub fn is_json(&self) -> anyhow::Result<bool> {
        match self.output.as_str() {
            "table" => Ok(false),
            "json" => Ok(true),
            other => anyhow::bail!("unsupported output format: {other}"),
        }
    }
}

/// A command's view of the world.
pub struct Ctx {
    pub globals: Globals,
    pub client: Client,
}

impl Ctx {
    pub fn new(globals: Globals) -> anyhow::Result<Self> {
        match &globals.ca_cert {
            Some(path) => custody_client::http::trust_bundle(path).map_err(anyhow::Error::msg)?,
            None => {
                let from_env = std::env::var("SSL_CERT_FILE")
                    .ok()
                    .filter(|f| !f.is_empty());
                if let Some(Err(why)) = from_env.map(|p| custody_client::http::trust_bundle(&p)) {
                    eprintln!("[warning] SSL_CERT_FILE: {why}");
                }
            }
        }
        let mut client = Client::new(
            &globals.host,
            Some(globals.api_token.clone()),
            globals.max_api_retries,
        )?;
        client.debug = globals.debug;
        client.upload_progress = crate::progress_bar::upload_bar(globals.quiet);
        Ok(Ctx { globals, client })
    }

    pub fn dry_run(&self) -> bool {
        self.globals.dry_run || self.globals.api_token == "DRY_RUN"
    }

    /// Checks `--org` and `--api-token` for commands that talk to the server.
    pub fn require_login(&self) -> anyhow::Result<&str> {
        if self.globals.org.is_empty() {
            return Err(crate::usage::error("--org is not set"));
        }
        if self.globals.api_token.is_empty() {
            return Err(crate::usage::error("--api-token is not set"));
        }
        Ok(&self.globals.org)
    }

    pub fn warn(&self, message: &str) {
        if !self.globals.quiet || self.globals.debug {
            eprintln!("[warning] {message}");
        }
    }

    /// `GET /api/v2/<segments>?<query>`.
    pub async fn get(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> anyhow::Result<Response> {
        let mut url = self.client.api_url(segments);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(self.client.get(url).await?)
    }

    /// Sends a change, or prints it under --dry-run (then returns `None`).
    pub async fn send(
        &self,
        method: Method,
        segments: &[&str],
        body: Body,
    ) -> anyhow::Result<Option<Response>> {
        let url = self.client.api_url(segments);
        if self.dry_run() {
            println!("############### THIS IS A DRY-RUN  ###############");
            println!("the request would have been sent to: {url}");
            print_payload(
                "this is the payload that would be sent in a real run: ",
                &body,
            );
            return Ok(None);
        }
        if self.globals.debug {
            eprintln!("############### PAYLOAD ###############");
            eprintln!("payload sent to: {method} {url}");
            print_payload_to_stderr(&body);
        }
        Ok(Some(self.client.send(method, url, &body).await?))
    }

    /// Prints a server body for `--output json`: re-indented, no trailing newline.
    pub fn print_json(&self, response: &Response) -> anyhow::Result<()> {
        print!("{}", json_pretty(&response.body)?);
        Ok(())
    }
}

/// JSON indented with four spaces, as dry-run and debug payloads are shown.
fn indented(value: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    match serde::Serialize::serialize(value, &mut serializer) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(_) => value.to_string(),
    }
}

fn payload_text(body: &Body) -> String {
    match body {
        Body::None => String::new(),
        Body::Json(v) => format!(" {}", indented(v)),
        Body::Form(FormBody { fields, .. }) => fields
            .iter()
            .map(|(name, v)| format!("Field: {name}, Value: {}", indented(v)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn print_payload(header: &str, body: &Body) {
    println!("{header}\n{}", payload_text(body));
}

fn print_payload_to_stderr(body: &Body) {
    eprintln!("this is the payload being sent: \n{}", payload_text(body));
}
