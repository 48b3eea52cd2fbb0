-- Failed authentications per client address, shared by every server on the
-- database: each address's bucket of attempts is kept as the time it is full
-- again. A row whose time has passed is a full bucket and may be forgotten.
CREATE TABLE auth_buckets (
    address TEXT PRIMARY KEY,
    full_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX auth_buckets_by_time ON auth_buckets (full_at);
