//! jq rules: the size and nesting checks and jaq's parser and compiler accept
//! or refuse any text without a panic or a stack overflow. (Evaluation is not
//! fuzzed here: an endless rule is bounded by the worker's deadline.)
#![no_main]

libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = custody_rules::engine::check_all("jq rule", [text]);
});
