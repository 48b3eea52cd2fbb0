//! Policy conditions: any text parses or is refused; what parses evaluates
//! without a panic and prints in a form that parses back to the same condition.
#![no_main]

use std::collections::BTreeMap;

use custody_core::policy::{Expr, Facts};

libfuzzer_sys::fuzz_target!(|text: &str| {
    let Ok(expr) = Expr::parse(text) else { return };
    let facts = Facts {
        flow_name: Some("runner".into()),
        flow_tags: BTreeMap::from([("kind".to_string(), "build".to_string())]),
        artifact_name: "runner:1".into(),
        artifact_fingerprint: "a".repeat(64),
    };
    let _ = facts.test(&expr);
    let printed = expr.to_string();
    let again = Expr::parse(&printed).expect("a printed condition parses");
    assert_eq!(again, expr, "{printed}");
});
