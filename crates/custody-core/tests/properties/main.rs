//! Property tests of custody-core's pure domain. This file covers the parsers
//! users reach directly (snapshot and artifact expressions, intervals, times, hex
//! prefixes, templates): they never panic and round-trip what they promise. The
//! submodules cover runtime reports, artifact history and compliance.

mod compliance;
mod history;
mod merkle;
mod report;

use custody_core::HexPrefix;
use custody_core::expr::{
    ArtifactRef, Snappish, SnapshotRef, TimeRef, parse_interval, parse_suffix, parse_time,
    resolve_index,
};
use custody_core::template::Template;
use proptest::prelude::*;

/// Pieces of expressions, including integers at the edges of `i64`.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            i64::MIN.to_string(),
            format!("~{}", i64::MIN),
            i64::MAX.to_string(),
            "-1".into(),
            "0".into(),
            "NOW".into(),
            "..".into(),
            "@{".into(),
            "}".into(),
            ".hours.ago".into(),
        ]),
        "[~#@{}.:, -]{0,2}[0-9a-zA-Z]{0,4}",
        "\\PC{0,6}",
    ]
}

/// Strings that look a little like expressions.
fn expression() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 0..5).prop_map(|parts| parts.concat())
}

fn env_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{0,20}"
}

proptest! {
    #[test]
    fn expression_parsers_never_panic(text in prop_oneof![expression(), "\\PC*"]) {
        let _ = Snappish::parse(&text);
        let _ = parse_suffix(&text);
        let _ = parse_time(&text);
        let _ = ArtifactRef::parse(&text);
    }

    #[test]
    fn intervals_never_panic_and_start_at_one(
        text in prop_oneof![(token(), token()).prop_map(|(a, b)| format!("{a}..{b}")), expression()],
        latest in 0i64..100_000,
    ) {
        if let Ok((from, to)) = parse_interval(&text, latest) {
            prop_assert!(from >= 1, "{text} gave ({from}, {to})");
            // An interval wholly before snapshot 1 parses but leaves `to < 1`: an empty range.
            prop_assert!(to < 1 || from <= to, "{text} gave ({from}, {to})");
        }
    }

    #[test]
    fn index_suffix_round_trips(env in env_name(), n in 1i64..=i64::MAX) {
        let parsed = Snappish::parse(&format!("{env}#{n}")).unwrap();
        prop_assert_eq!(parsed.env, env.clone());
        prop_assert_eq!(parsed.at, SnapshotRef::Index(n));
        let zero_or_less = format!("{env}#{}", 1 - n);
        prop_assert!(Snappish::parse(&zero_or_less).is_err());
        prop_assert_eq!(Snappish::parse(&env).unwrap().at, SnapshotRef::Latest);
        let behind = Snappish::parse(&format!("{env}~{}", n - 1)).unwrap();
        prop_assert_eq!(behind.at, SnapshotRef::Behind(n - 1));
    }

    #[test]
    fn bare_integer_suffixes_are_indexes(n in any::<i64>()) {
        let expected = match n {
            0 => Err(". Snapshot indexes are 1-based".to_string()),
            -1 => Ok(SnapshotRef::Latest),
            n => Ok(SnapshotRef::Index(n)),
        };
        prop_assert_eq!(parse_suffix(&n.to_string()), expected);
    }

    #[test]
    fn references_resolve_against_latest(latest in 0i64..1_000_000, n in 0i64..1_000_000) {
        prop_assert_eq!(resolve_index(&SnapshotRef::Behind(n), latest), Some(latest - n));
        prop_assert_eq!(resolve_index(&SnapshotRef::Latest, latest), Some(latest));
        prop_assert_eq!(resolve_index(&SnapshotRef::Index(n + 1), latest), Some(n + 1));
        // -1 is the latest, -2 the one before…
        prop_assert_eq!(resolve_index(&SnapshotRef::Index(-(n + 1)), latest), Some(latest - n));
        prop_assert_eq!(resolve_index(&SnapshotRef::At(TimeRef::Now), latest), None);
    }

    #[test]
    fn intervals_resolve_each_bound(
        left in prop::option::of((any::<bool>(), -5i64..40)),
        right in prop::option::of((any::<bool>(), -5i64..40)),
        now_right in any::<bool>(),
        latest in 0i64..30,
    ) {
        let text_of = |b: Option<(bool, i64)>| match b {
            None => String::new(),
            Some((true, n)) => format!("~{n}"),
            Some((false, n)) => n.to_string(),
        };
        let value_of = |b: Option<(bool, i64)>, default: i64| match b {
            None => default,
            Some((true, n)) => latest - n,
            Some((false, n)) => n,
        };
        let right_text = if now_right { "NOW".to_string() } else { text_of(right) };
        let text = format!("{}..{right_text}", text_of(left));
        let from = value_of(left, 1);
        let to = if now_right { latest } else { value_of(right, latest) };
        match parse_interval(&text, latest) {
            Ok(range) => prop_assert_eq!(range, (from.max(1), to), "{}", text),
            Err(_) => prop_assert!(from > to, "{text} was refused"),
        }
    }

    #[test]
    fn artifact_references_round_trip(flow in env_name(), hex in "[0-9a-fA-F]{5,64}", by_commit in any::<bool>()) {
        let sep = if by_commit { ':' } else { '@' };
        let parsed = ArtifactRef::parse(&format!("{flow}{sep}{hex}")).unwrap();
        let lower = hex.to_ascii_lowercase();
        match parsed {
            ArtifactRef::Commit { flow: f, prefix } if by_commit => {
                prop_assert_eq!((f, prefix.as_str()), (flow, lower.as_str()));
            }
            ArtifactRef::Fingerprint { flow: f, prefix } if !by_commit => {
                prop_assert_eq!((f, prefix.as_str()), (flow, lower.as_str()));
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn relative_times_count_seconds(amount in 0u32..100_000, unit in 0usize..6, plural in any::<bool>()) {
        let (name, seconds) = [("second", 1.0), ("minute", 60.0), ("hour", 3600.0),
            ("day", 86400.0), ("week", 604800.0), ("month", 2592000.0)][unit];
        let s = if plural { "s" } else { "" };
        let parsed = parse_time(&format!("{amount}.{name}{s}.ago"));
        prop_assert_eq!(parsed, Ok(TimeRef::Ago(f64::from(amount) * seconds)));
    }

    #[test]
    fn hex_prefixes_parse_exactly_the_hex_strings(text in prop_oneof!["[0-9a-fA-F]{0,70}", "\\PC{0,70}"]) {
        let valid = (5..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit());
        match HexPrefix::parse(&text) {
            Ok(prefix) => {
                prop_assert!(valid, "{text}");
                prop_assert_eq!(prefix.as_str(), text.to_ascii_lowercase());
            }
            Err(_) => prop_assert!(!valid, "{text}"),
        }
    }

    #[test]
    fn templates_never_panic(text in prop_oneof![
        "\\PC*",
        prop::collection::vec(prop::sample::select(vec![
            "version: 1\n", "version: x\n", "trail:\n", "  attestations:\n", "  artifacts:\n",
            "  - name: a\n", "    type: junit\n", "    type: custom:\n", "  - {name: a, type: '*'}\n",
            "[", "]", "{", "}", "&a ", "*a ", "!!binary ", "<<: *a\n", "- ", ": ", "\t", "\"", "'",
        ]), 0..24).prop_map(|parts| parts.concat()),
    ]) {
        let _ = Template::parse_yaml(&text);
        let _ = Template::parse_stored(&text);
    }
}

#[test]
fn interval_bounds_at_the_edges_of_i64_are_refused_not_overflowed() {
    assert!(parse_interval(&format!("~{}..", i64::MIN), 10).is_err());
    assert!(parse_interval(&format!("..~{}", i64::MIN), 10).is_ok());
    assert!(parse_interval(&format!("~{}..", i64::MAX), 10).is_ok());
}

#[test]
fn deeply_nested_templates_are_refused() {
    for depth in [100, 1_000, 10_000] {
        assert!(Template::parse_yaml(&"[".repeat(depth)).is_err());
        assert!(Template::parse_yaml(&format!("version: {}", "{a: ".repeat(depth))).is_err());
    }
}
