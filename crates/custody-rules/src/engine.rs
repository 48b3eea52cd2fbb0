//! The evaluators that run inside a worker process: jq rules through jaq with a
//! library that cannot reach outside the rule (no `env`, `halt`, `input`,
//! `debug`, `stderr`), and JSON Schemas compiled without fetching remote `$ref`s.
//! Nothing here bounds time or memory: the worker process that hosts it does.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

use crate::source;

/// Library filters a rule may not use: they read the process environment or
/// its inputs, stop the process, or write to its log.
const WITHHELD: [&str; 12] = [
    "env",
    "halt",
    "halt_error",
    "input",
    "inputs",
    "input_filename",
    "debug",
    "debug_empty",
    "stderr",
    "stderr_empty",
    "get_search_list",
    "$__prog_args",
];

/// The most values a rule may yield; more is an error, not an endless stream.
pub const MAX_OUTPUTS: usize = 10_000;

/// The longest message passed back, so that a rule cannot flood a response.
const MAX_MESSAGE_CHARS: usize = 600;

type Filter = jaq_core::Filter<data::JustLut<Val>>;

fn allowed(name: &str) -> bool {
    !WITHHELD.contains(&name)
}

/// Compiles one jq expression against the withheld-free library.
fn compile(code: &str) -> Result<Filter, String> {
    source::check(code).map_err(|why| format!("'{}' is refused: {why}", shorten(code)))?;
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs())
        .filter(|d| allowed(d.name));
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs())
        .filter(|(name, _, _)| allowed(name));
    let arena = Arena::default();
    let modules = Loader::new(defs)
        .load(&arena, File { code, path: () })
        .map_err(|_| format!("'{}' is not a valid jq expression", shorten(code)))?;
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errors| {
            let undefined: Vec<&str> = errors
                .iter()
                .flat_map(|(_, es)| es.iter().map(|(name, _)| *name))
                .collect();
            format!(
                "'{}' uses jq names that are undefined or not available to rules: {}",
                shorten(code),
                undefined.join(", ")
            )
        })
}

/// Checks that every expression compiles; the first failure is the error.
pub fn check_all<'a>(what: &str, codes: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    for code in codes {
        compile(code).map_err(|e| format!("invalid {what}: {e}"))?;
    }
    Ok(())
}

/// An expression compiled and the JSON text it runs on, read by jq.
fn prepare(code: &str, data: &str) -> Result<(Filter, Val), String> {
    let filter = compile(code)?;
    let input = jaq_json::read::parse_single(data.as_bytes())
        .map_err(|e| format!("attestation_data cannot be read by jq: {e}"))?;
    Ok((filter, input))
}

/// Whether `rule` holds for the JSON text `data`: it must yield at least one
/// value and only `true`. A rule that fails to run, or yields too many values,
/// is an error.
pub fn holds(rule: &str, data: &str) -> Result<bool, String> {
    let (filter, input) = prepare(rule, data)?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut seen = 0;
    for out in filter.id.run((ctx, input)).map(unwrap_valr) {
        let value = out.map_err(|e| {
            format!(
                "jq rule '{}' failed: {}",
                shorten(rule),
                shorten(&e.to_string())
            )
        })?;
        if value != Val::from(true) {
            return Ok(false);
        }
        seen += 1;
        if seen > MAX_OUTPUTS {
            return Err(format!(
                "jq rule '{}' yields more than {MAX_OUTPUTS} values",
                shorten(rule)
            ));
        }
    }
    Ok(seen > 0)
}

/// The first value `expression` yields for the JSON text `data` (null when it
/// yields none), as shown in an attestation's summary; a value longer than a
/// message is cut to one, as text.
pub fn first_value(expression: &str, data: &str) -> Result<Value, String> {
    let (filter, input) = prepare(expression, data)?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let Some(first) = filter.id.run((ctx, input)).map(unwrap_valr).next() else {
        return Ok(Value::Null);
    };
    let value = first.map_err(|e| {
        format!(
            "summary '{}' failed: {}",
            shorten(expression),
            shorten(&e.to_string())
        )
    })?;
    let text = value.to_string();
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Ok(Value::String(shorten(&text)));
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Compiles a JSON Schema given as text, or says why it is not one.
pub fn compile_schema(text: &str) -> Result<jsonschema::Validator, String> {
    let schema: Value =
        serde_json::from_str(text).map_err(|e| format!("the type schema is not JSON: {e}"))?;
    jsonschema::validator_for(&schema)
        .map_err(|e| format!("invalid type schema: {}", shorten(&e.to_string())))
}

/// Every way the JSON text `data` breaks the schema, as `path: problem`.
pub fn violations(schema: &jsonschema::Validator, data: &str) -> Result<Vec<String>, String> {
    let data: Value =
        serde_json::from_str(data).map_err(|e| format!("attestation_data is not JSON: {e}"))?;
    Ok(schema
        .iter_errors(&data)
        .take(20)
        .map(|e| {
            let path = e.instance_path().to_string();
            let path = if path.is_empty() { "/".into() } else { path };
            format!("{path}: {}", shorten(&e.to_string()))
        })
        .collect())
}

/// At most [`MAX_MESSAGE_CHARS`] characters of `text`, marked when cut.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = r#"{"coverage": 82, "tags": ["a", "b"]}"#;

    #[test]
    fn rules_hold_only_when_every_output_is_true() {
        assert_eq!(holds(".coverage >= 80", DATA), Ok(true));
        assert_eq!(holds(".coverage > 90", DATA), Ok(false));
        assert_eq!(holds(".tags | length == 2", DATA), Ok(true));
        assert_eq!(holds("empty", DATA), Ok(false));
        assert!(
            holds("repeat(true)", DATA)
                .unwrap_err()
                .contains("more than")
        );
        assert!(holds(".coverage | keys", DATA).is_err());
        assert!(check_all("jq rule", [".a >=", "nosuchfn(1)"]).is_err());
        assert!(check_all("jq rule", [".a >= 1", "map(.x) | any"]).is_ok());
    }

    #[test]
    fn summaries_show_the_first_value() {
        assert_eq!(first_value(".coverage", DATA), Ok(serde_json::json!(82)));
        assert_eq!(first_value(".tags[]", DATA), Ok(serde_json::json!("a")));
        assert_eq!(first_value(".missing", DATA), Ok(Value::Null));
        assert_eq!(first_value("empty", DATA), Ok(Value::Null));
        assert!(first_value(".coverage | keys", DATA).is_err());
        let long = first_value("[range(2000)]", DATA).unwrap();
        let text = long.as_str().expect("cut to text");
        assert!(text.ends_with('…') && text.chars().count() <= MAX_MESSAGE_CHARS + 1);
        assert!(first_value("env", DATA).is_err());
    }

    #[test]
    fn rules_cannot_reach_the_process() {
        for rule in [
            "env.HOME | error",
            "env | tostring | error",
            "$ENV.PATH",
            "halt",
            "halt_error",
            "halt_error(1)",
            "input",
            "[inputs]",
            "input_filename",
            "debug",
            "debug(\"x\")",
            "stderr",
            "$__prog_args",
        ] {
            let err = check_all("jq rule", [rule]).unwrap_err();
            assert!(
                err.contains("not available") || err.contains("not a valid"),
                "{rule}: {err}"
            );
        }
    }

    #[test]
    fn long_messages_are_cut() {
        let big = format!("\"{}\" | error", "x".repeat(5_000));
        let err = holds(&big, DATA).unwrap_err();
        assert!(err.contains("4096"), "{err}");
        let err = holds("[range(2000)] | tostring | error", DATA).unwrap_err();
        assert!(err.chars().count() < 2 * MAX_MESSAGE_CHARS, "{}", err.len());
    }

    #[test]
    fn schemas_are_compiled_and_report_each_violation() {
        assert!(compile_schema(r#"{"type": "nonsense"}"#).is_err());
        assert!(compile_schema("not json").is_err());
        let schema = compile_schema(
            r#"{"type": "object", "required": ["coverage"],
                "properties": {"coverage": {"type": "number"}}}"#,
        )
        .unwrap();
        assert!(
            violations(&schema, r#"{"coverage": 1}"#)
                .unwrap()
                .is_empty()
        );
        let found = violations(&schema, r#"{"coverage": "x"}"#).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("/coverage: "), "{found:?}");
    }
}
