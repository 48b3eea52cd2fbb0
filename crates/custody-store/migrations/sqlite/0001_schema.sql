CREATE TABLE orgs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL
);

CREATE TABLE service_accounts (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    description TEXT,
    role TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    service_account_id INTEGER NOT NULL REFERENCES service_accounts (id) ON DELETE CASCADE,
    key_hash TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL,
    last_used_at REAL
);
CREATE INDEX api_keys_by_account ON api_keys (service_account_id);

CREATE TABLE flows (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    visibility TEXT NOT NULL,
    template TEXT,
    tags TEXT NOT NULL,
    created_at REAL NOT NULL,
    archived_at REAL,
    UNIQUE (org_id, name)
);

CREATE TABLE trails (
    id INTEGER PRIMARY KEY,
    flow_id INTEGER NOT NULL REFERENCES flows (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    template TEXT,
    git_commit_info TEXT,
    origin_url TEXT,
    user_data TEXT NOT NULL,
    external_urls TEXT NOT NULL,
    repo_info TEXT,
    created_at REAL NOT NULL,
    last_modified_at REAL NOT NULL,
    UNIQUE (flow_id, name)
);

CREATE TABLE trail_events (
    id INTEGER PRIMARY KEY,
    trail_id INTEGER NOT NULL REFERENCES trails (id),
    kind TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX trail_events_by_trail ON trail_events (trail_id);

CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    flow_id INTEGER NOT NULL REFERENCES flows (id),
    trail_id INTEGER REFERENCES trails (id),
    fingerprint TEXT NOT NULL,
    filename TEXT NOT NULL,
    template_name TEXT,
    git_commit TEXT,
    commit_url TEXT,
    build_url TEXT,
    repo_url TEXT,
    payload TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX artifacts_by_fingerprint ON artifacts (org_id, fingerprint);
CREATE INDEX artifacts_by_commit ON artifacts (org_id, git_commit);
CREATE INDEX artifacts_by_flow ON artifacts (flow_id, id);
CREATE INDEX artifacts_by_trail ON artifacts (trail_id);

CREATE TABLE attestations (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    flow_id INTEGER NOT NULL REFERENCES flows (id),
    trail_id INTEGER REFERENCES trails (id),
    artifact_id INTEGER REFERENCES artifacts (id),
    target_artifact TEXT,
    commit_sha TEXT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    is_compliant INTEGER NOT NULL,
    payload TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX attestations_by_trail ON attestations (trail_id);
CREATE INDEX attestations_by_artifact ON attestations (artifact_id);
CREATE INDEX attestations_pending ON attestations (flow_id, target_artifact, commit_sha);

CREATE TABLE deployments (
    id INTEGER PRIMARY KEY,
    flow_id INTEGER NOT NULL REFERENCES flows (id),
    number INTEGER NOT NULL,
    artifact_id INTEGER NOT NULL REFERENCES artifacts (id),
    environment TEXT NOT NULL,
    description TEXT,
    build_url TEXT,
    user_data TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (flow_id, number)
);
CREATE INDEX deployments_by_artifact ON deployments (artifact_id);

CREATE TABLE environments (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    tags TEXT NOT NULL,
    include_scaling INTEGER NOT NULL,
    created_at REAL NOT NULL,
    last_modified_at REAL NOT NULL,
    last_reported_at REAL,
    UNIQUE (org_id, name)
);

CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    env_id INTEGER NOT NULL REFERENCES environments (id),
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (env_id, idx)
);
CREATE INDEX snapshots_by_time ON snapshots (env_id, created_at);

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    env_id INTEGER NOT NULL REFERENCES environments (id),
    fingerprint TEXT NOT NULL,
    name TEXT NOT NULL,
    from_idx INTEGER NOT NULL,
    to_idx INTEGER,
    replicas INTEGER NOT NULL,
    instances TEXT NOT NULL
);
CREATE INDEX runs_open ON runs (env_id) WHERE to_idx IS NULL;
CREATE INDEX runs_by_start ON runs (env_id, from_idx);
CREATE INDEX runs_by_end ON runs (env_id, to_idx);
CREATE INDEX runs_by_fingerprint ON runs (fingerprint);
