import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/**
 * The generated secrets of an installation (migration 0010). One row per name; every api process
 * reads the same row, so a token signed by one is accepted by all.
 */
export const SESSION_SECRET_NAME = 'session';

/** How often each api process re-reads a generated session secret (ms): a rotation's delay. */
export const SESSION_SECRET_REFRESH_MS = 5_000;

/** 32 random bytes, base64url: 43 characters, 256 bits. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The stored secret `name`, created at random when absent. Two processes starting at once agree:
 * the second insert does nothing and both read the first one's value.
 */
export async function loadOrCreateSecret(pool: pg.Pool, name: string): Promise<string> {
  await pool.query(
    'INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
    [name, randomSecret()],
  );
  const r = await pool.query<{ value: string }>(
    'SELECT value FROM server_secrets WHERE name = $1',
    [name],
  );
  const value = r.rows[0]?.value;
  if (!value) throw new Error(`server secret ${name} missing after insert`);
  return value;
}

/** The stored secret `name`, or null when none was generated yet. */
export async function readSecret(pool: pg.Pool, name: string): Promise<string | null> {
  const r = await pool.query<{ value: string }>(
    'SELECT value FROM server_secrets WHERE name = $1',
    [name],
  );
  return r.rows[0]?.value ?? null;
}

/** Replaces secret `name` with a new random one (creating it if absent); returns nothing secret. */
export async function rotateSecret(pool: pg.Pool, name: string): Promise<void> {
  await pool.query(
    `INSERT INTO server_secrets (name, value) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, created_at = now()`,
    [name, randomSecret()],
  );
}
