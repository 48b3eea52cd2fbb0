CREATE TABLE attestation_types (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    archived_at DOUBLE PRECISION,
    created_at DOUBLE PRECISION NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE attestation_type_versions (
    id BIGSERIAL PRIMARY KEY,
    type_id BIGINT NOT NULL REFERENCES attestation_types (id),
    version BIGINT NOT NULL,
    type_schema TEXT,
    jq_rules TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (type_id, version)
);
