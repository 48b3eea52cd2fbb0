//! Which attestations concern which artifact. An attestation concerns an
//! artifact when it was reported on the artifact itself, or reported for the
//! artifact's template name in the same flow and either the same trail or the
//! same commit (so evidence reported before the artifact existed still counts).
//! An attestation about neither an artifact nor a template name is about its
//! trail.

use crate::ids::{ArtifactId, FlowId, TrailId};

/// What binding needs to know of an artifact record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArtifactKey<'a> {
    pub id: ArtifactId,
    pub flow_id: FlowId,
    pub trail_id: Option<TrailId>,
    pub template_name: Option<&'a str>,
    pub git_commit: Option<&'a str>,
}

/// What binding needs to know of an attestation record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttestationKey<'a> {
    /// The artifact it was reported on, if it was.
    pub artifact_id: Option<ArtifactId>,
    pub flow_id: FlowId,
    pub trail_id: Option<TrailId>,
    /// The template name it was reported for, if any.
    pub target_artifact: Option<&'a str>,
    pub commit_sha: Option<&'a str>,
}

impl AttestationKey<'_> {
    /// Whether this attestation concerns the artifact.
    pub fn binds_to(&self, artifact: &ArtifactKey) -> bool {
        match self.artifact_id {
            Some(id) => id == artifact.id,
            None => {
                let same_trail = self.trail_id.is_some() && self.trail_id == artifact.trail_id;
                let same_commit =
                    self.commit_sha.is_some() && self.commit_sha == artifact.git_commit;
                self.flow_id == artifact.flow_id
                    && self.target_artifact.is_some()
                    && self.target_artifact == artifact.template_name
                    && (same_trail || same_commit)
            }
        }
    }

    /// Whether this attestation is about the trail itself.
    pub fn is_about_trail(&self, trail_id: TrailId) -> bool {
        self.trail_id == Some(trail_id)
            && self.artifact_id.is_none()
            && self.target_artifact.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTIFACT: ArtifactKey = ArtifactKey {
        id: ArtifactId(7),
        flow_id: FlowId(1),
        trail_id: Some(TrailId(10)),
        template_name: Some("app"),
        git_commit: Some("abc"),
    };

    const BY_NAME: AttestationKey = AttestationKey {
        artifact_id: None,
        flow_id: FlowId(1),
        trail_id: Some(TrailId(10)),
        target_artifact: Some("app"),
        commit_sha: None,
    };

    #[test]
    fn reported_on_the_artifact_binds_to_it_only() {
        let on = AttestationKey {
            artifact_id: Some(ArtifactId(7)),
            ..BY_NAME
        };
        assert!(on.binds_to(&ARTIFACT));
        assert!(!on.binds_to(&ArtifactKey {
            id: ArtifactId(8),
            ..ARTIFACT
        }));
        assert!(!on.is_about_trail(TrailId(10)));
    }

    #[test]
    fn a_template_name_binds_in_the_same_trail_or_commit() {
        assert!(BY_NAME.binds_to(&ARTIFACT));
        let other_trail = AttestationKey {
            trail_id: Some(TrailId(11)),
            ..BY_NAME
        };
        assert!(!other_trail.binds_to(&ARTIFACT));
        let same_commit = AttestationKey {
            commit_sha: Some("abc"),
            ..other_trail
        };
        assert!(same_commit.binds_to(&ARTIFACT), "same commit, other trail");
        let other_flow = AttestationKey {
            flow_id: FlowId(2),
            ..BY_NAME
        };
        assert!(!other_flow.binds_to(&ARTIFACT));
        let other_name = AttestationKey {
            target_artifact: Some("db"),
            ..BY_NAME
        };
        assert!(!other_name.binds_to(&ARTIFACT));
    }

    #[test]
    fn nothing_absent_matches_by_being_absent() {
        let untargeted = AttestationKey {
            target_artifact: None,
            ..BY_NAME
        };
        let unnamed = ArtifactKey {
            template_name: None,
            ..ARTIFACT
        };
        assert!(
            !untargeted.binds_to(&unnamed),
            "two missing names are not a match"
        );
        let trailless = AttestationKey {
            trail_id: None,
            ..BY_NAME
        };
        let commitless = ArtifactKey {
            trail_id: None,
            git_commit: None,
            ..ARTIFACT
        };
        assert!(
            !trailless.binds_to(&commitless),
            "nor two missing trails or commits"
        );
    }

    #[test]
    fn an_untargeted_attestation_is_about_its_trail() {
        let about_trail = AttestationKey {
            target_artifact: None,
            ..BY_NAME
        };
        assert!(about_trail.is_about_trail(TrailId(10)));
        assert!(!about_trail.is_about_trail(TrailId(11)));
        assert!(!about_trail.binds_to(&ARTIFACT));
        assert!(!BY_NAME.is_about_trail(TrailId(10)));
    }
}
