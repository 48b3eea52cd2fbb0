//! Public ids of stored things (attestations, repos): random, shaped like
//! Kosli's `8-4-4-4-8` hex ids.

use rand::RngCore;

/// A fresh id.
pub fn new() -> String {
    let mut b = [0u8; 14];
    rand::rng().fill_bytes(&mut b);
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..28]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_kosli_shaped_and_fresh() {
        let (a, b) = (super::new(), super::new());
        let parts: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 8]);
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
