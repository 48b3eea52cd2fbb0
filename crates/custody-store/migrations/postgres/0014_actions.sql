-- Actions: an org's notification rules (triggers for a list of environments
-- or flows, sent to targets), the outbox of facts written in the same
-- transaction as the facts themselves, and the deliveries made from them.
CREATE TABLE actions (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    triggers TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    deleted_at DOUBLE PRECISION,
    UNIQUE (org_id, number)
);
CREATE UNIQUE INDEX actions_by_name ON actions (org_id, name) WHERE deleted_at IS NULL;

CREATE TABLE action_targets (
    id BIGSERIAL PRIMARY KEY,
    action_id BIGINT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    webhook TEXT NOT NULL,
    payload_version TEXT,
    last_success_at DOUBLE PRECISION,
    last_failure_at DOUBLE PRECISION,
    last_error TEXT
);
CREATE INDEX action_targets_by_action ON action_targets (action_id, position);

CREATE TABLE outbox_events (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL,
    env_id BIGINT,
    flow_id BIGINT,
    trail_id BIGINT,
    idx BIGINT,
    reference TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    lease_until DOUBLE PRECISION,
    dispatched_at DOUBLE PRECISION
);
CREATE INDEX outbox_events_pending ON outbox_events (id) WHERE dispatched_at IS NULL;

CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    target_id BIGINT NOT NULL REFERENCES action_targets (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL REFERENCES outbox_events (id),
    body TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    due_at DOUBLE PRECISION NOT NULL,
    lease_until DOUBLE PRECISION,
    done_at DOUBLE PRECISION,
    delivered BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX deliveries_due ON deliveries (due_at, id) WHERE done_at IS NULL;
