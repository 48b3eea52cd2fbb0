//! `get trail` as a table, and the wording of trail events.

use custody_api::{Trail, TrailEvent};

use crate::output::{TabWriter, long, short};

/// The description of a trail event, as the Kosli CLI words it.
pub fn describe(e: &TrailEvent) -> String {
    let or = |v: &Option<String>| v.clone().unwrap_or_default();
    match e.kind.as_str() {
        "trail_reported" => "trail started".to_string(),
        "trail_updated" => "trail updated".to_string(),
        "trail_attestation_reported" => format!(
            "'{}' attestation reported for {} on the trail",
            or(&e.attestation_type),
            or(&e.template_reference_name)
        ),
        "artifact_creation_reported" => format!(
            "artifact '{}' created for template name '{}'",
            or(&e.artifact_name),
            or(&e.template_reference_name)
        ),
        "artifact_attestation_reported" | "trail_attestation_for_artifact_reported" => format!(
            "'{}' attestation reported for {}.{}",
            or(&e.attestation_type),
            or(&e.target_artifact),
            or(&e.template_reference_name)
        ),
        other => other.to_string(),
    }
}

pub fn trail(t: &Trail) -> String {
    let mut w = TabWriter::new();
    w.line(format!("Name:\t{}", t.name));
    w.line(format!("Description:\t{}", t.description));
    w.line(format!("Compliance:\t{}", t.compliance_state));
    w.line(format!("Last modified at:\t{}", long(t.last_modified_at)));
    if let Some(g) = &t.git_commit_info {
        w.line("Git commit:\t");
        w.line(format!("  Sha1:\t{}", g.sha1));
        w.line(format!("  Author:\t{}", g.author));
        w.line(format!("  Timestamp:\t{}", long(g.timestamp)));
        if let Some(url) = &g.url {
            w.line(format!("  url:\t{url}"));
        }
        w.line(format!("  message:\t{}", g.message.replace('\n', "\n\t")));
    }
    w.line("Events:");
    let mut events = TabWriter::new();
    events.line("\t\t\t\t");
    events.line("\tTIME\tDESCRIPTION\tGIT-COMMIT\tCOMPLIANCE");
    for e in &t.events {
        let commit: String = e
            .git_commit_info
            .as_ref()
            .map(|g| g.sha1.chars().take(7).collect())
            .unwrap_or_default();
        let compliance = match e.is_compliant {
            Some(true) => "compliant",
            Some(false) => "non-compliant",
            None => "",
        };
        events.line(format!(
            "\t{}\t{}\t{commit}\t{compliance}",
            short(e.timestamp),
            describe(e)
        ));
    }
    format!("{}{}", w.render(), events.render())
}
