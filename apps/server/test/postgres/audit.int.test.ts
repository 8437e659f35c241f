import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/adapters/postgres/audit.js';
import { useTestDb } from '../helpers/hooks.js';

describe('audit log', () => {
  const tdb = useTestDb('audit');

  it('lists the newest entry first past nine entries (numeric, not text, order)', async () => {
    const audit = createAuditLog(tdb.pool);
    for (let i = 1; i <= 12; i++) {
      await audit.record({ userId: null, action: 'test.step', target: 'step', detail: { i } });
    }
    const entries = await audit.list({ target: 'step' });
    expect(entries.map((e) => e.detail.i)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });
});
