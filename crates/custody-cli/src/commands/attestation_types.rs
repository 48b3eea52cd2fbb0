//! Custom attestation types: `create attestation-type`, `get attestation-type
//! NAME[@vN]`, `list attestation-types` and `archive attestation-type`, over
//! `/custom-attestation-types/{org}`.

use anyhow::{Context, bail};
use clap::Args;
use custody_client::{Body, FormBody};
use reqwest::Method;
use serde_json::{Value, json};

use custody_api::AttestationTypeDocument;

use crate::context::{Ctx, OutputArg};
use crate::render::catalog;

#[derive(Debug, Args)]
pub struct CreateAttestationType {
    #[arg(value_name = "TYPE-NAME")]
    name: String,
    /// What the type is for.
    #[arg(short = 'd', long)]
    description: Option<String>,
    /// A JSON Schema file the attestation data must match.
    #[arg(short = 's', long)]
    schema: Option<String>,
    /// A jq rule that must evaluate to true (repeatable).
    #[arg(long = "jq")]
    rules: Vec<String>,
    /// A summary row: NAME=JQ-EXPRESSION (repeatable).
    #[arg(long, conflicts_with = "summary_json")]
    summary: Vec<String>,
    /// The summary rows as a JSON array of {"name", "expression"} objects.
    #[arg(long = "summary-json")]
    summary_json: Option<String>,
}

/// `--summary-json` as one JSON value, refused in the words of Go's decoder
/// where Kosli's tests show them.
fn summary_json_value(text: &str) -> anyhow::Result<Value> {
    let invalid =
        |why: &dyn std::fmt::Display| anyhow::anyhow!("--summary-json is not valid JSON: {why}");
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let value = match values.next() {
        None => return Err(invalid(&"unexpected end of JSON input")),
        Some(Err(e)) if e.is_eof() => return Err(invalid(&"unexpected end of JSON input")),
        Some(Err(e)) => return Err(invalid(&e)),
        Some(Ok(value)) => value,
    };
    match text[values.byte_offset()..].trim_start().chars().next() {
        Some(c) => Err(invalid(&format!(
            "invalid character '{c}' after top-level value"
        ))),
        None => Ok(value),
    }
}

/// `--summary-json` as `{name, expression}` entries, with Kosli's errors (a
/// `null` entry is one without a name, as Go decodes it).
fn summary_json_entries(text: &str) -> anyhow::Result<Vec<Value>> {
    let value = summary_json_value(text)?;
    let shape =
        || anyhow::anyhow!("--summary-json must be a JSON array of {{name, expression}} entries");
    let entries = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(entries) => entries,
        _ => return Err(shape()),
    };
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let n = i + 1;
        let field = |key: &str| match entry.get(key) {
            None | Some(Value::Null) => Ok(""),
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(_) => Err(shape()),
        };
        if !(entry.is_object() || entry.is_null()) {
            return Err(shape());
        }
        let (name, expression) = (field("name")?, field("expression")?);
        if name.trim().is_empty() {
            bail!("--summary-json entry {n} is missing a name");
        }
        if expression.trim().is_empty() {
            bail!("--summary-json entry {n} is missing an expression");
        }
        out.push(json!({"name": name, "expression": expression}));
    }
    Ok(out)
}

/// `--summary NAME=EXPR` entries as `{name, expression}`, with Kosli's errors.
fn summary_entries(entries: &[String]) -> anyhow::Result<Vec<Value>> {
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let n = i + 1;
        let Some((name, expression)) = entry.split_once('=') else {
            bail!("--summary entry {n} must be in the form NAME=EXPRESSION");
        };
        let (name, expression) = (name.trim(), expression.trim());
        if name.is_empty() {
            bail!("--summary entry {n} is missing a name");
        }
        if expression.is_empty() {
            bail!("--summary entry {n} is missing an expression");
        }
        if expression.starts_with('=') {
            bail!("--summary entry {n} expression cannot start with '='");
        }
        out.push(json!({"name": name, "expression": expression}));
    }
    Ok(out)
}

impl CreateAttestationType {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?.to_string();
        let mut data = json!({"name": self.name});
        if let Some(d) = self.description.as_ref().filter(|d| !d.is_empty()) {
            data["description"] = json!(d);
        }
        if !self.rules.is_empty() {
            data["evaluator"] = json!({"content_type": "jq", "rules": self.rules});
        }
        let summary = match &self.summary_json {
            Some(text) => summary_json_entries(text)?,
            None => summary_entries(&self.summary)?,
        };
        if !summary.is_empty() {
            data["summary"] = json!(summary);
        }
        let mut files = Vec::new();
        if let Some(path) = &self.schema {
            let schema = std::fs::read(path)
                .with_context(|| format!("failed to open schema file {path}"))?;
            files.push((
                "type_schema".to_string(),
                "schema.json".to_string(),
                schema.into(),
            ));
        }
        let form = FormBody {
            fields: vec![("data_json".into(), data)],
            files,
        };
        let path = ["custom-attestation-types", &org];
        if ctx
            .send(Method::POST, &path, Body::Form(form))
            .await?
            .is_some()
        {
            println!("attestation-type {} was created", self.name);
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct GetAttestationType {
    #[arg(value_name = "TYPE-NAME[@vN]")]
    name: String,
    #[command(flatten)]
    output: OutputArg,
}

/// `NAME@vN` → `(NAME, Some(N))`.
fn split_version(text: &str) -> anyhow::Result<(&str, Option<u32>)> {
    let Some((name, version)) = text.split_once('@') else {
        return Ok((text, None));
    };
    match version.strip_prefix('v').and_then(|n| n.parse().ok()) {
        Some(n) => Ok((name, Some(n))),
        None => bail!("version number should be given as '@v<version#>'"),
    }
}

impl GetAttestationType {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let org = ctx.require_login()?;
        let (name, version) = split_version(&self.name)?;
        let query: Vec<(&str, String)> = version
            .map(|n| ("version", n.to_string()))
            .into_iter()
            .collect();
        let r = ctx
            .get(&["custom-attestation-types", org, name], &query)
            .await?;
        if json {
            return ctx.print_json(&r);
        }
        print!("{}", catalog::attestation_type(&r.json()?));
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct ListAttestationTypes {
    #[command(flatten)]
    output: OutputArg,
}

impl ListAttestationTypes {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let r = ctx
            .get(&["custom-attestation-types", ctx.require_login()?], &[])
            .await?;
        if json {
            return ctx.print_json(&r);
        }
        let types: Vec<AttestationTypeDocument> = r.json()?;
        print!("{}", catalog::attestation_types(&types));
        Ok(())
    }
}

/// `archive attestation-type NAME`.
pub async fn archive(ctx: &Ctx, name: &str) -> anyhow::Result<()> {
    let org = ctx.require_login()?;
    let path = ["custom-attestation-types", org, name, "archive"];
    if ctx
        .send(Method::PUT, &path, Body::Json(Value::Null))
        .await?
        .is_some()
    {
        println!("Custom attestation type {name} was archived");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_summaries_are_parsed_with_kosli_errors() {
        assert_eq!(split_version("cov").unwrap(), ("cov", None));
        assert_eq!(split_version("cov@v2").unwrap(), ("cov", Some(2)));
        for bad in ["cov@2", "cov@vx", "cov@"] {
            assert_eq!(
                split_version(bad).unwrap_err().to_string(),
                "version number should be given as '@v<version#>'"
            );
        }
        let ok = summary_entries(&["Coverage=.pct".to_string()]).unwrap();
        assert_eq!(ok, [json!({"name": "Coverage", "expression": ".pct"})]);
        let err = |e: &str| summary_entries(&[e.to_string()]).unwrap_err().to_string();
        assert_eq!(
            err("x"),
            "--summary entry 1 must be in the form NAME=EXPRESSION"
        );
        assert_eq!(err("=.x"), "--summary entry 1 is missing a name");
        assert_eq!(err("a="), "--summary entry 1 is missing an expression");
        assert_eq!(
            err("a==.x"),
            "--summary entry 1 expression cannot start with '='"
        );
    }

    #[test]
    fn summary_json_is_an_array_of_named_expressions() {
        let ok = summary_json_entries(r#"[{"name":"Critical","expression":".critical_count"}]"#);
        assert_eq!(
            ok.unwrap(),
            [json!({"name": "Critical", "expression": ".critical_count"})]
        );
        assert!(summary_json_entries("[]").unwrap().is_empty());
        let err = |e: &str| summary_json_entries(e).unwrap_err().to_string();
        let eof = "--summary-json is not valid JSON: unexpected end of JSON input";
        assert_eq!(err("   "), eof);
        assert_eq!(err(r#"[{"name":"#), eof);
        let shape = "--summary-json must be a JSON array of {name, expression} entries";
        assert_eq!(err(r#"{"name":"C","expression":".c"}"#), shape);
        assert_eq!(err(r#"["C"]"#), shape);
        assert_eq!(err(r#"[{"name":1,"expression":".c"}]"#), shape);
        assert_eq!(
            err(r#"[{"expression":".critical_count"}]"#),
            "--summary-json entry 1 is missing a name"
        );
        assert_eq!(
            err(r#"[{"name":"Critical"},{"name":"Tool","expression":".t"}]"#),
            "--summary-json entry 1 is missing an expression"
        );
        assert!(err("[x]").starts_with("--summary-json is not valid JSON: "));
        assert_eq!(err("\t\n"), eof);
        assert_eq!(err("[null]"), "--summary-json entry 1 is missing a name");
        assert_eq!(
            err("[] trailing"),
            "--summary-json is not valid JSON: invalid character 't' after top-level value"
        );
        assert!(summary_json_entries("[] ").unwrap().is_empty());
    }
}
