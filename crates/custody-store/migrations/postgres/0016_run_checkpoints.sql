-- Every 100th snapshot of an environment lists the runs open once it was
-- taken, so the runs of any snapshot are found from the checkpoint before
-- it and the runs that started since, however long the history.
CREATE TABLE run_checkpoints (
    env_id BIGINT NOT NULL REFERENCES environments (id),
    idx BIGINT NOT NULL,
    run_id BIGINT NOT NULL,
    PRIMARY KEY (env_id, idx, run_id)
);
-- The checkpoints of the history recorded so far.
INSERT INTO run_checkpoints (env_id, idx, run_id)
SELECT r.env_id, m.idx, r.id
FROM (SELECT env_id, MAX(idx) AS latest FROM snapshots GROUP BY env_id) e
CROSS JOIN LATERAL generate_series(100, e.latest, 100) AS m (idx)
JOIN runs r ON r.env_id = e.env_id AND r.from_idx <= m.idx AND (r.to_idx IS NULL OR r.to_idx > m.idx);
