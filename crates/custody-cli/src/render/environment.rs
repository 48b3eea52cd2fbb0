//! `get flow`, `get environment` and `list environments`.

use std::collections::BTreeMap;

use custody_api::{Environment, Flow};

use super::go_list;
use crate::output::{TabWriter, long, rfc3339_local};

/// Tags as `[k=v], [k2=v2]`, or `None`.
pub fn tags(tags: &BTreeMap<String, String>) -> String {
    if tags.is_empty() {
        return "None".to_string();
    }
    tags.iter()
        .map(|(k, v)| format!("[{k}={v}]"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn flow(f: &Flow) -> String {
    let mut w = TabWriter::new();
    w.line(format!("Name:\t{}", f.name));
    w.line(format!("Description:\t{}", f.description));
    w.line(format!("Visibility:\t{}", f.visibility));
    match f.template.as_deref() {
        Some(t) if t.starts_with("version") => {
            w.line("Template:\t");
            for line in t.lines() {
                w.line(format!("\t{line}"));
            }
        }
        Some(t) => w.line(format!(
            "Template:\t{}",
            t.split_whitespace().collect::<Vec<_>>().join(", ")
        )),
        None => w.line("Template:\tNone"),
    }
    let last = f.last_deployment_at.map_or("N/A".to_string(), long);
    w.line(format!("Last Deployment At:\t{last}"));
    w.line(format!("Tags:\t{}", tags(&f.tags)));
    w.render()
}

pub fn environment(e: &Environment) -> String {
    let state = match e.state {
        Some(true) => "COMPLIANT",
        Some(false) => "NON-COMPLIANT",
        None => "N/A",
    };
    let mut w = TabWriter::new();
    w.line(format!("Name:\t{}", e.name));
    w.line(format!("Type:\t{}", e.kind));
    w.line(format!("Description:\t{}", e.description));
    w.line(format!("State:\t{state}"));
    w.line(format!(
        "Last Reported At:\t{}",
        e.last_reported_at.map_or("N/A".to_string(), long)
    ));
    w.line(format!("Tags:\t{}", tags(&e.tags)));
    w.line(format!("Policies:\t{}", go_list(&e.policies)));
    w.render()
}

pub fn environments(list: &[Environment]) -> String {
    let mut w = TabWriter::new();
    w.line("NAME\tTYPE\tLAST REPORT\tLAST MODIFIED\tTAGS\tPOLICIES");
    for e in list {
        let time = |t: Option<f64>| t.map(rfc3339_local).unwrap_or_default();
        let tags = if e.tags.is_empty() {
            String::new()
        } else {
            tags(&e.tags)
        };
        w.line(format!(
            "{}\t{}\t{}\t{}\t{tags}\t{}",
            e.name,
            e.kind,
            time(e.last_reported_at),
            time(Some(e.last_modified_at)),
            go_list(&e.policies)
        ));
    }
    w.render()
}
