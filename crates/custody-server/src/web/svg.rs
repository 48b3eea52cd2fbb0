//! What the server-drawn pictures share: their width, text escaping, and a
//! time scale with its axis (dates for long spans, times of day for short
//! ones, in UTC, never clipped at either end).

use std::fmt::Write;

/// Every picture's width in user units.
pub const WIDTH: f64 = 1100.0;
/// The height of the time axis under a picture.
pub const AXIS: f64 = 28.0;
/// Room kept free at the right end.
const MARGIN: f64 = 10.0;

/// Text made safe for SVG content and attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Maps times from `start` to `end` onto `left..WIDTH - MARGIN`.
pub struct Scale {
    pub start: f64,
    pub end: f64,
    pub left: f64,
}

impl Scale {
    pub fn x(&self, t: f64) -> f64 {
        let span = (self.end - self.start).max(1.0);
        self.left + (t.clamp(self.start, self.end) - self.start) / span * self.length()
    }

    /// How many user units a time span covers.
    pub fn width_of(&self, seconds: f64) -> f64 {
        seconds / (self.end - self.start).max(1.0) * self.length()
    }

    fn length(&self) -> f64 {
        WIDTH - self.left - MARGIN
    }

    /// Five ticks from `start` to `end`, each label shown once.
    pub fn axis(&self, out: &mut String, y: f64) {
        let _ = write!(
            out,
            r#"<line class="axis" x1="{}" x2="{}" y1="{y}" y2="{y}" stroke-width="1"/>"#,
            self.left,
            WIDTH - MARGIN
        );
        let span = self.end - self.start;
        let format = if span >= 4.0 * 86_400.0 {
            "%Y-%m-%d"
        } else if span >= 86_400.0 {
            "%m-%d %H:%M"
        } else {
            "%H:%M UTC"
        };
        let mut previous = String::new();
        for i in 0..=4 {
            let t = self.start + span * f64::from(i) / 4.0;
            let label = jiff::Timestamp::from_second(t as i64)
                .map(|ts| ts.strftime(format).to_string())
                .unwrap_or_default();
            if label == previous {
                continue;
            }
            let anchor = match i {
                0 => "start",
                4 => "end",
                _ => "middle",
            };
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}">{label}</text>"#,
                self.x(t),
                y + 16.0
            );
            previous = label;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_spans_are_labelled_by_date_short_ones_by_time() {
        let day = 86_400.0;
        let mut long = String::new();
        Scale {
            start: 0.0,
            end: 30.0 * day,
            left: 0.0,
        }
        .axis(&mut long, 0.0);
        assert!(long.contains(">1970-01-01<") && long.contains(">1970-01-31<"));
        assert!(long.contains(r#"text-anchor="start""#) && long.contains(r#"text-anchor="end""#));
        let mut short = String::new();
        Scale {
            start: 0.0,
            end: 7200.0,
            left: 0.0,
        }
        .axis(&mut short, 0.0);
        assert!(short.contains(">00:00 UTC<") && short.contains(">02:00 UTC<"));
    }

    #[test]
    fn a_label_is_not_repeated() {
        let mut out = String::new();
        Scale {
            start: 0.0,
            end: 120.0,
            left: 0.0,
        }
        .axis(&mut out, 0.0);
        assert_eq!(out.matches(">00:00 UTC<").count(), 1, "{out}");
    }

    #[test]
    fn times_outside_the_span_stay_on_the_picture() {
        let scale = Scale {
            start: 100.0,
            end: 200.0,
            left: 50.0,
        };
        assert_eq!(scale.x(0.0), 50.0);
        assert_eq!(scale.x(500.0), WIDTH - MARGIN);
    }
}
