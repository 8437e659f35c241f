-- Call recording, consent, PCI pause, retention and legal hold (issue 15; docs/recording.md).
-- This migration is the shared contract of the recording work: the call flow writes recordings and
-- their segments and marks, the storage mover fills in where the file went, the purge marks what
-- it deleted, the player reads all three.

-- Per-campaign policy.
ALTER TABLE campaigns
  -- all calls, none, a share of the calls (recording_pct), or only when the agent presses Record.
  ADD COLUMN recording_mode text NOT NULL DEFAULT 'none'
    CHECK (recording_mode IN ('all', 'none', 'percent', 'on_demand')),
  ADD COLUMN recording_pct smallint NOT NULL DEFAULT 0 CHECK (recording_pct BETWEEN 0 AND 100),
  -- The consent notice played to the customer before the agent is bridged: off, only for leads in
  -- two-party-consent states, or for everyone. The sound is an Asterisk media URI (sound:...).
  ADD COLUMN consent_mode text NOT NULL DEFAULT 'off'
    CHECK (consent_mode IN ('off', 'two_party', 'all')),
  ADD COLUMN consent_media text NOT NULL DEFAULT 'sound:ringside-recording-notice'
    CHECK (length(consent_media) BETWEEN 1 AND 200),
  -- PCI pause and resume through the API only (integrations), not the agent's button.
  ADD COLUMN recording_pause_api_only boolean NOT NULL DEFAULT false,
  ADD COLUMN recording_retention_days integer NOT NULL DEFAULT 365
    CHECK (recording_retention_days BETWEEN 1 AND 3650),
  -- Agents may play their own calls' recordings.
  ADD COLUMN agents_hear_own_recordings boolean NOT NULL DEFAULT false;

-- Per-lead: consent notice override (null = the campaign's rule) and a legal hold on every
-- recording of the lead.
ALTER TABLE leads
  ADD COLUMN recording_consent text CHECK (recording_consent IN ('always', 'never')),
  ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;

-- One recording per call (call_log.id): the conversation from the customer reaching the first
-- agent's bridge to the end, each agent's part a segment. No foreign key to leads or call_log: a
-- lead deleted later leaves its recordings (state and audit intact); lead_id then names nothing.
CREATE TABLE recordings (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  call_id         text NOT NULL UNIQUE,
  campaign_id     bigint NOT NULL,
  lead_id         bigint,
  server_id       text NOT NULL,
  -- recording: segments still being written on Asterisk; pending: ended, waiting to be moved off
  -- Asterisk (also while storage is down: attempts and last_error say so); stored: moved, checked,
  -- encrypted, deleted from Asterisk; failed: Asterisk produced no file (RecordingFailed, or no
  -- stored recording); mismatch: the file's length is not the bridged time (kept, flagged);
  -- purged: deleted by retention (the row stays, the file is gone).
  state           text NOT NULL DEFAULT 'recording'
    CHECK (state IN ('recording', 'pending', 'stored', 'failed', 'mismatch', 'purged')),
  -- policy: record-all or the percent draw; on_demand: the agent's Record button; amd_review: a
  -- MACHINE verdict's audio kept for a person to confirm (the AMD review list).
  reason          text NOT NULL DEFAULT 'policy'
    CHECK (reason IN ('policy', 'sampled', 'on_demand', 'amd_review')),
  started_at      timestamptz NOT NULL,
  ended_at        timestamptz,
  -- Time the customer spent bridged to agents (the check compares the file's length with it).
  bridged_ms      integer,
  duration_ms     integer,
  paused_ms       integer NOT NULL DEFAULT 0,
  -- Where the stored file is (file:///... or s3://bucket/key), its format, size and the key that
  -- encrypted it (key id from configuration, for rotation).
  storage_url     text,
  format          text CHECK (format IN ('wav')),
  size_bytes      bigint,
  key_id          text,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  next_attempt_at timestamptz,
  legal_hold      boolean NOT NULL DEFAULT false,
  purge_after     timestamptz,
  purged_at       timestamptz
);
CREATE INDEX recordings_lead_idx ON recordings (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX recordings_campaign_time_idx ON recordings (campaign_id, started_at);
CREATE INDEX recordings_backlog_idx ON recordings (next_attempt_at) WHERE state = 'pending';
CREATE INDEX recordings_purge_idx ON recordings (purge_after)
  WHERE state IN ('stored', 'mismatch') AND NOT legal_hold;

-- Each agent's part: one ARI live recording (its name on Asterisk) of the agent's bridge while the
-- customer is in it. offset_ms = where the segment starts in the joined file.
CREATE TABLE recording_segments (
  recording_id    bigint NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  seq             integer NOT NULL CHECK (seq >= 1),
  agent_id        bigint,
  bridge_id       text NOT NULL,
  asterisk_name   text NOT NULL UNIQUE,
  started_at      timestamptz NOT NULL,
  ended_at        timestamptz,
  offset_ms       integer NOT NULL DEFAULT 0,
  duration_ms     integer,
  state           text NOT NULL DEFAULT 'recording'
    CHECK (state IN ('recording', 'finished', 'failed', 'moved')),
  PRIMARY KEY (recording_id, seq)
);

-- The timeline: pauses and resumes (who, from where), transfers, barges. offset_ms into the file.
CREATE TABLE recording_marks (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recording_id    bigint NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  kind            text NOT NULL
    CHECK (kind IN ('pause', 'resume', 'transfer', 'barge_start', 'barge_end', 'consent')),
  at              timestamptz NOT NULL,
  offset_ms       integer NOT NULL,
  user_id         bigint,
  source          text NOT NULL CHECK (source IN ('agent', 'api', 'supervisor', 'system'))
);
CREATE INDEX recording_marks_recording_idx ON recording_marks (recording_id, offset_ms);
