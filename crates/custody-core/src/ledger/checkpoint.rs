//! Signed checkpoints: "org O's log has N entries and root R", signed with
//! the server's Ed25519 key. A verifier who holds the public key can tell that
//! a log of N entries with root R is the one the server vouched for.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::facts::{hex, unhex};

/// A signed statement of a log's size and root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub org: String,
    pub size: u64,
    /// Hex SHA-256 root of the first `size` entries.
    pub root: String,
    /// Unix seconds at signing.
    pub timestamp: i64,
    /// The first 8 bytes of the SHA-256 of the public key, in hex.
    pub key_id: String,
    /// Hex Ed25519 signature of [`Checkpoint::signed_text`].
    pub signature: String,
}

/// The id of a public key, as checkpoints name it.
pub fn key_id(key: &VerifyingKey) -> String {
    hex(&Sha256::digest(key.as_bytes())[..8])
}

/// Reads a hex public key.
pub fn public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = unhex(text.trim())
        .and_then(|b| b.try_into().ok())
        .ok_or("a public key is 64 hex characters")?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| format!("not an Ed25519 public key: {e}"))
}

impl Checkpoint {
    /// The exact text that is signed.
    pub fn signed_text(org: &str, size: u64, root: &str, timestamp: i64) -> String {
        format!("custody-checkpoint/1\n{org}\n{size}\n{root}\n{timestamp}\n")
    }

    /// Signs the log's size and root.
    pub fn sign(org: &str, size: u64, root: &str, timestamp: i64, key: &SigningKey) -> Checkpoint {
        let text = Self::signed_text(org, size, root, timestamp);
        Checkpoint {
            org: org.to_string(),
            size,
            root: root.to_string(),
            timestamp,
            key_id: key_id(&key.verifying_key()),
            signature: hex(&key.sign(text.as_bytes()).to_bytes()),
        }
    }

    /// Checks the signature with `key`.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), String> {
        if self.key_id != key_id(key) {
            return Err(format!(
                "the checkpoint was signed with key {}, not with key {}",
                self.key_id,
                key_id(key)
            ));
        }
        let bytes: [u8; 64] = unhex(&self.signature)
            .and_then(|b| b.try_into().ok())
            .ok_or("the checkpoint's signature is not 128 hex characters")?;
        let text = Self::signed_text(&self.org, self.size, &self.root, self.timestamp);
        key.verify(text.as_bytes(), &Signature::from_bytes(&bytes))
            .map_err(|_| "the checkpoint's signature does not match its contents".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_verify_only_as_signed() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let cp = Checkpoint::sign("acme", 12, &"ab".repeat(32), 1_700_000_000, &key);
        assert_eq!(cp.verify(&key.verifying_key()), Ok(()));
        let public = public_key(&hex(key.verifying_key().as_bytes())).unwrap();
        assert_eq!(cp.verify(&public), Ok(()));
        let mut grown = cp.clone();
        grown.size = 13;
        assert!(
            grown
                .verify(&public)
                .unwrap_err()
                .contains("does not match")
        );
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        assert!(cp.verify(&other).unwrap_err().contains("signed with key"));
        assert!(public_key("zz").is_err());
    }
}
