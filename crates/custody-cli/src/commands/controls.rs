//! Controls (beta): `create|get|update|archive|unarchive control` and
//! `list controls`, with the Kosli CLI's flags, messages and tables.

use std::collections::BTreeMap;

use clap::Args;
use custody_api::{Control, ControlList};
use custody_client::Body;
use reqwest::Method;
use serde_json::{Value, json};

use crate::context::{Ctx, OutputArg};
use crate::output::{TabWriter, time};

/// Create a control (beta): an org-wide governance requirement that
/// decisions (`attest decision --control`) and policies (`for_control`) name.
#[derive(Debug, Args)]
pub struct CreateControl {
    #[arg(value_name = "CONTROL-IDENTIFIER")]
    identifier: String,
    /// The control's name.
    #[arg(short = 'n', long, required = true)]
    name: String,
    /// What the control checks.
    #[arg(short = 'd', long)]
    description: Option<String>,
}

impl CreateControl {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let mut body = json!({"identifier": self.identifier, "name": self.name});
        if let Some(d) = self.description.as_ref().filter(|d| !d.is_empty()) {
            body["description"] = json!(d);
        }
        let path = ["controls", org];
        if ctx
            .send(Method::POST, &path, Body::Json(body))
            .await?
            .is_some()
        {
            println!("control {} was created", self.identifier);
        }
        Ok(())
    }
}

/// Update a control (beta): only the flags given change; each update is a
/// new version.
#[derive(Debug, Args)]
pub struct UpdateControl {
    #[arg(value_name = "CONTROL-IDENTIFIER")]
    identifier: String,
    /// The new name.
    #[arg(short = 'n', long)]
    name: Option<String>,
    /// The new description.
    #[arg(short = 'd', long)]
    description: Option<String>,
    /// Links as name=url (repeatable); replaces the control's links.
    #[arg(long = "link", value_name = "NAME=URL")]
    links: Vec<String>,
}

impl UpdateControl {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        // The fields given, in name order as Kosli sends them.
        let mut body = serde_json::Map::new();
        if let Some(description) = self.description {
            body.insert("description".into(), json!(description));
        }
        if !self.links.is_empty() {
            let mut links = BTreeMap::new();
            for link in &self.links {
                let Some((name, url)) = link.split_once('=') else {
                    anyhow::bail!(
                        "invalid argument \"{link}\" for \"--link\" flag: {link} must be formatted as key=value"
                    );
                };
                links.insert(name.to_string(), url.to_string());
            }
            body.insert("links".into(), json!(links));
        }
        if let Some(name) = self.name {
            body.insert("name".into(), json!(name));
        }
        if body.is_empty() {
            anyhow::bail!("at least one of --name, --description, --link is required");
        }
        let path = ["controls", org, &self.identifier];
        let sent = ctx.send(Method::PUT, &path, Body::Json(Value::Object(body)));
        if sent.await?.is_some() {
            println!("control {} was updated", self.identifier);
        }
        Ok(())
    }
}

/// Archives (or, with `unarchive`, restores) a control.
pub async fn set_archived(ctx: &Ctx, identifier: &str, archived: bool) -> anyhow::Result<()> {
    let org = ctx.require_login()?;
    let (action, done) = if archived {
        ("archive", "archived")
    } else {
        ("unarchive", "unarchived")
    };
    let path = ["controls", org, identifier, action];
    if ctx.send(Method::POST, &path, Body::None).await?.is_some() {
        println!("control {identifier} was {done}");
    }
    Ok(())
}

/// Get a control (beta).
#[derive(Debug, Args)]
pub struct GetControl {
    #[arg(value_name = "CONTROL-IDENTIFIER")]
    identifier: String,
    #[command(flatten)]
    output: OutputArg,
}

fn pairs(map: &BTreeMap<String, String>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `get control` table, as Kosli lays it out.
fn control_table(c: &Control) -> String {
    let mut w = TabWriter::new();
    w.line(format!("Identifier:\t{}", c.identifier));
    w.line(format!("Name:\t{}", c.name));
    w.line(format!("Description:\t{}", c.description));
    w.line(format!("Version:\t{}", c.version));
    w.line(format!("Archived:\t{}", c.archived));
    w.line(format!("Created at:\t{}", time::long(c.created_at)));
    if !c.tags.is_empty() {
        w.line(format!("Tags:\t{}", pairs(&c.tags)));
    }
    if !c.links.is_empty() {
        w.line("Links:\t");
        for (name, url) in &c.links {
            w.line(format!("\t{name}:\t{url}"));
        }
    }
    if !c.policies_referencing.is_empty() {
        w.line(format!(
            "Policies referencing:\t{}",
            c.policies_referencing.join(", ")
        ));
    }
    w.render()
}

impl GetControl {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let r = ctx
            .get(&["controls", ctx.require_login()?, &self.identifier], &[])
            .await?;
        if json {
            return ctx.print_json(&r);
        }
        print!("{}", control_table(&r.json()?));
        Ok(())
    }
}

/// List the org's controls (beta), by identifier, a page at a time.
#[derive(Debug, Args)]
pub struct ListControls {
    /// Only controls whose identifier or name contains this, in any case.
    #[arg(long)]
    search: Option<String>,
    /// Only controls with this tag, as key or key:value (repeatable).
    #[arg(long)]
    tag: Vec<String>,
    /// Archived controls instead of active ones.
    #[arg(long)]
    archived: bool,
    /// asc (the default) or desc.
    #[arg(long = "sort-direction")]
    sort_direction: Option<String>,
    #[command(flatten)]
    paging: super::list::PageFlags,
    #[command(flatten)]
    output: OutputArg,
}

fn list_table(page: &ControlList) -> String {
    if page.controls.is_empty() {
        return crate::render::lists::none_found("controls", page.page);
    }
    let mut w = TabWriter::new();
    w.line("IDENTIFIER\tNAME\tDESCRIPTION\tCREATED AT");
    for c in &page.controls {
        let created = time::short(c.created_at);
        w.line(format!(
            "{}\t{}\t{}\t{created}",
            c.identifier, c.name, c.description
        ));
    }
    let footer = crate::render::lists::footer(
        u64::from(page.page),
        u64::from(page.total_pages),
        page.total_count,
        "controls",
    );
    format!("{}{footer}", w.render())
}

impl ListControls {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let json = self.output.is_json()?;
        let mut query = self.paging.query()?;
        query.extend(self.search.iter().map(|s| ("search", s.clone())));
        query.extend(self.tag.iter().map(|t| ("tag", t.clone())));
        if self.archived {
            query.push(("archived", "true".into()));
        }
        query.extend(
            self.sort_direction
                .iter()
                .map(|s| ("sort_direction", s.clone())),
        );
        let r = ctx.get(&["controls", org], &query).await?;
        if json {
            return ctx.print_json(&r);
        }
        print!("{}", list_table(&r.json()?));
        Ok(())
    }
}
