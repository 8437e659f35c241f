-- Real-time state that must survive a Redis restart, and indexes for the hopper and agent_log.

-- The current state of every agent that has logged in: a durable copy of agent_status in Redis,
-- written with every transition, read back when Redis lost its data (state rebuild).
CREATE TABLE agent_sessions (
  agent_id        bigint PRIMARY KEY,
  state           text NOT NULL CHECK (state IN ('LOGGED_OUT', 'READY', 'PAUSED', 'RESERVED', 'INCALL', 'DEAD', 'WRAPUP')),
  since_at        timestamptz NOT NULL,
  campaign_id     bigint,
  call_id         text,
  pause_code      text,
  bridge_id       text,
  leg_channel_id  text,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_sessions_active_idx ON agent_sessions (agent_id) WHERE state <> 'LOGGED_OUT';

-- agent_log rows are written by the service that made the change and again by the bus consumer
-- that records changes made elsewhere (the dialer's reservations): this makes both idempotent.
CREATE UNIQUE INDEX agent_log_once_idx ON agent_log (agent_id, started_at, ended_at, state);

-- Leads currently marked as sitting in a hopper: small, so a rebuild or a campaign stop can
-- clear the marks without scanning the whole leads table.
CREATE INDEX leads_in_hopper_idx ON leads (list_id) WHERE hopper_at IS NOT NULL;

-- Callbacks taken into a hopper, per campaign (QUEUED goes back to PENDING when the lead leaves
-- the hopper undialed).
CREATE INDEX callbacks_queued_idx ON callbacks (campaign_id, lead_id) WHERE status = 'QUEUED';
