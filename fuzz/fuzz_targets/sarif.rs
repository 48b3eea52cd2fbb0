//! SARIF: any document is summarised for Snyk and for every threshold, or refused.
#![no_main]

use custody_core::attestation::SEVERITIES;
use custody_evidence::sarif;

libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(doc) = sarif::parse(text) {
        let _ = sarif::snyk_results(&doc);
        for threshold in SEVERITIES {
            let results = sarif::sarif_results(&doc, threshold);
            assert!(results["findings"].is_object());
        }
    }
});
