//! The progress bar of a long `file` or `dir` fingerprint: drawn on stderr
//! only when stderr is a terminal, `--quiet` is off and there is enough
//! content to hash for the wait to be noticed; otherwise nothing is printed.

use std::io::IsTerminal;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_valid() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
    }

    #[test]
    fn quiet_never_draws() {
        let bar = FingerprintBar::on_stderr(true);
        bar.start(u64::MAX);
        bar.advance(1);
        assert!(bar.bar.is_hidden());
    }
}
