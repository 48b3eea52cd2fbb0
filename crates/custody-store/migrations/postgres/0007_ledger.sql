-- The tamper-evident history: each org's append-only Merkle log. A head per
-- org (its size and the right edge of its tree), one entry per fact (the
-- canonical body and its leaf hash), the perfect subtrees proofs are made
-- of, and the signed checkpoints the server has issued.
CREATE TABLE log_heads (
    org_id BIGINT PRIMARY KEY REFERENCES orgs (id),
    size BIGINT NOT NULL,
    frontier TEXT NOT NULL
);
INSERT INTO log_heads (org_id, size, frontier) SELECT id, 0, '[]' FROM orgs;

CREATE TABLE log_entries (
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
);
CREATE INDEX log_entries_by_subject ON log_entries (org_id, kind, subject_id);

CREATE TABLE log_nodes (
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (org_id, level, idx)
);

CREATE TABLE log_checkpoints (
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    size BIGINT NOT NULL,
    root TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (org_id, key_id, size)
);
