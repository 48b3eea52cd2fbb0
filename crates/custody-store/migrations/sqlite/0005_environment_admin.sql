-- Archived environments (hidden from lists, refusing reports, history kept)
-- and the physical members of logical environments.
ALTER TABLE environments ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;

CREATE TABLE environment_members (
    logical_id INTEGER NOT NULL REFERENCES environments (id),
    physical_id INTEGER NOT NULL REFERENCES environments (id),
    PRIMARY KEY (logical_id, physical_id)
);
