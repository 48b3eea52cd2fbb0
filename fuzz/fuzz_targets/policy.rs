//! Environment policies: any file is parsed and, when valid, its rules are
//! turned into their stored definitions.
#![no_main]

use custody_core::policy::Policy;

libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(policy) = Policy::parse(text) {
        let _ = policy.provenance.definition();
        let _ = policy.trail_compliance.definition();
        for rule in &policy.attestations {
            let _ = rule.definition();
        }
    }
});
