//! `custody metrics dora` on the demo: the table agrees with the JSON, and the
//! demo's history gives figures worth showing (deployments, lead times and
//! failed deployments with their restores).

use serde_json::Value;

use super::harness::{Server, ok};

const TOKEN: &str = "cyber-dojo-demo-key";

#[test]
fn dora_metrics_of_the_demo_print_as_a_table_and_as_json() {
    let server = Server::start(true);
    let env = [("TZ", "UTC")];
    let args = [
        "metrics",
        "dora",
        "--environment",
        "aws-beta",
        "--window",
        "4w",
    ];
    let json: Value = serde_json::from_str(&ok(server.run(
        "cyber-dojo",
        TOKEN,
        &[&args[..], &["--output", "json"]].concat(),
        &env,
    )))
    .unwrap();
    assert_eq!(json["window_days"], 28);
    let beta = &json["environments"][0];
    let deployments = beta["deployments"].as_u64().unwrap();
    assert!(deployments > 10, "{beta}");
    let failed = beta["failed_deployments"].as_array().unwrap();
    assert!(
        !failed.is_empty(),
        "the demo has failed deployments: {beta}"
    );
    assert!(beta["time_to_restore"]["median_seconds"].as_f64().unwrap() > 0.0);

    let table = ok(server.run("cyber-dojo", TOKEN, &args, &env));
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("Window: 28 days, "), "{table}");
    let header = lines
        .iter()
        .position(|l| l.starts_with("ENVIRONMENT"))
        .unwrap();
    let row: Vec<&str> = lines[header + 1].split_whitespace().collect();
    assert_eq!(row[0], "aws-beta");
    assert_eq!(row[1], deployments.to_string(), "{table}");
    let rate = beta["change_failure_rate"].as_f64().unwrap();
    assert!(table.contains(&format!("{:.0}%", rate * 100.0)), "{table}");
    assert_eq!(
        table.matches("non compliant").count() + table.matches("rolled back").count(),
        failed.len(),
        "each failed deployment is listed: {table}"
    );

    let refused = server.run(
        "cyber-dojo",
        TOKEN,
        &["metrics", "dora", "--window", "1y"],
        &env,
    );
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("28d or 4w"), "{message}");
}
