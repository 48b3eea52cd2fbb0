//! Pictures drawn on the server as SVG: an environment's timeline (a lane per
//! flow, a bar per artifact version for the time it ran, overlapping versions
//! stacked so blue-green deployments show) and an artifact's journey (its
//! history's events on one time axis). Runs of one fingerprint that follow
//! each other (scaling) merge into one bar, so months of history stay a few
//! hundred shapes.

use std::collections::BTreeMap;
use std::fmt::Write;

use custody_api::HistoryLine;

use super::format::{When, short};

const WIDTH: f64 = 1100.0;
const LABEL: f64 = 150.0;
const ROW: f64 = 22.0;
const AXIS: f64 = 28.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

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

struct Scale {
    start: f64,
    end: f64,
}

impl Scale {
    fn x(&self, t: f64) -> f64 {
        let span = (self.end - self.start).max(1.0);
        LABEL + (t.clamp(self.start, self.end) - self.start) / span * (WIDTH - LABEL - 10.0)
    }

    fn axis(&self, out: &mut String, y: f64) {
        let _ = write!(
            out,
            r#"<line class="axis" x1="{LABEL}" x2="{}" y1="{y}" y2="{y}" stroke-width="1"/>"#,
            WIDTH - 10.0
        );
        for i in 0..=4 {
            let t = self.start + (self.end - self.start) * f64::from(i) / 4.0;
            let x = self.x(t);
            let w = When::at(t, t);
            let day = w.iso.get(..10).unwrap_or_default();
            let _ = write!(
                out,
                r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{day}</text>"#,
                y + 16.0
            );
        }
    }
}

/// The environment timeline from `start` to `now`.
pub fn environment(bars: Vec<Bar>, start: f64, now: f64) -> String {
    let bars = merge(bars);
    if bars.is_empty() {
        return r#"<p class="muted">Nothing has run here yet.</p>"#.to_string();
    }
    let scale = Scale { start, end: now };
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
            for bar in row {
                draw_bar(&mut out, &scale, bar, top, now);
            }
        }
        y += lane_height + 8.0;
    }
    scale.axis(&mut out, y);
    out.push_str("</svg>");
    out
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

/// An artifact's history on one time axis.
pub struct Journey<'a> {
    lines: &'a [HistoryLine],
    now: f64,
}

impl<'a> Journey<'a> {
    pub fn of(lines: &'a [HistoryLine], now: f64) -> Self {
        Journey { lines, now }
    }

    pub fn svg(&self) -> String {
        let Some(first) = self.lines.iter().map(|l| l.timestamp).reduce(f64::min) else {
            return r#"<p class="muted">No history yet.</p>"#.to_string();
        };
        let last = self.lines.iter().map(|l| l.timestamp).fold(first, f64::max);
        let scale = Scale {
            start: first,
            end: last.max(first + 3600.0),
        };
        let height = self.lines.len() as f64 * 18.0 + AXIS + 8.0;
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" role="img" aria-label="Journey: {} events">"#,
            self.lines.len()
        );
        for (i, line) in self.lines.iter().enumerate() {
            let y = 12.0 + i as f64 * 18.0;
            let x = scale.x(line.timestamp);
            let class = if line.event.contains("NON-COMPLIANT") || line.event.contains("No longer")
            {
                "bad"
            } else {
                "ok"
            };
            let _ = write!(
                out,
                r#"<circle class="{class}" cx="{x:.1}" cy="{y:.1}" r="5"><title>{}: {}</title></circle><text x="4" y="{:.1}">{}</text>"#,
                escape(&When::at(line.timestamp, self.now).text),
                escape(&line.event),
                y + 4.0,
                escape(&truncate(&line.event, 22))
            );
        }
        scale.axis(&mut out, height - AXIS);
        out.push_str("</svg>");
        out
    }
}

fn truncate(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(n - 1).collect::<String>())
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
    fn text_is_escaped() {
        let svg = environment(vec![bar("<x>", "a", 0.0, None, 1)], 0.0, 10.0);
        assert!(svg.contains("&lt;x&gt;") && !svg.contains("<x>"));
    }
}
