//! Environment types and the rules tied to them: which types exist and how
//! they are spelled, which environments can receive reports, which can be
//! members of a logical environment, and which changes of type are allowed.

use std::fmt;
use std::str::FromStr;

/// The kind of runtime an environment reports from, or `Logical` for an
/// environment made of other environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EnvironmentType {
    K8s,
    Ecs,
    S3,
    Lambda,
    Server,
    Docker,
    AzureApps,
    CloudRun,
    Logical,
}

/// Why an environment rule refused something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvironmentError {
    #[error(
        "'{0}' is not an environment type: use one of K8S, ECS, S3, lambda, server, docker, azure-apps, cloud-run, logical (types are case-sensitive)"
    )]
    Unknown(String),
    #[error(
        "'{0}' is not an environment type: use one of K8S, ECS, S3, lambda, server, docker, azure-apps, cloud-run"
    )]
    UnknownPhysical(String),
    #[error(
        "a logical environment cannot receive reports: report to one of its physical environments (K8S, ECS, S3, lambda, server, docker, azure-apps, cloud-run)"
    )]
    LogicalReportType,
    #[error("cannot report a snapshot to the logical environment {0}")]
    ReportToLogical(String),
    #[error(
        "cannot report a snapshot to the archived environment {0}: create it again to un-archive it"
    )]
    ReportToArchived(String),
    #[error("environment '{name}' has type {has}, so it cannot take a {sent} report")]
    ReportOfOtherType {
        name: String,
        has: EnvironmentType,
        sent: EnvironmentType,
    },
    #[error("environment '{name}' has type {from}: it cannot become {to}")]
    TypeChange {
        name: String,
        from: EnvironmentType,
        to: EnvironmentType,
    },
    #[error("included_environments is only for logical environments")]
    MembersOfPhysical,
    #[error(
        "environment '{0}' is logical: a logical environment can only include physical environments"
    )]
    LogicalMember(String),
    #[error(
        "environment '{0}' is not a logical environment: only logical environments can be joined"
    )]
    NotLogical(String),
}

impl EnvironmentType {
    pub const ALL: [EnvironmentType; 9] = [
        Self::K8s,
        Self::Ecs,
        Self::S3,
        Self::Lambda,
        Self::Server,
        Self::Docker,
        Self::AzureApps,
        Self::CloudRun,
        Self::Logical,
    ];

    /// The wire spelling (Kosli's).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::K8s => "K8S",
            Self::Ecs => "ECS",
            Self::S3 => "S3",
            Self::Lambda => "lambda",
            Self::Server => "server",
            Self::Docker => "docker",
            Self::AzureApps => "azure-apps",
            Self::CloudRun => "cloud-run",
            Self::Logical => "logical",
        }
    }

    /// A type as Kosli spells it: types are case-sensitive (`K8S`, not `k8s`).
    pub fn parse(value: &str) -> Result<Self, EnvironmentError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == value)
            .ok_or_else(|| EnvironmentError::Unknown(value.to_string()))
    }

    /// A type in any case: how stored rows and report paths (which Custody
    /// has always read so) are read.
    pub fn parse_any_case(value: &str) -> Result<Self, EnvironmentError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(value))
            .ok_or_else(|| EnvironmentError::Unknown(value.to_string()))
    }

    /// A type that reports can be sent as (every one but `logical`), in any case.
    pub fn parse_physical(value: &str) -> Result<Self, EnvironmentError> {
        match Self::parse_any_case(value) {
            Ok(Self::Logical) => Err(EnvironmentError::LogicalReportType),
            Ok(physical) => Ok(physical),
            Err(_) => Err(EnvironmentError::UnknownPhysical(value.to_string())),
        }
    }

    pub fn is_logical(self) -> bool {
        self == Self::Logical
    }

    /// An existing environment named `name` can turn into `to`: physical types
    /// change among themselves, a logical environment stays logical.
    pub fn check_change(self, name: &str, to: Self) -> Result<(), EnvironmentError> {
        if self != to && (self.is_logical() || to.is_logical()) {
            return Err(EnvironmentError::TypeChange {
                name: name.to_string(),
                from: self,
                to,
            });
        }
        Ok(())
    }

    /// Environment `name` of this type can be a member of a logical one.
    pub fn check_member(self, name: &str) -> Result<(), EnvironmentError> {
        match self {
            Self::Logical => Err(EnvironmentError::LogicalMember(name.to_string())),
            _ => Ok(()),
        }
    }

    /// Environment `name` of this type can have members.
    pub fn check_joinable(self, name: &str) -> Result<(), EnvironmentError> {
        match self {
            Self::Logical => Ok(()),
            _ => Err(EnvironmentError::NotLogical(name.to_string())),
        }
    }

    /// Environment `name` of this type (archived or not) takes a report sent
    /// as type `sent`.
    pub fn check_report(
        self,
        name: &str,
        archived: bool,
        sent: Self,
    ) -> Result<(), EnvironmentError> {
        if self.is_logical() {
            return Err(EnvironmentError::ReportToLogical(name.to_string()));
        }
        if archived {
            return Err(EnvironmentError::ReportToArchived(name.to_string()));
        }
        if self != sent {
            return Err(EnvironmentError::ReportOfOtherType {
                name: name.to_string(),
                has: self,
                sent,
            });
        }
        Ok(())
    }
}

impl fmt::Display for EnvironmentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EnvironmentType {
    type Err = EnvironmentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for EnvironmentType {
    type Error = EnvironmentError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse_any_case(&s)
    }
}

impl serde::Serialize for EnvironmentType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for EnvironmentType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_any_case(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EnvironmentType::*;

    #[test]
    fn types_are_named_exactly_and_read_back_in_any_case() {
        for t in EnvironmentType::ALL {
            assert_eq!(EnvironmentType::parse(t.as_str()), Ok(t));
            assert_eq!(
                EnvironmentType::parse_any_case(&t.as_str().to_uppercase()),
                Ok(t)
            );
            assert_eq!(
                EnvironmentType::parse_any_case(&t.as_str().to_lowercase()),
                Ok(t)
            );
            assert_eq!(EnvironmentType::try_from(t.as_str().to_lowercase()), Ok(t));
        }
        assert_eq!(
            EnvironmentType::parse("k8s"),
            Err(EnvironmentError::Unknown("k8s".into())),
            "Kosli's types are case-sensitive"
        );
        assert_eq!(
            EnvironmentType::parse("k9s"),
            Err(EnvironmentError::Unknown("k9s".into()))
        );
        assert!(EnvironmentType::parse("").is_err());
    }

    #[test]
    fn reports_are_sent_only_as_physical_types() {
        assert_eq!(EnvironmentType::parse_physical("k8s"), Ok(K8s));
        assert_eq!(
            EnvironmentType::parse_physical("Logical"),
            Err(EnvironmentError::LogicalReportType)
        );
        assert_eq!(
            EnvironmentType::parse_physical("vm"),
            Err(EnvironmentError::UnknownPhysical("vm".into()))
        );
    }

    #[test]
    fn only_physical_types_change_among_themselves() {
        for from in EnvironmentType::ALL {
            for to in EnvironmentType::ALL {
                let allowed = from == to || !(from.is_logical() || to.is_logical());
                assert_eq!(from.check_change("e", to).is_ok(), allowed, "{from} → {to}");
            }
        }
        assert_eq!(
            Logical.check_change("all", Docker).unwrap_err().to_string(),
            "environment 'all' has type logical: it cannot become docker"
        );
    }

    #[test]
    fn logical_environments_have_members_and_are_never_members() {
        for t in EnvironmentType::ALL {
            assert_eq!(t.check_member("x").is_ok(), !t.is_logical());
            assert_eq!(t.check_joinable("x").is_ok(), t.is_logical());
        }
    }

    #[test]
    fn a_report_lands_only_in_a_live_physical_environment_of_its_type() {
        assert_eq!(K8s.check_report("prod", false, K8s), Ok(()));
        assert_eq!(
            K8s.check_report("prod", true, K8s),
            Err(EnvironmentError::ReportToArchived("prod".into()))
        );
        assert_eq!(
            Logical.check_report("all", false, K8s),
            Err(EnvironmentError::ReportToLogical("all".into()))
        );
        assert_eq!(
            K8s.check_report("prod", false, Ecs)
                .unwrap_err()
                .to_string(),
            "environment 'prod' has type K8S, so it cannot take a ECS report"
        );
    }

    #[test]
    fn the_wire_form_is_the_kosli_spelling() {
        let json = serde_json::to_string(&AzureApps).unwrap();
        assert_eq!(json, "\"azure-apps\"");
        let back: EnvironmentType = serde_json::from_str("\"AZURE-APPS\"").unwrap();
        assert_eq!(back, AzureApps);
        assert!(serde_json::from_str::<EnvironmentType>("\"vm\"").is_err());
    }
}
