-- Environment policies (immutable versions), their attachment to
-- environments, and per-environment allow-lists of trusted artifacts.
CREATE TABLE policies (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE policy_versions (
    id BIGSERIAL PRIMARY KEY,
    policy_id BIGINT NOT NULL REFERENCES policies (id),
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    UNIQUE (policy_id, version)
);

-- Attachments are intervals of snapshot indexes, like runs: attached from
-- `from_idx` until (excluding) `to_idx`.
CREATE TABLE environment_policies (
    id BIGSERIAL PRIMARY KEY,
    env_id BIGINT NOT NULL REFERENCES environments (id),
    policy_id BIGINT NOT NULL REFERENCES policies (id),
    from_idx BIGINT NOT NULL,
    to_idx BIGINT
);
CREATE INDEX environment_policies_by_env ON environment_policies (env_id, to_idx);

CREATE TABLE allowlist_entries (
    id BIGSERIAL PRIMARY KEY,
    env_id BIGINT NOT NULL REFERENCES environments (id),
    fingerprint TEXT NOT NULL,
    artifact_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX allowlist_by_env ON allowlist_entries (env_id, fingerprint);
