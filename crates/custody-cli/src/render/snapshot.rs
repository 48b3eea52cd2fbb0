//! `get snapshot`, `diff snapshots`, `list snapshots` and `log environment`.

use custody_api::{DiffArtifact, EnvironmentEvent, Snapshot, SnapshotDiff, SnapshotSummary};

use super::{go_list, short_commit};
use custody_core::timeago;

use crate::output::{TabWriter, long, relative, short};

/// The running artifacts of a snapshot, three rows each.
pub fn snapshot(s: &Snapshot) -> String {
    let running: Vec<_> = s
        .artifacts
        .iter()
        .filter(|a| a.annotation.now != 0)
        .collect();
    if s.kind.is_empty() || running.is_empty() {
        return "No running artifacts were reported\n".to_string();
    }
    let mut w = TabWriter::new();
    w.line("COMMIT\tARTIFACT\tFLOW\tRUNNING_SINCE\tREPLICAS");
    for a in running {
        let since = a
            .creation_timestamp
            .first()
            .map(|&t| relative(t as f64))
            .unwrap_or_default();
        w.line(format!(
            "{}\tName: {}\t{}\t{since}\t{}",
            short_commit(a.git_commit.as_deref()),
            a.name,
            a.flow_name.as_deref().unwrap_or("N/A"),
            a.creation_timestamp.len()
        ));
        w.line(format!("\tFingerprint: {}\t\t\t", a.fingerprint));
        w.line("\t\t\t\t");
    }
    w.render()
}

fn diff_entry(a: &DiffArtifact, scaled: bool) -> String {
    let mut w = TabWriter::new();
    w.line("\t\t");
    w.line(format!("\tName:\t{}", a.name));
    w.line(format!("\tFingerprint:\t{}", a.fingerprint));
    w.line(format!(
        "\tFlow:\t{}",
        a.flow.as_deref().unwrap_or("Unknown")
    ));
    w.line(format!(
        "\tCommit URL:\t{}",
        a.commit_url.as_deref().unwrap_or("Unknown")
    ));
    if !a.pods.is_empty() {
        w.line(format!("\tPods:\t{}", go_list(&a.pods)));
    }
    w.line(format!(
        "\tStarted:\t{}",
        long(a.most_recent_timestamp as f64)
    ));
    if scaled {
        w.line(format!(
            "\tInstances:\tscaled from {} to {}",
            a.s1_instance_count, a.s2_instance_count
        ));
    }
    w.render()
}

/// The sections of a diff, as `diff snapshots` prints them.
pub fn diff(d: &SnapshotDiff, typed: (&str, &str), show_unchanged: bool) -> String {
    let title = |typed: &str, id: &str| {
        if typed == id {
            format!("Only present in {typed}")
        } else {
            format!("Only present in {typed} (snapshot: {id})")
        }
    };
    let sections = [
        (
            title(typed.0, &d.snappish1.snapshot_id),
            &d.snappish1.artifacts,
            false,
        ),
        (
            title(typed.1, &d.snappish2.snapshot_id),
            &d.snappish2.artifacts,
            false,
        ),
        (
            format!("{} -> {} scaling", typed.0, typed.1),
            &d.changed.artifacts,
            true,
        ),
        (
            "Not changed in both snapshots".to_string(),
            &d.not_changed.artifacts,
            false,
        ),
    ];
    let mut out = Vec::new();
    for (i, (title, items, scaled)) in sections.into_iter().enumerate() {
        if items.is_empty() || (i == 3 && !show_unchanged) {
            continue;
        }
        let body: String = items.iter().map(|a| diff_entry(a, scaled)).collect();
        out.push(format!("{title}\n{body}"));
    }
    out.join("\n")
}

/// `list snapshots`.
pub fn summaries(list: &[SnapshotSummary]) -> String {
    let mut w = TabWriter::new();
    w.line("SNAPSHOT\tFROM\tTO\tDURATION\tCOMPLIANT");
    for s in list {
        let to = if s.to == 0.0 {
            "now".to_string()
        } else {
            short(s.to)
        };
        w.line(format!(
            "{}\t{}\t{to}\t{}\t{}",
            s.index,
            short(s.from),
            timeago::duration(s.duration),
            s.compliant
        ));
    }
    w.render()
}

/// `log environment`: five rows per event.
pub fn events(list: &[EnvironmentEvent]) -> String {
    let mut w = TabWriter::new();
    w.line("SNAPSHOT\tEVENT\tFLOW");
    for e in list {
        w.line(format!(
            "#{}\tArtifact: {}\t{}",
            e.snapshot_index,
            e.artifact_name,
            if e.pipeline.is_empty() {
                "N/A"
            } else {
                &e.pipeline
            }
        ));
        w.line(format!("\tFingerprint: {}\t\t", e.sha256));
        w.line(format!("\tDescription: {}\t\t", e.description));
        w.line(format!("\tReported at: {}\t\t", short(e.reported_at)));
        w.line("\t\t\t");
    }
    w.render()
}
