-- Two-factor sign-in (docs/security.md, "Two-factor sign-in"): a TOTP secret per user (RFC 6238),
-- stored encrypted when TWO_FACTOR_KEY is set, never returned after enrolment; single-use
-- recovery codes stored as argon2id hashes.
ALTER TABLE users
  -- the confirmed secret ('v1:' AES-256-GCM, or 'plain:' when no key is configured); NULL: none
  ADD COLUMN totp_secret text,
  -- a secret shown for enrolment, confirmed by a first code
  ADD COLUMN totp_pending_secret text,
  ADD COLUMN totp_enabled_at timestamptz,
  -- the last 30-second time step a code was accepted for: a code is never accepted twice
  ADD COLUMN totp_last_step bigint;

CREATE TABLE user_recovery_codes (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text NOT NULL,
  used_at timestamptz
);
CREATE INDEX user_recovery_codes_user ON user_recovery_codes (user_id) WHERE used_at IS NULL;
