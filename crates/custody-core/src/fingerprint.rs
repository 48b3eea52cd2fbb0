//! SHA-256 fingerprints (64 lowercase hex characters) and the hex prefixes
//! users type to look artifacts up by fingerprint or commit.

use std::fmt;

/// A full SHA-256 fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FingerprintError {
    #[error(
        "{0} is not a valid SHA256 fingerprint. It should match the pattern ^([a-f0-9]{{64}})$"
    )]
    Invalid(String),
    #[error("'{0}' is not a valid hex prefix: give at least 5 of the characters 0-9 a-f")]
    InvalidPrefix(String),
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Fingerprint {
    pub fn parse(value: &str) -> Result<Self, FingerprintError> {
        Fingerprint::try_from(value.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Fingerprint {
    type Error = FingerprintError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.len() == 64 && is_lower_hex(&value) {
            Ok(Fingerprint(value))
        } else {
            Err(FingerprintError::Invalid(value))
        }
    }
}

impl From<Fingerprint> for String {
    fn from(fingerprint: Fingerprint) -> String {
        fingerprint.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&Fingerprint> for HexPrefix {
    /// A whole fingerprint, as the longest prefix of itself.
    fn from(fingerprint: &Fingerprint) -> Self {
        HexPrefix(fingerprint.0.clone())
    }
}

/// A fingerprint is stored as text and read back only if it still is one.
#[cfg(feature = "sqlx")]
mod column {
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::{Database, Decode, Encode, Type};

    use super::Fingerprint;

    impl<DB: Database> Type<DB> for Fingerprint
    where
        String: Type<DB>,
    {
        fn type_info() -> DB::TypeInfo {
            <String as Type<DB>>::type_info()
        }

        fn compatible(ty: &DB::TypeInfo) -> bool {
            <String as Type<DB>>::compatible(ty)
        }
    }

    impl<'q, DB: Database> Encode<'q, DB> for Fingerprint
    where
        String: Encode<'q, DB>,
    {
        fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
            self.0.encode_by_ref(buf)
        }
    }

    impl<'r, DB: Database> Decode<'r, DB> for Fingerprint
    where
        String: Decode<'r, DB>,
    {
        fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
            Ok(Fingerprint::try_from(String::decode(value)?)?)
        }
    }
}

/// A lowercase hex prefix of 5 to 64 characters (a fingerprint or a git commit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexPrefix(String);

impl HexPrefix {
    pub fn parse(value: &str) -> Result<Self, FingerprintError> {
        let lower = value.to_ascii_lowercase();
        if (5..=64).contains(&lower.len()) && is_lower_hex(&lower) {
            Ok(HexPrefix(lower))
        } else {
            Err(FingerprintError::InvalidPrefix(value.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The half-open range `[self, upper)` of strings starting with this prefix,
    /// so a lookup can use an ordinary index (no LIKE).
    pub fn range(&self) -> (String, String) {
        let mut upper = self.0.clone().into_bytes();
        // Hex digits never reach 0x7f, so incrementing the last byte cannot overflow.
        if let Some(last) = upper.last_mut() {
            *last += 1;
        }
        (self.0.clone(), String::from_utf8_lossy(&upper).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_uppercase_and_short_values() {
        assert!(Fingerprint::parse(&"A".repeat(64)).is_err());
        let err = Fingerprint::parse("xxxx").unwrap_err();
        assert_eq!(
            err.to_string(),
            "xxxx is not a valid SHA256 fingerprint. It should match the pattern ^([a-f0-9]{64})$"
        );
    }

    #[test]
    fn prefix_needs_five_hex_characters() {
        assert!(HexPrefix::parse("16d99").is_ok());
        assert!(HexPrefix::parse("16d9").is_err());
        assert!(HexPrefix::parse("16d9z").is_err());
    }

    proptest! {
        #[test]
        fn prefix_range_contains_exactly_the_extensions(p in "[0-9a-f]{5,20}", rest in "[0-9a-f]{0,20}", other in "[0-9a-f]{25}") {
            let (lo, hi) = HexPrefix::parse(&p).unwrap().range();
            let inside = format!("{p}{rest}");
            prop_assert!(lo <= inside && inside < hi);
            prop_assert_eq!(other.starts_with(&p), lo <= other && other < hi);
        }
    }
}
