import type pg from 'pg';
import {
  loadOrCreateSecret,
  readSecret,
  SESSION_SECRET_NAME,
  SESSION_SECRET_REFRESH_MS,
} from '../adapters/postgres/server-secrets.js';
import type { Logger } from '../logger.js';

/**
 * Where the api gets the secret that signs session tokens: SESSION_SECRET when it is set,
 * else the one generated in PostgreSQL (server_secrets) at the first start. The stored one is
 * re-read every `refreshMs`, so `npm run session:rotate` signs everybody out on every api
 * process within that time, without a restart.
 */
export interface SessionSecret {
  /** The secret to sign and check tokens with now. */
  current(): string;
  stop(): void;
}

export async function startSessionSecret(opts: {
  /** SESSION_SECRET, or null to use the generated one. */
  configured: string | null;
  pool: pg.Pool;
  logger: Logger;
  refreshMs?: number;
}): Promise<SessionSecret> {
  if (opts.configured !== null) {
    const fixed = opts.configured;
    return { current: () => fixed, stop: () => undefined };
  }
  let secret = await loadOrCreateSecret(opts.pool, SESSION_SECRET_NAME);
  let warned = false;
  const timer = setInterval(() => {
    readSecret(opts.pool, SESSION_SECRET_NAME).then(
      (v) => {
        warned = false;
        if (v !== null && v !== secret) {
          secret = v;
          opts.logger.info('session secret rotated: earlier sessions are refused');
        }
      },
      (err: unknown) => {
        // Keep the last secret: a database blip must not sign everybody out.
        if (!warned) opts.logger.warn({ err }, 'session secret refresh failed');
        warned = true;
      },
    );
  }, opts.refreshMs ?? SESSION_SECRET_REFRESH_MS);
  timer.unref();
  return { current: () => secret, stop: () => clearInterval(timer) };
}
