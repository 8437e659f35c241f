-- Transfers between agents (docs/agent-calls.md, "Transferred calls: one disposition per agent").
-- call_log.agent_id is the agent who has, or had last, the customer: it moves to the target when a
-- transfer hands the call over, and that agent's disposition is the call's and the lead's. Every
-- agent who handed the call over keeps its part here, with its own disposition, so each agent who
-- handled the call owes (and is credited with) exactly one disposition: idempotency is per
-- (call, agent).

-- When call_log.agent_id got the call (NULL: since agent_connected_at, i.e. never transferred).
ALTER TABLE call_log ADD COLUMN agent_since_at timestamptz;

CREATE TABLE call_handoffs (
  call_id        text NOT NULL REFERENCES call_log(id),
  agent_id       bigint NOT NULL,          -- the agent who handed the call over
  to_agent_id    bigint,                   -- who got it (NULL: an agent id that is not a user)
  campaign_id    bigint NOT NULL,
  lead_id        bigint NOT NULL,
  originated_at  timestamptz NOT NULL,     -- the call's, so reports bucket both parts alike
  connected_at   timestamptz NOT NULL,     -- when this agent got the customer
  handed_at      timestamptz NOT NULL,     -- when it handed the customer over
  disposition    text,                     -- this agent's own disposition; NULL while owed
  disposed_at    timestamptz,
  auto           boolean NOT NULL DEFAULT false,  -- recorded by the wrap-up timeout or a logout
  PRIMARY KEY (call_id, agent_id)
);
CREATE INDEX call_handoffs_agent_time_idx ON call_handoffs (agent_id, originated_at);
CREATE INDEX call_handoffs_campaign_time_idx ON call_handoffs (campaign_id, originated_at);
