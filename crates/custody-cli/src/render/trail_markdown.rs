//! `get trail --output markdown`: GitHub-flavoured markdown for CI job
//! summaries (`$GITHUB_STEP_SUMMARY`, a GitLab `summary.md`), laid out as the
//! Kosli CLI lays it out, with links to the trail's page and its attestations.

use custody_api::{AttestationState, Trail, TrailEvent};

use super::trail::describe;
use crate::output::{long, short};

/// One table cell: characters that would break the table or vanish as HTML
/// are escaped, line breaks become `<br>`.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "<br>")
}

/// A trail or artifact state with a glanceable mark.
fn state(s: &str) -> String {
    let mark = match s {
        "COMPLIANT" => "✅ ",
        "NON-COMPLIANT" | "NON_COMPLIANT" => "❌ ",
        "INCOMPLETE" | "MISSING" => "⏳ ",
        _ => "",
    };
    format!("{mark}{}", cell(s))
}

fn attestation_label(a: &AttestationState) -> String {
    let label = match (a.status.as_str(), a.is_compliant) {
        ("MISSING", _) => "⏳ missing",
        (_, Some(true)) => "✅ compliant",
        (_, Some(false)) => "❌ non-compliant",
        _ => "⏳ pending",
    };
    let unexpected = if a.unexpected { " (+)" } else { "" };
    format!("{label}{unexpected}")
}

const TWO_COLUMNS: &str = "|  |  |\n| --- | --- |\n";

fn attestation_table(out: &mut String, rows: &[AttestationState], trail_url: &str) {
    out.push_str(TWO_COLUMNS);
    for a in rows {
        let name = match &a.attestation_id {
            Some(id) if !id.is_empty() => {
                format!(
                    "[{}]({trail_url}?attestation_id={id})",
                    cell(&a.attestation_name)
                )
            }
            _ => cell(&a.attestation_name),
        };
        out.push_str(&format!("| {name} | {} |\n", attestation_label(a)));
    }
}

fn attestations(out: &mut String, t: &Trail) {
    let status = &t.compliance_status;
    let total = status.attestations_statuses.len()
        + status
            .artifacts_statuses
            .values()
            .map(|a| a.attestations_statuses.len())
            .sum::<usize>();
    if total == 0 {
        return;
    }
    out.push_str("\n### Attestations\n");
    if !status.attestations_statuses.is_empty() {
        out.push_str("\n**Trail**\n\n");
        attestation_table(out, &status.attestations_statuses, &t.html_url);
    }
    for (name, a) in &status.artifacts_statuses {
        if a.attestations_statuses.is_empty() {
            continue;
        }
        out.push_str(&format!("\n**{}** — {}\n\n", cell(name), state(&a.status)));
        attestation_table(out, &a.attestations_statuses, &t.html_url);
    }
}

/// An event's description, its attestation linked where it has one.
fn event_description(e: &TrailEvent, trail_url: &str) -> String {
    let text = cell(&describe(e));
    let reference = match e.kind.as_str() {
        "trail_attestation_reported" => e.template_reference_name.clone(),
        "artifact_attestation_reported" | "trail_attestation_for_artifact_reported" => {
            Some(format!(
                "{}.{}",
                e.target_artifact.as_deref().unwrap_or_default(),
                e.template_reference_name.as_deref().unwrap_or_default()
            ))
        }
        _ => None,
    };
    match (reference, &e.attestation_id) {
        (Some(r), Some(id)) => {
            let r = cell(&r);
            let link = format!("for [{r}]({trail_url}?attestation_id={id})");
            text.replacen(&format!("for {r}"), &link, 1)
        }
        _ => text,
    }
}

fn events(out: &mut String, t: &Trail) {
    out.push_str("\n### Events\n\n");
    if t.events.is_empty() {
        out.push_str("_No events._\n");
        return;
    }
    out.push_str("| Time | Description | Git commit | Compliance |\n| --- | --- | --- | --- |\n");
    for e in &t.events {
        let commit = match &e.git_commit_info {
            Some(g) if g.sha1.len() >= 7 => {
                let sha = cell(&g.sha1[..7]);
                match &g.url {
                    Some(url) if !url.is_empty() => format!("[{sha}]({url})"),
                    _ => sha,
                }
            }
            _ => String::new(),
        };
        let compliance = match e.is_compliant {
            Some(true) => "✅ compliant",
            Some(false) => "❌ non-compliant",
            None => "",
        };
        out.push_str(&format!(
            "| {} | {} | {commit} | {compliance} |\n",
            short(e.timestamp),
            event_description(e, &t.html_url)
        ));
    }
}

pub fn markdown(t: &Trail) -> String {
    let mut out = format!(
        "## Trail: [{}]({})\n\n{TWO_COLUMNS}",
        cell(&t.name),
        t.html_url
    );
    out.push_str(&format!("| Name | {} |\n", cell(&t.name)));
    out.push_str(&format!("| Description | {} |\n", cell(&t.description)));
    out.push_str(&format!(
        "| Compliance | {} |\n",
        state(&t.compliance_state)
    ));
    out.push_str(&format!(
        "| Last modified at | {} |\n",
        cell(&long(t.last_modified_at))
    ));
    if let Some(origin) = t.origin_url.as_deref().filter(|o| !o.is_empty()) {
        out.push_str(&format!("| Origin | {} |\n", cell(origin)));
    }
    if let Some(g) = &t.git_commit_info {
        let sha = match &g.url {
            Some(url) if !url.is_empty() => format!("[{}]({url})", cell(&g.sha1)),
            _ => cell(&g.sha1),
        };
        let subject = g.message.lines().next().unwrap_or_default();
        out.push_str(&format!(
            "\n### Git commit\n\n{TWO_COLUMNS}| Sha1 | {sha} |\n"
        ));
        out.push_str(&format!("| Author | {} |\n", cell(&g.author)));
        out.push_str(&format!("| Timestamp | {} |\n", cell(&long(g.timestamp))));
        out.push_str(&format!("| Message | {} |\n", cell(subject)));
    }
    attestations(&mut out, t);
    events(&mut out, t);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attestation_event(kind: &str, target: Option<&str>) -> TrailEvent {
        TrailEvent {
            kind: kind.into(),
            timestamp: 0.0,
            attestation_type: Some("junit".into()),
            template_reference_name: Some("unit".into()),
            target_artifact: target.map(String::from),
            artifact_name: None,
            artifact_fingerprint: None,
            is_compliant: Some(true),
            git_commit_info: None,
            attestation_id: Some("a1".into()),
        }
    }

    #[test]
    fn attestation_events_link_to_their_attestation() {
        let url = "http://h/acme/flows/f/trails/t";
        let on_trail = attestation_event("trail_attestation_reported", None);
        assert_eq!(
            event_description(&on_trail, url),
            "'junit' attestation reported for [unit](http://h/acme/flows/f/trails/t?attestation_id=a1) on the trail"
        );
        let on_artifact = attestation_event("artifact_attestation_reported", Some("cli"));
        assert_eq!(
            event_description(&on_artifact, url),
            "'junit' attestation reported for [cli.unit](http://h/acme/flows/f/trails/t?attestation_id=a1)"
        );
        let unlinked = TrailEvent {
            attestation_id: None,
            ..on_artifact
        };
        assert_eq!(
            event_description(&unlinked, url),
            "'junit' attestation reported for cli.unit"
        );
    }

    #[test]
    fn cells_keep_the_table_intact() {
        assert_eq!(cell("a|b <me@x>\r\nnext"), "a\\|b &lt;me@x&gt;<br>next");
        assert_eq!(state("NON-COMPLIANT"), "❌ NON-COMPLIANT");
        assert_eq!(state("odd"), "odd");
    }
}
