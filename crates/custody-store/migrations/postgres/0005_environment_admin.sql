-- Archived environments (hidden from lists, refusing reports, history kept)
-- and the physical members of logical environments.
ALTER TABLE environments ADD COLUMN archived BIGINT NOT NULL DEFAULT 0;

CREATE TABLE environment_members (
    logical_id BIGINT NOT NULL REFERENCES environments (id),
    physical_id BIGINT NOT NULL REFERENCES environments (id),
    PRIMARY KEY (logical_id, physical_id)
);
