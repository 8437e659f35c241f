-- Listening and quality review (issue 15 points 6 and 8; docs/recording.md "Listening and quality
-- review"): the waveform cache of the player, per-campaign scorecards, reviews, and the marks of
-- the AMD review list.

-- The player's waveform, computed once from the stored WAV (storage_url: a file re-stored at
-- another place is computed again). peaks: `buckets` pairs of signed bytes (min, max).
CREATE TABLE recording_peaks (
  recording_id    bigint PRIMARY KEY REFERENCES recordings(id) ON DELETE CASCADE,
  storage_url     text NOT NULL,
  buckets         integer NOT NULL CHECK (buckets BETWEEN 1 AND 10000),
  duration_ms     integer NOT NULL CHECK (duration_ms >= 0),
  peaks           bytea NOT NULL,
  computed_at     timestamptz NOT NULL DEFAULT now()
);

-- A campaign's scorecard. Saving one makes a new version: reviews keep the version they were
-- scored on, so an edit never changes a past score.
CREATE TABLE quality_scorecards (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id     bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  version         integer NOT NULL CHECK (version >= 1),
  created_by      bigint,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, version)
);

-- The criteria of one scorecard version: yes/no (0 or 1) or a 1-5 scale, weights adding up to 100
-- (checked by the API, which names the field).
CREATE TABLE quality_criteria (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scorecard_id    bigint NOT NULL REFERENCES quality_scorecards(id) ON DELETE CASCADE,
  position        smallint NOT NULL CHECK (position >= 1),
  label           text NOT NULL CHECK (length(label) BETWEEN 1 AND 120),
  weight          smallint NOT NULL CHECK (weight BETWEEN 1 AND 100),
  kind            text NOT NULL CHECK (kind IN ('yes_no', 'scale_5')),
  UNIQUE (scorecard_id, position)
);

-- One review per reviewer per recording (editable). agent_id: the agent whose part is reviewed;
-- score_pct: the weighted score 0-100 at the time of saving.
CREATE TABLE quality_reviews (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recording_id    bigint NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  reviewer_id     bigint NOT NULL,
  scorecard_id    bigint NOT NULL REFERENCES quality_scorecards(id),
  campaign_id     bigint NOT NULL,
  agent_id        bigint,
  score_pct       numeric(5, 2) NOT NULL CHECK (score_pct BETWEEN 0 AND 100),
  comment         text NOT NULL DEFAULT '' CHECK (length(comment) <= 4000),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (recording_id, reviewer_id)
);
CREATE INDEX quality_reviews_campaign_idx ON quality_reviews (campaign_id, updated_at);

CREATE TABLE quality_review_scores (
  review_id       bigint NOT NULL REFERENCES quality_reviews(id) ON DELETE CASCADE,
  criterion_id    bigint NOT NULL REFERENCES quality_criteria(id),
  value           smallint NOT NULL CHECK (value BETWEEN 0 AND 5),
  PRIMARY KEY (review_id, criterion_id)
);

-- The AMD review list's marks: a person listened to a MACHINE verdict's recording (reason
-- amd_review) and said "a person" or "a machine". The campaign's AMD estimate counts them through
-- the AMD audit's store (Redis); this row is the durable record and the list's state.
CREATE TABLE amd_review_marks (
  recording_id    bigint PRIMARY KEY REFERENCES recordings(id) ON DELETE CASCADE,
  campaign_id     bigint NOT NULL,
  mark            text NOT NULL CHECK (mark IN ('person', 'machine')),
  marked_by       bigint NOT NULL,
  marked_at       timestamptz NOT NULL DEFAULT now()
);
