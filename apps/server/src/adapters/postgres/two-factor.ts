import type pg from 'pg';
import { inTransaction } from './transaction.js';
import type { TwoFactorRepo } from '../../ports/two-factor.js';

const validId = (id: string) => /^[1-9][0-9]{0,17}$/.test(id);

export function createTwoFactorRepo(pool: pg.Pool): TwoFactorRepo {
  return {
    async get(userId) {
      if (!validId(userId)) return null;
      const r = await pool.query<{
        totp_secret: string | null;
        totp_pending_secret: string | null;
        enabled_ms: string | null;
        totp_last_step: string | null;
        left: string;
      }>(
        `SELECT totp_secret, totp_pending_secret,
                (extract(epoch FROM totp_enabled_at) * 1000)::bigint::text AS enabled_ms,
                totp_last_step::text AS totp_last_step,
                (SELECT count(*) FROM user_recovery_codes c
                  WHERE c.user_id = u.id AND c.used_at IS NULL)::text AS left
           FROM users u WHERE id = $1`,
        [userId],
      );
      const row = r.rows[0];
      if (!row) return null;
      return {
        secret: row.totp_secret,
        pendingSecret: row.totp_pending_secret,
        enabledAtMs: row.enabled_ms === null ? null : Number(row.enabled_ms),
        lastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
        recoveryCodesLeft: Number(row.left),
      };
    },
    async setPending(userId, storedSecret) {
      await pool.query('UPDATE users SET totp_pending_secret = $2 WHERE id = $1', [
        userId,
        storedSecret,
      ]);
    },
    async activate(userId, step, codeHashes) {
      return inTransaction(pool, async (c) => {
        const r = await c.query(
          `UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL,
                  totp_enabled_at = now(), totp_last_step = $2
            WHERE id = $1 AND totp_pending_secret IS NOT NULL`,
          [userId, step],
        );
        // Nothing updated: the COMMIT just ends the transaction.
        if ((r.rowCount ?? 0) === 0) return false;
        await c.query('DELETE FROM user_recovery_codes WHERE user_id = $1', [userId]);
        await c.query(
          `INSERT INTO user_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::text[])`,
          [userId, codeHashes],
        );
        return true;
      });
    },
    async acceptStep(userId, step) {
      const r = await pool.query(
        `UPDATE users SET totp_last_step = $2
          WHERE id = $1 AND totp_secret IS NOT NULL
            AND (totp_last_step IS NULL OR totp_last_step < $2)`,
        [userId, step],
      );
      return (r.rowCount ?? 0) === 1;
    },
    async unusedRecoveryCodes(userId) {
      const r = await pool.query<{ id: string; code_hash: string }>(
        `SELECT id::text AS id, code_hash FROM user_recovery_codes
          WHERE user_id = $1 AND used_at IS NULL ORDER BY id`,
        [userId],
      );
      return r.rows.map((x) => ({ id: x.id, hash: x.code_hash }));
    },
    async useRecoveryCode(id) {
      const r = await pool.query(
        'UPDATE user_recovery_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL',
        [id],
      );
      return (r.rowCount ?? 0) === 1;
    },
    async reset(userId) {
      await pool.query(
        `UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL,
                totp_last_step = NULL WHERE id = $1`,
        [userId],
      );
      await pool.query('DELETE FROM user_recovery_codes WHERE user_id = $1', [userId]);
    },
  };
}
