//! `get repo` and `list repos` tables, laid out as the Kosli CLI lays them out.

use std::collections::BTreeMap;

use custody_api::{Repo, RepoList};

use super::lists::footer;
use crate::output::TabWriter;

/// `a=1, b=x`, sorted by key; empty without tags.
fn tags(tags: &BTreeMap<String, String>) -> String {
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn repo(r: &Repo) -> String {
    let shown = match tags(&r.tags) {
        t if t.is_empty() => "None".to_string(),
        t => t,
    };
    let mut w = TabWriter::new();
    w.line(format!("Name:\t{}", r.name));
    w.line(format!("ID:\t{}", r.id));
    w.line(format!("URL:\t{}", r.url));
    w.line(format!("Provider:\t{}", r.provider));
    w.line(format!("Tags:\t{shown}"));
    w.render()
}

/// The page's table and footer, or Kosli's words for an empty page.
pub fn list(page: &RepoList) -> String {
    if page.repos.is_empty() {
        return super::lists::none_found("repos", page.page);
    }
    let mut w = TabWriter::new();
    w.line("NAME\tURL\tPROVIDER\tTAGS");
    for r in &page.repos {
        w.line(format!(
            "{}\t{}\t{}\t{}",
            r.name,
            r.url,
            r.provider,
            tags(&r.tags)
        ));
    }
    let footer = footer(
        u64::from(page.page),
        u64::from(page.total_pages),
        page.total_count,
        "repos",
    );
    format!("{}{footer}", w.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_with(name: &str, tags: &[(&str, &str)]) -> Repo {
        Repo {
            id: "r-1".into(),
            name: name.into(),
            url: format!("https://github.com/{name}"),
            provider: "github".into(),
            repo_id: "12".into(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            created_at: 0.0,
            last_seen_at: 0.0,
        }
    }

    #[test]
    fn a_repo_reads_as_kosli_prints_it() {
        let text = repo(&repo_with("o/r", &[("team", "platform"), ("a", "1")]));
        assert!(text.contains("Tags:      a=1, team=platform\n"), "{text}");
        assert!(
            text.starts_with("Name:      o/r\nID:        r-1\n"),
            "{text}"
        );
        assert!(repo(&repo_with("o/r", &[])).contains("Tags:      None"));
    }

    #[test]
    fn lists_have_a_footer_and_blank_tags() {
        let page = RepoList {
            repos: vec![
                repo_with("o/tagged", &[("team", "platform")]),
                repo_with("o/untagged", &[]),
            ],
            page: 1,
            per_page: 15,
            total_pages: 3,
            total_count: 45,
        };
        let text = list(&page);
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        assert_eq!(
            lines[0].split_whitespace().collect::<Vec<_>>(),
            ["NAME", "URL", "PROVIDER", "TAGS"]
        );
        assert!(lines[1].ends_with("github    team=platform"), "{text}");
        assert!(lines[2].ends_with("github"), "{text}");
        assert_eq!(lines[4], "Showing page 1 of 3, total 45 repos");
        let empty = RepoList {
            repos: vec![],
            page: 2,
            ..page
        };
        assert_eq!(list(&empty), "No repos were found at page number 2.\n");
    }
}
