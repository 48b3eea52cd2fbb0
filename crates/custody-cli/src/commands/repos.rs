//! `get repo` and `list repos`: the repositories the server has seen in
//! trails and artifacts, by name (with `--provider` when several share it)
//! or by Custody's id, and paged lists with Kosli's filters.

use clap::Args;
use custody_api::{Repo, RepoList};

use crate::context::{Ctx, OutputArg};
use crate::render::repos;

/// Get a repo, by name or by Custody's id (`--repo-id`).
#[derive(Debug, Args)]
pub struct GetRepo {
    /// The repo's name, e.g. acme/app.
    #[arg(value_name = "REPO-NAME")]
    name: Option<String>,
    /// The repo's VCS provider, when several repos share the name.
    #[arg(long)]
    provider: Option<String>,
    /// Custody's id of the repo (as `get repo` shows it), instead of a name.
    #[arg(long = "repo-id")]
    repo_id: Option<String>,
    #[command(flatten)]
    output: OutputArg,
}

/// Resolves a repo name to Custody's id of it, as `tag repo` needs.
pub async fn id_of(ctx: &Ctx, name: &str, provider: Option<&str>) -> anyhow::Result<String> {
    let query: Vec<(&str, String)> = provider
        .map(|p| ("provider", p.to_string()))
        .into_iter()
        .collect();
    let repo: Repo = ctx
        .get(&["repos", ctx.require_login()?, name], &query)
        .await?
        .json()?;
    Ok(repo.id)
}

impl GetRepo {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        if self.name.is_some() == self.repo_id.is_some() {
            return Err(crate::usage::error(
                "exactly one of the REPO-NAME argument or --repo-id must be provided",
            ));
        }
        if self.provider.is_some() && self.repo_id.is_some() {
            return Err(crate::usage::error(
                "--provider cannot be combined with --repo-id",
            ));
        }
        let json = self.output.is_json()?;
        let (segment, query) = match (&self.name, &self.repo_id, &self.provider) {
            (_, Some(id), _) => (id, vec![("id", id.clone())]),
            (Some(name), None, provider) => (
                name,
                provider.iter().map(|p| ("provider", p.clone())).collect(),
            ),
            (None, None, _) => unreachable!("checked above"),
        };
        let r = ctx.get(&["repos", org, segment], &query).await?;
        if json {
            return ctx.print_json(&r);
        }
        print!("{}", repos::repo(&r.json()?));
        Ok(())
    }
}

/// List the org's repos, by name, a page at a time.
#[derive(Debug, Args)]
pub struct ListRepos {
    /// Only the repo with exactly this name.
    #[arg(long, conflicts_with = "search")]
    name: Option<String>,
    /// Only repos whose name contains this, in any case.
    #[arg(long)]
    search: Option<String>,
    /// Only repos of this VCS provider (github, gitlab…).
    #[arg(long)]
    provider: Option<String>,
    /// Only the repo with this VCS id.
    #[arg(long = "repo-id")]
    repo_id: Option<String>,
    /// Only repos with this tag, as key or key:value (repeatable).
    #[arg(long)]
    tag: Vec<String>,
    /// asc (A–Z, the default) or desc.
    #[arg(long = "sort-direction")]
    sort_direction: Option<String>,
    #[command(flatten)]
    paging: super::list::PageFlags,
    #[command(flatten)]
    output: OutputArg,
}

impl ListRepos {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let json = self.output.is_json()?;
        let mut query = self.paging.query()?;
        let optional = [
            ("name", &self.name),
            ("search", &self.search),
            ("provider", &self.provider),
            ("repo_id", &self.repo_id),
            ("sort_direction", &self.sort_direction),
        ];
        query.extend(
            optional
                .into_iter()
                .filter_map(|(k, v)| Some((k, v.clone()?))),
        );
        query.extend(self.tag.iter().map(|t| ("tag", t.clone())));
        let r = ctx.get(&["repos", org], &query).await?;
        if json {
            return ctx.print_json(&r);
        }
        let list: RepoList = r.json()?;
        print!("{}", repos::list(&list));
        Ok(())
    }
}
