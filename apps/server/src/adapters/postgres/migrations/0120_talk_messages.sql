-- Agent and supervisor talk (issue 17, point 7; docs/realtime.md, "Agent and supervisor talk").
-- One row per message: who wrote it, to whom (one agent, a team, a campaign's logged-in agents, or
-- the supervisors: an agent's own thread), the plain text, when it was sent and read. Raised hands
-- are audit_log rows (talk.hand_raise, talk.hand_lower, talk.hand_ack); the live hand is in Redis.
CREATE TABLE talk_messages (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sender_id        bigint NOT NULL REFERENCES users(id),
  sender_role      text NOT NULL CHECK (sender_role IN ('admin', 'supervisor', 'agent')),
  to_kind          text NOT NULL CHECK (to_kind IN ('agent', 'team', 'campaign', 'supervisors')),
  to_agent_id      bigint REFERENCES users(id),
  -- No foreign keys: a team or campaign deleted later still names what the message went to.
  to_team_id       bigint,
  to_campaign_id   bigint,
  -- The agent of a one-to-one thread: the recipient, or the agent who wrote to the supervisors.
  thread_agent_id  bigint REFERENCES users(id),
  body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 500),
  sent_at          timestamptz NOT NULL,
  -- One-to-one messages: when the other side first read it (the agent, or any supervisor).
  read_at          timestamptz,
  read_by          bigint REFERENCES users(id),
  CHECK ((to_kind = 'agent') = (to_agent_id IS NOT NULL)),
  CHECK ((to_kind = 'team') = (to_team_id IS NOT NULL)),
  CHECK ((to_kind = 'campaign') = (to_campaign_id IS NOT NULL)),
  CHECK ((to_kind IN ('agent', 'supervisors')) = (thread_agent_id IS NOT NULL))
);
CREATE INDEX talk_messages_sent_idx ON talk_messages (sent_at);
CREATE INDEX talk_messages_thread_idx ON talk_messages (thread_agent_id, id)
  WHERE thread_agent_id IS NOT NULL;

-- Each agent a message reached (a broadcast's members at send time; the writer of an agent's
-- message too), with when that agent read it: what an agent's panel gets back on reconnecting.
CREATE TABLE talk_recipients (
  agent_id    bigint NOT NULL REFERENCES users(id),
  message_id  bigint NOT NULL REFERENCES talk_messages(id) ON DELETE CASCADE,
  read_at     timestamptz,
  PRIMARY KEY (agent_id, message_id)
);
CREATE INDEX talk_recipients_message_idx ON talk_recipients (message_id);
