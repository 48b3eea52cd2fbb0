//! `get policy`, `list policies`, `get attestation-type` and
//! `list attestation-types`: the org's definitions, row for row as the Kosli
//! CLI prints them.

use custody_api::{AttestationTypeDocument, AttestationTypeVersion, PolicyDocument};

use super::go_list;
use crate::output::{TabWriter, long, sorted_keys};

/// One policy: its fields, then the latest version's YAML indented by a tab.
pub fn policy(p: &PolicyDocument) -> String {
    let mut w = TabWriter::new();
    w.line(format!("Name:\t{}", p.name));
    w.line(format!("Description:\t{}", p.description));
    w.line(format!("Created At:\t{}", long(p.created_at)));
    w.line(format!("Versions:\t{}", p.versions.len()));
    w.line(format!(
        "Attached to environments:\t{}",
        go_list(&p.consuming_envs)
    ));
    let yaml = p.versions.last().map_or("", |v| v.policy_yaml.as_str());
    w.line(format!("Policy content:\n\t{}", yaml.replace('\n', "\n\t")));
    w.render()
}

pub fn policies(list: &[PolicyDocument]) -> String {
    if list.is_empty() {
        return "No environment policies were found.\n".into();
    }
    let mut w = TabWriter::new();
    w.line("NAME\tDESCRIPTION\tCREATED AT\tLAST VERSION\tUSED BY ENVS");
    for p in list {
        w.line(format!(
            "{}\t{}\t{}\t{}\t{}",
            p.name,
            p.description,
            long(p.created_at),
            p.versions.len(),
            go_list(&p.consuming_envs)
        ));
    }
    w.render()
}

fn type_version(w: &mut TabWriter, v: &AttestationTypeVersion) {
    w.line(format!("\tVersion:\t{}", v.version));
    w.line(format!("\tTimestamp:\t{}", long(v.timestamp)));
    w.line(format!("\tCreated By:\t{}", v.created_by));
    // Compact, with its keys sorted, as Kosli prints a schema.
    let schema = v
        .type_schema
        .as_ref()
        .map_or("null".into(), |s| sorted_keys(s.clone()).to_string());
    w.line(format!("\tType schema:\t{schema}"));
    w.line("\tEvaluator:\t");
    w.line(format!("\t\tContent Type:\t{}", v.evaluator.content_type));
    w.line("\t\tRules:");
    for rule in &v.evaluator.rules {
        w.line(format!("\t\t\t{rule}"));
    }
    if !v.summary.is_empty() {
        w.line("\tSummary:\t");
        for s in &v.summary {
            w.line(format!("\t\t{}:\t{}", s.name, s.expression));
        }
    }
}

/// One custom attestation type with the versions the server sent.
pub fn attestation_type(t: &AttestationTypeDocument) -> String {
    let mut w = TabWriter::new();
    w.line(format!("Name:\t{}", t.name));
    if !t.description.is_empty() {
        w.line(format!("Description:\t{}", t.description));
    }
    w.line(format!("Organization:\t{}", t.org));
    w.line(format!("Archived:\t{}", t.archived));
    if let Some(by) = &t.created_by {
        w.line(format!("Created By:\t{by}"));
    }
    if let Some(at) = t.created_at {
        w.line(format!("Created at:\t{}", long(at)));
    }
    if let Some(at) = t.last_modified_at {
        w.line(format!("Last modified at:\t{}", long(at)));
    }
    w.line("Versions:\t");
    for v in &t.versions {
        type_version(&mut w, v);
        w.line("\t");
    }
    w.render()
}

pub fn attestation_types(list: &[AttestationTypeDocument]) -> String {
    if list.is_empty() {
        return "No attestation types were found.\n".into();
    }
    let mut w = TabWriter::new();
    w.line("NAME\tDESCRIPTION\tLATEST VERSION");
    for t in list {
        w.line(format!(
            "{}\t{}\t{}",
            t.name,
            t.description,
            t.versions.len()
        ));
    }
    w.render()
}
