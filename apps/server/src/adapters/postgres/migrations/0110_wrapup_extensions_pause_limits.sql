-- Issue 17, the agent desk. Per campaign: how many times an agent may extend the wrap-up of one
-- call, and by how many seconds each time (services/agents/wrapup-extension.ts; 0 extensions:
-- never). Per pause code: the minutes per day an agent may spend in it (NULL: no limit); the
-- agent's own day (GET /api/agent/my-day) warns at 80 % and when it is exceeded.
ALTER TABLE campaigns
  ADD COLUMN wrapup_extensions integer NOT NULL DEFAULT 1
    CONSTRAINT campaigns_wrapup_extensions_check
    CHECK (wrapup_extensions BETWEEN 0 AND 10),
  ADD COLUMN wrapup_extension_s integer NOT NULL DEFAULT 30
    CONSTRAINT campaigns_wrapup_extension_s_check
    CHECK (wrapup_extension_s BETWEEN 5 AND 600);

ALTER TABLE pause_codes
  ADD COLUMN daily_limit_min integer
    CONSTRAINT pause_codes_daily_limit_min_check
    CHECK (daily_limit_min IS NULL OR daily_limit_min BETWEEN 1 AND 1440);

