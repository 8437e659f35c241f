import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import type { AgentId, CallId, CampaignId, ListId } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgDncRows } from '../../src/adapters/postgres/dialer-dnc.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { type CampaignsRepo } from '../../src/ports/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisNationalDnc } from '../../src/adapters/redis/national-dnc.js';
import { isDialable } from '../../src/domain/calling-window.js';
import { ComplianceError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { MemoryEventBus } from '../../src/ports/fakes/memory-event-bus.js';
import { MemoryStateStore } from '../../src/ports/fakes/memory-state-store.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { PgDialerLeads } from '../../src/adapters/postgres/dialer-leads.js';
import { createDncCache } from '../../src/roles/dialer-parts.js';
import { DncCache, ManualDialer } from '../../src/services/dialer/index.js';
import {
  importRegistryFile,
  type RegistryFileKind,
} from '../../src/services/compliance/dnc-registry/import-registry.js';
import type { TestDb } from '../helpers/db.js';
import { dialerTestBed } from './setup.js';
import { testRedisPrefix } from '../helpers/redis.js';

let db: TestDb;
let redis: Redis;
let prefix: string;
let store: RedisNationalDnc;
let dnc: DncCache;
let campaigns: CampaignsRepo;
let campaignId: CampaignId;
let listId: ListId;
const logger = createLogger('error');

/** A small generated registry file: <npa>555xxxx for every xxxx ending in `end` (1 000 numbers). */
function fullFile(npa: string, end = 7, header = true): string {
  const lines: string[] = header ? ['phone_number'] : [];
  for (let n = end; n < 10_000; n += 10) lines.push(`${npa}555${String(n).padStart(4, '0')}`);
  return lines.join('\r\n') + '\r\n';
}

/** Feeds the text in small chunks, so lines cross chunk boundaries as in a real stream. */
function chunks(text: string, size = 4096): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(Buffer.from(text.slice(i, i + size)));
  return Readable.from(parts);
}

const run = (kind: RegistryFileKind, text: string, extra: { areaCodes?: string[] } = {}) =>
  importRegistryFile(store, chunks(text), {
    kind,
    nowMs: () => Date.now(),
    maxOpenAreaCodes: 1, // forces partial bitsets to be OR-ed together in Redis
    ...extra,
  });

beforeAll(async () => {
  ({ db, redis, campaignId, listId } = await dialerTestBed('national_dnc', 'national'));
  prefix = testRedisPrefix('national_dnc');
  store = new RedisNationalDnc(redis, new RedisKeys(prefix));
  dnc = createDncCache(redis, new RedisKeys(prefix), db.pool, logger);
  campaigns = createCampaignsRepo(createDb(db.pool));
});

afterAll(async () => {
  if (redis) {
    const keys = await redis.keys(`${prefix}:*`);
    for (const k of keys) await redis.del(k);
    redis.disconnect();
  }
  await db?.drop();
});

describe('national DNC registry', () => {
  it('imports full area-code files (sorted or mixed) and the dial-time check finds their numbers', async () => {
    const mixed = fullFile('212') + fullFile('646', 7, false);
    const r = await run('full', mixed);
    expect(r).toMatchObject({
      committed: true,
      numbers: 2_000,
      invalid: 0,
      areaCodes: ['212', '646'],
    });
    expect(await dnc.isBlocked('+12125550007', campaignId)).toBe(true);
    expect(await dnc.isBlocked('+16465559997', campaignId)).toBe(true);
    // The first number of an area code opened while another was flushed is kept.
    expect(await dnc.isBlocked('+16465550007', campaignId)).toBe(true);
    expect(await dnc.isBlocked('+12125550008', campaignId)).toBe(false);
    expect(await dnc.isBlocked('+13125550007', campaignId)).toBe(false); // area code not imported
    expect(await dnc.isBlocked('+442071234567', campaignId)).toBe(false); // not NANP
    // A campaign the admin exempted skips only the national registry.
    expect(await dnc.isBlocked('+12125550007', campaignId, false)).toBe(false);
    expect((await store.areaCodes()).get('212')?.numbers).toBe(1_000);
  });

  it('applies a change file: additions and deletions, in file order', async () => {
    const r = await run(
      'delta',
      [
        '2125550008,A',
        'D,2125550007',
        '646-555-0017\tdelete',
        '(212) 555-0009 add',
        '2125550009,D',
      ].join('\n'),
    );
    expect(r).toMatchObject({ committed: true, numbers: 5, invalid: 0 });
    expect(await dnc.isBlocked('+12125550008', campaignId)).toBe(true);
    expect(await dnc.isBlocked('+12125550007', campaignId)).toBe(false);
    expect(await dnc.isBlocked('+16465550017', campaignId)).toBe(false);
    expect(await dnc.isBlocked('+12125550009', campaignId)).toBe(false);
    expect((await store.areaCodes()).get('212')?.numbers).toBe(1_000);
    await run('add', '3125550001\n');
    await run('delete', '+13125550001\n');
    expect(await dnc.isBlocked('+13125550001', campaignId)).toBe(false);
  });

  it('a full file replaces its area codes as a whole and leaves the others', async () => {
    const r = await run('full', fullFile('212', 3), { areaCodes: ['212', '718'] });
    expect(r.committed).toBe(true);
    expect(await dnc.isBlocked('+12125550003', campaignId)).toBe(true);
    expect(await dnc.isBlocked('+12125550008', campaignId)).toBe(false); // the delta's addition is gone
    expect(await dnc.isBlocked('+12125550017', campaignId)).toBe(false);
    expect(await dnc.isBlocked('+16465550027', campaignId)).toBe(true); // 646 untouched
    expect((await store.areaCodes()).get('718')?.numbers).toBe(0);
  });

  it('does not apply a full file with invalid lines: the live sets stay, the lines are named', async () => {
    const bad = ['2125559999', '212555', '1125550000', '2125550001 X', ''].join('\n');
    const r = await run('full', bad);
    expect(r.committed).toBe(false);
    expect(r.errors).toEqual([
      { line: 2, reason: 'not a 10-digit number' },
      { line: 3, reason: 'the area code must start with 2-9' },
      { line: 4, reason: 'unexpected text after the number' },
    ]);
    expect(await dnc.isBlocked('+12125559999', campaignId)).toBe(false);
    expect(await dnc.isBlocked('+12125550003', campaignId)).toBe(true);
    expect(await redis.exists(new RedisKeys(prefix).dncNational('212').tmp)).toBe(0);
  });

  it('readers see the old set until a full import commits', async () => {
    const imp = store.beginFull();
    await imp.addBitset('212', Buffer.alloc(1_250_000));
    expect(await dnc.isBlocked('+12125550003', campaignId)).toBe(true);
    await imp.commit(Date.now());
    expect(await dnc.isBlocked('+12125550003', campaignId)).toBe(false);
  });
});

describe('manual dial against the national registry', () => {
  function zoneInside(): string {
    const w = { startMinute: 9 * 60, endMinute: 20 * 60 };
    const z = [
      'America/New_York',
      'Europe/Paris',
      'Asia/Tokyo',
      'Pacific/Honolulu',
      'Asia/Kolkata',
    ].find((x) => isDialable([x], w, Date.now()));
    if (!z) throw new Error('no zone inside the window');
    return z;
  }

  it('refuses a registered number unless an admin exempted the campaign', async () => {
    await run('add', '4155550123\n');
    await db.pool.query(
      `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key) VALUES ($1, $2, $3, ARRAY[$3], $3)`,
      [listId, '+14155550123', zoneInside()],
    );
    const store2 = new MemoryStateStore(new MemoryEventBus());
    const sessions = new AgentSessionService({
      store: store2,
      log: { record: async () => undefined },
      clock: systemClock,
    });
    const requests: unknown[] = [];
    const leads = new PgDialerLeads(db.pool, logger);
    const dialer = new ManualDialer({
      dncTable: new PgDncRows(db.pool),
      store: store2,
      agents: sessions,
      originator: {
        originate: async (r) => {
          requests.push(r);
          return { ok: true, serverId: 's' };
        },
      },
      campaigns,
      leads,
      dnc,
      clock: systemClock,
      logger,
      newCallId: () => `n${requests.length + 1}` as CallId,
    });
    const agentId = '901' as AgentId;
    await sessions.apply(agentId, { type: 'login', campaignId }, 'agent');
    await sessions.apply(agentId, { type: 'set_leg', bridgeId: 'b', legChannelId: 'l' }, 'x');

    expect((await campaigns.get(campaignId))?.nationalDncScrub).toBe(true);
    const err = await dialer.manualDial(agentId, '+14155550123').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComplianceError);
    expect(err).toMatchObject({ rule: 'DNC' });
    expect(requests).toEqual([]);

    await campaigns.update(campaignId, { nationalDncScrub: false });
    await dialer.manualDial(agentId, '+14155550123');
    expect(requests).toHaveLength(1);
    await leads.flush();
  });
});
