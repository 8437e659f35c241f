-- Report rollups (issue 6). Exact by construction: triggers apply every change of a logged row
-- to its rollup row in the same transaction (subtract the old contribution, add the new one), so
-- a rollup never lags or drifts. Reports read whole buckets from the rollups and the partial
-- buckets at the edges of a range from the raw logs (adapters/postgres/reports/).
--
-- Buckets are UTC: hours for the outbound report (it is shown by hour), days for the agent
-- reports (each agent has up to ~10 rows a day, so a 30-day range stays small) and for the
-- compliance counts.
-- Attribution: a call counts in the bucket of its originated_at (compliance: of its answered_at,
-- as the drop ledger counts); an agent_log interval in the bucket of its started_at (not split
-- across buckets). docs/reports.md states it for users.
--
-- Contention: all calls of one list in one hour would update the same report_call_hourly row
-- (and of one campaign in one day the same report_answer_daily row). Those two rollups are
-- split into REPORT_SHARDS = 8 rows per bucket, picked by a hash of the call id, so concurrent
-- call_log writes rarely wait on each other; queries sum the shards. Correctness does not depend
-- on the hash: a call's old and new contributions go to the same shard, and even if they did
-- not, the sums over all shards would be the same.

-- Outbound calling per hour, campaign and list. Outcomes count once the call has ended.
CREATE TABLE report_call_hourly (
  hour          timestamptz NOT NULL,
  campaign_id   bigint NOT NULL,
  list_id       bigint NOT NULL,
  shard         smallint NOT NULL,
  dials         bigint NOT NULL DEFAULT 0,
  answers       bigint NOT NULL DEFAULT 0,  -- answered_at set (human, machine or unknown)
  humans        bigint NOT NULL DEFAULT 0,  -- outcome HUMAN or DROPPED: the drop-rate denominator
  machines      bigint NOT NULL DEFAULT 0,  -- outcome MACHINE
  drops         bigint NOT NULL DEFAULT 0,  -- outcome DROPPED
  connected     bigint NOT NULL DEFAULT 0,  -- agent_connected_at set
  -- Sum over connected calls of (agent_connected_at - answered_at): the ASA numerator.
  answer_wait_ms bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, campaign_id, list_id, shard)
);
CREATE INDEX report_call_hourly_campaign_idx ON report_call_hourly (campaign_id, hour);

-- Calls handled per agent, day, campaign and disposition ('' = not disposed yet).
CREATE TABLE report_agent_call_daily (
  day           timestamptz NOT NULL,
  agent_id      bigint NOT NULL,
  campaign_id   bigint NOT NULL,
  disposition   text NOT NULL,
  calls         bigint NOT NULL DEFAULT 0,
  talk_ms       bigint NOT NULL DEFAULT 0,  -- ended_at - agent_connected_at
  wrap_ms       bigint NOT NULL DEFAULT 0,  -- disposed_at - ended_at
  PRIMARY KEY (day, agent_id, campaign_id, disposition)
);
CREATE INDEX report_agent_call_daily_agent_idx ON report_agent_call_daily (agent_id, day);
CREATE INDEX report_agent_call_daily_campaign_idx ON report_agent_call_daily (campaign_id, day);

-- Agent state time per agent, day, campaign (0 = none), state and pause code ('' = none).
CREATE TABLE report_agent_state_daily (
  day           timestamptz NOT NULL,
  agent_id      bigint NOT NULL,
  campaign_id   bigint NOT NULL,
  state         text NOT NULL,
  pause_code    text NOT NULL,
  duration_ms   bigint NOT NULL DEFAULT 0,
  intervals     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, agent_id, campaign_id, state, pause_code)
);
CREATE INDEX report_agent_state_daily_agent_idx ON report_agent_state_daily (agent_id, day);
CREATE INDEX report_agent_state_daily_campaign_idx ON report_agent_state_daily (campaign_id, day);

-- Drop-rate compliance per campaign and UTC day of the answer (as the dialer's drop ledger counts):
-- human answers (outcome HUMAN or DROPPED) and drops.
CREATE TABLE report_answer_daily (
  campaign_id   bigint NOT NULL,
  day           timestamptz NOT NULL,
  shard         smallint NOT NULL,
  humans        bigint NOT NULL DEFAULT 0,
  drops         bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, day, shard)
);

-- The compliance window's partial days are read raw: human answers by answer instant, index-only.
CREATE INDEX call_log_human_answers_idx ON call_log (campaign_id, answered_at)
  INCLUDE (outcome) WHERE outcome IN ('HUMAN', 'DROPPED');
-- The auditor's drop list (about 1 call in 50 human answers), in answer order, index-only.
CREATE INDEX call_log_drops_idx ON call_log (campaign_id, answered_at, id)
  INCLUDE (list_id, lead_id, drop_wait_ms, safe_harbor_at, ended_at) WHERE outcome = 'DROPPED';

-- The raw edges of a range over all campaigns (no campaign or agent to seek on): both logs are
-- appended in time order, so a BRIN index finds an hour of rows for a few kilobytes of index.
CREATE INDEX call_log_originated_brin ON call_log USING brin (originated_at);
CREATE INDEX agent_log_started_brin ON agent_log USING brin (started_at);

-- Adds (sign 1) or removes (sign -1) one call_log row's contribution.
CREATE FUNCTION report_call_apply(r call_log, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  connected boolean := r.agent_connected_at IS NOT NULL;
  v_shard smallint := abs(hashtext(r.id) % 8);
BEGIN
  INSERT INTO report_call_hourly AS t (hour, campaign_id, list_id, shard, dials, answers, humans,
                                       machines, drops, connected, answer_wait_ms)
  VALUES (date_trunc('hour', r.originated_at, 'UTC'), r.campaign_id, r.list_id, v_shard, sign,
          sign * (r.answered_at IS NOT NULL)::int,
          sign * coalesce(r.outcome IN ('HUMAN', 'DROPPED'), false)::int,
          sign * coalesce(r.outcome = 'MACHINE', false)::int,
          sign * coalesce(r.outcome = 'DROPPED', false)::int,
          sign * connected::int,
          sign * CASE WHEN connected AND r.answered_at IS NOT NULL
                      THEN round(extract(epoch FROM r.agent_connected_at - r.answered_at) * 1000)::bigint
                      ELSE 0 END)
  ON CONFLICT (hour, campaign_id, list_id, shard) DO UPDATE SET
    dials = t.dials + EXCLUDED.dials,
    answers = t.answers + EXCLUDED.answers,
    humans = t.humans + EXCLUDED.humans,
    machines = t.machines + EXCLUDED.machines,
    drops = t.drops + EXCLUDED.drops,
    connected = t.connected + EXCLUDED.connected,
    answer_wait_ms = t.answer_wait_ms + EXCLUDED.answer_wait_ms;

  IF r.agent_id IS NOT NULL AND connected THEN
    INSERT INTO report_agent_call_daily AS t (day, agent_id, campaign_id, disposition, calls,
                                              talk_ms, wrap_ms)
    VALUES (date_trunc('day', r.originated_at, 'UTC'), r.agent_id, r.campaign_id,
            coalesce(r.disposition, ''), sign,
            sign * coalesce(round(extract(epoch FROM r.ended_at - r.agent_connected_at) * 1000)::bigint, 0),
            sign * coalesce(round(extract(epoch FROM r.disposed_at - r.ended_at) * 1000)::bigint, 0))
    ON CONFLICT (day, agent_id, campaign_id, disposition) DO UPDATE SET
      calls = t.calls + EXCLUDED.calls,
      talk_ms = t.talk_ms + EXCLUDED.talk_ms,
      wrap_ms = t.wrap_ms + EXCLUDED.wrap_ms;
  END IF;

  IF r.answered_at IS NOT NULL AND coalesce(r.outcome IN ('HUMAN', 'DROPPED'), false) THEN
    INSERT INTO report_answer_daily AS t (campaign_id, day, shard, humans, drops)
    VALUES (r.campaign_id, date_trunc('day', r.answered_at, 'UTC'), v_shard, sign,
            sign * (r.outcome = 'DROPPED')::int)
    ON CONFLICT (campaign_id, day, shard) DO UPDATE SET
      humans = t.humans + EXCLUDED.humans,
      drops = t.drops + EXCLUDED.drops;
  END IF;
END $$;

CREATE FUNCTION report_call_log_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM report_call_apply(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM report_call_apply(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER call_log_report_ins AFTER INSERT OR DELETE ON call_log
  FOR EACH ROW EXECUTE FUNCTION report_call_log_trigger();
-- Most updates (ringing, AMD, safe harbor) change nothing counted: skip them.
CREATE TRIGGER call_log_report_upd AFTER UPDATE ON call_log
  FOR EACH ROW WHEN (
    OLD.originated_at IS DISTINCT FROM NEW.originated_at
    OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id
    OR OLD.list_id IS DISTINCT FROM NEW.list_id
    OR OLD.agent_id IS DISTINCT FROM NEW.agent_id
    OR OLD.answered_at IS DISTINCT FROM NEW.answered_at
    OR OLD.agent_connected_at IS DISTINCT FROM NEW.agent_connected_at
    OR OLD.ended_at IS DISTINCT FROM NEW.ended_at
    OR OLD.outcome IS DISTINCT FROM NEW.outcome
    OR OLD.disposition IS DISTINCT FROM NEW.disposition
    OR OLD.disposed_at IS DISTINCT FROM NEW.disposed_at)
  EXECUTE FUNCTION report_call_log_trigger();

CREATE FUNCTION report_agent_log_apply(r agent_log, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_agent_state_daily AS t (day, agent_id, campaign_id, state, pause_code,
                                             duration_ms, intervals)
  VALUES (date_trunc('day', r.started_at, 'UTC'), r.agent_id, coalesce(r.campaign_id, 0),
          r.state, coalesce(r.pause_code, ''), sign * r.duration_ms, sign)
  ON CONFLICT (day, agent_id, campaign_id, state, pause_code) DO UPDATE SET
    duration_ms = t.duration_ms + EXCLUDED.duration_ms,
    intervals = t.intervals + EXCLUDED.intervals;
END $$;

CREATE FUNCTION report_agent_log_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM report_agent_log_apply(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM report_agent_log_apply(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER agent_log_report AFTER INSERT OR UPDATE OR DELETE ON agent_log
  FOR EACH ROW EXECUTE FUNCTION report_agent_log_trigger();

-- Recomputes every rollup from the raw logs, set-based (bulk loads with the triggers disabled,
-- and recovery). Takes a SHARE lock on the logs so no write slips between the read and the swap.
CREATE FUNCTION report_rollups_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE call_log, agent_log IN SHARE MODE;
  TRUNCATE report_call_hourly, report_agent_call_daily, report_agent_state_daily,
           report_answer_daily;
  INSERT INTO report_call_hourly (hour, campaign_id, list_id, shard, dials, answers, humans,
                                  machines, drops, connected, answer_wait_ms)
  SELECT date_trunc('hour', originated_at, 'UTC'), campaign_id, list_id, abs(hashtext(id) % 8),
         count(*),
         count(answered_at),
         count(*) FILTER (WHERE outcome IN ('HUMAN', 'DROPPED')),
         count(*) FILTER (WHERE outcome = 'MACHINE'),
         count(*) FILTER (WHERE outcome = 'DROPPED'),
         count(agent_connected_at),
         coalesce(sum(round(extract(epoch FROM agent_connected_at - answered_at) * 1000)::bigint), 0)
    FROM call_log GROUP BY 1, 2, 3, 4;
  INSERT INTO report_agent_call_daily (day, agent_id, campaign_id, disposition, calls, talk_ms,
                                       wrap_ms)
  SELECT date_trunc('day', originated_at, 'UTC'), agent_id, campaign_id,
         coalesce(disposition, ''), count(*),
         coalesce(sum(round(extract(epoch FROM ended_at - agent_connected_at) * 1000)::bigint), 0),
         coalesce(sum(round(extract(epoch FROM disposed_at - ended_at) * 1000)::bigint), 0)
    FROM call_log
   WHERE agent_id IS NOT NULL AND agent_connected_at IS NOT NULL
   GROUP BY 1, 2, 3, 4;
  INSERT INTO report_answer_daily (campaign_id, day, shard, humans, drops)
  SELECT campaign_id, date_trunc('day', answered_at, 'UTC'), abs(hashtext(id) % 8), count(*),
         count(*) FILTER (WHERE outcome = 'DROPPED')
    FROM call_log
   WHERE answered_at IS NOT NULL AND outcome IN ('HUMAN', 'DROPPED')
   GROUP BY 1, 2, 3;
  INSERT INTO report_agent_state_daily (day, agent_id, campaign_id, state, pause_code,
                                        duration_ms, intervals)
  SELECT date_trunc('day', started_at, 'UTC'), agent_id, coalesce(campaign_id, 0), state,
         coalesce(pause_code, ''), sum(duration_ms), count(*)
    FROM agent_log GROUP BY 1, 2, 3, 4, 5;
END $$;
