import type pg from 'pg';
import { parseTimeOfDay, type CallingWindow } from '../../domain/calling-window.js';
import type { StateRule } from '../../domain/state-rules.js';
import { daysJson, type StateRulesRepo, type StoredStateRule } from '../../ports/compliance.js';

interface Row {
  state: string;
  days: Array<[string, string] | null>;
  max_attempts_24h: number | null;
  statute: string;
  note: string;
  updated_at: Date;
  updated_by: string | null;
}

const toWindow = (d: [string, string] | null): CallingWindow | null =>
  d ? { startMinute: parseTimeOfDay(d[0]), endMinute: parseTimeOfDay(d[1]) } : null;

function toRule(r: Row): StoredStateRule {
  return {
    state: r.state,
    days: r.days.map(toWindow),
    maxAttemptsPer24h: r.max_attempts_24h,
    statute: r.statute,
    note: r.note,
    updatedAtMs: r.updated_at.getTime(),
    updatedBy: r.updated_by === null ? null : String(r.updated_by),
  };
}

/** state_calling_rules (migration 0020). Read by the rule caches, written by the admin API. */
export class PgStateRules implements StateRulesRepo {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<StoredStateRule[]> {
    const r = await this.pool.query<Row>('SELECT * FROM state_calling_rules ORDER BY state');
    return r.rows.map(toRule);
  }

  async get(state: string): Promise<StoredStateRule | null> {
    const r = await this.pool.query<Row>('SELECT * FROM state_calling_rules WHERE state = $1', [
      state,
    ]);
    return r.rows[0] ? toRule(r.rows[0]) : null;
  }

  /** Creates or replaces the rule of `rule.state`. */
  async put(rule: StateRule, userId: string | null): Promise<StoredStateRule> {
    const r = await this.pool.query<Row>(
      `INSERT INTO state_calling_rules (state, days, max_attempts_24h, statute, note, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (state) DO UPDATE SET days = EXCLUDED.days,
         max_attempts_24h = EXCLUDED.max_attempts_24h, statute = EXCLUDED.statute,
         note = EXCLUDED.note, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING *`,
      [
        rule.state,
        JSON.stringify(daysJson(rule.days)),
        rule.maxAttemptsPer24h,
        rule.statute,
        rule.note,
        userId,
      ],
    );
    return toRule(r.rows[0] as Row);
  }

  async delete(state: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM state_calling_rules WHERE state = $1', [state]);
    return (r.rowCount ?? 0) > 0;
  }
}
