//! The rules every input keeps to before it is stored, the same whichever
//! database holds it: no NUL characters anywhere (PostgreSQL text cannot hold
//! them), bounded sizes for documents users write (templates, policies, type
//! schemas) and for single values that are indexed (names, commits), and a
//! bounded nesting of YAML flow collections, whose parser slows down
//! quadratically with depth.

/// The largest template, policy or type schema accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// The deepest nesting of `[…]` and `{…}` accepted in a YAML document.
pub const MAX_YAML_NESTING: usize = 32;

/// The longest git commit accepted (a SHA-256 commit is 64 hex characters).
pub const MAX_COMMIT_CHARS: usize = 64;

/// Why an input was refused, phrased so the user knows how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

const NUL_ADVICE: &str = "text stored by Custody cannot contain NUL characters; remove them";

/// Refuses text with a NUL character.
pub fn no_nul(what: &str, text: &str) -> Result<(), InputError> {
    match text.find('\0') {
        Some(at) => Err(InputError(format!(
            "{what} contains a NUL character at byte {at}: {NUL_ADVICE}"
        ))),
        None => Ok(()),
    }
}

/// Refuses JSON text in which a string or key holds `\u0000`. Raw NUL bytes
/// cannot appear in valid JSON, so the escape is the only way in.
pub fn json_without_nul(what: &str, json: &[u8]) -> Result<(), InputError> {
    let mut in_string = false;
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => {
                let escape = json.get(i + 1..i + 6);
                if escape == Some(b"u0000") {
                    return Err(InputError(format!(
                        "{what} contains a NUL character (\\u0000) at byte {i}: {NUL_ADVICE}"
                    )));
                }
                i += 1;
            }
            0 => {
                return Err(InputError(format!(
                    "{what} contains a NUL byte at byte {i}: {NUL_ADVICE}"
                )));
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Checks a document's size and characters.
pub fn document(what: &str, text: &str) -> Result<(), InputError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(InputError(format!(
            "the {what} is {} bytes long; the limit is {MAX_DOCUMENT_BYTES}",
            text.len()
        )));
    }
    no_nul(&format!("the {what}"), text)
}

/// Checks a YAML document's size, characters and flow nesting.
pub fn yaml_document(what: &str, text: &str) -> Result<(), InputError> {
    document(what, text)?;
    let (mut depth, mut quote) = (0usize, None::<char>);
    let mut comment = false;
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (_, '\n') => comment = false,
            _ if comment => {}
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_YAML_NESTING {
                    return Err(InputError(format!(
                        "the {what} nests more than {MAX_YAML_NESTING} levels of [ ] or {{ }} (at byte {at})"
                    )));
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Checks a git commit: 1 to 64 ASCII letters and digits.
pub fn commit(value: &str) -> Result<(), InputError> {
    let ok = !value.is_empty()
        && value.len() <= MAX_COMMIT_CHARS
        && value.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        let shown: String = value.chars().take(80).collect();
        Err(InputError(format!(
            "'{shown}' is not a git commit: use the commit's SHA (up to {MAX_COMMIT_CHARS} hex characters)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_in_text_and_in_json_escapes_only() {
        assert!(
            no_nul("the name", "a\0b")
                .unwrap_err()
                .0
                .contains("at byte 1")
        );
        assert_eq!(no_nul("the name", "ab"), Ok(()));
        assert!(json_without_nul("the body", br#"{"a": "x\u0000"}"#).is_err());
        assert!(json_without_nul("the body", br#"{"a\u0000": 1}"#).is_err());
        assert_eq!(
            json_without_nul("the body", br#"{"a": "x\\u0000"}"#),
            Ok(())
        );
        assert_eq!(
            json_without_nul("the body", br#"{"a": "\"\\", "b": "\u0001"}"#),
            Ok(())
        );
        assert!(json_without_nul("the body", b"{\"a\": \"\0\"}").is_err());
    }

    #[test]
    fn yaml_documents_are_bounded() {
        assert_eq!(
            yaml_document("template", "version: 1\ntrail: {a: [1, {b: 2}]}\n"),
            Ok(())
        );
        let deep = format!("a: {}{}", "[".repeat(40), "]".repeat(40));
        assert!(
            yaml_document("template", &deep)
                .unwrap_err()
                .0
                .contains("nests more than 32")
        );
        let quoted = format!("a: \"{}\" # [[[[\n", "[".repeat(40));
        assert_eq!(yaml_document("template", &quoted), Ok(()));
        let big = "a: 1\n".repeat(20_000);
        assert!(
            yaml_document("policy", &big)
                .unwrap_err()
                .0
                .contains("the limit is 65536")
        );
    }

    #[test]
    fn commits_are_short_and_alphanumeric() {
        assert_eq!(commit("16d9990"), Ok(()));
        assert_eq!(commit(&"a".repeat(64)), Ok(()));
        assert!(commit(&"a".repeat(65)).is_err());
        assert!(commit("").is_err());
        assert!(commit("ab cd").is_err());
        assert!(commit(&"x".repeat(1_000_000)).unwrap_err().0.len() < 200);
    }
}
