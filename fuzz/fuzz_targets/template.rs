//! Flow templates: YAML and legacy lists are parsed or refused, never a panic.
#![no_main]

use custody_core::template::Template;

libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(template) = Template::parse_stored(text) {
        let _ = template.artifact_requirements(Some("app"));
        let _ = template.artifact_requirements(None);
    }
    let _ = Template::parse_yaml(text);
});
