//! One line of a Kosli case file, read and checked. A case line is
//! `[fails] [NAME=VALUE …] ARGS|EXPECTED` (`fails` where Kosli's case wants
//! an error its expected output does not show): leading `NAME=VALUE` words set variables
//! for that command only (an empty value clears it; `STDIN=…` is its
//! standard input instead, `\n` a line break). EXPECTED is either Kosli's
//! golden text (`.*` for the rest of a line where its golden is a regular
//! expression), `re REGEX` for its `goldenRegex` (found anywhere in the
//! output, `\n` a line break; a case fails if REGEX has `Error:`), or,
//! for its `goldenJson` checks, `json PATH = VALUE` checks
//! joined by ` && `: PATH as Kosli writes it (`[0].name`, `tags.team`, empty
//! for the whole document) and VALUE a JSON value, or `length:N`,
//! `non-empty`, `empty` or `not-nil` as Kosli's checks have them.

use serde_json::Value;

/// What a case expects a command to print.
pub(super) enum Expected {
    Text(String),
    Regex(regex::Regex),
    Json(Vec<(String, String)>),
}

/// A case line, read.
pub(super) struct Case {
    pub env: Vec<(String, String)>,
    pub stdin: Option<String>,
    pub args: String,
    pub expected: Expected,
    /// Written `fails …|`: the command must fail whatever it prints.
    fails: bool,
}

impl Case {
    pub fn parse(line: &str) -> Case {
        let (head, expected) = split_case(line);
        let mut rest = head.trim_start();
        let fails = rest.starts_with("fails ");
        rest = rest.strip_prefix("fails ").unwrap_or(rest);
        let (mut env, mut stdin) = (Vec::new(), None);
        while let Some((name, value, after)) = assignment(rest) {
            match name {
                "STDIN" => stdin = Some(value.replace("\\n", "\n")),
                _ => env.push((name.to_string(), value.to_string())),
            }
            rest = after;
        }
        let regex = expected.strip_prefix("re ").map(|r| r.replace("\\n", "\n"));
        let expected = match expected.strip_prefix("json ") {
            None if regex.is_some() => Expected::Regex(
                regex::Regex::new(&regex.unwrap_or_default()).expect("a regular expression"),
            ),
            Some(checks) => Expected::Json(
                checks
                    .split(" && ")
                    .map(|c| {
                        let (path, want) = c.split_once("= ").expect("json PATH = VALUE");
                        (path.trim().to_string(), want.trim().to_string())
                    })
                    .collect(),
            ),
            None => Expected::Text(format!("{}\n", expected.replace("\\n", "\n"))),
        };
        Case {
            env,
            stdin,
            args: rest.to_string(),
            expected,
            fails,
        }
    }

    /// Whether the command must fail: marked so, or Kosli's golden has an
    /// `Error:` line.
    pub fn must_fail(&self) -> bool {
        self.fails
            || match &self.expected {
                Expected::Text(t) => t.starts_with("Error:") || t.contains("\nError:"),
                Expected::Regex(r) => r.as_str().contains("Error:"),
                Expected::Json(_) => false,
            }
    }

    /// Why `output` is not what the case expects, if it is not.
    pub fn mismatch(&self, output: &str) -> Option<String> {
        match &self.expected {
            Expected::Text(t) => (!matches(t, output)).then(|| format!("want: {t:?}")),
            Expected::Regex(r) => (!r.is_match(output)).then(|| format!("want /{r}/")),
            Expected::Json(checks) => {
                let doc: Value = match serde_json::from_str(output) {
                    Ok(doc) => doc,
                    Err(e) => return Some(format!("want JSON: {e}")),
                };
                checks
                    .iter()
                    .find_map(|(path, want)| json_check(&doc, path, want).err())
            }
        }
    }
}

/// A case line split at its first `|` outside '…' quotes: the command line
/// may quote a `|`, and Kosli's usage lines have them in what is expected.
fn split_case(line: &str) -> (&str, &str) {
    let mut quoted = false;
    for (at, c) in line.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '|' if !quoted => return (&line[..at], &line[at + 1..]),
            _ => {}
        }
    }
    panic!("ARGS|EXPECTED: {line}")
}

/// A leading `NAME=VALUE ` word (NAME in capitals), and what follows it.
fn assignment(text: &str) -> Option<(&str, &str, &str)> {
    let (word, after) = text.split_once(' ')?;
    let (name, value) = word.split_once('=')?;
    let capitals = |c: char| c.is_ascii_uppercase() || c == '_';
    (!name.is_empty() && name.chars().all(capitals)).then_some((name, value, after.trim_start()))
}

/// Checks the value at `path` in `doc` as Kosli's `goldenJsonContains` does.
pub(super) fn json_check(doc: &Value, path: &str, want: &str) -> Result<(), String> {
    let at = json_at(doc, path).ok_or_else(|| format!("{path}: nothing there in {doc}"))?;
    let ok = match want {
        "empty" | "[]" => at.as_array().is_some_and(Vec::is_empty),
        "non-empty" => at.as_array().is_some_and(|a| !a.is_empty()),
        "{}" => at.as_object().is_some_and(|o| o.is_empty()),
        "not-nil" => !at.is_null(),
        _ => match want.strip_prefix("length:") {
            Some(n) => at.as_array().map(Vec::len) == n.parse().ok(),
            None => serde_json::from_str::<Value>(want).expect("a JSON value") == *at,
        },
    };
    ok.then_some(())
        .ok_or_else(|| format!("{path}: want {want}, got {at}"))
}

/// The value at `path` in `doc` (`[0].name`, `tags.team`, empty for `doc`).
pub(super) fn json_at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .filter(|s| !s.is_empty())
        .try_fold(doc, |at, segment| {
            match segment.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                Some(index) => at.get(index.parse::<usize>().ok()?),
                None => at.get(segment),
            }
        })
}

/// Whether `text` is what `expected` says: literal text, where `.*` stands
/// for anything within a line.
pub(super) fn matches(expected: &str, text: &str) -> bool {
    let mut parts = expected.split(".*");
    let Some(mut rest) = parts.next().and_then(|first| text.strip_prefix(first)) else {
        return false;
    };
    for part in parts {
        let line_end = rest.find('\n').unwrap_or(rest.len());
        match rest.find(part) {
            Some(at) if at <= line_end => rest = &rest[at + part.len()..],
            _ => return false,
        }
    }
    rest.is_empty()
}

/// A case's command line as words: split on blanks, with '…' quoting a word
/// (spaces kept, `''` an empty word), as the shell reads Kosli's cases.
pub(super) fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut quoted, mut started) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '\'' => (quoted, started) = (!quoted, true),
            c if c.is_whitespace() && !quoted => {
                if started {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => (word, started) = (word + &c.to_string(), true),
        }
    }
    if started {
        out.push(word);
    }
    out
}

#[test]
fn case_lines_carry_variables_input_and_json_checks() {
    let case = Case::parse("CUSTODY_ORG= STDIN=y\\n delete x|json [0].name = \"a\" && = length:2");
    assert_eq!(case.env, [("CUSTODY_ORG".to_string(), String::new())]);
    assert_eq!(case.stdin.as_deref(), Some("y\n"));
    assert_eq!(case.args, "delete x");
    assert!(!case.must_fail());
    assert_eq!(case.mismatch(r#"[{"name":"a"},{"name":"b"}]"#), None);
    assert!(case.mismatch(r#"[{"name":"b"},{"name":"b"}]"#).is_some());
    assert!(case.mismatch("not json").is_some());
    let doc: Value = serde_json::json!({"tags": {"team": "x"}, "n": 3, "l": []});
    assert!(json_check(&doc, "tags.team", "\"x\"").is_ok());
    assert!(json_check(&doc, "n", "3").is_ok());
    assert!(json_check(&doc, "l", "empty").is_ok());
    assert!(json_check(&doc, "l", "non-empty").is_err());
    assert!(json_check(&doc, "missing", "not-nil").is_err());
    assert!(Case::parse("get flow x|Error: no\\nmore").must_fail());
    assert!(Case::parse("fails get x|re y").must_fail());
    assert_eq!(split_case("a 'b|c' d|e | f"), ("a 'b|c' d", "e | f"));
    let regex = Case::parse("x|re (?s)^A\\n.*b");
    assert_eq!(regex.mismatch("A\nzz\nb"), None);
    assert!(regex.mismatch("zA\nb").is_some());
}

#[test]
fn case_lines_are_read_as_the_shell_reads_them() {
    assert_eq!(words("a  'b c' '' d'e'"), ["a", "b c", "", "de"]);
}

#[test]
fn the_matcher_reads_kosli_goldens() {
    assert!(matches("a.*\nb\n", "a anything\nb\n"));
    assert!(!matches("a.*\nb\n", "a anything\nc\n"));
    assert!(!matches("exact\n", "exact\nmore\n"));
    assert!(matches(
        "Error: x .*k8s.*\n",
        "Error: x map[type:'k8s' is bad]\n"
    ));
    assert!(
        !matches("Error: .*k8s\n", "Error: other\nk8s\n"),
        "within a line"
    );
}
