//! An artifact's journey drawn on the server as SVG: its history's events
//! (created, attested, deployed, started, scaled, exited) as dots on one time
//! axis, one row each, labelled beside the dot. A long history shows its
//! first and last events with a count of those between.

use std::fmt::Write;

use custody_api::HistoryLine;

use super::format::When;
use super::svg::{AXIS, Scale, WIDTH, escape};

const ROW: f64 = 18.0;
/// Room at the left end of the axis.
const LEFT: f64 = 10.0;
/// How many events are drawn at each end of a long history.
const ENDS: usize = 20;

/// An artifact's history on one time axis.
pub struct Journey<'a> {
    lines: &'a [HistoryLine],
    now: f64,
}

/// A row of the picture: an event, or how many were left out.
enum Row<'a> {
    Event(&'a HistoryLine),
    Skipped(usize),
}

impl<'a> Journey<'a> {
    pub fn of(lines: &'a [HistoryLine], now: f64) -> Self {
        Journey { lines, now }
    }

    fn rows(&self) -> Vec<Row<'a>> {
        let n = self.lines.len();
        if n <= 2 * ENDS + 1 {
            return self.lines.iter().map(Row::Event).collect();
        }
        let mut rows: Vec<Row> = self.lines[..ENDS].iter().map(Row::Event).collect();
        rows.push(Row::Skipped(n - 2 * ENDS));
        rows.extend(self.lines[n - ENDS..].iter().map(Row::Event));
        rows
    }

    pub fn svg(&self) -> String {
        let Some(first) = self.lines.iter().map(|l| l.timestamp).reduce(f64::min) else {
            return r#"<p class="muted">No history yet.</p>"#.to_string();
        };
        let last = self.lines.iter().map(|l| l.timestamp).fold(first, f64::max);
        let scale = Scale {
            start: first,
            end: last.max(first + 3600.0),
            left: LEFT,
        };
        let rows = self.rows();
        let height = rows.len() as f64 * ROW + AXIS + 8.0;
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" role="img" aria-label="Journey: {} events">"#,
            self.lines.len()
        );
        for (i, row) in rows.iter().enumerate() {
            let y = 12.0 + i as f64 * ROW;
            match row {
                Row::Event(line) => self.event(&mut out, &scale, line, y),
                Row::Skipped(n) => {
                    let _ = write!(
                        out,
                        r#"<text class="muted" x="{:.1}" y="{:.1}" text-anchor="middle">… {n} more events, listed in the history below …</text>"#,
                        WIDTH / 2.0,
                        y + 4.0
                    );
                }
            }
        }
        scale.axis(&mut out, height - AXIS);
        out.push_str("</svg>");
        out
    }

    /// A dot at the event's time, its words beside it on the side with room.
    fn event(&self, out: &mut String, scale: &Scale, line: &HistoryLine, y: f64) {
        let x = scale.x(line.timestamp);
        let class = if line.event.contains("NON-COMPLIANT") || line.event.contains("No longer") {
            "bad"
        } else {
            "ok"
        };
        let (label_x, anchor) = if x > WIDTH / 2.0 {
            (x - 9.0, "end")
        } else {
            (x + 9.0, "start")
        };
        let when = When::at(line.timestamp, self.now);
        let _ = write!(
            out,
            r#"<circle class="{class}" cx="{x:.1}" cy="{y:.1}" r="5"><title>{}: {}</title></circle><text x="{label_x:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            escape(&when.text),
            escape(&line.event),
            y + 4.0,
            escape(&line.event)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(event: &str, timestamp: f64) -> HistoryLine {
        HistoryLine {
            event: event.into(),
            timestamp,
        }
    }

    #[test]
    fn labels_are_whole_and_sit_on_the_side_with_room() {
        let lines = [
            line("Artifact created in flow runner, trail 16d9990", 0.0),
            line("Started running in aws-prod#65 with 3 instances", 86_400.0),
        ];
        let svg = Journey::of(&lines, 86_400.0).svg();
        assert!(svg.contains(">Artifact created in flow runner, trail 16d9990<"));
        assert!(svg.contains(r#"text-anchor="start">Artifact created"#));
        assert!(svg.contains(r#"text-anchor="end">Started running"#));
    }

    #[test]
    fn a_long_history_shows_its_ends() {
        let lines: Vec<HistoryLine> = (0..500)
            .map(|i| line(&format!("Scaled {i}"), f64::from(i) * 60.0))
            .collect();
        let svg = Journey::of(&lines, 30_000.0).svg();
        assert_eq!(svg.matches("<circle").count(), 2 * ENDS);
        assert!(svg.contains("… 460 more events"));
        assert!(svg.contains(">Scaled 499<") && !svg.contains(">Scaled 250<"));
    }
}
