//! `metrics dora`: one row per environment, then each failed deployment.

use custody_api::{DoraReport, DurationSpread};

use crate::output::{TabWriter, time};

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_string(), |r| format!("{:.0}%", r * 100.0))
}

fn median(spread: Option<&DurationSpread>) -> String {
    spread.map_or_else(
        || "-".to_string(),
        |s| custody_core::timeago::duration(s.median_seconds),
    )
}

/// The figures as a table, with the window and the failures below it.
pub fn dora(report: &DoraReport) -> String {
    let Some(first) = report.environments.first() else {
        return "No environments have reported yet.\n".to_string();
    };
    let mut out = format!(
        "Window: {} days, {} to {}\n",
        report.window_days,
        time::short(first.from),
        time::short(first.to)
    );
    if let Some(flow) = &first.flow {
        out.push_str(&format!("Flow:   {flow}\n"));
    }
    out.push('\n');
    let mut w = TabWriter::new();
    w.line("ENVIRONMENT\tDEPLOYS\tPER DAY\tLEAD TIME\tCHANGE FAILURE\tTIME TO RESTORE\tREWORK");
    for e in &report.environments {
        w.line(format!(
            "{}\t{}\t{:.2}\t{}\t{}\t{}\t{}",
            e.environment,
            e.deployments,
            e.deployments_per_day,
            median(e.lead_time.as_ref()),
            percent(e.change_failure_rate),
            median(e.time_to_restore.as_ref()),
            percent(e.rework_rate),
        ));
    }
    out.push_str(&w.render());
    let failed: Vec<_> = report
        .environments
        .iter()
        .flat_map(|e| e.failed_deployments.iter().map(move |f| (e, f)))
        .collect();
    if !failed.is_empty() {
        out.push_str("\nFailed deployments:\n");
        let mut w = TabWriter::new();
        w.line("ENVIRONMENT\tFLOW\tFINGERPRINT\tSTARTED\tCAUSE\tRESTORED");
        for (e, f) in failed {
            w.line(format!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                e.environment,
                f.flow,
                &f.fingerprint[..f.fingerprint.len().min(7)],
                time::short(f.started_at),
                f.cause.replace('_', " "),
                f.restored_at
                    .map_or_else(|| "not yet".to_string(), time::short),
            ));
        }
        out.push_str(&w.render());
    }
    let untracked: usize = report.environments.iter().map(|e| e.untracked).sum();
    if untracked > 0 {
        out.push_str(&format!(
            "\n{untracked} versions without provenance started in the window and are not measured.\n"
        ));
    }
    out.push_str("\nLead time and time to restore are medians.\n");
    out
}
