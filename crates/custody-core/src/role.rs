//! The roles a service account can have, from least to most powerful: a
//! reader reads, a snapshotter also reports environments, a member also
//! records flows, trails, artifacts and attestations, an admin also manages
//! service accounts and keys.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Reader,
    Snapshotter,
    Member,
    Admin,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a role: use one of reader, snapshotter, member, admin")]
pub struct RoleError(pub String);

impl Role {
    pub const ALL: [Role; 4] = [Role::Reader, Role::Snapshotter, Role::Member, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Snapshotter => "snapshotter",
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }

    /// A role by its exact (lower-case) name, as Kosli spells it.
    pub fn parse(value: &str) -> Result<Role, RoleError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == value)
            .ok_or_else(|| RoleError(value.to_string()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = RoleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s)
    }
}

impl TryFrom<String> for Role {
    type Error = RoleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Role::parse(&s)
    }
}

impl serde::Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power_and_read_back() {
        assert!(Role::Reader < Role::Snapshotter);
        assert!(Role::Snapshotter < Role::Member);
        assert!(Role::Member < Role::Admin);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(
            Role::parse("owner").unwrap_err().to_string(),
            "'owner' is not a role: use one of reader, snapshotter, member, admin"
        );
        assert!(Role::parse("Admin").is_err(), "names are exact");
    }
}
