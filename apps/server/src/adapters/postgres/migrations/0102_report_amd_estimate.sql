-- AMD errors in the drop-rate ledger, kept durably (docs/pacing.md, "AMD errors"). When the dialer
-- hangs up on a MACHINE verdict it adds the expected share of an abandoned person to the ledger
-- (the campaign's chance that a MACHINE verdict was a person); a MACHINE verdict that went to an
-- agent counts as an expected person answered, or abandoned when it was dropped. Both were kept
-- only in Redis. call_log now has them per call, so a ledger rebuilt from call_log (Redis lost, a
-- take-over) keeps them, and the drop-rate report shows them apart from counted drops. Named after
-- 0101 on purpose: it extends the report rollups those migrations create.
ALTER TABLE call_log
  ADD COLUMN est_abandoned numeric(6, 5) NOT NULL DEFAULT 0
    CONSTRAINT call_log_est_abandoned_check CHECK (est_abandoned >= 0 AND est_abandoned <= 1),
  ADD COLUMN est_answers numeric(6, 5) NOT NULL DEFAULT 0
    CONSTRAINT call_log_est_answers_check CHECK (est_answers >= 0 AND est_answers <= 1);

-- Per campaign and UTC day of the answer, beside the counted humans and drops.
ALTER TABLE report_answer_daily
  ADD COLUMN est_drops numeric NOT NULL DEFAULT 0,
  ADD COLUMN est_answers numeric NOT NULL DEFAULT 0;

-- Adds (sign 1) or removes (sign -1) one call_log row's estimates.
CREATE FUNCTION report_estimate_apply(r call_log, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF r.answered_at IS NOT NULL AND (r.est_abandoned > 0 OR r.est_answers > 0) THEN
    INSERT INTO report_answer_daily AS t (campaign_id, day, shard, est_drops, est_answers)
    VALUES (r.campaign_id, date_trunc('day', r.answered_at, 'UTC'), abs(hashtext(r.id) % 8),
            sign * r.est_abandoned, sign * r.est_answers)
    ON CONFLICT (campaign_id, day, shard) DO UPDATE SET
      est_drops = t.est_drops + EXCLUDED.est_drops,
      est_answers = t.est_answers + EXCLUDED.est_answers;
  END IF;
END $$;

CREATE FUNCTION report_estimate_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM report_estimate_apply(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM report_estimate_apply(NEW, 1); END IF;
  RETURN NULL;
END $$;

-- Only the columns the estimate rollup reads: other call_log updates do not fire it.
CREATE TRIGGER call_log_report_estimate
  AFTER INSERT OR DELETE OR UPDATE OF est_abandoned, est_answers, answered_at, campaign_id
  ON call_log FOR EACH ROW EXECUTE FUNCTION report_estimate_trigger();

-- The rebuild (docs/reports.md) keeps its counted rollups and adds the estimates after them.
ALTER FUNCTION report_rollups_rebuild() RENAME TO report_rollups_rebuild_counts;
CREATE FUNCTION report_rollups_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_rollups_rebuild_counts();
  INSERT INTO report_answer_daily AS t (campaign_id, day, shard, est_drops, est_answers)
  SELECT campaign_id, date_trunc('day', answered_at, 'UTC'), abs(hashtext(id) % 8),
         sum(est_abandoned), sum(est_answers)
    FROM call_log
   WHERE answered_at IS NOT NULL AND (est_abandoned > 0 OR est_answers > 0)
   GROUP BY 1, 2, 3
  ON CONFLICT (campaign_id, day, shard) DO UPDATE SET
    est_drops = EXCLUDED.est_drops,
    est_answers = EXCLUDED.est_answers;
END $$;

-- The compliance window's partial days read the estimates raw, as they read the human answers:
-- only calls with an estimate (MACHINE verdicts, when the campaign has an AMD error estimate).
CREATE INDEX call_log_amd_estimate_idx ON call_log (campaign_id, answered_at)
  INCLUDE (est_abandoned, est_answers) WHERE est_abandoned > 0 OR est_answers > 0;
