//! `list flows|trails|artifacts|environments|snapshots|service-accounts|api-keys|attestation-types|policies|repos|controls`.

use clap::{Args, Subcommand};
use custody_api::{Artifact, Environment, EnvironmentPage, Flow, Paged, SnapshotSummary};
use serde_json::Value;

use super::accounts::{ListApiKeys, ListServiceAccounts};
use crate::context::{Ctx, OutputArg};
use crate::render;

#[derive(Debug, Subcommand)]
pub enum List {
    /// Flows of the org.
    Flows(ListFlows),
    /// Trails, newest first.
    Trails(ListTrails),
    /// Artifacts, newest first.
    Artifacts(ListArtifacts),
    /// Environments.
    #[command(visible_aliases = ["env", "envs"])]
    Environments(ListEnvironments),
    /// Snapshots of an environment, newest first.
    Snapshots(ListSnapshots),
    /// Service accounts.
    #[command(visible_aliases = ["sa", "sas", "service-account"])]
    ServiceAccounts(ListServiceAccounts),
    /// API keys of a service account.
    #[command(visible_aliases = ["ak", "aks", "api-key"])]
    ApiKeys(ListApiKeys),
    /// Custom attestation types.
    AttestationTypes(super::attestation_types::ListAttestationTypes),
    /// Environment policies.
    #[command(visible_alias = "policy")]
    Policies(super::policies::ListPolicies),
    /// Repos seen in trails and artifacts, by name.
    #[command(visible_alias = "repo")]
    Repos(super::repos::ListRepos),
    /// Controls (beta), by identifier.
    #[command(visible_alias = "control")]
    Controls(super::controls::ListControls),
    /// Actions (notifications), by number.
    #[command(visible_alias = "action")]
    Actions(super::actions::ListActions),
}

/// `--page` and `--page-limit`; paging is only asked for when one is given.
#[derive(Debug, Args)]
pub struct Paging {
    #[arg(long)]
    page: Option<u32>,
    #[arg(short = 'n', long)]
    page_limit: Option<u32>,
    #[command(flatten)]
    output: OutputArg,
}

/// `--page` (default 1) and `--page-limit` (default 15) of the lists the
/// Kosli CLI always pages (repos, controls).
#[derive(Debug, Args)]
pub struct PageFlags {
    /// The page to show.
    #[arg(long, default_value_t = 1)]
    page: u32,
    /// Items per page.
    #[arg(short = 'n', long = "page-limit", default_value_t = 15)]
    page_limit: u32,
}

impl PageFlags {
    /// `page` and `per_page`, once both are checked.
    pub fn query(&self) -> anyhow::Result<Vec<(&'static str, String)>> {
        if self.page == 0 {
            return Err(crate::usage::error(
                "page number must be a positive integer",
            ));
        }
        if self.page_limit == 0 {
            return Err(crate::usage::error("page limit must be a positive integer"));
        }
        Ok(vec![
            ("page", self.page.to_string()),
            ("per_page", self.page_limit.to_string()),
        ])
    }
}

impl Paging {
    fn query(
        &self,
        default_limit: u32,
        always: bool,
    ) -> anyhow::Result<Vec<(&'static str, String)>> {
        if self.page_limit == Some(0) {
            return Err(crate::usage::error("page limit must be a positive integer"));
        }
        if self.page == Some(0) {
            return Err(crate::usage::error(
                "page number must be a positive integer",
            ));
        }
        if !always && self.page.is_none() && self.page_limit.is_none() {
            return Ok(Vec::new());
        }
        Ok(vec![
            ("page", self.page.unwrap_or(1).to_string()),
            (
                "per_page",
                self.page_limit.unwrap_or(default_limit).to_string(),
            ),
        ])
    }

    /// `No <things> were found.`, with the page when it is not the first.
    fn none_found(&self, things: &str) -> String {
        match self.page {
            Some(p) if p != 1 => format!("No {things} were found at page number {p}."),
            _ => format!("No {things} were found."),
        }
    }
}

#[derive(Debug, Args)]
pub struct ListFlows {
    /// Only flows whose name contains this.
    #[arg(short = 'N', long)]
    name: Option<String>,
    /// Match --name ignoring case.
    #[arg(short = 'i', long, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    ignore_case: bool,
    #[command(flatten)]
    paging: Paging,
}

#[derive(Debug, Args)]
pub struct ListEnvironments {
    /// Only environments whose name contains this, in any case.
    #[arg(long)]
    name: Option<String>,
    /// Only environments of this type; repeatable, or comma-separated.
    #[arg(long = "type", value_delimiter = ',')]
    types: Vec<String>,
    /// Only environments with this tag, `key` or `key:value`; repeatable.
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Order by name (the default), last_modified_at or last_changed_at.
    #[arg(long)]
    sort: Option<String>,
    /// asc (the default) or desc.
    #[arg(long)]
    sort_direction: Option<String>,
    #[command(flatten)]
    paging: Paging,
}

impl ListEnvironments {
    /// The query: paging (when asked for) and the filters given.
    fn query(&self) -> anyhow::Result<Vec<(&'static str, String)>> {
        let mut query = self.paging.query(15, false)?;
        query.extend(self.name.iter().map(|n| ("name", n.clone())));
        query.extend(self.types.iter().map(|t| ("type", t.clone())));
        query.extend(self.tags.iter().map(|t| ("tag", t.clone())));
        query.extend(self.sort.iter().map(|s| ("sort", s.clone())));
        let direction = self.sort_direction.iter();
        query.extend(direction.map(|d| ("sort_direction", d.clone())));
        Ok(query)
    }
}

#[derive(Debug, Args)]
pub struct ListTrails {
    #[arg(short = 'f', long)]
    flow: Option<String>,
    /// Only trails holding an artifact with this fingerprint.
    #[arg(short = 'F', long)]
    fingerprint: Option<String>,
    /// Only trails of flows tagged so: key=value.
    #[arg(short = 't', long)]
    flow_tag: Option<String>,
    #[command(flatten)]
    paging: Paging,
}

#[derive(Debug, Args)]
pub struct ListArtifacts {
    #[arg(short = 'f', long)]
    flow: Option<String>,
    /// Artifacts built from the repo of this name (when no --flow), e.g. acme/app.
    #[arg(long)]
    repo: Option<String>,
    #[command(flatten)]
    paging: Paging,
}

#[derive(Debug, Args)]
pub struct ListSnapshots {
    env: String,
    /// Snapshots in an interval such as 3..7, ~5..NOW, 10.. or NOW
    #[arg(short = 'i', long)]
    interval: Option<String>,
    /// Oldest first.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    reverse: bool,
    #[command(flatten)]
    paging: Paging,
}

impl List {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            List::Flows(l) => {
                let json = l.paging.output.is_json()?;
                let mut query = l.paging.query(20, false)?;
                if let Some(n) = &l.name {
                    query.push(("search_by_name", n.clone()));
                }
                if l.ignore_case {
                    query.push(("case_sensitive", "false".into()));
                }
                let r = ctx.get(&["flows", ctx.require_login()?], &query).await?;
                if json {
                    return ctx.print_json(&r);
                }
                let (flows, paged): (Vec<Flow>, Option<(u64, u64, u64)>) =
                    if query.iter().any(|(k, _)| *k == "page") {
                        let p: Paged<Flow> = r.json()?;
                        let footer = (
                            u64::from(p.pagination.page),
                            u64::from(p.pagination.page_count),
                            p.pagination.total,
                        );
                        (p.data, Some(footer))
                    } else {
                        (r.json()?, None)
                    };
                print_list(
                    &render::lists::flows(&flows),
                    flows.is_empty(),
                    &l.paging.none_found("flows"),
                    paged,
                );
                Ok(())
            }
            List::Trails(l) => {
                let json = l.paging.output.is_json()?;
                let org = ctx.require_login()?;
                let mut query = l.paging.query(20, true)?;
                if l.flow_tag.as_ref().is_some_and(|t| !t.contains('=')) {
                    return Err(crate::usage::error(
                        "flag '--flow-tag' must be in the format of key=value",
                    ));
                }
                query.extend(l.flow.iter().map(|f| ("flow", f.clone())));
                query.extend(l.fingerprint.iter().map(|f| ("fingerprint", f.clone())));
                query.extend(l.flow_tag.iter().map(|t| ("flow_tag", t.clone())));
                let r = ctx.get(&["trails", org], &query).await?;
                if json {
                    return ctx.print_json(&r);
                }
                let p: Paged<Value> = r.json()?;
                let footer = (
                    u64::from(p.pagination.page),
                    u64::from(p.pagination.page_count),
                    p.pagination.total,
                );
                print_list(
                    &render::lists::trails(&p.data),
                    p.data.is_empty(),
                    &l.paging.none_found("trails"),
                    Some(footer),
                );
                Ok(())
            }
            List::Artifacts(l) => {
                let json = l.paging.output.is_json()?;
                let mut query = l.paging.query(15, true)?;
                match (&l.flow, &l.repo) {
                    (Some(flow), _) => query.push(("flow_name", flow.clone())),
                    (None, Some(repo)) => query.push(("repo_name", repo.clone())),
                    (None, None) => {}
                }
                let r = ctx
                    .get(&["artifacts", ctx.require_login()?], &query)
                    .await?;
                if json {
                    return ctx.print_json(&r);
                }
                let list: Vec<Artifact> = r.json()?;
                print_list(
                    &render::lists::artifacts(&list),
                    list.is_empty(),
                    &l.paging.none_found("artifacts"),
                    None,
                );
                Ok(())
            }
            List::Environments(l) => {
                let p = &l.paging;
                let json = p.output.is_json()?;
                let query = l.query()?;
                let r = ctx
                    .get(&["environments", ctx.require_login()?], &query)
                    .await?;
                if json {
                    return ctx.print_json(&r);
                }
                let (envs, paged) = if !query.iter().any(|(k, _)| *k == "page") {
                    (r.json::<Vec<Environment>>()?, None)
                } else {
                    let page: EnvironmentPage = r.json()?;
                    let footer = (
                        u64::from(page.page),
                        u64::from(page.total_pages),
                        page.total_count,
                    );
                    (page.environments, Some(footer))
                };
                print_list(
                    &render::environment::environments(&envs),
                    envs.is_empty(),
                    &p.none_found("environments"),
                    paged,
                );
                Ok(())
            }
            List::Snapshots(l) => {
                let json = l.paging.output.is_json()?;
                let mut query = l.paging.query(15, true)?;
                query.extend(l.interval.iter().map(|i| ("interval", i.clone())));
                if l.reverse {
                    query.push(("reverse", "true".into()));
                }
                let r = ctx
                    .get(&["snapshots", ctx.require_login()?, &l.env], &query)
                    .await?;
                if json {
                    return ctx.print_json(&r);
                }
                let list: Vec<SnapshotSummary> = r.json()?;
                let none = l.paging.none_found("environment snapshots");
                print_list(
                    &render::snapshot::summaries(&list),
                    list.is_empty(),
                    &none,
                    None,
                );
                Ok(())
            }
            List::ServiceAccounts(c) => c.run(ctx).await,
            List::ApiKeys(c) => c.run(ctx).await,
            List::AttestationTypes(c) => c.run(ctx).await,
            List::Policies(c) => c.run(ctx).await,
            List::Repos(c) => c.run(ctx).await,
            List::Controls(c) => c.run(ctx).await,
            List::Actions(c) => c.run(ctx).await,
        }
    }
}

fn print_list(table: &str, empty: bool, none_found: &str, paged: Option<(u64, u64, u64)>) {
    if empty {
        println!("{none_found}");
        return;
    }
    print!("{table}");
    if let Some((page, pages, total)) = paged {
        print!("{}", render::lists::footer(page, pages, total, "items"));
    }
}
