-- Transferred calls in the agent reports (0004_call_handoffs.sql; docs/agent-calls.md). Named
-- after 0100_reports.sql on purpose: it changes that migration's functions, so it must run after
-- them on a new database too.
--
-- Each agent who handled a call counts it once, under its own disposition code:
-- - an agent who handed the call over (call_handoffs): talk = handed_at - connected_at, wrap-up =
--   its own disposed_at - handed_at;
-- - the agent who had the customer last (call_log.agent_id): talk from when it got the customer
--   (agent_since_at, else agent_connected_at) to the end, wrap-up as before.
-- So the talk of a transferred call is split between its agents, never counted twice, and
-- report_call_hourly (one row per dial) is unchanged.

CREATE OR REPLACE FUNCTION report_call_apply(r call_log, sign integer) RETURNS void
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
            sign * coalesce(round(extract(epoch FROM
              r.ended_at - coalesce(r.agent_since_at, r.agent_connected_at)) * 1000)::bigint, 0),
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

DROP TRIGGER call_log_report_upd ON call_log;
CREATE TRIGGER call_log_report_upd AFTER UPDATE ON call_log
  FOR EACH ROW WHEN (
    OLD.originated_at IS DISTINCT FROM NEW.originated_at
    OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id
    OR OLD.list_id IS DISTINCT FROM NEW.list_id
    OR OLD.agent_id IS DISTINCT FROM NEW.agent_id
    OR OLD.agent_since_at IS DISTINCT FROM NEW.agent_since_at
    OR OLD.answered_at IS DISTINCT FROM NEW.answered_at
    OR OLD.agent_connected_at IS DISTINCT FROM NEW.agent_connected_at
    OR OLD.ended_at IS DISTINCT FROM NEW.ended_at
    OR OLD.outcome IS DISTINCT FROM NEW.outcome
    OR OLD.disposition IS DISTINCT FROM NEW.disposition
    OR OLD.disposed_at IS DISTINCT FROM NEW.disposed_at)
  EXECUTE FUNCTION report_call_log_trigger();

-- Adds (sign 1) or removes (sign -1) one handed-over part's contribution.
CREATE FUNCTION report_handoff_apply(r call_handoffs, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_agent_call_daily AS t (day, agent_id, campaign_id, disposition, calls,
                                            talk_ms, wrap_ms)
  VALUES (date_trunc('day', r.originated_at, 'UTC'), r.agent_id, r.campaign_id,
          coalesce(r.disposition, ''), sign,
          sign * round(extract(epoch FROM r.handed_at - r.connected_at) * 1000)::bigint,
          sign * coalesce(round(extract(epoch FROM r.disposed_at - r.handed_at) * 1000)::bigint, 0))
  ON CONFLICT (day, agent_id, campaign_id, disposition) DO UPDATE SET
    calls = t.calls + EXCLUDED.calls,
    talk_ms = t.talk_ms + EXCLUDED.talk_ms,
    wrap_ms = t.wrap_ms + EXCLUDED.wrap_ms;
END $$;

CREATE FUNCTION report_handoff_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM report_handoff_apply(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM report_handoff_apply(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER call_handoffs_report AFTER INSERT OR UPDATE OR DELETE ON call_handoffs
  FOR EACH ROW EXECUTE FUNCTION report_handoff_trigger();

CREATE OR REPLACE FUNCTION report_rollups_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE call_log, call_handoffs, agent_log IN SHARE MODE;
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
  SELECT day, agent_id, campaign_id, disposition, count(*),
         coalesce(sum(talk_ms), 0), coalesce(sum(wrap_ms), 0)
    FROM (
      SELECT date_trunc('day', originated_at, 'UTC') AS day, agent_id, campaign_id,
             coalesce(disposition, '') AS disposition,
             round(extract(epoch FROM ended_at - coalesce(agent_since_at, agent_connected_at))
                   * 1000)::bigint AS talk_ms,
             round(extract(epoch FROM disposed_at - ended_at) * 1000)::bigint AS wrap_ms
        FROM call_log
       WHERE agent_id IS NOT NULL AND agent_connected_at IS NOT NULL
      UNION ALL
      SELECT date_trunc('day', originated_at, 'UTC'), agent_id, campaign_id,
             coalesce(disposition, ''),
             round(extract(epoch FROM handed_at - connected_at) * 1000)::bigint,
             round(extract(epoch FROM disposed_at - handed_at) * 1000)::bigint
        FROM call_handoffs) parts
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
