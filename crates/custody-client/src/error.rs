//! Client errors, and reading the server's message out of an error body the way
//! the Kosli CLI does.

use std::time::Duration;

use serde_json::Value;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error status; `message` is what it said.
    #[error("{message}")]
    Status {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    /// The server could not be reached.
    #[error("{0}")]
    Transport(String),
    /// The server's answer was not what was expected.
    #[error("unexpected response from the server: {0}")]
    Decode(String),
    /// The request could not be built from what the user gave.
    #[error("{0}")]
    Usage(String),
}

impl ClientError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A JSON value as Go's `%v` prints what it decodes to: `[a b]` for lists,
/// `map[k:v]` (keys sorted) for objects, `<nil>` for null.
fn go_format(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(go_format).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(map) => {
            let mut pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_format(v)))
                .collect();
            pairs.sort();
            format!("map[{}]", pairs.join(" "))
        }
        other => other.to_string(),
    }
}

/// The human message in an error body: a JSON string, or an object's `message`
/// (cut before "You have requested", with any `errors` appended), else the text.
pub fn message_of(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::String(s)) => s,
        Ok(Value::Object(map)) => match map.get("message").and_then(Value::as_str) {
            Some(message) => {
                let message = message
                    .split("You have requested")
                    .next()
                    .unwrap_or(message)
                    .trim_end();
                match map.get("errors") {
                    Some(errors) => format!("{message}: {}", go_format(errors)),
                    None => message.to_string(),
                }
            }
            None => Value::Object(map).to_string(),
        },
        Ok(other) => other.to_string(),
        Err(e) if body.trim().is_empty() => format!("empty response body ({e})"),
        Err(_) => body.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_messages_like_the_kosli_cli() {
        assert_eq!(
            message_of(r#"{"message":"Flow named 'x' does not exist"}"#),
            "Flow named 'x' does not exist"
        );
        assert_eq!(message_of(r#""plain""#), "plain");
        assert_eq!(
            message_of(r#"{"message":"Too many. You have requested 5"}"#),
            "Too many."
        );
        assert_eq!(
            message_of(
                r#"{"message":"Input payload validation failed","errors":[{"name":"bad"}]}"#
            ),
            "Input payload validation failed: [map[name:bad]]",
            "as the Kosli CLI prints what it decodes"
        );
        assert_eq!(
            message_of(r#"{"message":"m","errors":{"b":[1,null],"a":true}}"#),
            "m: map[a:true b:[1 <nil>]]"
        );
        assert_eq!(message_of("Bad Gateway"), "Bad Gateway");
    }
}
