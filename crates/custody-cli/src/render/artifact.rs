//! `get artifact` and `search` blocks: labelled rows, then the history. Where an
//! artifact no longer runs is told by its history (the JSON has `exited` too).

use custody_api::{Artifact, EnvIndex, HistoryLine, SearchArtifact};

use crate::output::{TabWriter, long, short};

fn places(list: &[EnvIndex]) -> String {
    list.iter()
        .map(|e| format!("{}#{}", e.environment_name, e.snapshot_index))
        .collect::<Vec<_>>()
        .join(", ")
}

fn history(w: &mut TabWriter, lines: &[HistoryLine]) {
    w.line("History:");
    for h in lines {
        w.line(format!("    {}\t{}", h.event, short(h.timestamp)));
    }
}

/// One artifact as `get artifact` prints it.
pub fn artifact(a: &Artifact) -> String {
    let mut w = TabWriter::new();
    w.line(format!("Name:\t{}", a.filename));
    w.line(format!("Flow:\t{}", a.flow_name));
    if let Some(trail) = &a.trail_name {
        w.line(format!("Trail:\t{trail}"));
    }
    if let Some(name) = &a.template_reference_name {
        w.line(format!("Name in template:\t{name}"));
    }
    w.line(format!("Fingerprint:\t{}", a.fingerprint));
    w.line(format!("Created on:\t{}", long(a.created_at)));
    let optional = [
        ("Git commit:", &a.git_commit),
        ("Commit URL:", &a.commit_url),
        ("Build URL:", &a.build_url),
    ];
    for (label, value) in optional {
        if let Some(v) = value {
            w.line(format!("{label}\t{v}"));
        }
    }
    w.line(format!("State:\t{}", a.state));
    let mut running = a.running.clone();
    running.sort_by(|x, y| x.environment_name.cmp(&y.environment_name));
    if !running.is_empty() {
        w.line(format!("Running in environments:\t{}", places(&running)));
    }
    history(&mut w, &a.history);
    w.render()
}

/// One artifact as `search` prints it.
pub fn search_result(a: &SearchArtifact) -> String {
    let mut w = TabWriter::new();
    w.line(format!("Name:\t{}", a.name));
    w.line(format!("Fingerprint:\t{}", a.fingerprint));
    w.line(format!("Has provenance:\t{}", a.has_provenance));
    if a.has_provenance {
        let or_empty = |v: &Option<String>| v.clone().unwrap_or_default();
        w.line(format!("Flow:\t{}", or_empty(&a.flow)));
        w.line(format!("Git commit:\t{}", or_empty(&a.git_commit)));
        w.line(format!("Commit URL:\t{}", or_empty(&a.commit_url)));
        w.line(format!("Build URL:\t{}", or_empty(&a.build_url)));
        if let Some(url) = &a.html_url {
            w.line(format!("Artifact URL:\t{url}"));
        }
        w.line(format!(
            "Compliance state:\t{}",
            or_empty(&a.compliance_state)
        ));
    }
    w.line(format!("Running in:\t[ {} ]", a.running_in.join(", ")));
    w.line(format!("Exited from:\t[ {} ]", a.exited_from.join(", ")));
    history(&mut w, &a.history);
    w.render()
}
