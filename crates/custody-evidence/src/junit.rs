//! JUnit XML test reports (`attest junit`), read event by event. Each top-level `<testsuite>` (a `<testsuites>` wrapper
//! is transparent) becomes one result; nested suites are folded into their
//! parent. A suite's own `tests`/`failures`/`errors`/`skipped`/`time`
//! attributes win; missing ones are counted from its `<testcase>`s.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde::Serialize;

use crate::EvidenceError;

/// One test suite's totals, as sent in `junit_results`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Suite {
    pub name: String,
    pub failures: u64,
    pub errors: u64,
    pub skipped: u64,
    pub total: u64,
    pub duration: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<f64>,
}

/// A suite being read: its attributes and what its children add up to.
#[derive(Default)]
struct Open {
    attrs: Vec<(String, String)>,
    counted: Suite,
    timestamp_property: Option<String>,
}

impl Open {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn finish(self) -> Suite {
        let number = |key: &str, counted: u64| {
            self.attr(key)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(counted)
        };
        let c = &self.counted;
        Suite {
            name: self.attr("name").unwrap_or_default().to_string(),
            failures: number("failures", c.failures),
            errors: number("errors", c.errors),
            skipped: number("skipped", c.skipped),
            total: number("tests", c.total),
            duration: self
                .attr("time")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(c.duration),
            timestamp: self
                .timestamp_property
                .as_deref()
                .or(self.attr("timestamp"))
                .and_then(unix_seconds),
        }
    }
}

/// A report timestamp (with or without an offset; UTC when none) in unix seconds.
fn unix_seconds(text: &str) -> Option<f64> {
    let ts = text.parse::<jiff::Timestamp>().ok().or_else(|| {
        let civil = text.parse::<jiff::civil::DateTime>().ok()?;
        civil
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp())
    })?;
    Some(ts.as_microsecond() as f64 / 1e6)
}

fn attributes(e: &BytesStart) -> Result<Vec<(String, String)>, EvidenceError> {
    e.attributes()
        .map(|a| {
            let a = a.map_err(EvidenceError::of)?;
            let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
            let value = a.unescape_value().map_err(EvidenceError::of)?;
            Ok((key, value.into_owned()))
        })
        .collect()
}

/// What a `<testcase>` being read has shown so far.
#[derive(Default)]
struct Case {
    duration: f64,
    outcome: Option<&'static str>,
}

fn count(suite: &mut Suite, case: Case) {
    suite.total = suite.total.saturating_add(1);
    suite.duration += case.duration;
    let tally = match case.outcome {
        Some("error") => &mut suite.errors,
        Some("failure") => &mut suite.failures,
        Some("skipped") => &mut suite.skipped,
        _ => return,
    };
    *tally = tally.saturating_add(1);
}

/// The suites of one JUnit XML document.
pub fn parse(text: &str) -> Result<Vec<Suite>, EvidenceError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut case: Option<Case> = None;
    let mut suites = Vec::new();
    loop {
        let event = reader.read_event().map_err(EvidenceError::of)?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            Event::End(e) => {
                let name = e.local_name();
                close(name.as_ref(), &mut stack, &mut case, &mut suites);
                continue;
            }
            Event::Decl(d) => {
                if let Some(enc) = d.encoding().transpose().map_err(EvidenceError::of)? {
                    let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                    if enc != "utf-8" && enc != "utf8" {
                        return Err(EvidenceError::of("only UTF-8 encoding is supported"));
                    }
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let Some(e) = start else { continue };
        let name = e.local_name();
        match name.as_ref() {
            b"testsuite" => stack.push(Open {
                attrs: attributes(e)?,
                ..Open::default()
            }),
            b"testcase" if !stack.is_empty() => {
                let attrs = attributes(e)?;
                let time = attrs.iter().find(|(k, _)| k == "time");
                case = Some(Case {
                    duration: time.and_then(|(_, v)| v.trim().parse().ok()).unwrap_or(0.0),
                    outcome: None,
                });
            }
            b"failure" | b"error" | b"skipped" => {
                if let Some(c) = case.as_mut() {
                    let outcome = match name.as_ref() {
                        b"error" => "error",
                        b"failure" => "failure",
                        _ => "skipped",
                    };
                    if c.outcome.is_none_or(|o| o == "skipped") {
                        c.outcome = Some(outcome);
                    }
                }
            }
            b"property" if case.is_none() => {
                let attrs = attributes(e)?;
                let is_timestamp = attrs.iter().any(|(k, v)| k == "name" && v == "timestamp");
                if let (true, Some(open)) = (is_timestamp, stack.last_mut()) {
                    let value = attrs.into_iter().find(|(k, _)| k == "value");
                    open.timestamp_property = value.map(|(_, v)| v);
                }
            }
            _ => {}
        }
        if empty {
            close(name.as_ref(), &mut stack, &mut case, &mut suites);
        }
    }
    Ok(suites)
}

fn close(name: &[u8], stack: &mut Vec<Open>, case: &mut Option<Case>, suites: &mut Vec<Suite>) {
    match name {
        b"testcase" => {
            if let (Some(c), Some(open)) = (case.take(), stack.last_mut()) {
                count(&mut open.counted, c);
            }
        }
        b"testsuite" => {
            let Some(done) = stack.pop().map(Open::finish) else {
                return;
            };
            match stack.last_mut() {
                Some(parent) => {
                    let p = &mut parent.counted;
                    p.total = p.total.saturating_add(done.total);
                    p.failures = p.failures.saturating_add(done.failures);
                    p.errors = p.errors.saturating_add(done.errors);
                    p.skipped = p.skipped.saturating_add(done.skipped);
                    p.duration += done.duration;
                }
                None => suites.push(done),
            }
        }
        _ => {}
    }
}
