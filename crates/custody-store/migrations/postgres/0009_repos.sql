-- Repositories seen in trails' and artifacts' repo_info: one per provider
-- and VCS id (or name, without an id), with its tags; an artifact points at
-- the repo it was built from.
CREATE TABLE repos (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    public_id TEXT NOT NULL UNIQUE,
    identity TEXT NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    provider TEXT NOT NULL,
    external_id TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    last_seen_at DOUBLE PRECISION NOT NULL,
    UNIQUE (org_id, identity)
);
CREATE INDEX repos_by_name ON repos (org_id, name);

CREATE TABLE repo_tags (
    repo_id BIGINT NOT NULL REFERENCES repos (id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (repo_id, key)
);
CREATE INDEX repo_tags_by_key ON repo_tags (key, value);

ALTER TABLE artifacts ADD COLUMN repo_id BIGINT REFERENCES repos (id);
CREATE INDEX artifacts_by_repo ON artifacts (repo_id, id);
