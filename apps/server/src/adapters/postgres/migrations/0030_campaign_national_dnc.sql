-- National DNC registry scrub per campaign (docs/dnc.md, "National registry"). On by default: a
-- campaign skips the registry only when an admin says its calls are exempt (for example an
-- established business relationship); the internal and campaign lists apply always.
ALTER TABLE campaigns ADD COLUMN national_dnc_scrub boolean NOT NULL DEFAULT true;
