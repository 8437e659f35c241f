-- Which version of the time-zone tables (domain/timezone/generated) the leads' tz_candidates were
-- derived with. When the code's version differs, the scheduler re-derives the zones of every lead
-- not given a zone by hand (services/compliance/rederive-tz.ts), in batches, in the background.
CREATE TABLE tz_data_version (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  version     text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
);
