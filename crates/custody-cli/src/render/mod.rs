//! Table layouts of the read commands, reproducing the Kosli CLI's output.

pub mod artifact;
pub mod catalog;
pub mod environment;
pub mod lists;
pub mod metrics;
pub mod repos;
pub mod snapshot;
pub mod trail;
pub mod trail_markdown;

/// Go's `%v` of a string slice: `[a b c]`.
pub fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// The first 7 characters of a commit, or `N/A`.
pub fn short_commit(commit: Option<&str>) -> String {
    commit
        .filter(|c| !c.is_empty())
        .map_or("N/A".to_string(), |c| c.chars().take(7).collect())
}
