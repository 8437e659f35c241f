-- The supervisor wall's alert thresholds per campaign (docs/supervisor.md, "Thresholds"): per
-- agent state the seconds after which a row turns amber and red, and the 30-day drop rate (%)
-- from which the campaign's drop tile turns amber. One row per campaign that has been set; a
-- campaign without a row uses the defaults of DEFAULT_WALL_THRESHOLDS (packages/protocol).
-- The JSON is checked by the API's schema (WallThresholds) before it is written.
CREATE TABLE campaign_wall_thresholds (
  campaign_id bigint PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
  thresholds  jsonb NOT NULL CHECK (jsonb_typeof(thresholds) = 'object'),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
