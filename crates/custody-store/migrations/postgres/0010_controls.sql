-- Controls: an org's catalogue of governance requirements, each change a new
-- version, with tags; decisions (attestations of type decision) name the
-- control they decide.
CREATE TABLE controls (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    identifier TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    archived_at DOUBLE PRECISION,
    UNIQUE (org_id, identifier)
);

CREATE TABLE control_versions (
    control_id BIGINT NOT NULL REFERENCES controls (id),
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    links TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (control_id, version)
);

CREATE TABLE control_tags (
    control_id BIGINT NOT NULL REFERENCES controls (id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (control_id, key)
);

ALTER TABLE attestations ADD COLUMN control TEXT;
CREATE INDEX attestations_by_control ON attestations (control, id);
