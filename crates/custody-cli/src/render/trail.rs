//! `get trail` as a table.

use custody_api::{AttestationState, Trail, TrailEvent};

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

/// Escapes a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('\n', "<br>")
}

fn status_label(status: &str, is_compliant: Option<bool>, unexpected: bool) -> String {
    let label = match (status, is_compliant) {
        ("MISSING", _) => "⏳ missing",
        (_, Some(true)) => "✅ compliant",
        (_, Some(false)) => "❌ non-compliant",
        _ => "⏳ pending",
    };
    let unexpected = if unexpected { " (+)" } else { "" };
    format!("{label}{unexpected}")
}

fn attestation_lines(rows: &[AttestationState]) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "- {} `{}` ({})\n",
                status_label(&r.status, r.is_compliant, r.unexpected),
                r.attestation_name,
                r.attestation_type
            )
        })
        .collect()
}

/// GitHub-flavoured markdown for CI job summaries.
pub fn markdown(t: &Trail, host: &str, org: &str) -> String {
    let link = format!(
        "{}/{org}/flows/{}/trails/{}",
        host.trim_end_matches('/'),
        t.flow.name,
        t.name
    );
    let mut out = format!(
        "## Trail: [{}]({link})\n\n| Property | Value |\n| --- | --- |\n",
        cell(&t.name)
    );
    out.push_str(&format!("| Flow | {} |\n", cell(&t.flow.name)));
    out.push_str(&format!("| Description | {} |\n", cell(&t.description)));
    out.push_str(&format!("| Compliance | {} |\n", t.compliance_state));
    out.push_str(&format!(
        "| Last modified at | {} |\n",
        short(t.last_modified_at)
    ));
    if let Some(g) = &t.git_commit_info {
        out.push_str("\n### Git commit\n\n| Property | Value |\n| --- | --- |\n");
        out.push_str(&format!(
            "| Sha1 | {} |\n| Author | {} |\n",
            cell(&g.sha1),
            cell(&g.author)
        ));
        out.push_str(&format!("| Message | {} |\n", cell(&g.message)));
    }
    let status = &t.compliance_status;
    out.push_str("\n### Attestations\n\n**Trail**\n\n");
    out.push_str(&attestation_lines(&status.attestations_statuses));
    for (name, a) in &status.artifacts_statuses {
        let label = status_label(&a.status, Some(a.is_compliant), a.unexpected);
        out.push_str(&format!("\n**{}** — {label}\n\n", cell(name)));
        out.push_str(&attestation_lines(&a.attestations_statuses));
    }
    out.push_str("\n### Events\n\n");
    if t.events.is_empty() {
        out.push_str("_No events._\n");
        return out;
    }
    out.push_str("| Time | Description | Git commit | Compliance |\n| --- | --- | --- | --- |\n");
    for e in &t.events {
        let commit: String = e
            .git_commit_info
            .as_ref()
            .map(|g| g.sha1.chars().take(7).collect())
            .unwrap_or_default();
        let compliance = e
            .is_compliant
            .map_or("", |c| if c { "compliant" } else { "non-compliant" });
        out.push_str(&format!(
            "| {} | {} | {commit} | {compliance} |\n",
            short(e.timestamp),
            cell(&describe(e))
        ));
    }
    out
}
