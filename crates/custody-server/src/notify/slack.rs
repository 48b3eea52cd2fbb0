//! The message a Slack incoming webhook receives: one readable line of what
//! happened and where, and one of the artifact's provenance, linking to the
//! web UI's pages (Slack's `<url|text>` links, with `&`, `<` and `>` escaped
//! as Slack asks).

use custody_api::WebhookPayload;
use serde_json::{Value, json};

/// Text Slack shows as written.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn link(url: &str, text: &str) -> String {
    if url.is_empty() {
        escape(text)
    } else {
        format!("<{}|{}>", escape(url), escape(text))
    }
}

/// The Slack message of a notice.
pub fn message(p: &WebhookPayload) -> Value {
    let place = match (&p.environment, &p.snapshot, &p.flow) {
        (Some(env), Some(s), _) => format!(
            "{} ({})",
            link(&s.html_url, &format!("{env}#{}", s.index)),
            s.status
        ),
        (Some(env), None, _) => escape(env),
        (None, _, Some(flow)) => match &p.trail {
            Some(trail) => format!("{} in flow {}", escape(trail), escape(flow)),
            None => format!("flow {}", escape(flow)),
        },
        _ => String::new(),
    };
    let mut lines = vec![format!(
        "*{}* · {} · {place}",
        escape(&p.event_type),
        escape(&p.org)
    )];
    let mut what = escape(&p.description);
    if let Some(a) = &p.artifact {
        what = format!("`{}`: {what}", escape(&a.name));
    }
    lines.push(what);
    if let Some(a) = &p.artifact {
        lines.push(match &a.provenance {
            Some(prov) => {
                let commit: Option<String> =
                    prov.commit.as_deref().map(|c| c.chars().take(7).collect());
                let commit = match (commit, &prov.commit_url) {
                    (Some(c), Some(url)) => format!(" at commit {}", link(url, &c)),
                    (Some(c), None) => format!(" at commit {}", escape(&c)),
                    _ => String::new(),
                };
                format!(
                    "From flow {}{commit}: {}",
                    link(&prov.html_url, &prov.flow),
                    prov.status
                )
            }
            None => format!("No flow knows fingerprint {}", &a.fingerprint),
        });
    }
    if let Some(at) = &p.attestation {
        lines.push(link(&at.html_url, &format!("{} ({})", at.name, at.kind)));
    }
    json!({ "text": lines.join("\n") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_api::{PayloadArtifact, PayloadProvenance, PayloadSnapshot};

    #[test]
    fn a_started_artifact_reads_as_a_line_with_links() {
        let p = WebhookPayload {
            version: "1.0".into(),
            timestamp: 1.0,
            org: "acme".into(),
            environment: Some("prod".into()),
            flow: None,
            trail: None,
            event_type: "STARTED_ARTIFACT".into(),
            description: "1 instance started running (from 0 to 1)".into(),
            snapshot: Some(PayloadSnapshot {
                index: 3,
                status: "COMPLIANT".into(),
                html_url: "https://c.example/acme/environments/prod/snapshots/3".into(),
                api_url: String::new(),
            }),
            artifact: Some(PayloadArtifact {
                name: "app:<2>".into(),
                fingerprint: "ab".into(),
                provenance: Some(PayloadProvenance {
                    flow: "app".into(),
                    status: "COMPLIANT".into(),
                    commit: Some("0123456789abcdef".into()),
                    commit_url: Some("https://git.example/c?a=1&b=2".into()),
                    html_url: "https://c.example/acme/flows/app".into(),
                    api_url: String::new(),
                    build_url: None,
                }),
            }),
            attestation: None,
        };
        let text = message(&p)["text"].as_str().unwrap().to_string();
        assert_eq!(
            text,
            "*STARTED_ARTIFACT* · acme · <https://c.example/acme/environments/prod/snapshots/3|prod#3> (COMPLIANT)\n\
             `app:&lt;2&gt;`: 1 instance started running (from 0 to 1)\n\
             From flow <https://c.example/acme/flows/app|app> at commit <https://git.example/c?a=1&amp;b=2|0123456>: COMPLIANT"
        );
    }
}
