//! An environment's timeline drawn on the server as SVG: a lane per flow, a
//! bar per artifact version for the time it ran, overlapping versions stacked
//! so blue-green deployments show. Runs of one fingerprint that follow each
//! other (scaling) merge into one bar, and versions too short to see at the
//! picture's scale merge into one "N versions" bar, so months of history stay
//! a bounded number of shapes.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::format::{When, short};
use super::svg::{AXIS, Scale, WIDTH, escape};

/// Room for the lane names.
const LABEL: f64 = 150.0;
const ROW: f64 = 22.0;
/// Bars narrower than this are drawn together with their neighbours.
const VISIBLE: f64 = 3.0;

/// One version's stay in an environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub lane: String,
    pub fingerprint: String,
    pub name: String,
    pub commit: Option<String>,
    pub from: f64,
    /// `None`: still running.
    pub to: Option<f64>,
    pub replicas: i64,
    pub compliant: Option<bool>,
    /// The artifact page, when the artifact has provenance.
    pub link: Option<String>,
}

/// Merges bars of one fingerprint that touch (a scaling closes one run and
/// opens the next at the same moment), keeping the largest replica count.
pub fn merge(mut bars: Vec<Bar>) -> Vec<Bar> {
    bars.sort_by(|a, b| {
        (&a.lane, &a.fingerprint)
            .cmp(&(&b.lane, &b.fingerprint))
            .then(a.from.total_cmp(&b.from))
    });
    let mut merged: Vec<Bar> = Vec::with_capacity(bars.len());
    for bar in bars {
        match merged.last_mut() {
            Some(last)
                if last.fingerprint == bar.fingerprint
                    && last.lane == bar.lane
                    && last.to.is_some_and(|t| t >= bar.from) =>
            {
                last.to = bar.to;
                last.replicas = last.replicas.max(bar.replicas);
            }
            _ => merged.push(bar),
        }
    }
    merged
}

/// The environment timeline from `start` to `now`.
pub fn environment(bars: Vec<Bar>, start: f64, now: f64) -> String {
    let bars = merge(bars);
    if bars.is_empty() {
        return r#"<p class="muted">Nothing has run here yet.</p>"#.to_string();
    }
    let scale = Scale {
        start,
        end: now,
        left: LABEL,
    };
    // Each lane's bars packed into rows, so overlapping versions stack.
    let mut lanes: BTreeMap<&str, Vec<Vec<&Bar>>> = BTreeMap::new();
    let mut ordered: Vec<&Bar> = bars.iter().collect();
    ordered.sort_by(|a, b| a.from.total_cmp(&b.from));
    for bar in ordered {
        let rows = lanes.entry(bar.lane.as_str()).or_default();
        let free = rows.iter().position(|row| {
            row.last()
                .is_some_and(|l| l.to.is_some_and(|t| t <= bar.from))
        });
        match free {
            Some(i) => rows[i].push(bar),
            None => rows.push(vec![bar]),
        }
    }
    let height: f64 = lanes
        .values()
        .map(|r| r.len() as f64 * ROW + 8.0)
        .sum::<f64>()
        + AXIS;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" role="group" aria-label="Timeline: {} versions in {} flows">"#,
        bars.len(),
        lanes.len()
    );
    let mut y = 4.0;
    for (lane, rows) in &lanes {
        let lane_height = rows.len() as f64 * ROW;
        let _ = write!(
            out,
            r#"<text x="4" y="{:.1}">{}</text>"#,
            y + lane_height / 2.0 + 4.0,
            escape(lane)
        );
        for (i, row) in rows.iter().enumerate() {
            let top = y + i as f64 * ROW;
            for group in visible_groups(&scale, row, now) {
                match group {
                    [one] => draw_bar(&mut out, &scale, one, top, now),
                    many => draw_group(&mut out, &scale, many, top, now),
                }
            }
        }
        y += lane_height + 8.0;
    }
    scale.axis(&mut out, y);
    out.push_str("</svg>");
    out
}

/// A row's bars in runs: each bar wide enough to see alone, or a stretch of
/// neighbours each too narrow to see, drawn as one.
fn visible_groups<'a>(scale: &Scale, row: &'a [&'a Bar], now: f64) -> Vec<&'a [&'a Bar]> {
    let narrow = |b: &Bar| scale.width_of(b.to.unwrap_or(now) - b.from) < VISIBLE;
    let mut groups = Vec::new();
    let mut start = 0;
    for i in 1..=row.len() {
        let ends = i == row.len() || !(narrow(row[i - 1]) && narrow(row[i]));
        if ends {
            groups.push(&row[start..i]);
            start = i;
        }
    }
    groups
}

/// Versions too short to see one by one: one bar, coloured by the worst of them.
fn draw_group(out: &mut String, scale: &Scale, bars: &[&Bar], top: f64, now: f64) {
    let from = bars.iter().map(|b| b.from).fold(f64::MAX, f64::min);
    let to = bars
        .iter()
        .map(|b| b.to.unwrap_or(now))
        .fold(f64::MIN, f64::max);
    let class = if bars.iter().any(|b| b.compliant == Some(false)) {
        "bad"
    } else if bars.iter().any(|b| b.compliant.is_none()) {
        "unknown"
    } else {
        "ok"
    };
    let x1 = scale.x(from);
    let x2 = scale.x(to).max(x1 + 2.0);
    let _ = write!(
        out,
        r#"<rect class="{class} many" x="{x1:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" rx="3"><title>{} versions, each too short to show here, {} to {}</title></rect>"#,
        x2 - x1,
        ROW - 6.0,
        bars.len(),
        escape(&When::at(from, now).text),
        escape(&When::at(to, now).text),
    );
}

fn draw_bar(out: &mut String, scale: &Scale, bar: &Bar, top: f64, now: f64) {
    let x1 = scale.x(bar.from);
    let x2 = scale.x(bar.to.unwrap_or(now)).max(x1 + 2.0);
    let class = match bar.compliant {
        Some(true) => "ok",
        Some(false) => "bad",
        None => "unknown",
    };
    let until = bar
        .to
        .map_or_else(|| "now".to_string(), |t| When::at(t, now).text);
    let title = format!(
        "{} ({}) {} replicas, {} to {until}",
        bar.name,
        bar.commit
            .as_deref()
            .map_or_else(|| short(&bar.fingerprint), short),
        bar.replicas,
        When::at(bar.from, now).text,
    );
    if let Some(link) = &bar.link {
        let _ = write!(out, r#"<a href="{}">"#, escape(link));
    }
    let _ = write!(
        out,
        r#"<rect class="{class}" x="{x1:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" rx="3"><title>{}</title></rect>"#,
        x2 - x1,
        ROW - 6.0,
        escape(&title)
    );
    if x2 - x1 > 24.0 {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" style="fill:#fff">×{}</text>"#,
            x1 + 4.0,
            top + ROW - 10.0,
            bar.replicas
        );
    }
    if bar.link.is_some() {
        out.push_str("</a>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(lane: &str, fp: &str, from: f64, to: Option<f64>, replicas: i64) -> Bar {
        Bar {
            lane: lane.into(),
            fingerprint: fp.into(),
            name: format!("{lane}:{fp}"),
            commit: None,
            from,
            to,
            replicas,
            compliant: Some(true),
            link: None,
        }
    }

    #[test]
    fn scaling_runs_merge_into_one_bar() {
        let merged = merge(vec![
            bar("runner", "a", 0.0, Some(10.0), 1),
            bar("runner", "a", 10.0, Some(20.0), 3),
            bar("runner", "a", 30.0, None, 1),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!((merged[0].to, merged[0].replicas), (Some(20.0), 3));
        assert_eq!(merged[1].to, None);
    }

    #[test]
    fn overlapping_versions_stack_in_their_lane() {
        let svg = environment(
            vec![
                bar("runner", "a", 0.0, None, 3),
                bar("runner", "b", 50.0, None, 1),
                bar("saver", "c", 0.0, Some(40.0), 1),
                bar("saver", "d", 40.0, None, 1),
            ],
            0.0,
            100.0,
        );
        assert_eq!(svg.matches("<rect").count(), 4);
        // runner needs two rows (a and b overlap), saver one (c ends as d starts).
        let expected_height = (2.0 * ROW + 8.0) + (ROW + 8.0) + AXIS;
        assert!(
            svg.contains(&format!(r#"height="{expected_height:.0}""#)),
            "{svg}"
        );
    }

    #[test]
    fn versions_too_short_to_see_are_drawn_together() {
        let day = 86_400.0;
        // 1,000 versions of a minute each over 30 days, then one of a week.
        let mut bars: Vec<Bar> = (0..1000)
            .map(|i| {
                let from = f64::from(i) * 1800.0;
                bar("runner", &format!("v{i}"), from, Some(from + 60.0), 1)
            })
            .collect();
        bars.push(bar("runner", "long", 23.0 * day, None, 2));
        let svg = environment(bars, 0.0, 30.0 * day);
        let rects = svg.matches("<rect").count();
        assert!(rects <= 3, "{rects} rects");
        assert!(
            svg.contains("1000 versions, each too short to show here"),
            "{svg}"
        );
        assert!(svg.contains("×2"), "the long version is drawn alone");
    }

    #[test]
    fn text_is_escaped() {
        let svg = environment(vec![bar("<x>", "a", 0.0, None, 1)], 0.0, 10.0);
        assert!(svg.contains("&lt;x&gt;") && !svg.contains("<x>"));
    }
}
