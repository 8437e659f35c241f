import { describe, expect, it } from 'vitest';
import type { AdminPauseCode, AdminPauseCodesResponse, ErrorBody } from '@ringside/protocol';
import { listAdmin as t, useListAdmin } from './lists-harness.js';

useListAdmin();

const send = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: t.as('admin'),
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });

describe("pause codes' daily limits (issue 17)", () => {
  it('are set, listed, validated with a message naming the field, and cleared', async () => {
    const made = await send('POST', '/api/pause-codes', {
      code: 'SMOKE',
      name: 'Smoke break',
      dailyLimitMin: 10,
    });
    expect(made.statusCode).toBe(201);
    const p = made.json<AdminPauseCode>();
    expect(p).toMatchObject({ code: 'SMOKE', dailyLimitMin: 10 });
    const list = await send('GET', '/api/pause-codes');
    expect(list.json<AdminPauseCodesResponse>().pauseCodes).toContainEqual(
      expect.objectContaining({ code: 'SMOKE', dailyLimitMin: 10 }),
    );
    const bad = await send('PATCH', `/api/pause-codes/${p.id}`, { dailyLimitMin: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.issues?.[0]?.path).toBe('dailyLimitMin');
    const cleared = await send('PATCH', `/api/pause-codes/${p.id}`, { dailyLimitMin: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ dailyLimitMin: null });
    const row = await t.h.db.pool.query('SELECT daily_limit_min FROM pause_codes WHERE id = $1', [
      p.id,
    ]);
    expect(row.rows[0]).toEqual({ daily_limit_min: null });
  });
});
