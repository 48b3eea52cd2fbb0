//! `list flows`, `list trails` and `list artifacts`.

use custody_api::{Artifact, Flow};
use serde_json::Value;

use super::environment::tags;
use super::short_commit;
use crate::output::{TabWriter, short};

/// Flows; the TAGS column appears when some flow has tags.
pub fn flows(list: &[Flow]) -> String {
    let with_tags = list.iter().any(|f| !f.tags.is_empty());
    let mut w = TabWriter::new();
    w.line(if with_tags {
        "NAME\tDESCRIPTION\tVISIBILITY\tTAGS"
    } else {
        "NAME\tDESCRIPTION\tVISIBILITY"
    });
    for f in list {
        let mut row = format!("{}\t{}\t{}", f.name, f.description, f.visibility);
        if with_tags {
            let t = if f.tags.is_empty() {
                String::new()
            } else {
                tags(&f.tags)
            };
            row.push_str(&format!("\t{t}"));
        }
        w.line(row);
    }
    w.render()
}

pub fn trails(list: &[Value]) -> String {
    let mut w = TabWriter::new();
    w.line("NAME\tDESCRIPTION\tCOMPLIANCE");
    let text = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    for t in list {
        w.line(format!(
            "{}\t{}\t{}",
            text(t, "name"),
            text(t, "description"),
            text(t, "compliance_state")
        ));
    }
    w.render()
}

pub fn artifacts(list: &[Artifact]) -> String {
    let mut w = TabWriter::new();
    w.line("COMMIT\tARTIFACT\tSTATE\tCREATED_AT");
    for a in list {
        w.line(format!(
            "{}\tName: {}\t{}\t{}",
            short_commit(a.git_commit.as_deref()),
            a.filename,
            a.state,
            short(a.created_at)
        ));
        w.line(format!("\tFingerprint: {}\t\t", a.fingerprint));
        w.line("\t\t\t");
    }
    w.render()
}

/// What an empty page of `things` says: `No repos were found.`, with the
/// page when it is not the first.
pub fn none_found(things: &str, page: u32) -> String {
    match page {
        1 => format!("No {things} were found.\n"),
        n => format!("No {things} were found at page number {n}.\n"),
    }
}

/// The footer of paged lists of `things` (`items`, `repos`…).
pub fn footer(page: u64, pages: u64, total: u64, things: &str) -> String {
    format!("\nShowing page {page} of {pages}, total {total} {things}\n")
}
