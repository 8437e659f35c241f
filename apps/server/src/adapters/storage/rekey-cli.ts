import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { createPool } from '../postgres/pool.js';
import { openRecordingVault, PgRecordingRows, type EncryptedVault } from './index.js';
import { rekeyAll } from './rekey.js';

/**
 * `npm run recordings:rekey [-- --dry-run] [--batch 100]`: re-encrypts every stored recording
 * that is not encrypted with the first key of RECORDINGS_KEYS (docs/recording.md, "Key
 * rotation"). Each file is rewritten whole under the same name and its row's key_id and
 * size_bytes updated; run it with the old key still in RECORDINGS_KEYS (after the new one), and
 * drop the old key only when this reports nothing left. Safe to stop and run again. Prints one
 * line per 100 files and a summary; exits 1 when a file could not be re-encrypted.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      batch: { type: 'string', default: '100' },
    },
  });
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    return 1;
  }
  const logger = createLogger(
    config.logLevel === 'info' ? 'warn' : config.logLevel,
    'recordings-rekey',
  );
  const pool = createPool(config.databaseUrl, { max: 2 });
  let vault: EncryptedVault | null = null;
  try {
    vault = await openRecordingVault(config.recordings, pool, logger, config.env === 'production');
    const r = await rekeyAll(new PgRecordingRows(pool), vault, {
      dryRun: values['dry-run'],
      batch: Math.max(1, Math.min(1000, Number(values.batch) || 100)),
      say: (line) => console.log(line),
    });
    console.log(
      values['dry-run']
        ? `${r.done} recordings are not encrypted with ${r.keyId}`
        : `${r.done} recordings re-encrypted with ${r.keyId}, ${r.failed} failed`,
    );
    return r.failed > 0 ? 1 : 0;
  } finally {
    vault?.close();
    await pool.end();
  }
}

process.exitCode = await main();
