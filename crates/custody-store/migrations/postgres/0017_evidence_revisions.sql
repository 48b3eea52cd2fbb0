-- Each artifact counts the changes to what its compliance is judged from: an
-- attestation bound to it or to its trail, or a new template of its flow or
-- trail. A verdict worked out at one revision holds until the count moves,
-- so readers may keep it; triggers keep the count, whatever writes.
ALTER TABLE artifacts ADD COLUMN evidence_revision BIGINT NOT NULL DEFAULT 0;
CREATE INDEX artifacts_by_flow_commit ON artifacts (flow_id, git_commit);

CREATE FUNCTION attestation_revises_artifacts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.artifact_id IS NOT NULL THEN
        UPDATE artifacts SET evidence_revision = evidence_revision + 1 WHERE id = NEW.artifact_id;
    ELSIF NEW.target_artifact IS NOT NULL THEN
        UPDATE artifacts SET evidence_revision = evidence_revision + 1
        WHERE trail_id = NEW.trail_id AND flow_id = NEW.flow_id AND template_name = NEW.target_artifact;
        UPDATE artifacts SET evidence_revision = evidence_revision + 1
        WHERE flow_id = NEW.flow_id AND git_commit = NEW.commit_sha AND template_name = NEW.target_artifact;
    ELSIF NEW.trail_id IS NOT NULL THEN
        UPDATE artifacts SET evidence_revision = evidence_revision + 1 WHERE trail_id = NEW.trail_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attestation_revises_artifacts AFTER INSERT ON attestations
FOR EACH ROW EXECUTE FUNCTION attestation_revises_artifacts();

CREATE FUNCTION template_revises_artifacts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'flows' THEN
        UPDATE artifacts SET evidence_revision = evidence_revision + 1 WHERE flow_id = NEW.id;
    ELSE
        UPDATE artifacts SET evidence_revision = evidence_revision + 1 WHERE trail_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER flow_template_changed AFTER UPDATE OF template ON flows
FOR EACH ROW WHEN (OLD.template IS DISTINCT FROM NEW.template)
EXECUTE FUNCTION template_revises_artifacts();
CREATE TRIGGER trail_template_changed AFTER UPDATE OF template ON trails
FOR EACH ROW WHEN (OLD.template IS DISTINCT FROM NEW.template)
EXECUTE FUNCTION template_revises_artifacts();
