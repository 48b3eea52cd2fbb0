//! `custody evaluate snapshot|snapshots` on the demo: a proposed policy judges
//! past snapshots beside what was recorded, in a table and as JSON.

use serde_json::Value;

use super::harness::{Server, ok};

const TOKEN: &str = "cyber-dojo-demo-key";

#[test]
fn a_proposed_policy_judges_the_demo_s_past() {
    let server = Server::start(true);
    let lax = server.dir.join("lax.yml");
    std::fs::write(
        &lax,
        "_schema: https://kosli.com/schemas/policy/environment/v1\n",
    )
    .unwrap();
    let lax = lax.to_str().unwrap();
    let env = [("TZ", "UTC")];
    let table = ok(server.run(
        "cyber-dojo",
        TOKEN,
        &["evaluate", "snapshot", "aws-prod#65", "--policy", lax],
        &env,
    ));
    assert!(
        table.starts_with("Environment aws-prod judged by the proposed policy:"),
        "{table}"
    );
    let row = table.lines().find(|l| l.starts_with("#65 ")).expect(&table);
    let cells: Vec<&str> = row.split("  ").filter(|c| !c.trim().is_empty()).collect();
    assert_eq!(
        (cells[2].trim(), cells[3].trim()),
        ("COMPLIANT", "NON-COMPLIANT"),
        "a policy without rules lets the unknown image run: {table}"
    );
    assert!(table.contains("(no provenance)"), "{table}");

    let json: Value = serde_json::from_str(&ok(server.run(
        "cyber-dojo",
        TOKEN,
        &[
            "evaluate",
            "snapshots",
            "aws-prod",
            "--interval",
            "60..70",
            "--policy",
            lax,
            "--output",
            "json",
        ],
        &env,
    )))
    .unwrap();
    assert_eq!(json["snapshots"].as_array().unwrap().len(), 11);
    assert!(
        json["snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["compliant"] == true)
    );

    let refused = server.run(
        "cyber-dojo",
        TOKEN,
        &["evaluate", "snapshot", "aws-prod#65"],
        &env,
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--policy FILE, or --policy-name NAME")
    );
}
