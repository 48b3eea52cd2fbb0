CREATE TABLE attestation_types (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    archived_at REAL,
    created_at REAL NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE attestation_type_versions (
    id INTEGER PRIMARY KEY,
    type_id INTEGER NOT NULL REFERENCES attestation_types (id),
    version INTEGER NOT NULL,
    type_schema TEXT,
    jq_rules TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at REAL NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (type_id, version)
);
