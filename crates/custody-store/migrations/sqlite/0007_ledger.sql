-- The tamper-evident history: each org's append-only Merkle log. A head per
-- org (its size and the right edge of its tree), one entry per fact (the
-- canonical body and its leaf hash), the perfect subtrees proofs are made
-- of, and the signed checkpoints the server has issued.
CREATE TABLE log_heads (
    org_id INTEGER PRIMARY KEY REFERENCES orgs (id),
    size INTEGER NOT NULL,
    frontier TEXT NOT NULL
);
INSERT INTO log_heads (org_id, size, frontier) SELECT id, 0, '[]' FROM orgs;

CREATE TABLE log_entries (
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
);
CREATE INDEX log_entries_by_subject ON log_entries (org_id, kind, subject_id);

CREATE TABLE log_nodes (
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (org_id, level, idx)
);

CREATE TABLE log_checkpoints (
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    size INTEGER NOT NULL,
    root TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (org_id, key_id, size)
);
