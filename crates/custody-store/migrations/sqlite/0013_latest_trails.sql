-- A flow's trails newest first (its page, its latest trail) without sorting
-- every trail of the flow.
CREATE INDEX trails_by_flow_newest ON trails (flow_id, created_at, id);
