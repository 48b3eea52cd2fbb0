//! Rendering for the terminal: Go-compatible tables, timestamps and relative
//! times, and the `--output json` re-indentation of server bodies.

pub mod table;
pub mod time;

pub use table::TabWriter;
pub use time::{long, now, relative, relative_to, rfc3339_local, short};

/// The order Kosli gives data that has no fixed fields of its own (user
/// data, attestation data, a provider's free-form fields, a type's schema):
/// every object's keys sorted.
pub use custody_core::json::sorted_keys;

/// The whitespace JSON allows between tokens.
const JSON_SPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// Re-indents a JSON text with 2 spaces, like Go's `json.Indent(dst, src, "", "  ")`:
/// keys keep their order and strings their exact spelling, empty objects and
/// arrays stay `{}` and `[]`, leading whitespace is dropped and trailing
/// whitespace kept (so a body without a final newline gives none).
pub fn json_pretty(body: &str) -> Result<String, serde_json::Error> {
    serde_json::from_str::<serde::de::IgnoredAny>(body)?;
    let value = body.trim_end_matches(JSON_SPACE);
    let mut out = String::with_capacity(body.len() * 2);
    let mut depth = 0;
    // After `{` or `[` the line break waits for the next token, so that an
    // empty container closes on the same line.
    let mut opened = false;
    let mut in_string = false;
    let mut escaped = false;
    for c in value.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if JSON_SPACE.contains(&c) {
            continue;
        }
        if std::mem::take(&mut opened) {
            if matches!(c, '}' | ']') {
                out.push(c);
                continue;
            }
            depth += 1;
            newline(&mut out, depth);
        }
        match c {
            '{' | '[' => {
                out.push(c);
                opened = true;
            }
            '}' | ']' => {
                depth -= 1;
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            '"' => {
                out.push(c);
                in_string = true;
            }
            _ => out.push(c),
        }
    }
    out.push_str(&body[value.len()..]);
    Ok(out)
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n("  ", depth));
}

/// An I/O error worded like Go's (`no such file or directory`).
pub fn io_text(error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".*".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(".*", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn matches_serde_json_pretty_printing(value in json_value()) {
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            prop_assert_eq!(json_pretty(&value.to_string()).unwrap(), pretty.clone());
            prop_assert_eq!(json_pretty(&pretty).unwrap(), pretty);
        }
    }

    #[test]
    fn indents_with_two_spaces_and_keeps_key_order() {
        let body = r#"{"b":1,"a":[1,2.5e3,{}],"c":{"d":[ ]},"e":null,"f":true}"#;
        let expected = r#"{
  "b": 1,
  "a": [
    1,
    2.5e3,
    {}
  ],
  "c": {
    "d": []
  },
  "e": null,
  "f": true
}"#;
        assert_eq!(json_pretty(body).unwrap(), expected);
    }

    #[test]
    fn strings_are_copied_verbatim() {
        let body = r#"["a, b: {c} [d]", "q\"uo\\", "\u00e9 é", "tab\t"]"#;
        let expected =
            "[\n  \"a, b: {c} [d]\",\n  \"q\\\"uo\\\\\",\n  \"\\u00e9 é\",\n  \"tab\\t\"\n]";
        assert_eq!(json_pretty(body).unwrap(), expected);
    }

    #[test]
    fn reindents_already_indented_text() {
        let body = "\n  {\n    \"a\" :  [\n        1 ,\r\n 2 ]\n}";
        assert_eq!(
            json_pretty(body).unwrap(),
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}"
        );
    }

    #[test]
    fn trailing_whitespace_is_kept_like_go() {
        assert_eq!(json_pretty("{}\n").unwrap(), "{}\n");
        assert_eq!(json_pretty(" [] ").unwrap(), "[] ");
        assert_eq!(json_pretty("42").unwrap(), "42");
    }

    #[test]
    fn invalid_json_is_an_error() {
        assert!(json_pretty("{\"a\":}").is_err());
        assert!(json_pretty("[1] x").is_err());
        assert!(json_pretty("").is_err());
    }
}
