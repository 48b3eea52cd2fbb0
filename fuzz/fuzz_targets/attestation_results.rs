//! Attestation payloads: every built-in type judges any JSON or refuses it.
#![no_main]

use custody_core::attestation::{Kind, builtin_compliance};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(payload) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for kind in Kind::BUILT_IN {
        let _ = builtin_compliance(kind, &payload);
    }
});
