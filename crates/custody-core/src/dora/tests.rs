//! Scripted histories with their known figures.

use super::*;

const DAY: f64 = 86_400.0;

fn stay(flow: &str, fp: &str, built: f64, from: f64, to: Option<f64>) -> Stay {
    Stay {
        flow: flow.into(),
        fingerprint: fp.into(),
        built_at: built * DAY,
        committed_at: None,
        from: from * DAY,
        to: to.map(|t| t * DAY),
        compliant: true,
        first_ran_at: None,
    }
}

fn window(days: f64) -> Window {
    Window {
        from: 0.0,
        to: days * DAY,
    }
}

#[test]
fn a_rollback_fails_the_version_it_replaces() {
    let mut v2 = stay("app", "v2", 0.5, 1.0, Some(3.0));
    v2.committed_at = Some(0.4 * DAY);
    let mut v2_again = stay("app", "v2", 0.5, 3.5, None);
    v2_again.first_ran_at = Some(DAY);
    let stays = [
        stay("app", "v1", -5.0, -4.0, Some(1.0)),
        v2,
        stay("app", "v3", 2.5, 3.0, Some(3.5)),
        v2_again,
    ];
    let d = measure(&stays, window(10.0));
    assert_eq!(
        d.deployments, 3,
        "v2, v3 and the rollback to v2; v1 began before"
    );
    assert!((d.deployments_per_day - 0.3).abs() < 1e-9);
    let lead = d.lead_time.unwrap();
    assert_eq!(lead.count, 2, "a redeploy has no lead time");
    assert!((lead.median - 0.6 * DAY).abs() < 1.0, "{lead:?}");
    assert_eq!(d.lead_times_from_commit, 1);
    assert_eq!(d.failures.len(), 1);
    let failed = &d.failures[0];
    assert_eq!(
        (failed.fingerprint.as_str(), failed.cause),
        ("v3", Cause::RolledBack)
    );
    assert_eq!(failed.restored_by.as_deref(), Some("v2"));
    assert_eq!(d.time_to_restore.unwrap().median, 0.5 * DAY);
    assert_eq!(d.change_failure_rate, Some(1.0 / 3.0));
    assert_eq!((d.rework, d.rework_rate), (1, Some(1.0 / 3.0)));
    assert_eq!(d.per_day, [0, 1, 0, 2, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn a_non_compliant_version_fails_until_a_fix_replaces_it() {
    let mut bad = stay("api", "a1", -1.0, 0.5, Some(2.0));
    bad.compliant = false;
    let stays = [
        bad,
        stay("api", "a2", 1.9, 2.0, None),
        // Another flow's version ending as a2 starts is not what a2 replaced.
        stay("web", "w1", -3.0, -2.0, Some(2.0)),
    ];
    let d = measure(&stays, window(7.0));
    assert_eq!(d.deployments, 2);
    assert_eq!(d.failures.len(), 1);
    assert_eq!(d.failures[0].cause, Cause::NonCompliant);
    assert_eq!(d.time_to_restore.unwrap().median, 1.5 * DAY);
    assert_eq!(d.change_failure_rate, Some(0.5));
    assert_eq!(d.rework, 1);
}

#[test]
fn a_blue_green_overlap_is_a_replacement_and_a_newer_build_no_failure() {
    // The new version starts; the old one exits ten minutes later.
    let stays = [
        stay("runner", "r1", 0.0, 0.1, Some(2.0 + 600.0 / DAY)),
        stay("runner", "r2", 1.5, 2.0, None),
    ];
    let d = measure(&stays, window(3.0));
    assert!(d.failures.is_empty());
    assert_eq!((d.deployments, d.change_failure_rate), (2, Some(0.0)));
    let older = [
        stay("runner", "r2", 1.5, 0.1, Some(2.0 + 600.0 / DAY)),
        stay("runner", "r1", 0.0, 2.0, None),
    ];
    let d = measure(&older, window(3.0));
    assert_eq!(
        d.failures.len(),
        1,
        "the older build replacing it is a rollback"
    );
    assert_eq!(d.failures[0].fingerprint, "r2");
}

#[test]
fn an_unrestored_failure_counts_but_has_no_time_to_restore() {
    let mut bad = stay("api", "a1", 0.0, 1.0, None);
    bad.compliant = false;
    let d = measure(&[bad], window(5.0));
    assert_eq!(d.change_failure_rate, Some(1.0));
    assert_eq!(d.failures[0].restored_at, None);
    assert!(d.time_to_restore.is_none());
    assert_eq!(d.rework, 0);
}

#[test]
fn nothing_deployed_gives_no_rates() {
    let d = measure(&[stay("app", "v1", -9.0, -8.0, None)], window(28.0));
    assert_eq!(d.deployments, 0);
    assert_eq!(d.deployments_per_day, 0.0);
    assert!(d.lead_time.is_none() && d.change_failure_rate.is_none());
    assert_eq!(d.per_day.len(), 28);
}

#[test]
fn windows_are_days_or_weeks_within_bounds() {
    assert_eq!(window_days("28d"), Ok(28));
    assert_eq!(window_days("4w"), Ok(28));
    assert_eq!(window_days(" 7 "), Ok(7));
    for bad in ["", "0d", "367d", "53w", "x", "-1d", "99999999999w"] {
        let err = window_days(bad).unwrap_err();
        assert!(err.contains("28d or 4w"), "{bad}: {err}");
    }
}
