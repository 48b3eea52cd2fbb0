//! How pages show values: times (an ISO instant for the browser to put in the
//! viewer's zone, UTC text for readers without JavaScript, and "15 days ago"),
//! compliance badges, short fingerprints and escaped URL parts.

use custody_core::Timestamp;

/// A moment as the pages show it.
#[derive(Debug, Clone)]
pub struct When {
    /// RFC 3339 in UTC, for `<time datetime>`.
    pub iso: String,
    /// `Mon, 22 Aug 2022 11:35:00 UTC`.
    pub text: String,
    /// `15 days ago`.
    pub ago: String,
}

impl When {
    pub fn at(seconds: f64, now: f64) -> When {
        let whole = Timestamp::from_seconds(seconds).whole_seconds();
        let ts = jiff::Timestamp::from_second(whole).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        When {
            iso: ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            text: ts.strftime("%a, %d %b %Y %H:%M:%S UTC").to_string(),
            ago: custody_core::timeago::ago(now - seconds),
        }
    }
}

/// A compliance verdict as a badge: its CSS class and its words.
#[derive(Debug, Clone)]
pub struct Badge {
    pub class: &'static str,
    pub text: String,
}

impl Badge {
    pub fn compliant(value: Option<bool>) -> Badge {
        match value {
            Some(true) => Badge::of("COMPLIANT"),
            Some(false) => Badge::of("NON-COMPLIANT"),
            None => Badge::of("UNKNOWN"),
        }
    }

    /// A status word (`COMPLETE`, `MISSING`, `NON-COMPLIANT`, `COMPLIANT`…).
    pub fn of(status: &str) -> Badge {
        let class = match status {
            "COMPLIANT" | "COMPLETE" => "ok",
            "NON-COMPLIANT" | "INCOMPLETE" => "bad",
            "MISSING" => "missing",
            _ => "unknown",
        };
        Badge {
            class,
            text: status.to_string(),
        }
    }
}

/// A URL from stored data, kept only when it is a web address, so a link
/// can never run script (`javascript:`) or point at a local file.
pub fn web_url(url: Option<String>) -> Option<String> {
    url.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

/// The first 7 characters of a fingerprint or commit.
pub fn short(value: &str) -> String {
    value.chars().take(7).collect()
}

/// Percent-encodes a value for a path segment or query string.
pub fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_utc_and_relative() {
        let w = When::at(1_661_161_500.0, 1_661_161_500.0 + 15.0 * 86_400.0);
        assert_eq!(w.iso, "2022-08-22T09:45:00Z");
        assert_eq!(w.text, "Mon, 22 Aug 2022 09:45:00 UTC");
        assert_eq!(w.ago, "15 days ago");
        let w = When::at(1_661_161_500.0, 1_661_161_500.0 + 23.6 * 3600.0);
        assert_eq!(w.ago, "one day ago", "rounded as the CLI rounds");
    }

    #[test]
    fn urls_escape_everything_but_unreserved() {
        assert_eq!(url_encode("aws-prod#65"), "aws-prod%2365");
        assert_eq!(url_encode("a b/&"), "a%20b%2F%26");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            web_url(Some("https://ci/1".into())).as_deref(),
            Some("https://ci/1")
        );
        assert_eq!(web_url(Some("javascript:alert(1)".into())), None);
        assert_eq!(web_url(Some("file:///etc/passwd".into())), None);
    }

    #[test]
    fn badges_follow_the_verdict() {
        assert_eq!(Badge::compliant(Some(false)).class, "bad");
        assert_eq!(Badge::of("MISSING").class, "missing");
        assert_eq!(Badge::compliant(None).text, "UNKNOWN");
    }
}
