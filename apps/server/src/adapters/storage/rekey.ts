import type { PgRecordingRows } from './recording-rows.js';
import { sealedLength } from './sealed.js';
import type { EncryptedVault } from './vault.js';

export interface RekeyReport {
  /** The key everything is now (or, dry run, would be) encrypted with. */
  keyId: string;
  /** Re-encrypted (dry run: found encrypted with another key). */
  done: number;
  failed: number;
}

/**
 * Re-encrypts every stored recording not encrypted with the vault's current key (the first of
 * RECORDINGS_KEYS): rewritten whole under the same name, then its row's key_id and size_bytes.
 * Stopping halfway is safe: the next run finds what is left. `say` gets progress and errors
 * (recording ids only).
 */
export async function rekeyAll(
  rows: Pick<PgRecordingRows, 'encryptedWithOther' | 'setKey'>,
  vault: Pick<EncryptedVault, 'keys' | 'rekey' | 'describe'>,
  o: { dryRun?: boolean; batch?: number; say?: (line: string) => void } = {},
): Promise<RekeyReport> {
  const keyId = vault.keys.current.id;
  const say = o.say ?? (() => undefined);
  let after = '0';
  let done = 0;
  let failed = 0;
  for (;;) {
    const page = await rows.encryptedWithOther(keyId, after, o.batch ?? 100);
    if (page.length === 0) break;
    for (const r of page) {
      after = r.id;
      if (o.dryRun) {
        done += 1;
        continue;
      }
      try {
        const stored = await vault.rekey(r.storageUrl);
        if (stored) await rows.setKey(r.id, stored.keyId, stored.storedBytes);
        else {
          // Re-encrypted by an earlier run that stopped before its row was updated.
          const d = await vault.describe(r.storageUrl);
          await rows.setKey(r.id, d.keyId, sealedLength(d.plainBytes, d.keyId));
        }
        done += 1;
        if (done % 100 === 0) say(`${done} re-encrypted`);
      } catch (err) {
        failed += 1;
        say(
          `recording ${r.id}: ${err instanceof Error ? `${err.name}: ${err.message}` : 'failed'}`,
        );
      }
    }
  }
  return { keyId, done, failed };
}
