//! The deployments-per-day chart of the delivery metrics page, drawn on the
//! server as SVG: a bar per day (a week per bar past 92 days, so a year stays
//! 53 bars), the days a failed deployment started marked in red.

use std::fmt::Write;

use custody_api::DoraFigures;

use super::svg::{AXIS, Scale, WIDTH, escape};

const HEIGHT: f64 = 120.0;
const LEFT: f64 = 36.0;

/// The chart of one environment's figures.
pub fn per_day(f: &DoraFigures) -> String {
    let group = if f.per_day.len() > 92 { 7 } else { 1 };
    let bars: Vec<usize> = f.per_day.chunks(group).map(|c| c.iter().sum()).collect();
    let failed: Vec<usize> = f
        .failed_deployments
        .iter()
        .map(|d| {
            (((d.started_at - f.from) / 86_400.0) as usize / group)
                .min(bars.len().saturating_sub(1))
        })
        .collect();
    let most = bars.iter().copied().max().unwrap_or(0).max(1);
    let scale = Scale {
        start: f.from,
        end: f.to,
        left: LEFT,
    };
    let width = scale.width_of(86_400.0 * group as f64);
    let total = HEIGHT + AXIS + 8.0;
    let unit = if group == 1 { "day" } else { "week" };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{total:.0}" viewBox="0 0 {WIDTH} {total:.0}" role="img" aria-label="Deployments per {unit}: {} in all, at most {most} in a {unit}">"#,
        f.deployments
    );
    let _ = write!(
        out,
        r#"<text x="4" y="14">{most}</text><text x="4" y="{HEIGHT:.0}">0</text>"#
    );
    for (i, &n) in bars.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let h = n as f64 / most as f64 * (HEIGHT - 8.0);
        let x = scale.x(f.from + (i * group) as f64 * 86_400.0);
        let class = if failed.contains(&i) { "bad" } else { "ok" };
        let _ = write!(
            out,
            r#"<rect class="{class}" x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}"><title>{}</title></rect>"#,
            x + 1.0,
            HEIGHT - h,
            (width - 2.0).max(1.0),
            escape(&format!(
                "{n} deployments{}",
                if class == "bad" { ", one failed" } else { "" }
            ))
        );
    }
    scale.axis(&mut out, HEIGHT + 4.0);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(days: usize, per_day: Vec<usize>) -> DoraFigures {
        DoraFigures {
            environment: "prod".into(),
            flow: None,
            from: 0.0,
            to: days as f64 * 86_400.0,
            deployments: per_day.iter().sum(),
            deployments_per_day: 0.0,
            lead_time: None,
            lead_times_from_commit: 0,
            change_failure_rate: None,
            failed_deployments: vec![custody_api::FailedDeployment {
                flow: "app".into(),
                fingerprint: "f".into(),
                started_at: 86_400.0 * 1.5,
                cause: "rolled_back".into(),
                restored_at: None,
                restored_by: None,
            }],
            time_to_restore: None,
            rework: 0,
            rework_rate: None,
            per_day,
            untracked: 0,
        }
    }

    #[test]
    fn a_bar_per_day_with_deployments_and_failures_in_red() {
        let svg = per_day(&figures(4, vec![2, 1, 0, 3]));
        assert_eq!(
            svg.matches("<rect").count(),
            3,
            "no bar for a day without any"
        );
        assert_eq!(svg.matches(r#"class="bad""#).count(), 1);
        assert!(svg.contains("1 deployments, one failed"));
    }

    #[test]
    fn a_year_is_drawn_a_week_per_bar() {
        let svg = per_day(&figures(365, vec![1; 365]));
        assert_eq!(svg.matches("<rect").count(), 53);
        assert!(svg.contains("7 deployments"));
    }
}
