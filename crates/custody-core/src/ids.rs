//! The identities of stored records: one type per kind of row, so an org's id
//! can never be passed where a flow's is expected. Ids are assigned by the
//! store and mean nothing outside it. Each one displays and parses as its
//! number (as in a list's cursor) and, with the `sqlx` feature, reads and
//! writes as the integer column it is stored in.

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl From<$name> for i64 {
            /// The integer the id is stored as.
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )*};
}

ids! {
    /// An org.
    OrgId;
    /// A service account of an org.
    ServiceAccountId;
    /// A flow.
    FlowId;
    /// A trail of a flow.
    TrailId;
    /// An artifact record (one report of a fingerprint in a flow).
    ArtifactId;
    /// An attestation.
    AttestationId;
    /// A custom attestation type.
    AttestationTypeId;
    /// An environment.
    EnvironmentId;
    /// An environment policy.
    PolicyId;
    /// A control.
    ControlId;
    /// A repo seen in pipelines' reports.
    RepoId;
    /// An action (a notification rule).
    ActionId;
    /// One place an action sends its notifications.
    ActionTargetId;
    /// A fact waiting in the outbox to be turned into deliveries.
    OutboxEventId;
    /// One notification for one target.
    DeliveryId;
}
