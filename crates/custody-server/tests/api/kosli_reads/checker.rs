//! The checker: field paths, and the `Audit` that sends the CLI's requests and
//! collects every answer field that is not of the `Kind` the CLI requires.

use reqwest::Method;
use serde_json::{Value, json};

use super::CONTENT_TYPE;
use super::kind::Kind::{self, *};
use crate::harness::Api;

/// One step of a field path: `key`, `[]` (every element), `[3]`, `*` (every value).
enum Step {
    Key(String),
    Each,
    At(usize),
    Values,
}

/// Parses `artifacts[].pods.*.owners[0].kind`; `""` is the body itself and a
/// path may start with `[]` (a body that is an array).
fn parse(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    if path.is_empty() {
        return steps;
    }
    for segment in path.split('.') {
        if segment == "*" {
            steps.push(Step::Values);
            continue;
        }
        let (name, mut rest) = segment.split_at(segment.find('[').unwrap_or(segment.len()));
        if !name.is_empty() {
            steps.push(Step::Key(name.to_string()));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']').expect("a ] in the path");
            steps.push(match &inner[..close] {
                "" => Step::Each,
                n => Step::At(n.parse().expect("an index in the path")),
            });
            rest = &inner[close + 1..];
        }
    }
    steps
}

/// A value as a failure message shows it: `absent`, or its JSON cut to 60 bytes.
fn abbreviate(value: Option<&Value>) -> String {
    match value {
        None => "absent".into(),
        Some(v) => cut(&v.to_string()),
    }
}

pub fn cut(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// A fingerprint in a command label: its first 8 characters.
pub fn short(fingerprint: &str) -> String {
    format!("{}…", &fingerprint[..8])
}

fn key_path(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// Every mismatch found in a run, `command: field: expected kind, got value`.
#[derive(Default)]
pub struct Audit {
    pub failures: Vec<String>,
}

/// The answer to one command's request, and the checks of its fields.
pub struct Check<'a> {
    command: String,
    pub raw: String,
    pub doc: Value,
    failures: &'a mut Vec<String>,
}

impl Audit {
    /// Sends `GET /api/v2/{path}` as the CLI does; a status other than 200 or
    /// 201, or a body that is not JSON, is a failure and gives no checks.
    pub async fn read(&mut self, api: &Api, command: &str, path: &str) -> Option<Check<'_>> {
        let (status, raw) = api.raw(Method::GET, path, CONTENT_TYPE, Vec::new()).await;
        if status != 200 && status != 201 {
            self.failures.push(format!(
                "{command}: (status): expected 200 or 201, got {status} {}",
                cut(&raw)
            ));
            return None;
        }
        match serde_json::from_str(&raw) {
            Ok(doc) => Some(Check {
                command: command.to_string(),
                raw,
                doc,
                failures: &mut self.failures,
            }),
            Err(_) => {
                self.failures.push(format!(
                    "{command}: (body): expected JSON, got {}",
                    cut(&raw)
                ));
                None
            }
        }
    }

    /// Sends a GET that must fail with `status` and a JSON error body whose
    /// `message`, when present, is a string (the CLI asserts `message.(string)`).
    pub async fn refused(&mut self, api: &Api, command: &str, path: &str, status: u16) {
        let (got, raw) = api.raw(Method::GET, path, CONTENT_TYPE, Vec::new()).await;
        if got != status {
            self.failures.push(format!(
                "{command}: (status): expected {status}, got {got} {}",
                cut(&raw)
            ));
        }
        match serde_json::from_str::<Value>(&raw) {
            Ok(Value::Object(body)) if body.contains_key("message") => {
                if !body["message"].is_string() {
                    self.failures.push(format!(
                        "{command}: message: expected string, got {}",
                        abbreviate(body.get("message"))
                    ));
                }
            }
            Ok(_) => {}
            Err(_) => self.failures.push(format!(
                "{command}: (error body): expected JSON, got {}",
                cut(&raw)
            )),
        }
    }

    /// Checks a body the test already has (a POST answer the CLI decodes).
    pub fn check(&mut self, command: &str, doc: Value) -> Check<'_> {
        Check {
            command: command.to_string(),
            raw: doc.to_string(),
            doc,
            failures: &mut self.failures,
        }
    }

    #[track_caller]
    pub fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} answers the Kosli CLI cannot read:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

impl Check<'_> {
    /// Requires every value at `path` to be of `kind`.
    pub fn require(&mut self, path: &str, kind: Kind) {
        let doc = std::mem::take(&mut self.doc);
        self.walk(Some(&doc), &parse(path), String::new(), kind);
        self.doc = doc;
    }

    pub fn require_all<S: AsRef<str>>(&mut self, paths: &[S], kind: Kind) {
        for path in paths {
            self.require(path.as_ref(), kind);
        }
    }

    pub fn fail(&mut self, at: &str, expected: &str, value: Option<&Value>) {
        let at = if at.is_empty() { "(body)" } else { at };
        self.failures.push(format!(
            "{}: {at}: expected {expected}, got {}",
            self.command,
            abbreviate(value)
        ));
    }

    fn walk(&mut self, value: Option<&Value>, steps: &[Step], at: String, kind: Kind) {
        let Some((step, rest)) = steps.split_first() else {
            if !kind.accepts(value) {
                self.fail(&at, kind.name(), value);
            }
            return;
        };
        match (step, value) {
            (Step::Key(key), None | Some(Value::Null)) => {
                self.walk(None, rest, key_path(&at, key), kind)
            }
            (_, None | Some(Value::Null)) => {}
            (Step::Key(key), Some(Value::Object(map))) => {
                self.walk(map.get(key), rest, key_path(&at, key), kind)
            }
            (Step::Values, Some(Value::Object(map))) => {
                for (key, item) in map {
                    self.walk(Some(item), rest, key_path(&at, key), kind);
                }
            }
            (Step::Each, Some(Value::Array(items))) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(Some(item), rest, format!("{at}[{i}]"), kind);
                }
            }
            (Step::At(i), Some(Value::Array(items))) => match items.get(*i) {
                Some(item) => self.walk(Some(item), rest, format!("{at}[{i}]"), kind),
                None => self.fail(&format!("{at}[{i}]"), "an element", None),
            },
            (Step::Key(_) | Step::Values, Some(other)) => self.fail(&at, "object", Some(other)),
            (Step::Each | Step::At(_), Some(other)) => self.fail(&at, "array", Some(other)),
        }
    }

    /// The elements of the array at a top-level `key` (none if it is not one).
    pub fn len(&self, key: &str) -> usize {
        self.doc[key].as_array().map_or(0, Vec::len)
    }
}

/// The checker itself: what the CLI's decoding rejects is reported, with the
/// concrete path, and what it accepts is not.
#[test]
fn the_checker_reports_what_the_cli_rejects() {
    let doc = json!({"index": 1.0, "count": 3, "name": null, "tags": null,
        "artifacts": [{"creation_timestamp": [1], "pods": {"p-1": {"creationTimestamp": 1.5}}},
                      {"creationTimestamp": [], "git_commit": "abc"}],
        "iso": "2024-01-01T00:00:00Z", "numeric": "1700000000.5", "not-changed": []});
    let mut audit = Audit::default();
    let mut c = audit.check("t", doc);
    c.require("index", Int);
    c.require("count", Int);
    c.require("name", Str);
    c.require("name", StrOrNull);
    c.require("tags", Obj);
    c.require("artifacts[].creationTimestamp", NonEmptyArr);
    c.require("artifacts[].pods.*.creationTimestamp", Int);
    c.require("artifacts[].git_commit", ShaOrEmpty);
    c.require("artifacts[5]", Obj);
    c.require_all(&["iso", "numeric", "absent"], Ts);
    c.require("not-changed.artifacts", ArrOrNull);
    assert_eq!(
        audit.failures,
        [
            "t: index: expected integer literal, got 1.0",
            "t: name: expected string, got null",
            "t: tags: expected object, got null",
            "t: artifacts[0].creationTimestamp: expected non-empty array, got absent",
            "t: artifacts[1].creationTimestamp: expected non-empty array, got []",
            "t: artifacts[0].pods.p-1.creationTimestamp: expected integer literal, got 1.5",
            "t: artifacts[1].git_commit: expected \"\", null or string of 7+ characters, got \"abc\"",
            "t: artifacts[5]: expected an element, got absent",
            "t: iso: expected number, numeric string or null, got \"2024-01-01T00:00:00Z\"",
            "t: not-changed: expected object, got []",
        ]
    );
}
