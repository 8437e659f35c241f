-- Ringside schema, first migration. Forward-only: never edit a migration that has shipped; add one.
-- Times are timestamptz; durations carry their unit in the column name.

CREATE TABLE teams (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username       text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{2,64}$'),
  display_name   text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  role           text NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
  password_hash  text NOT NULL, -- argon2id, PHC string
  team_id        bigint REFERENCES teams(id) ON DELETE SET NULL,
  -- How the agent's audio leg is reached: the browser softphone (webrtc) or an external SIP phone.
  phone_type     text NOT NULL DEFAULT 'webrtc' CHECK (phone_type IN ('webrtc', 'sip')),
  sip_endpoint   text,
  active         boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_team_idx ON users (team_id);

CREATE TABLE campaigns (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                    text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  active                  boolean NOT NULL DEFAULT false,
  dial_method             text NOT NULL DEFAULT 'predictive'
                          CHECK (dial_method IN ('manual', 'progressive', 'ratio', 'predictive')),
  -- Lines per ready agent for 'ratio'; the starting point for 'predictive'.
  dial_level              numeric(5,2) NOT NULL DEFAULT 1.0 CHECK (dial_level > 0 AND dial_level <= 10),
  -- Cap on drops / human answers over the rolling 30 days (US: 3%).
  drop_rate_cap_pct       numeric(4,2) NOT NULL DEFAULT 3.0 CHECK (drop_rate_cap_pct >= 0 AND drop_rate_cap_pct <= 3),
  -- A live answer with no agent within this is dropped (safe harbor within 2 s).
  drop_wait_ms            integer NOT NULL DEFAULT 2000 CHECK (drop_wait_ms BETWEEN 0 AND 2000),
  ring_timeout_s          integer NOT NULL DEFAULT 25 CHECK (ring_timeout_s BETWEEN 15 AND 120),
  hopper_size             integer NOT NULL DEFAULT 500 CHECK (hopper_size BETWEEN 1 AND 50000),
  -- The campaign's own calling window in the lead's local time; always inside 08:00-21:00.
  window_start            time NOT NULL DEFAULT '09:00',
  window_end              time NOT NULL DEFAULT '20:00',
  max_attempts            integer NOT NULL DEFAULT 6 CHECK (max_attempts BETWEEN 1 AND 100),
  caller_id               text CHECK (caller_id IS NULL OR caller_id ~ '^\+[1-9][0-9]{6,14}$'),
  amd_enabled             boolean NOT NULL DEFAULT true,
  machine_action          text NOT NULL DEFAULT 'hangup' CHECK (machine_action IN ('hangup', 'message')),
  machine_message_audio   text,
  safe_harbor_audio       text NOT NULL DEFAULT 'sound:vm-goodbye',
  wrapup_s                integer NOT NULL DEFAULT 30 CHECK (wrapup_s BETWEEN 0 AND 3600),
  wrapup_timeout_action   text NOT NULL DEFAULT 'disposition' CHECK (wrapup_timeout_action IN ('disposition', 'pause')),
  wrapup_default_disposition text NOT NULL DEFAULT 'NI',
  -- Script shown to the agent; {{first_name}}-style placeholders are filled from the lead.
  script                  text NOT NULL DEFAULT '',
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CHECK (window_start >= '08:00' AND window_end <= '21:00' AND window_start < window_end)
);

-- Recycle rules: after an attempt ends with this status (a disposition code or a system outcome
-- such as BUSY, NO_ANSWER, MACHINE, DROPPED), wait delay_s and stop after max_attempts.
CREATE TABLE campaign_recycle_rules (
  campaign_id   bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  status        text NOT NULL CHECK (length(status) BETWEEN 1 AND 32),
  delay_s       integer NOT NULL CHECK (delay_s BETWEEN 0 AND 2592000),
  max_attempts  integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
  PRIMARY KEY (campaign_id, status)
);

CREATE TABLE lists (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id  bigint NOT NULL REFERENCES campaigns(id) ON DELETE RESTRICT,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  active       boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lists_campaign_idx ON lists (campaign_id) WHERE active;

CREATE TABLE leads (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  list_id           bigint NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  phone             text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  alt_phones        text[] NOT NULL DEFAULT '{}',
  first_name        text,
  last_name         text,
  address           text,
  city              text,
  state             text,
  postal_code       text,
  country           text NOT NULL DEFAULT 'US',
  -- The lead's time zone. tz_candidates holds every zone the lead may be in (one when known);
  -- tz_key is the candidates sorted and joined with ',' ('' when unknown), so the hopper can
  -- pick the keys whose every zone is inside the window with a plain btree lookup.
  time_zone         text,
  tz_candidates     text[] NOT NULL DEFAULT '{}',
  tz_key            text NOT NULL DEFAULT '',
  tz_source         text NOT NULL DEFAULT 'unknown'
                    CHECK (tz_source IN ('postal_code', 'area_code', 'country', 'manual', 'unknown')),
  -- NEW, or the last disposition / outcome; final statuses are never dialed again.
  status            text NOT NULL DEFAULT 'NEW',
  final             boolean NOT NULL DEFAULT false,
  attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_called_at    timestamptz,
  last_call_id      text,
  next_eligible_at  timestamptz NOT NULL DEFAULT '-infinity',
  -- Set while the lead sits in a hopper, so a refill does not pick it again.
  hopper_at         timestamptz,
  custom            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom) = 'object'),
  -- The import that created the lead (NULL when created by hand or by the demo seed).
  import_job_id     bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (tz_key = array_to_string(tz_candidates, ',')),
  CHECK (cardinality(tz_candidates) = 0 OR time_zone IS NULL OR time_zone = ANY (tz_candidates)),
  -- Dedupe within a list: the import's ON CONFLICT DO NOTHING relies on this.
  UNIQUE (list_id, phone)
);
-- Search by phone across lists, and the DNC re-check when a number is added to DNC.
CREATE INDEX leads_phone_idx ON leads (phone);
-- Agent/admin search by name: prefix match on lower(last_name) / lower(first_name).
CREATE INDEX leads_last_name_idx ON leads (lower(last_name) text_pattern_ops) WHERE last_name IS NOT NULL;
CREATE INDEX leads_first_name_idx ON leads (lower(first_name) text_pattern_ops) WHERE first_name IS NOT NULL;
-- The hopper query: per list and time-zone key, the leads due, skipping final and queued leads.
CREATE INDEX leads_hopper_idx ON leads (list_id, tz_key, next_eligible_at)
  WHERE NOT final AND hopper_at IS NULL;

-- Dispositions: campaign_id NULL is system-wide.
CREATE TABLE dispositions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id     bigint REFERENCES campaigns(id) ON DELETE CASCADE,
  code            text NOT NULL CHECK (code ~ '^[A-Z0-9_]{1,16}$'),
  name            text NOT NULL,
  human_answered  boolean NOT NULL DEFAULT true,
  sale            boolean NOT NULL DEFAULT false,
  dnc             boolean NOT NULL DEFAULT false,
  callback        boolean NOT NULL DEFAULT false,
  final           boolean NOT NULL DEFAULT false,
  sort_order      integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX dispositions_code_idx ON dispositions (coalesce(campaign_id, 0), code);

CREATE TABLE pause_codes (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id  bigint REFERENCES campaigns(id) ON DELETE CASCADE,
  code         text NOT NULL CHECK (code ~ '^[A-Z0-9_]{1,16}$'),
  name         text NOT NULL,
  billable     boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX pause_codes_code_idx ON pause_codes (coalesce(campaign_id, 0), code);

-- Do-not-call numbers: campaign_id NULL is system-wide.
CREATE TABLE dnc (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  phone        text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  campaign_id  bigint REFERENCES campaigns(id) ON DELETE CASCADE,
  added_by     bigint REFERENCES users(id) ON DELETE SET NULL,
  -- manual, disposition (an agent chose a DNC disposition), import, api.
  source       text NOT NULL DEFAULT 'manual' CHECK (length(source) BETWEEN 1 AND 32),
  note         text NOT NULL DEFAULT '',
  added_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dnc_phone_campaign_idx ON dnc (phone, coalesce(campaign_id, 0));

CREATE TABLE callbacks (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  lead_id      bigint NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
  campaign_id  bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  -- NULL: any agent of the campaign may take it.
  agent_id     bigint REFERENCES users(id) ON DELETE SET NULL,
  due_at       timestamptz NOT NULL,
  time_zone    text NOT NULL,
  note         text NOT NULL DEFAULT '',
  status       text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'QUEUED', 'DONE', 'CANCELED')),
  created_by   bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX callbacks_due_idx ON callbacks (campaign_id, due_at) WHERE status = 'PENDING';
CREATE INDEX callbacks_lead_idx ON callbacks (lead_id);
CREATE INDEX callbacks_agent_idx ON callbacks (agent_id, due_at) WHERE agent_id IS NOT NULL AND status = 'PENDING';

-- One row per attempt. id is the CallId that also prefixes the call's ARI channel ids.
CREATE TABLE call_log (
  id                  text PRIMARY KEY,
  campaign_id         bigint NOT NULL REFERENCES campaigns(id),
  list_id             bigint NOT NULL,
  lead_id             bigint NOT NULL,
  phone               text NOT NULL,
  attempt             integer NOT NULL DEFAULT 1,
  manual              boolean NOT NULL DEFAULT false,
  server_id           text NOT NULL,
  channel_id          text NOT NULL,
  agent_id            bigint,
  originated_at       timestamptz NOT NULL,
  ringing_at          timestamptz,
  answered_at         timestamptz,
  amd_at              timestamptz,
  amd_result          text CHECK (amd_result IN ('HUMAN', 'MACHINE', 'NOTSURE')),
  amd_cause           text,
  agent_connected_at  timestamptz,
  dropped             boolean NOT NULL DEFAULT false,
  drop_wait_ms        integer,
  safe_harbor_at      timestamptz,
  ended_at            timestamptz,
  outcome             text,
  hangup_cause        integer,
  disposition         text,
  disposed_at         timestamptz
);
CREATE INDEX call_log_campaign_time_idx ON call_log (campaign_id, originated_at);
CREATE INDEX call_log_agent_time_idx ON call_log (agent_id, originated_at) WHERE agent_id IS NOT NULL;
CREATE INDEX call_log_lead_idx ON call_log (lead_id);
CREATE INDEX call_log_answers_idx ON call_log (campaign_id, answered_at) WHERE answered_at IS NOT NULL;

-- Every agent state change, with its duration (ended_at - started_at).
CREATE TABLE agent_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agent_id     bigint NOT NULL,
  campaign_id  bigint,
  state        text NOT NULL,
  pause_code   text,
  call_id      text,
  reason       text NOT NULL DEFAULT '',
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz NOT NULL,
  duration_ms  bigint NOT NULL CHECK (duration_ms >= 0)
);
CREATE INDEX agent_log_agent_time_idx ON agent_log (agent_id, started_at);
CREATE INDEX agent_log_campaign_time_idx ON agent_log (campaign_id, started_at);

-- Every event in a lead's life: imported, queued, dialed, answered, disposed, callback, DNC...
CREATE TABLE lead_log (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  lead_id   bigint NOT NULL,
  at        timestamptz NOT NULL DEFAULT now(),
  kind      text NOT NULL,
  call_id   text,
  agent_id  bigint,
  detail    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX lead_log_lead_idx ON lead_log (lead_id, at);
-- lead_log.kind values: imported, queued, dialed, answered, dropped, disposed, callback, dnc,
-- recycled, edited. Free text so later issues can add kinds without a migration.

-- Who did what: every supervisor action and admin change.
CREATE TABLE audit_log (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id  bigint,
  action   text NOT NULL,
  target   text NOT NULL DEFAULT '',
  detail   jsonb NOT NULL DEFAULT '{}',
  at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE TABLE import_jobs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  list_id      bigint NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  file_name    text NOT NULL DEFAULT '',
  created_by   bigint REFERENCES users(id) ON DELETE SET NULL,
  -- The column mapping used: {"lead field": "CSV header"}.
  mapping      jsonb NOT NULL DEFAULT '{}',
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  rows_total   integer NOT NULL DEFAULT 0,
  rows_imported integer NOT NULL DEFAULT 0,
  rows_rejected integer NOT NULL DEFAULT 0,
  rows_duplicate integer NOT NULL DEFAULT 0,
  rows_dnc     integer NOT NULL DEFAULT 0,
  -- rows_total = rows_imported + rows_rejected + rows_duplicate + rows_dnc once status = 'done'.
  -- The first rejected rows: [{row, column, reason}], capped so a bad file cannot bloat it.
  errors       jsonb NOT NULL DEFAULT '[]',
  error        text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
CREATE INDEX import_jobs_list_idx ON import_jobs (list_id, started_at);
