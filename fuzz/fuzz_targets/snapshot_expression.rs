//! Snapshot and artifact expressions (`env#N`, `env~N`, `env@{...}`, `A..B`,
//! `flow:commit`): parsed or refused, resolved without a panic.
#![no_main]

use custody_core::expr::{ArtifactRef, Snappish, parse_interval, resolve_index};

libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(snappish) = Snappish::parse(text) {
        let _ = resolve_index(&snappish.at, 65);
    }
    let _ = ArtifactRef::parse(text);
    let _ = parse_interval(text, 65);
    let _ = parse_interval(text, 0);
});
