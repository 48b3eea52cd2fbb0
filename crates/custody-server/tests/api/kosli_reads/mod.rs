//! The reads of the official Kosli CLI, replayed against Custody: every GET
//! the Go CLI (`kosli get|list|log|diff|assert|search|status ...`) sends, with
//! the path and query string it builds, over a small but complete org. Each
//! answer is checked field by field against the JSON types the CLI's Go code
//! decodes or type-asserts (an `int` must be an integer literal, a string the
//! CLI asserts must never be null, ...). All mismatches of a run are collected
//! and reported together, one line per command and field.

mod accounts;
mod artifacts;
mod catalog;
mod checker;
mod controls;
mod environments;
mod kind;
mod org;
mod repos;
mod snapshots;
mod trails;

use crate::harness::{T0, start};
use checker::Audit;
use custody_store::testing::TestDatabase;
use org::build;

/// What the CLI sends on every request (`internal/requests/requests.go`).
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Flow `app`: artifact `app` needs a junit `unit-test`, the trail a generic `pr`.
const TEMPLATE: &str = "version: 1
trail:
  attestations:
  - name: pr
    type: generic
  artifacts:
  - name: app
    attestations:
    - name: unit-test
      type: junit
";

/// Environment policy `prov`: provenance and a junit `unit-test`.
const POLICY: &str = "_schema: https://kosli.com/schemas/policy/environment/v1
artifacts:
  provenance:
    required: true
  attestations:
    - name: unit-test
      type: junit
";

const TYPE_SCHEMA: &str = r#"{"type": "object", "properties": {"line": {"type": "number"}}}"#;

/// The first report to `prod` (2023-11-14T22:15:00Z).
const T1: f64 = T0 + 100.0;
/// The second report to `prod` (2023-11-14T23:15:00Z).
const T2: f64 = T1 + 3600.0;
/// Between the two reports, as `kosli get snapshot prod@{...}` writes it.
const BETWEEN: &str = "2023-11-14T23:00:00";

#[tokio::test(flavor = "multi_thread")]
async fn the_kosli_cli_can_read_every_answer() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let org = build(&srv).await;
    let mut audit = Audit::default();
    snapshots::snapshots(&srv, &org, &mut audit).await;
    environments::environments(&srv, &mut audit).await;
    artifacts::artifacts(&srv, &org, &mut audit).await;
    trails::trails(&srv, &org, &mut audit).await;
    catalog::catalog(&srv, &mut audit).await;
    artifacts::search(&srv, &org, &mut audit).await;
    accounts::accounts(&srv, &org, &mut audit).await;
    repos::repos(&srv, &mut audit).await;
    controls::controls(&srv, &mut audit).await;

    srv.stop().await;
    audit.finish();
}
