//! JUnit XML: any text is read into suites or refused, never a panic, and
//! what is read can be sent as `junit_results`.
#![no_main]

libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(suites) = custody_evidence::junit::parse(text) {
        serde_json::to_string(&suites).expect("suites serialise");
    }
});
