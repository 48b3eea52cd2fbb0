-- A run reopened because its replica count changed stores only how its
-- instances differ from its base run (a run stored whole): ranges of the
-- base's instances kept and the new ones. Existing runs are whole (no base).
ALTER TABLE runs ADD COLUMN base_run_id BIGINT REFERENCES runs (id);
