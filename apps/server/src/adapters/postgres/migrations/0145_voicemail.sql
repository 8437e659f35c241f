-- Voicemail drop and the AMD review's audio (issue 15, points 7 and 8; docs/recording.md,
-- "Voicemail drop"). Admins upload a message per campaign; the server converts it to what
-- Asterisk plays (8 kHz 16-bit mono WAV) and keeps it here, served to Asterisk over HTTP under an
-- unguessable token (res_http_media_cache). The campaign says whether to wait for the greeting's
-- end, how long at most, and what to do when it never ends.

CREATE TABLE vm_messages (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id     bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- What was uploaded (the converted audio is always wav).
  source_format   text NOT NULL CHECK (source_format IN ('wav', 'mp3')),
  duration_ms     integer NOT NULL CHECK (duration_ms BETWEEN 1 AND 120000),
  size_bytes      integer NOT NULL CHECK (size_bytes > 0),
  -- 8 kHz, 16-bit, mono PCM WAV: what Asterisk's format_wav plays without transcoding.
  audio           bytea NOT NULL,
  -- The media URL's secret part (hex): Asterisk fetches the file without a session.
  media_token     text NOT NULL UNIQUE CHECK (media_token ~ '^[0-9a-f]{32}$'),
  created_by      bigint,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vm_messages_campaign_idx ON vm_messages (campaign_id, id);

ALTER TABLE campaigns
  -- The message left on a MACHINE verdict with machine_action 'message' (null: the older
  -- machine_message_audio media URI, if any).
  ADD COLUMN vm_message_id bigint REFERENCES vm_messages(id) ON DELETE SET NULL,
  -- none: play at once after the verdict; greeting_end: wait (talk detection) for the greeting to
  -- end first.
  ADD COLUMN vm_drop_wait text NOT NULL DEFAULT 'greeting_end'
    CHECK (vm_drop_wait IN ('none', 'greeting_end')),
  -- The longest wait for the greeting's end, s; past it the outcome is VM_NO_BEEP.
  ADD COLUMN vm_drop_max_wait_s smallint NOT NULL DEFAULT 30
    CHECK (vm_drop_max_wait_s BETWEEN 5 AND 120),
  -- When the wait runs out: leave the message anyway (part of it may be lost in the greeting),
  -- or hang up without one.
  ADD COLUMN vm_no_beep_action text NOT NULL DEFAULT 'leave'
    CHECK (vm_no_beep_action IN ('leave', 'hangup')),
  -- Share of acted-on MACHINE verdicts whose audio is recorded for the AMD review list
  -- (recordings.reason 'amd_review'), percent; separate from amd_audit_pct, which sends calls to
  -- agents.
  ADD COLUMN amd_review_pct smallint NOT NULL DEFAULT 0 CHECK (amd_review_pct BETWEEN 0 AND 100);

-- The voicemail drop's outcome of a call (null: no drop was tried).
ALTER TABLE call_log
  ADD COLUMN vm_outcome text CHECK (vm_outcome IN ('VM_LEFT', 'VM_NO_BEEP', 'VM_FAILED'));
