-- Secrets the server generates for itself (docs/security.md). `session` signs the session tokens
-- when SESSION_SECRET is not set: generated at the first start, shared by every api process
-- through this table, replaced by `npm run session:rotate` (which signs everybody out).
CREATE TABLE server_secrets (
  name        text PRIMARY KEY,
  value       text NOT NULL CHECK (length(value) >= 32),
  created_at  timestamptz NOT NULL DEFAULT now()
);
