-- A lead with a pending callback waits for it: the hopper query skips such a lead as recycled or
-- new (NOT EXISTS probe per candidate lead).
CREATE INDEX callbacks_lead_pending_idx ON callbacks (lead_id) WHERE status = 'PENDING';
