//! The checks of a custom attestation type: its JSON Schema (compiled without
//! fetching remote `$ref`s) and its jq rules, parsed, compiled and run in
//! process with jaq.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

/// Compiles a JSON Schema, or says why it is not one.
pub fn compile_schema(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::validator_for(schema).map_err(|e| format!("invalid type schema: {e}"))
}

/// Every way `data` breaks the schema, as `path: problem` (empty when valid).
pub fn violations(schema: &jsonschema::Validator, data: &Value) -> Vec<String> {
    schema
        .iter_errors(data)
        .map(|e| {
            let path = e.instance_path().to_string();
            let path = if path.is_empty() {
                "/".to_string()
            } else {
                path
            };
            format!("{path}: {e}")
        })
        .collect()
}

/// A jq filter compiled with the standard library.
type Filter = jaq_core::Filter<data::JustLut<Val>>;

/// Compiles one jq expression, or says why it does not compile.
fn compile(code: &str) -> Result<Filter, String> {
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let arena = Arena::default();
    let modules = Loader::new(defs)
        .load(&arena, File { code, path: () })
        .map_err(|_| format!("'{code}' is not a valid jq expression"))?;
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errors| {
            let undefined: Vec<&str> = errors
                .iter()
                .flat_map(|(_, es)| es.iter().map(|(name, _)| *name))
                .collect();
            format!("'{code}' uses undefined jq names: {}", undefined.join(", "))
        })
}

/// Checks that every expression compiles; the first failure is the error.
pub fn check_all<'a>(what: &str, codes: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    for code in codes {
        compile(code).map_err(|e| format!("invalid {what}: {e}"))?;
    }
    Ok(())
}

/// The most values a rule may yield; more is an error, not an endless loop.
const MAX_OUTPUTS: usize = 10_000;

/// Whether `rule` holds for `data`: it must yield at least one value and only
/// `true`. A rule that fails to run, or yields too many values, is an error.
pub fn holds(rule: &str, data: &Value) -> Result<bool, String> {
    let filter = compile(rule)?;
    let input = jaq_json::read::parse_single(data.to_string().as_bytes())
        .map_err(|e| format!("attestation_data cannot be read by jq: {e}"))?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut seen = 0;
    for out in filter.id.run((ctx, input)).map(unwrap_valr) {
        let value = out.map_err(|e| format!("jq rule '{rule}' failed: {e}"))?;
        if value != Val::from(true) {
            return Ok(false);
        }
        seen += 1;
        if seen > MAX_OUTPUTS {
            return Err(format!(
                "jq rule '{rule}' yields more than {MAX_OUTPUTS} values"
            ));
        }
    }
    Ok(seen > 0)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rules_hold_only_when_every_output_is_true() {
        let data = json!({"coverage": 82, "tags": ["a", "b"]});
        assert_eq!(holds(".coverage >= 80", &data), Ok(true));
        assert_eq!(holds(".coverage > 90", &data), Ok(false));
        assert_eq!(holds(".tags | length == 2", &data), Ok(true));
        assert_eq!(holds("empty", &data), Ok(false));
        assert!(
            holds("repeat(true)", &data)
                .unwrap_err()
                .contains("more than")
        );
        assert!(holds(".coverage | keys", &data).is_err());
        assert!(check_all("jq rule", [".a >=", "nosuchfn(1)"]).is_err());
        assert!(check_all("jq rule", [".a >= 1", "map(.x) | any"]).is_ok());
    }

    #[test]
    fn schemas_are_compiled_and_report_each_violation() {
        assert!(compile_schema(&json!({"type": "nonsense"})).is_err());
        let schema = compile_schema(&json!({
            "type": "object",
            "required": ["coverage"],
            "properties": {"coverage": {"type": "number"}}
        }))
        .unwrap();
        assert!(violations(&schema, &json!({"coverage": 1})).is_empty());
        let found = violations(&schema, &json!({"coverage": "x"}));
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("/coverage: "), "{found:?}");
    }
}
