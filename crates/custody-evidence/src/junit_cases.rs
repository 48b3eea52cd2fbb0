//! The failing test cases of a JUnit XML report: each `<testcase>` holding a
//! `<failure>` or `<error>`, with its suite, class, name and the first line of
//! the failure's message, at most a given number of them.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde::{Deserialize, Serialize};

use crate::EvidenceError;

/// How much of a failure's message is kept.
const MESSAGE_CHARS: usize = 200;

/// One failing test case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedCase {
    pub suite: String,
    pub classname: String,
    pub name: String,
    /// `failure` or `error`.
    pub outcome: String,
    pub message: String,
}

fn attr(e: &BytesStart, key: &[u8]) -> Result<String, EvidenceError> {
    for a in e.attributes() {
        let a = a.map_err(EvidenceError::of)?;
        if a.key.local_name().as_ref() == key {
            return Ok(a.unescape_value().map_err(EvidenceError::of)?.into_owned());
        }
    }
    Ok(String::new())
}

/// The first line of a message, shortened to [`MESSAGE_CHARS`].
fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default().trim();
    if line.chars().count() <= MESSAGE_CHARS {
        line.to_string()
    } else {
        let kept: String = line.chars().take(MESSAGE_CHARS - 1).collect();
        format!("{kept}…")
    }
}

/// Up to `limit` failing cases of one JUnit XML document, in document order.
pub fn failing_cases(text: &str, limit: usize) -> Result<Vec<FailedCase>, EvidenceError> {
    let mut reader = Reader::from_str(text);
    let mut suites: Vec<String> = Vec::new();
    let mut case: Option<(String, String)> = None;
    // The failure being read, whose text may give the message.
    let mut failing: Option<FailedCase> = None;
    let mut found = Vec::new();
    while found.len() < limit {
        let event = reader.read_event().map_err(EvidenceError::of)?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"testsuite" if !empty => suites.push(attr(e, b"name")?),
                    b"testcase" if !empty => {
                        case = Some((attr(e, b"classname")?, attr(e, b"name")?))
                    }
                    kind @ (b"failure" | b"error") => {
                        if let (Some((classname, name)), None) = (&case, &failing) {
                            let failed = FailedCase {
                                suite: suites.last().cloned().unwrap_or_default(),
                                classname: classname.clone(),
                                name: name.clone(),
                                outcome: String::from_utf8_lossy(kind).into_owned(),
                                message: first_line(&attr(e, b"message")?),
                            };
                            if empty {
                                found.push(failed);
                                case = None;
                            } else {
                                failing = Some(failed);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(f) = failing.as_mut().filter(|f| f.message.is_empty()) {
                    f.message = first_line(&t.decode().map_err(EvidenceError::of)?);
                }
            }
            Event::CData(t) => {
                if let Some(f) = failing.as_mut().filter(|f| f.message.is_empty()) {
                    f.message = first_line(&String::from_utf8_lossy(t));
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"failure" | b"error" => {
                    if let Some(f) = failing.take() {
                        found.push(f);
                        case = None;
                    }
                }
                b"testcase" => case = None,
                b"testsuite" => {
                    suites.pop();
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="pytest" tests="4" failures="1" errors="1">
    <testcase classname="tests.test_app" name="test_ok" time="0.1"/>
    <testcase classname="tests.test_app" name="test_sum" time="0.2">
      <failure message="assert 3 == 4">def test_sum():
    assert 1 + 2 == 4</failure>
    </testcase>
    <testcase classname="tests.test_db" name="test_connect">
      <error><![CDATA[ConnectionRefusedError: [Errno 111]
  at line 3]]></error>
    </testcase>
    <testcase classname="tests.test_db" name="test_later"><skipped/></testcase>
  </testsuite>
</testsuites>"#;

    #[test]
    fn failures_and_errors_are_found_with_their_messages() {
        let cases = failing_cases(REPORT, 100).unwrap();
        let seen: Vec<(&str, &str, &str, &str)> = cases
            .iter()
            .map(|c| {
                (
                    c.suite.as_str(),
                    c.name.as_str(),
                    c.outcome.as_str(),
                    c.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("pytest", "test_sum", "failure", "assert 3 == 4"),
                (
                    "pytest",
                    "test_connect",
                    "error",
                    "ConnectionRefusedError: [Errno 111]"
                ),
            ]
        );
        assert_eq!(cases[0].classname, "tests.test_app");
    }

    #[test]
    fn at_most_the_limit_is_kept() {
        assert_eq!(failing_cases(REPORT, 1).unwrap().len(), 1);
    }

    #[test]
    fn a_case_with_two_failures_is_listed_once_and_broken_xml_is_an_error() {
        let twice = r#"<testsuite name="s"><testcase name="t"><failure message="a"/><failure message="b"/></testcase></testsuite>"#;
        assert_eq!(failing_cases(twice, 10).unwrap().len(), 1);
        assert!(failing_cases("<testsuite><testcase></testsuite>", 10).is_err());
    }
}
