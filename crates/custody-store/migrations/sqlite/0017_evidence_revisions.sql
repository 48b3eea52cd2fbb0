-- Each artifact counts the changes to what its compliance is judged from: an
-- attestation bound to it or to its trail, or a new template of its flow or
-- trail. A verdict worked out at one revision holds until the count moves,
-- so readers may keep it; triggers keep the count, whatever writes.
ALTER TABLE artifacts ADD COLUMN evidence_revision BIGINT NOT NULL DEFAULT 0;
CREATE INDEX artifacts_by_flow_commit ON artifacts (flow_id, git_commit);

CREATE TRIGGER attestation_bound_to_artifact AFTER INSERT ON attestations
WHEN NEW.artifact_id IS NOT NULL
BEGIN
    UPDATE artifacts SET evidence_revision = evidence_revision + 1 WHERE id = NEW.artifact_id;
END;

CREATE TRIGGER attestation_bound_by_template_name AFTER INSERT ON attestations
WHEN NEW.artifact_id IS NULL AND NEW.target_artifact IS NOT NULL
BEGIN
    UPDATE artifacts SET evidence_revision = evidence_revision + 1
    WHERE trail_id = NEW.trail_id AND flow_id = NEW.flow_id AND template_name = NEW.target_artifact;
    UPDATE artifacts SET evidence_revision = evidence_revision + 1
    WHERE flow_id = NEW.flow_id AND git_commit = NEW.commit_sha AND template_name = NEW.target_artifact;
END;

CREATE TRIGGER attestation_about_trail AFTER INSERT ON attestations
WHEN NEW.artifact_id IS NULL AND NEW.target_artifact IS NULL AND NEW.trail_id IS NOT NULL
BEGIN
    UPDATE artifacts SET evidence_revision = evidence_revision + 1 WHERE trail_id = NEW.trail_id;
END;

CREATE TRIGGER flow_template_changed AFTER UPDATE OF template ON flows
WHEN OLD.template IS NOT NEW.template
BEGIN
    UPDATE artifacts SET evidence_revision = evidence_revision + 1 WHERE flow_id = NEW.id;
END;

CREATE TRIGGER trail_template_changed AFTER UPDATE OF template ON trails
WHEN OLD.template IS NOT NEW.template
BEGIN
    UPDATE artifacts SET evidence_revision = evidence_revision + 1 WHERE trail_id = NEW.id;
END;
