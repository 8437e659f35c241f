import type pg from 'pg';
import type { AuditLog } from '../../ports/audit.js';

interface AuditRow {
  id: string;
  user_id: string | null;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  at_ms: string;
}

export function createAuditLog(pool: pg.Pool): AuditLog {
  return {
    async record(e) {
      await pool.query(
        'INSERT INTO audit_log (user_id, action, target, detail) VALUES ($1, $2, $3, $4)',
        [e.userId, e.action, e.target, JSON.stringify(e.detail)],
      );
    },
    async list(opts = {}) {
      const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
      const r = await pool.query<AuditRow>(
        `SELECT id::text AS id, user_id::text AS user_id, action, target, detail,
                (extract(epoch FROM at) * 1000)::bigint::text AS at_ms
         FROM audit_log WHERE ($1::text IS NULL OR target = $1)
         ORDER BY audit_log.id DESC LIMIT $2`, // the table's bigint: "id" alone is the text alias
        [opts.target ?? null, limit],
      );
      return r.rows.map((x) => ({
        id: x.id,
        userId: x.user_id,
        action: x.action,
        target: x.target,
        detail: x.detail,
        atMs: Number(x.at_ms),
      }));
    },
  };
}
