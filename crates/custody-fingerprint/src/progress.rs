//! How a caller watches a long fingerprint: the number of content bytes to
//! hash, told once, then the bytes as they are hashed, from any thread.

/// Receives the progress of one fingerprint.
pub trait Progress: Sync {
    /// Called once, before any content is read, with the number of content
    /// bytes the fingerprint will hash (file sizes as found when walking).
    fn start(&self, total_bytes: u64);

    /// Called each time `bytes` more content bytes have been hashed.
    fn advance(&self, bytes: u64);
}

/// A [`Progress`] that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total_bytes: u64) {}

    fn advance(&self, _bytes: u64) {}
}
