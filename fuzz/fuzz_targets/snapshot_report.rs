//! Runtime reports: any JSON list of instances is normalised or refused, and
//! what is normalised diffs cleanly against an empty environment.
#![no_main]

use custody_core::report::{diff, normalise};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(serde_json::Value::Array(entries)) = serde_json::from_slice(data) else {
        return;
    };
    if let Ok(running) = normalise(&entries) {
        let change = diff(&[], &running);
        assert_eq!(change.is_some(), !running.is_empty());
    }
});
