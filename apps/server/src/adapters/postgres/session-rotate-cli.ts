import { loadConfig } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { createPool } from './pool.js';
import { ensureDatabase, migrate } from './migrate.js';
import { rotateSecret, SESSION_SECRET_NAME, SESSION_SECRET_REFRESH_MS } from './server-secrets.js';

/**
 * `npm run session:rotate`: replaces the generated session secret in PostgreSQL with a new random
 * one. Every session ends: each api process picks the new secret up within a few seconds and then
 * refuses every earlier token (users sign in again). With SESSION_SECRET set, the secret lives in
 * the environment and this refuses: change the variable and restart the api processes instead.
 */
let config;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
if (config.sessionSecret !== null) {
  console.error(
    'SESSION_SECRET is set: sessions are signed with it, not with the generated secret. ' +
      'To sign everybody out, set a new SESSION_SECRET and restart the api processes.',
  );
  process.exit(2);
}
await ensureDatabase(config.databaseUrl);
const pool = createPool(config.databaseUrl, { max: 1 });
try {
  await migrate(pool);
  await rotateSecret(pool, SESSION_SECRET_NAME);
  console.log(
    `session secret rotated: every api process refuses earlier sessions within ` +
      `${SESSION_SECRET_REFRESH_MS / 1000} s; users sign in again`,
  );
} finally {
  await pool.end();
}
