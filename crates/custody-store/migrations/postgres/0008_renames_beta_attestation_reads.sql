-- Old names of renamed flows: each keeps resolving to its flow until a flow
-- takes the name. The beta switch of an org. Attestations read by flow,
-- newest first (the org-wide attestation list).
CREATE TABLE flow_aliases (
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    flow_id BIGINT NOT NULL REFERENCES flows (id),
    PRIMARY KEY (org_id, name)
);

ALTER TABLE orgs ADD COLUMN beta_enabled BIGINT NOT NULL DEFAULT 0;

CREATE INDEX attestations_by_flow ON attestations (flow_id, id);
