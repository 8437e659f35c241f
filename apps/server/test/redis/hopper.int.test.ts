import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PgHopperSource, TAKE_LEADS_SQL } from '../../src/adapters/postgres/hopper-source.js';
import type { HopperCampaign } from '../../src/ports/hopper.js';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { ManualClock } from '../../src/ports/clock.js';
import { HopperFiller } from '../../src/services/hopper/hopper-filler.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { redisTestContext, type RedisTestContext } from './redis-harness.js';
import { insertLeads, insertManyLeads, seedCampaign, type Seeded } from './seed.js';

// 13:00 in New York, 12:00 Chicago, 10:00 Los Angeles, 08:00 Honolulu (January: no DST).
const NOW = Date.parse('2026-01-15T18:00:00Z');
const NY = 'America/New_York';
const LA = 'America/Los_Angeles';
const HI = 'Pacific/Honolulu';

let db: TestDb;
let rc: RedisTestContext;
let source: PgHopperSource;
let hopper: RedisHopper;
let clock: ManualClock;
let seq = 0;

beforeAll(async () => {
  db = await createTestDb('hopper');
  rc = await redisTestContext('hopper');
  source = new PgHopperSource(db.pool);
  hopper = new RedisHopper(rc.redis, { prefix: rc.prefix });
});
afterAll(async () => {
  await rc.cleanup();
  await db.drop();
});
beforeEach(() => {
  clock = new ManualClock(NOW);
});

async function campaign(hopperSize: number, maxAttempts = 3): Promise<[Seeded, HopperCampaign]> {
  const s = await seedCampaign(db.pool, { hopperSize, maxAttempts, name: `c${++seq}` });
  const c = (await source.activeCampaigns()).find((x) => x.id === s.campaignId);
  if (!c) throw new Error('seeded campaign not active');
  await db.pool.query('UPDATE campaigns SET active = false WHERE id <> $1', [s.campaignId]);
  return [s, c];
}

const phone = (n: number) => `+1212555${String(n).padStart(4, '0')}`;

describe('eligible-lead query', () => {
  it('takes exactly the eligible leads, callbacks then recycled then new, and marks them', async () => {
    const [s, c] = await campaign(50);
    const L = s.listId;
    const [newNy, newLa, , , , , , , , recycledDue, , cbLead, , newHi, laterCb] = await insertLeads(
      db.pool,
      [
        { phone: phone(1), listId: L },
        { phone: phone(2), listId: L, tz: [LA] },
        { phone: phone(3), listId: L, tz: [] }, // unknown zone
        { phone: phone(4), listId: L, final: true },
        { phone: phone(5), listId: L }, // system DNC
        { phone: phone(6), listId: L }, // campaign DNC
        { phone: phone(7), listId: s.inactiveListId },
        { phone: phone(8), listId: L, status: 'BUSY', attempts: 3, nextEligibleAt: '2026-01-01' },
        { phone: phone(9), listId: L, status: 'NI', attempts: 1, nextEligibleAt: '2026-02-01' },
        {
          phone: phone(10),
          listId: L,
          status: 'BUSY',
          attempts: 1,
          nextEligibleAt: '2026-01-15T17:00:00Z',
        },
        { phone: phone(11), listId: L, tz: ['Asia/Tokyo'] }, // 03:00 there
        { phone: phone(12), listId: L, status: 'CALLBK', attempts: 2, nextEligibleAt: 'infinity' },
        { phone: phone(13), listId: L, tz: [NY, 'Asia/Tokyo'] }, // split: one zone closed
        { phone: phone(14), listId: L, tz: [HI] },
        { phone: phone(15), listId: L }, // new, but has a callback due tomorrow
      ],
    );
    const other = await seedCampaign(db.pool, { name: `other${seq}` });
    await db.pool.query(
      `INSERT INTO dnc (phone, campaign_id) VALUES ($1, NULL), ($2, $3), ($4, $5)`,
      [phone(5), phone(6), c.id, phone(1), other.campaignId],
    );
    await db.pool.query('UPDATE campaigns SET active = false WHERE id = $1', [other.campaignId]);
    await db.pool.query(
      `INSERT INTO callbacks (lead_id, campaign_id, due_at, time_zone)
       VALUES ($1, $2, '2026-01-15T17:30:00Z', $3), ($4, $2, '2026-01-16T17:30:00Z', $3)`,
      [cbLead, c.id, NY, laterCb],
    );
    const filler = new HopperFiller({ source, hopper, clock });
    const report = await filler.fillCampaign(c);
    expect(report).toMatchObject({ added: 4, size: 4, removed: 0, reclaimed: 0 });
    const order: string[] = [];
    for (;;) {
      const l = await hopper.pop(c.id, 'd', 1_000, NOW);
      if (!l) break;
      order.push(l.entry.leadId);
      expect(l.entry.windowClosesAtMs).toBeGreaterThan(NOW);
    }
    expect(order.slice(0, 2)).toEqual([cbLead, recycledDue]);
    // Honolulu (08:00) is inside the legal hours but not the campaign's 09:00-20:00.
    expect(order.slice(2).sort()).toEqual([newNy, newLa].sort());
    expect(order).not.toContain(newHi);
    expect(order).not.toContain(laterCb);
    const marked = await db.pool.query<{ id: string }>(
      'SELECT id::text FROM leads WHERE hopper_at IS NOT NULL ORDER BY id',
    );
    expect(marked.rows.map((r) => r.id).sort()).toEqual([...order].sort());
    const cb = await db.pool.query<{ status: string }>(
      'SELECT status FROM callbacks ORDER BY due_at',
    );
    expect(cb.rows.map((r) => r.status)).toEqual(['QUEUED', 'PENDING']);
    // A second fill finds nothing more: everything eligible is already in the hopper.
    expect((await filler.fillCampaign(c)).added).toBe(0);
  });

  it('removes leads whose window closed and clears their marks so they can come back', async () => {
    const [s, c] = await campaign(10);
    const [la] = await insertLeads(db.pool, [{ phone: phone(100), listId: s.listId, tz: [LA] }]);
    await insertLeads(db.pool, [{ phone: phone(101), listId: s.listId, tz: [NY] }]);
    const filler = new HopperFiller({ source, hopper, clock });
    expect((await filler.fillCampaign(c)).added).toBe(2);
    // 20:30 in New York: the campaign window (09:00-20:00) has closed there, not in LA.
    clock.set(Date.parse('2026-01-16T01:30:00Z'));
    const r = await filler.fillCampaign(c);
    expect(r).toMatchObject({ removed: 1, added: 0, size: 1 });
    expect((await hopper.entries(c.id)).map((e) => e.leadId)).toEqual([la]);
    const ny = await db.pool.query('SELECT hopper_at FROM leads WHERE phone = $1', [phone(101)]);
    expect(ny.rows[0]?.hopper_at).toBeNull();
    // Next morning in New York it is taken again.
    clock.set(Date.parse('2026-01-16T15:00:00Z'));
    expect((await filler.fillCampaign(c)).added).toBe(1);
  });

  it('uses leads_hopper_idx and the DNC index (EXPLAIN)', async () => {
    const [s, c] = await campaign(500);
    await insertManyLeads(
      db.pool,
      s.listId,
      30_000,
      [NY, LA, 'America/Chicago', ''],
      13_125_550_000,
    );
    await db.pool.query(
      `INSERT INTO dnc (phone, campaign_id)
       SELECT '+' || (13125550000 + g * 100)::text, CASE WHEN g % 2 = 0 THEN NULL ELSE $1::bigint END
       FROM generate_series(0, 299) g`,
      [c.id],
    );
    await db.pool.query('ANALYZE leads');
    await db.pool.query('ANALYZE dnc');
    const r = await db.pool.query<{ 'QUERY PLAN': unknown }>(
      `EXPLAIN (FORMAT JSON) ${TAKE_LEADS_SQL}`,
      [c.id, c.listIds, [NY, LA], 500, c.maxAttempts, [], [], new Date(NOW)],
    );
    const plan = JSON.stringify(r.rows[0]?.['QUERY PLAN']);
    const indexes = [...plan.matchAll(/"Index Name":"([a-z_]+)"/g)].map((m) => m[1]);
    expect(indexes).toContain('leads_hopper_idx');
    expect(indexes).toContain('dnc_phone_campaign_idx');
    // No sequential scan of leads anywhere in the plan.
    expect(plan).not.toMatch(/"Node Type":"Seq Scan"[^{}]*"Relation Name":"leads"/);
  });
});

describe('hopper running low', () => {
  it('reports the queued count after each pop, so the dialer can ask for a refill', async () => {
    const seen: Array<[string, number]> = [];
    const h = new RedisHopper(rc.redis, {
      prefix: rc.prefix,
      onPopped: (c, queued) => void seen.push([c, queued]),
    });
    const cid = CampaignId.parse('low-1');
    const entry = (n: number) => ({
      leadId: LeadId.parse(String(n)),
      listId: ListId.parse('1'),
      campaignId: cid,
      phone: E164.parse('+14155550123'),
      timeZones: [NY],
      priority: 'new' as const,
      attempts: 0,
      windowClosesAtMs: NOW + 60_000,
    });
    await h.add(cid, [1, 2, 3, 4, 5].map(entry));
    await h.pop(cid, 'd', 1_000, NOW);
    await h.popMany(cid, 'd', 3, 1_000, NOW);
    await h.popMany(cid, 'd', 3, 1_000, NOW);
    await h.pop(cid, 'd', 1_000, NOW);
    expect(seen).toEqual([
      ['low-1', 4],
      ['low-1', 1],
      ['low-1', 0],
      ['low-1', 0],
    ]);
    await h.clear(cid);
  });
});

describe('hopper under concurrency', () => {
  it('two fillers and eight poppers: every eligible lead popped exactly once, none lost', async () => {
    const [s, c] = await campaign(100);
    const total = 1_500;
    await insertManyLeads(db.pool, s.listId, total, [NY, LA, 'America/Chicago'], 14_155_550_000);
    const fillers = [
      new HopperFiller({ source, hopper, clock }),
      new HopperFiller({ source, hopper, clock }),
    ];
    const conns = Array.from({ length: 8 }, () => new Redis(TEST_REDIS_URL));
    const popped: LeadId[] = [];
    let done = false;
    const fillLoop = async (f: HopperFiller) => {
      while (!done) {
        await f.fillCampaign(c);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const popLoop = async (conn: Redis, i: number) => {
      const h = new RedisHopper(conn, { prefix: rc.prefix });
      let idle = 0;
      while (idle < 40) {
        const l = await h.pop(c.id, `p${i}`, 60_000, NOW);
        if (!l) {
          idle += 1;
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        idle = 0;
        popped.push(l.entry.leadId);
        expect(await h.ack(c.id, l.entry.leadId, `p${i}`)).toBe(true);
      }
    };
    const fills = fillers.map(fillLoop);
    await Promise.all(conns.map(popLoop));
    done = true;
    await Promise.all(fills);
    for (const conn of conns) conn.disconnect();
    const all = await db.pool.query<{ id: string }>(
      'SELECT id::text FROM leads WHERE list_id = $1',
      [s.listId],
    );
    expect(popped).toHaveLength(total);
    expect(new Set(popped).size).toBe(total);
    expect([...popped].sort()).toEqual(all.rows.map((r) => r.id).sort());
  });

  it('returns the lead of a SIGKILLed consumer exactly once after its lease expires', async () => {
    const [s, c] = await campaign(5);
    await insertManyLeads(db.pool, s.listId, 3, [NY], 16_175_550_000);
    await new HopperFiller({ source, hopper, clock }).fillCampaign(c);
    const child = fork(
      fileURLToPath(new URL('./fixtures/pop-child.ts', import.meta.url)),
      [TEST_REDIS_URL, rc.prefix, c.id, '400', String(NOW)],
      { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
    );
    const exited = new Promise((r) => child.once('exit', r));
    let line: string;
    try {
      line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout?.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf.trim());
        });
        child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const { leadId } = JSON.parse(line) as { leadId: string | null };
    expect(leadId).not.toBeNull();
    expect(await hopper.leasedCount(c.id)).toBe(1);
    expect(await hopper.size(c.id)).toBe(2);
    // Not yet expired: nothing comes back.
    expect(await hopper.reclaimExpired(c.id, NOW + 399)).toEqual([]);
    const reclaimers = Array.from({ length: 4 }, () => new Redis(TEST_REDIS_URL));
    const got = await Promise.all(
      reclaimers.map((r) =>
        new RedisHopper(r, { prefix: rc.prefix }).reclaimExpired(
          CampaignId.parse(c.id),
          Date.now(),
        ),
      ),
    );
    for (const r of reclaimers) r.disconnect();
    expect(got.flat().map((e) => e.leadId)).toEqual([leadId]);
    expect(await hopper.leasedCount(c.id)).toBe(0);
    const again: string[] = [];
    for (;;) {
      const l = await hopper.pop(c.id, 'd2', 60_000, NOW + 500);
      if (!l) break;
      again.push(l.entry.leadId);
    }
    expect(again.filter((id) => id === leadId)).toHaveLength(1);
    expect(again).toHaveLength(3);
  });
});
