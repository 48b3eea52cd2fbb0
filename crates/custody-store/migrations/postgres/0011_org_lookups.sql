-- Lookups across an org are driven by an index, never by a scan of every row
-- the org ever had. Runs carry their environment's org (filled in for existing
-- runs), so a fingerprint's runs are found through (org_id, fingerprint) with
-- no join to environments; attestations bound by flow and commit are found
-- through (flow_id, commit_sha).
ALTER TABLE runs ADD COLUMN org_id BIGINT REFERENCES orgs (id);
UPDATE runs SET org_id = e.org_id FROM environments e WHERE e.id = runs.env_id;
ALTER TABLE runs ALTER COLUMN org_id SET NOT NULL;
DROP INDEX runs_by_fingerprint;
CREATE INDEX runs_by_org_fingerprint ON runs (org_id, fingerprint);

DROP INDEX attestations_pending;
CREATE INDEX attestations_by_commit ON attestations (flow_id, commit_sha) WHERE target_artifact IS NOT NULL;
