-- Responses to writes sent with an Idempotency-Key, so that a client's retry
-- is answered with the first response instead of recording twice. `status` is
-- NULL while the first request is still being handled.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    body BLOB,
    created_at REAL NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
