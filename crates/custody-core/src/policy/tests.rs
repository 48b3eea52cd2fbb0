//! Tests of the condition language and of policy parsing and decisions.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::expr::{Context, Expr};
use super::*;

fn facts(flow: &str, tags: &[(&str, &str)]) -> Facts {
    Facts {
        flow_name: Some(flow.to_string()),
        flow_tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        artifact_name: "web".into(),
        artifact_fingerprint: "a".repeat(64),
    }
}

fn test(text: &str, f: &Facts) -> bool {
    f.test(&Expr::parse(text).unwrap()).unwrap()
}

#[test]
fn evaluates_the_documented_examples() {
    let build = facts("ci", &[("kind", "build"), ("env", "aws-prod")]);
    let beta = facts("scan", &[("env", "aws-beta")]);
    assert!(test(r#"${{ flow.tags.kind == "build" }}"#, &build));
    assert!(!test(r#"flow.tags.kind == "build""#, &beta));
    let e = r#"exists(flow.tags.env) and flow.tags.env != "aws-prod""#;
    assert!(!test(e, &build) && test(e, &beta));
    assert!(test(
        r#"flow.name in ["ci", "cd"] and not (artifact.name == "x")"#,
        &build
    ));
    assert!(test(r#"matches(flow.name, "^sc") or false"#, &beta));
    assert!(test("2 < 10 and \"b\" >= \"a\"", &build));
    assert!(!test("exists(flow.tags.missing)", &build));
}

#[test]
fn parse_errors_name_the_position() {
    let err = Expr::parse("flow.name == ").unwrap_err();
    assert_eq!(err.at, 12);
    let err = Expr::parse("flow.nme == \"x\"").unwrap_err();
    assert!(err.message.contains("unknown context 'flow.nme'"), "{err}");
    assert!(Expr::parse("matches(flow.name, \"(\")").is_err());
    assert!(Expr::parse("flow.name == \"x").is_err());
    assert!(Expr::parse("(true").is_err());
    assert!(Expr::parse("true true").is_err());
}

#[test]
fn long_chains_are_flat_and_deep_nesting_is_refused() {
    let f = facts("ci", &[]);
    let chain = vec!["flow.name == \"ci\""; 10_000].join(" and ");
    let e = Expr::parse(&chain).unwrap();
    assert!(matches!(&e, Expr::And(terms) if terms.len() == 10_000));
    assert!(f.test(&e).unwrap());
    let chain = vec!["false"; 10_000].join(" or ");
    assert!(!f.test(&Expr::parse(&chain).unwrap()).unwrap());
    for deep in [
        "not ".repeat(10_000) + "true",
        "(".repeat(10_000) + "true" + &")".repeat(10_000),
        "exists(".repeat(10_000) + "flow.name" + &")".repeat(10_000),
    ] {
        let err = Expr::parse(&deep).unwrap_err();
        assert!(err.message.contains("nests more than 32 levels"), "{err}");
    }
    let fine = "not ".repeat(31) + "false";
    let e = Expr::parse(&fine).unwrap();
    assert!(f.test(&e).unwrap());
    assert_eq!(
        Expr::parse(&e.to_string()),
        Ok(e),
        "printing keeps within the limit"
    );
}

#[test]
fn conditions_print_with_only_the_parentheses_they_need() {
    for (text, printed) in [
        ("(a.b)", ""),
        (
            "flow.name == \"x\" and (artifact.name == \"y\" or false)",
            "flow.name == \"x\" and (artifact.name == \"y\" or false)",
        ),
        ("(true and false) or true", "true and false or true"),
        ("(true and false) and true", "(true and false) and true"),
        ("(not true) == false", "(not true) == false"),
        ("not not (1 < 2)", "not not 1 < 2"),
        (
            "exists((flow.name)) and flow.name in [\"a\", (\"b\")]",
            "exists(flow.name) and flow.name in [\"a\", \"b\"]",
        ),
    ] {
        let Ok(e) = Expr::parse(text) else {
            assert!(printed.is_empty(), "{text} should parse");
            continue;
        };
        assert_eq!(e.to_string(), printed, "{text}");
        assert_eq!(Expr::parse(printed), Ok(e));
    }
}

#[test]
fn non_boolean_conditions_are_errors() {
    assert!(
        facts("ci", &[])
            .test(&Expr::parse("flow.name").unwrap())
            .is_err()
    );
    assert!(
        facts("ci", &[])
            .test(&Expr::parse("flow.name < 3").unwrap())
            .is_err()
    );
}

const POLICY: &str = r#"
_schema: https://kosli.com/schemas/policy/environment/v1
artifacts:
  provenance:
    required: true
  trail-compliance:
    required: true
    exceptions:
      - if: ${{ exists(flow.tags.env) and flow.tags.env != "prod" }}
  attestations:
    - name: unit-test
      type: junit
      if: ${{ flow.tags.kind == "build" }}
"#;

#[test]
fn parses_policies_strictly() {
    let p = Policy::parse(POLICY).unwrap();
    assert!(p.provenance.required && p.trail_compliance.required);
    assert_eq!(
        p.attestations[0].condition.as_ref().unwrap().text,
        r#"flow.tags.kind == "build""#
    );
    let bad = [
        ("_schema: https://example.com/v1\n", "_schema"),
        (
            &POLICY.replace(
                "required: true\n  trail",
                "required: true\n    extra: 1\n  trail",
            ),
            "extra",
        ),
        (&POLICY.replace("type: junit", "type: nope"), "nope"),
        (
            &POLICY.replace("flow.tags.kind ==", "flow.tags.kind ="),
            "position",
        ),
        ("artifacts: {}\n", "_schema"),
    ];
    for (yaml, needle) in bad {
        let err = Policy::parse(yaml).unwrap_err().to_string();
        assert!(err.contains(needle), "{err}");
    }
}

fn ctx(
    flow: &str,
    tags: &[(&str, &str)],
    status: &str,
    atts: &[(&str, &str, bool)],
) -> FlowContext {
    FlowContext {
        flow_name: flow.into(),
        trail_name: Some("t1".into()),
        flow_tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        artifact_status: status.into(),
        attestations: atts
            .iter()
            .map(|(n, k, c)| Seen {
                name: n.to_string(),
                kind: k.to_string(),
                is_compliant: *c,
                control: None,
            })
            .collect(),
    }
}

#[test]
fn decisions_follow_the_rules() {
    let p = Policy::parse(POLICY).unwrap();
    let subject = |contexts| Subject {
        name: "web".into(),
        fingerprint: "f".repeat(64),
        contexts,
    };
    let unknown = decide("p", 1, &p, &subject(vec![]));
    assert_eq!(unknown.status, "NON-COMPLIANT");
    assert_eq!(
        unknown.rule_evaluations[0].resolutions[0].kind,
        "no_provenance"
    );
    let untagged = decide("p", 1, &p, &subject(vec![ctx("ci", &[], "COMPLIANT", &[])]));
    assert!(untagged.compliant(), "{untagged:?}");
    let build = ctx("ci", &[("kind", "build")], "COMPLIANT", &[]);
    let missing = decide("p", 1, &p, &subject(vec![build.clone()]));
    assert_eq!(
        missing.rule_evaluations[2].resolutions[0].kind,
        "missing_attestation"
    );
    let mut tested = build.clone();
    tested.attestations.push(Seen {
        name: "unit-test".into(),
        kind: "junit".into(),
        is_compliant: true,
        control: None,
    });
    assert!(decide("p", 1, &p, &subject(vec![tested.clone()])).compliant());
    let red_beta = ctx("scan", &[("env", "beta")], "NON-COMPLIANT", &[]);
    assert!(decide("p", 1, &p, &subject(vec![tested.clone(), red_beta])).compliant());
    let red_prod = ctx("scan", &[("env", "prod")], "NON-COMPLIANT", &[]);
    let d = decide("p", 1, &p, &subject(vec![tested, red_prod]));
    assert_eq!(
        d.rule_evaluations[1].resolutions[1].kind,
        "non_compliant_in_trail"
    );
    assert!(!d.compliant());
}

#[test]
fn decision_rules_match_their_control() {
    let p = Policy::parse(
        "_schema: https://kosli.com/schemas/policy/environment/v1\n\
         artifacts:\n  attestations:\n    - name: \"*\"\n      type: decision\n      for_control: SOX-1\n",
    )
    .unwrap();
    assert!(p.requires_control("SOX-1") && !p.requires_control("SOX-2"));
    let decided = |control: &str, is_compliant: bool| Subject {
        name: "web".into(),
        fingerprint: "f".repeat(64),
        contexts: vec![FlowContext {
            attestations: vec![Seen {
                name: "approval".into(),
                kind: "decision".into(),
                is_compliant,
                control: Some(control.into()),
            }],
            ..ctx("ci", &[], "COMPLIANT", &[])
        }],
    };
    let rule = |d: &PolicyDecision| d.rule_evaluations[2].resolutions[0].clone();
    let other = decide("p", 1, &p, &decided("SOX-2", true));
    assert!(!other.compliant(), "{other:?}");
    assert_eq!(rule(&other).kind, "missing_attestation");
    assert_eq!(rule(&other).context.for_control.as_deref(), Some("SOX-1"));
    assert!(decide("p", 1, &p, &decided("SOX-1", true)).compliant());
    let refused = decide("p", 1, &p, &decided("SOX-1", false));
    assert_eq!(rule(&refused).kind, "non_compliant_attestation");
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        "[a-z \"\\\\]{0,6}".prop_map(Expr::Str),
        (0u32..1000).prop_map(|n| Expr::Num(f64::from(n))),
        any::<bool>().prop_map(Expr::Bool),
        Just(Expr::Ctx(Context::FlowName)),
        "[a-z][a-z.-]{0,5}[a-z]".prop_map(|k| Expr::Ctx(Context::FlowTag(k))),
        Just(Expr::Ctx(Context::ArtifactName)),
    ]
}

fn boolean() -> impl Strategy<Value = Expr> {
    let atom = prop_oneof![
        any::<bool>().prop_map(Expr::Bool),
        (leaf(), leaf()).prop_map(|(a, b)| Expr::Cmp(
            super::expr::CmpOp::Eq,
            Box::new(a),
            Box::new(b)
        )),
        leaf().prop_map(|a| Expr::Exists(Box::new(a))),
        (leaf(), prop::collection::vec(leaf(), 0..3)).prop_map(|(a, l)| Expr::In(Box::new(a), l)),
    ];
    atom.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
        ]
    })
}

proptest! {
    #[test]
    fn parsing_never_panics(s in "\\PC{0,40}") {
        let _ = Expr::parse(&s);
    }

    #[test]
    fn parsing_token_soup_never_panics(parts in prop::collection::vec(prop_oneof![
        Just("flow.name"), Just("=="), Just("("), Just(")"), Just("and"), Just("not"), Just("in"),
        Just("["), Just("]"), Just(","), Just("\"x\""), Just("1"), Just("exists"), Just("matches"),
    ], 0..12)) {
        let _ = Expr::parse(&parts.join(" "));
    }

    #[test]
    fn display_round_trips(e in boolean()) {
        prop_assert_eq!(Expr::parse(&e.to_string()).unwrap(), e);
    }

    #[test]
    fn operators_follow_boolean_logic(a in boolean(), b in boolean()) {
        let f = facts("ci", &[("kind", "build")]);
        let (x, y) = (f.test(&a).unwrap(), f.test(&b).unwrap());
        prop_assert_eq!(f.test(&Expr::Not(Box::new(a.clone()))).unwrap(), !x);
        prop_assert_eq!(f.test(&Expr::And(vec![a.clone(), b.clone()])).unwrap(), x && y);
        prop_assert_eq!(f.test(&Expr::Or(vec![a, b])).unwrap(), x || y);
    }
}
