//! The progress bars of a long `file` or `dir` fingerprint and of a large
//! upload: drawn on stderr only when stderr is a terminal, `--quiet` is off
//! and there is enough content for the wait to be noticed; otherwise nothing
//! is printed.

use std::io::IsTerminal;

use std::sync::Arc;

use custody_client::UploadProgress;
use custody_fingerprint::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Less content than this hashes in well under a second: no bar.
const SHOWN_FROM_BYTES: u64 = 512 * 1024 * 1024;

/// What the bar shows: bytes hashed of the total, the rate and the time left;
/// the bar itself takes the width the rest leaves on the terminal.
const TEMPLATE: &str = "fingerprinting [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} {eta}";

/// A [`Progress`] that draws a bar once a long fingerprint starts, and clears
/// it when dropped.
pub(crate) struct FingerprintBar {
    bar: ProgressBar,
    may_draw: bool,
}

impl FingerprintBar {
    /// A bar for stderr, never drawn under `quiet` or when stderr is not a terminal.
    pub(crate) fn on_stderr(quiet: bool) -> Self {
        Self {
            bar: ProgressBar::hidden(),
            may_draw: !quiet && std::io::stderr().is_terminal(),
        }
    }
}

impl Progress for FingerprintBar {
    fn start(&self, total_bytes: u64) {
        if self.may_draw && total_bytes >= SHOWN_FROM_BYTES {
            let style = ProgressStyle::with_template(TEMPLATE)
                .expect("the template is valid")
                .progress_chars("=> ");
            self.bar.set_style(style);
            self.bar.set_length(total_bytes);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }
}

impl Drop for FingerprintBar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// Smaller uploads finish before a bar would be read.
const UPLOAD_SHOWN_FROM_BYTES: u64 = 16 * 1024 * 1024;

/// What the upload bar shows.
const UPLOAD_TEMPLATE: &str = "uploading [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} {eta}";

/// The upload bar, for the client to report to; `None` under `quiet` or
/// when stderr is not a terminal. A retry starts the bar again.
pub(crate) fn upload_bar(quiet: bool) -> Option<UploadProgress> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::hidden();
    Some(UploadProgress(Arc::new(move |sent, total| {
        if total < UPLOAD_SHOWN_FROM_BYTES {
            return;
        }
        if bar.is_hidden() {
            let style = ProgressStyle::with_template(UPLOAD_TEMPLATE)
                .expect("the template is valid")
                .progress_chars("=> ");
            bar.set_style(style);
            bar.set_length(total);
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_position(sent);
        if sent >= total {
            bar.finish_and_clear();
        }
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_are_valid() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
        assert!(ProgressStyle::with_template(UPLOAD_TEMPLATE).is_ok());
    }

    #[test]
    fn quiet_uploads_have_no_bar() {
        assert!(upload_bar(true).is_none());
    }

    #[test]
    fn quiet_never_draws() {
        let bar = FingerprintBar::on_stderr(true);
        bar.start(u64::MAX);
        bar.advance(1);
        assert!(bar.bar.is_hidden());
    }
}
