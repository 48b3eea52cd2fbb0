-- The evidence vault: an attestation's attachment, stored content-addressed
-- (by SHA-256) in the server's object store; at most one per attestation.
CREATE TABLE attestation_evidence (
    attestation_id INTEGER PRIMARY KEY REFERENCES attestations (id),
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL
);
