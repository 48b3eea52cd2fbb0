//! `begin trail NAME --flow F`: begins a trail of a flow, or updates it when it
//! exists, with its description, template, user data, commit, origin URL,
//! links and repository, sent as the multipart `data_json` (+ `template_file`)
//! of `PUT /trails/{org}/{flow}`.

use std::path::Path;

use anyhow::anyhow;
use clap::{Args, Subcommand};
use custody_api::TrailBegin;
use custody_client::{Body, FileContent, FormBody};
use reqwest::Method;

use super::attest::common::{load_json, non_empty, wire};
use super::attest::flags::{CommitFlags, LinkFlags, RepoFlags};
use crate::ci;
use crate::context::Ctx;
use crate::output::io_text;

#[derive(Debug, Subcommand)]
pub enum Begin {
    /// Begin a trail of a flow (or update it).
    Trail(BeginTrail),
}

impl Begin {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Begin::Trail(c) => c.run(ctx).await,
        }
    }
}

#[derive(Debug, Args)]
pub struct BeginTrail {
    /// The trail's name.
    #[arg(value_name = "TRAIL-NAME")]
    name: String,
    /// The flow.
    #[arg(long)]
    flow: String,
    /// What the trail is.
    #[arg(long)]
    description: Option<String>,
    /// A `version: 1` YAML template for this trail [default: the flow's].
    #[arg(short = 'f', long)]
    template_file: Option<String>,
    /// A JSON file of extra data.
    #[arg(short = 'u', long)]
    user_data: Option<String>,
    /// Where the trail was begun [default: the CI build URL].
    #[arg(short = 'o', long)]
    origin_url: Option<String>,
    #[command(flatten)]
    commit: CommitFlags,
    #[command(flatten)]
    links: LinkFlags,
    #[command(flatten)]
    repo: RepoFlags,
}

impl BeginTrail {
    /// The `data_json` part.
    fn payload(&self, ctx: &Ctx, name: String) -> anyhow::Result<TrailBegin> {
        let user_data = self.user_data.as_deref().map(load_json).transpose()?;
        let git_commit_info = self
            .commit
            .reference()
            .map(|r| self.commit.info(&r))
            .transpose()?;
        Ok(TrailBegin {
            name,
            description: non_empty(self.description.clone()),
            user_data,
            git_commit_info,
            repo_info: self.repo.info(ctx)?,
            external_urls: self.links.urls()?,
            origin_url: non_empty(self.origin_url.clone().or_else(|| ci::default("build-url"))),
        })
    }

    /// The `template_file` part, when a template is given.
    fn template(&self) -> anyhow::Result<Vec<(String, String, FileContent)>> {
        let Some(path) = &self.template_file else {
            return Ok(Vec::new());
        };
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow!("failed to open template file {path}: {}", io_text(&e)))?;
        let filename = Path::new(path)
            .file_name()
            .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
        Ok(vec![("template_file".to_string(), filename, bytes.into())])
    }

    async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let name = self.name.clone();
        let org = ctx.require_login()?.to_string();
        self.commit.check_redaction()?;
        self.repo.check()?;
        let payload = self.payload(ctx, name)?;
        let form = FormBody {
            fields: vec![("data_json".to_string(), wire(&payload)?)],
            files: self.template()?,
        };
        if let Some(response) = ctx
            .send(Method::PUT, &["trails", &org, &self.flow], Body::Form(form))
            .await?
        {
            let verb = if response.status == 200 {
                "updated"
            } else {
                "begun"
            };
            println!("trail '{}' was {verb}", payload.name);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use serde_json::json;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        begin: Begin,
        #[command(flatten)]
        globals: crate::Globals,
    }

    fn parse(args: &[&str]) -> (BeginTrail, Ctx) {
        let cli =
            Cli::try_parse_from(["begin", "trail", "--quiet=true"].iter().chain(args)).unwrap();
        let Begin::Trail(trail) = cli.begin;
        (trail, Ctx::new(cli.globals).unwrap())
    }

    #[test]
    fn the_payload_leaves_out_what_was_not_given() {
        let (trail, ctx) = parse(&[
            "t-1",
            "--flow",
            "f",
            "--description",
            "build 1",
            "-o",
            "https://ci/1",
        ]);
        let value = wire(&trail.payload(&ctx, "t-1".into()).unwrap()).unwrap();
        assert_eq!(value["name"], "t-1");
        assert_eq!(value["description"], "build 1");
        assert_eq!(value["origin_url"], "https://ci/1");
        assert!(value.get("user_data").is_none() && value.get("external_urls").is_none());
        assert!(trail.template().unwrap().is_empty());
    }

    #[test]
    fn links_user_data_and_template_are_attached() {
        let dir = std::env::temp_dir().join(format!("custody-begin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("data.json"), r#"{"k": 1}"#).unwrap();
        std::fs::write(dir.join("tpl.yml"), "version: 1\n").unwrap();
        let data = dir.join("data.json").display().to_string();
        let tpl = dir.join("tpl.yml").display().to_string();
        let (trail, ctx) = parse(&[
            "t",
            "--flow",
            "f",
            "-u",
            &data,
            "-f",
            &tpl,
            "--external-url",
            "doc=https://d",
        ]);
        let value = wire(&trail.payload(&ctx, "t".into()).unwrap()).unwrap();
        assert_eq!(value["user_data"], json!({"k": 1}));
        assert_eq!(
            value["external_urls"],
            json!({"doc": {"href": "https://d"}})
        );
        let files = trail.template().unwrap();
        assert_eq!(
            (files[0].0.as_str(), files[0].1.as_str()),
            ("template_file", "tpl.yml")
        );
        assert!(matches!(&files[0].2, FileContent::Bytes(b) if b == b"version: 1\n"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
