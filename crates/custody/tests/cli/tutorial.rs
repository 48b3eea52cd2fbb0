//! The tutorial's four commands against `custody server --demo` print the
//! tutorial's output (times in Europe/Berlin; "now" pinned so relative times match
//! where the tutorial is self-consistent).

use super::harness::{Server, ok, trimmed};

const TOKEN: &str = "cyber-dojo-demo-key";
/// 6 Sep 2022 12:00 CEST: 15 days after the runner artifact was built.
const NOW: &str = "2022-09-06T10:00:00Z";

fn expected(name: &str) -> Vec<String> {
    let text = match name {
        "list-flows" => include_str!("tutorial/list-flows.txt"),
        "get-artifact" => include_str!("tutorial/get-artifact.txt"),
        "get-snapshot" => include_str!("tutorial/get-snapshot.txt"),
        _ => include_str!("tutorial/diff-snapshots.txt"),
    };
    trimmed(text)
}

/// Cells of a table line (separated by two or more spaces), relative times masked.
fn cells(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            if c.ends_with(" ago") {
                "<relative>".to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[test]
fn tutorial_commands_print_the_tutorial_output() {
    let server = Server::start(true);
    let env = [("TZ", "Europe/Berlin"), ("CUSTODY_NOW", NOW)];
    let run = |args: &[&str]| trimmed(&ok(server.run("cyber-dojo", TOKEN, args, &env)));

    assert_eq!(run(&["list", "flows"]), expected("list-flows"));
    assert_eq!(
        run(&["get", "artifact", "runner:16d9990"]),
        expected("get-artifact")
    );
    assert_eq!(
        run(&["diff", "snapshots", "aws-prod#64", "aws-prod#65"]),
        expected("diff-snapshots")
    );

    // The tutorial's snapshot was captured on another day than its other outputs and
    // elides rows, so compare the rows it shows, cell by cell, relative times masked.
    let actual: Vec<Vec<String>> = run(&["get", "snapshot", "aws-prod#65"])
        .iter()
        .map(|l| cells(l))
        .collect();
    let shown: Vec<Vec<String>> = expected("get-snapshot").iter().map(|l| cells(l)).collect();
    let elided = shown
        .iter()
        .position(|c| c.first().is_some_and(|t| t.starts_with("...some output")))
        .unwrap();
    let (head, tail) = (&shown[..elided], &shown[elided + 1..]);
    assert_eq!(&actual[..head.len()], head);
    let actual: Vec<_> = actual.into_iter().filter(|c| !c.is_empty()).collect();
    let tail: Vec<_> = tail.iter().filter(|c| !c.is_empty()).cloned().collect();
    assert_eq!(&actual[actual.len() - tail.len()..], &tail[..]);
}

#[test]
fn the_column_layout_of_the_snapshot_table_matches_the_tutorial() {
    let server = Server::start(true);
    let env = [
        ("TZ", "Europe/Berlin"),
        ("CUSTODY_NOW", "2022-09-02T10:00:00Z"),
    ];
    let out = trimmed(&ok(server.run(
        "cyber-dojo",
        TOKEN,
        &["get", "snapshot", "aws-prod#65"],
        &env,
    )));
    let shown = expected("get-snapshot");
    assert_eq!(out[0], shown[0], "header");
    assert_eq!(out[2], shown[2], "fingerprint row");
}
