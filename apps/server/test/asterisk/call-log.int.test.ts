import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
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

describe('CallLogRepository', () => {
  it('records an attempt from origination to its end with every instant', async () => {
    await repo.start({
      callId: 'call-1',
      campaignId,
      listId: '3',
      leadId: '42',
      phone: '+15551230001',
      attempt: 2,
      manual: false,
      serverId: 'ast1',
      channelId: 'call-1',
      agentId: null,
      originatedAtMs: t0,
    });
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
    await repo.start({
      callId: 'call-2',
      campaignId,
      listId: '3',
      leadId: '43',
      phone: '+15551230002',
      attempt: 1,
      manual: false,
      serverId: 'ast1',
      channelId: 'call-2',
      agentId: 'bot-7',
      originatedAtMs: t0,
    });
    await repo.step('call-2', { kind: 'dropped', atMs: t0 + 9_000, waitMs: 1_900 });
    await repo.step('call-2', { kind: 'safe_harbor', atMs: t0 + 9_000 });
    const row = await repo.get('call-2');
    expect(row).toMatchObject({ dropped: true, dropWaitMs: 1_900, safeHarborAtMs: t0 + 9_000 });
  });

  it('a second start for the same call id changes nothing', async () => {
    await repo.start({
      callId: 'call-1',
      campaignId,
      listId: '3',
      leadId: '99',
      phone: '+15551239999',
      attempt: 5,
      manual: true,
      serverId: 'other',
      channelId: 'call-1',
      agentId: null,
      originatedAtMs: t0 + 5,
    });
    expect((await repo.get('call-1'))?.serverId).toBe('ast1');
  });
});
