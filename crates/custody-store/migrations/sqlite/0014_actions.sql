-- Actions: an org's notification rules (triggers for a list of environments
-- or flows, sent to targets), the outbox of facts written in the same
-- transaction as the facts themselves, and the deliveries made from them.
CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    triggers TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    deleted_at REAL,
    UNIQUE (org_id, number)
);
CREATE UNIQUE INDEX actions_by_name ON actions (org_id, name) WHERE deleted_at IS NULL;

CREATE TABLE action_targets (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    webhook TEXT NOT NULL,
    payload_version TEXT,
    last_success_at REAL,
    last_failure_at REAL,
    last_error TEXT
);
CREATE INDEX action_targets_by_action ON action_targets (action_id, position);

CREATE TABLE outbox_events (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL,
    env_id INTEGER,
    flow_id INTEGER,
    trail_id INTEGER,
    idx INTEGER,
    reference TEXT,
    created_at REAL NOT NULL,
    lease_until REAL,
    dispatched_at REAL
);
CREATE INDEX outbox_events_pending ON outbox_events (id) WHERE dispatched_at IS NULL;

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    target_id INTEGER NOT NULL REFERENCES action_targets (id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES outbox_events (id),
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at REAL NOT NULL,
    lease_until REAL,
    done_at REAL,
    delivered INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX deliveries_due ON deliveries (due_at, id) WHERE done_at IS NULL;
