import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BatchedCallLog, CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import type { CallLogStart } from '../../src/ports/call-log.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
let repo: CallLogRepository;
let campaignId: string;

beforeAll(async () => {
  db = await createTestDb('calllog');
  repo = new CallLogRepository(db.pool);
  const r = await db.pool.query<{ id: string }>(
    "INSERT INTO campaigns (name) VALUES ('c') RETURNING id",
  );
  campaignId = String(r.rows[0]?.id);
});
afterAll(async () => {
  await db.drop();
});

const t0 = 1_800_000_000_000;

/** An attempt's first row: campaign list 3, attempt 1 on ast1, on its own channel, no agent, at t0. */
function started(
  callId: string,
  leadId: string,
  phone: string,
  over: Partial<CallLogStart> = {},
): CallLogStart {
  return {
    callId,
    campaignId,
    listId: '3',
    leadId,
    phone,
    attempt: 1,
    manual: false,
    serverId: 'ast1',
    channelId: callId,
    agentId: null,
    originatedAtMs: t0,
    ...over,
  };
}

describe('CallLogRepository', () => {
  it('records an attempt from origination to its end with every instant', async () => {
    await repo.start(started('call-1', '42', '+15551230001', { attempt: 2 }));
    await repo.step('call-1', { kind: 'ringing', atMs: t0 + 100 });
    await repo.step('call-1', { kind: 'answered', atMs: t0 + 4_000 });
    await repo.step('call-1', {
      kind: 'amd',
      atMs: t0 + 7_600,
      result: 'HUMAN',
      cause: 'HUMAN-801-800',
    });
    await repo.step('call-1', { kind: 'bridged', atMs: t0 + 7_650, agentId: '9' });
    await repo.step('call-1', {
      kind: 'ended',
      atMs: t0 + 20_000,
      outcome: 'HUMAN',
      hangupCause: 16,
    });
    expect(await repo.get('call-1')).toEqual({
      callId: 'call-1',
      serverId: 'ast1',
      originatedAtMs: t0,
      ringingAtMs: t0 + 100,
      answeredAtMs: t0 + 4_000,
      amdAtMs: t0 + 7_600,
      amdResult: 'HUMAN',
      amdCause: 'HUMAN-801-800',
      agentConnectedAtMs: t0 + 7_650,
      dropped: false,
      dropWaitMs: null,
      safeHarborAtMs: null,
      endedAtMs: t0 + 20_000,
      outcome: 'HUMAN',
      hangupCause: 16,
      endReason: null,
    });
  });

  it('never moves an instant already recorded (replayed events are harmless)', async () => {
    await repo.step('call-1', { kind: 'ringing', atMs: t0 + 999 });
    await repo.step('call-1', {
      kind: 'ended',
      atMs: t0 + 99_999,
      outcome: 'BUSY',
      hangupCause: 17,
    });
    const row = await repo.get('call-1');
    expect(row?.ringingAtMs).toBe(t0 + 100);
    expect(row?.outcome).toBe('HUMAN');
  });

  it('records a drop with its wait and the safe-harbor instant', async () => {
    await repo.start(started('call-2', '43', '+15551230002', { agentId: 'bot-7' }));
    await repo.step('call-2', { kind: 'dropped', atMs: t0 + 9_000, waitMs: 1_900 });
    await repo.step('call-2', { kind: 'safe_harbor', atMs: t0 + 9_000 });
    const row = await repo.get('call-2');
    expect(row).toMatchObject({ dropped: true, dropWaitMs: 1_900, safeHarborAtMs: t0 + 9_000 });
  });

  it('keeps the safe-harbor start of a drop whose customer hangs up before the message ends', async () => {
    await repo.start(started('call-2b', '44', '+15551230003'));
    // PlaybackStarted records the drop; no PlaybackFinished ever comes (the customer hung up).
    await repo.step('call-2b', { kind: 'dropped', atMs: t0 + 5_000, waitMs: 1_800 });
    const row = await repo.get('call-2b');
    expect(row).toMatchObject({ dropped: true, dropWaitMs: 1_800, safeHarborAtMs: t0 + 5_000 });
    // The batched writer the ARI worker uses does the same.
    await repo.start(started('call-2c', '45', '+15551230004'));
    const batched = new BatchedCallLog(db.pool, { flushMs: 5 });
    await batched.step('call-2c', { kind: 'dropped', atMs: t0 + 6_000, waitMs: 1_200 });
    await batched.flush();
    expect(await repo.get('call-2c')).toMatchObject({ dropped: true, safeHarborAtMs: t0 + 6_000 });
  });

  it('a second start for the same call id changes nothing', async () => {
    await repo.start(
      started('call-1', '99', '+15551239999', {
        attempt: 5,
        manual: true,
        serverId: 'other',
        originatedAtMs: t0 + 5,
      }),
    );
    expect((await repo.get('call-1'))?.serverId).toBe('ast1');
  });
});

describe('BatchedCallLog', () => {
  it('writes a burst of originations in few statements and every row is there when start resolves', async () => {
    const batched = new BatchedCallLog(db.pool, { flushMs: 5 });
    let queries = 0;
    const realQuery = db.pool.query.bind(db.pool);
    const spy = vi.spyOn(db.pool, 'query').mockImplementation(((
      ...a: Parameters<typeof realQuery>
    ) => {
      queries += 1;
      return realQuery(...a);
    }) as typeof db.pool.query);
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        batched.start(
          started(`burst-${i}`, String(1000 + i), '+15551230003', { originatedAtMs: t0 + i }),
        ),
      ),
    );
    spy.mockRestore();
    expect(queries).toBeLessThanOrEqual(3);
    const r = await db.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM call_log WHERE id LIKE 'burst-%'",
    );
    expect(Number(r.rows[0]?.n)).toBe(300);
  });

  it('applies mixed steps with the same first-wins rule as the row-by-row writer', async () => {
    const batched = new BatchedCallLog(db.pool, { flushMs: 5 });
    await Promise.all([
      batched.step('burst-1', { kind: 'ringing', atMs: t0 + 10 }),
      batched.step('burst-1', { kind: 'ringing', atMs: t0 + 99 }),
      batched.step('burst-1', { kind: 'answered', atMs: t0 + 20 }),
      batched.step('burst-1', {
        kind: 'amd',
        atMs: t0 + 30,
        result: 'MACHINE',
        cause: 'MAXWORDS-4-3',
      }),
      batched.step('burst-2', { kind: 'dropped', atMs: t0 + 40, waitMs: 1_500 }),
      batched.step('burst-2', { kind: 'safe_harbor', atMs: t0 + 40 }),
      batched.step('burst-2', { kind: 'bridged', atMs: t0 + 41, agentId: '12' }),
      batched.step('burst-1', {
        kind: 'ended',
        atMs: t0 + 50,
        outcome: 'MACHINE',
        hangupCause: 16,
      }),
    ]);
    expect(await repo.get('burst-1')).toMatchObject({
      ringingAtMs: t0 + 10,
      answeredAtMs: t0 + 20,
      amdAtMs: t0 + 30,
      amdResult: 'MACHINE',
      amdCause: 'MAXWORDS-4-3',
      endedAtMs: t0 + 50,
      outcome: 'MACHINE',
      hangupCause: 16,
    });
    expect(await repo.get('burst-2')).toMatchObject({
      dropped: true,
      dropWaitMs: 1_500,
      safeHarborAtMs: t0 + 40,
      agentConnectedAtMs: t0 + 41,
    });
  });

  it('records why Ringside ended a call as a failure (end_reason), in both writers, first wins', async () => {
    const batched = new BatchedCallLog(db.pool, { flushMs: 5 });
    for (const id of ['lost-1', 'lost-2', 'lost-3']) {
      await repo.start(started(id, '42', '+15551230001'));
    }
    const end = { kind: 'ended', atMs: t0 + 9, outcome: 'HUMAN', hangupCause: null } as const;
    await Promise.all([
      batched.step('lost-1', { ...end, endReason: 'BRIDGE_REFUSED' }),
      batched.step('lost-2', end),
    ]);
    await repo.step('lost-3', { ...end, endReason: 'BRIDGE_EJECTED' });
    // A replayed end changes nothing.
    await repo.step('lost-1', { ...end, endReason: 'BRIDGE_EJECTED' });
    expect((await repo.get('lost-1'))?.endReason).toBe('BRIDGE_REFUSED');
    expect((await repo.get('lost-2'))?.endReason).toBeNull();
    expect((await repo.get('lost-3'))?.endReason).toBe('BRIDGE_EJECTED');
  });
});
