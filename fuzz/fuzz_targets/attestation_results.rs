//! Attestation payloads: every built-in type judges any JSON or refuses it.
#![no_main]

use custody_core::attestation::{Kind, builtin_compliance};

const KINDS: [Kind; 8] = [
    Kind::Generic,
    Kind::Junit,
    Kind::Snyk,
    Kind::Sarif,
    Kind::Sonar,
    Kind::Jira,
    Kind::PullRequest,
    Kind::Decision,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(payload) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for kind in KINDS {
        let _ = builtin_compliance(kind, &payload);
    }
});
