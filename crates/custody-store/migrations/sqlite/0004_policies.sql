-- Environment policies (immutable versions), their attachment to
-- environments, and per-environment allow-lists of trusted artifacts.
CREATE TABLE policies (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE policy_versions (
    id INTEGER PRIMARY KEY,
    policy_id INTEGER NOT NULL REFERENCES policies (id),
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (policy_id, version)
);

-- Attachments are intervals of snapshot indexes, like runs: attached from
-- `from_idx` until (excluding) `to_idx`.
CREATE TABLE environment_policies (
    id INTEGER PRIMARY KEY,
    env_id INTEGER NOT NULL REFERENCES environments (id),
    policy_id INTEGER NOT NULL REFERENCES policies (id),
    from_idx INTEGER NOT NULL,
    to_idx INTEGER
);
CREATE INDEX environment_policies_by_env ON environment_policies (env_id, to_idx);

CREATE TABLE allowlist_entries (
    id INTEGER PRIMARY KEY,
    env_id INTEGER NOT NULL REFERENCES environments (id),
    fingerprint TEXT NOT NULL,
    artifact_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX allowlist_by_env ON allowlist_entries (env_id, fingerprint);
