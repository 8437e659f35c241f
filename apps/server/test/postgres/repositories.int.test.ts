import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/adapters/postgres/database.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { type CampaignsRepo } from '../../src/ports/campaigns.js';
import { createListsRepo } from '../../src/adapters/postgres/lists.js';
import { createLeadsRepo } from '../../src/adapters/postgres/leads.js';
import { createDncRepo } from '../../src/adapters/postgres/dnc.js';
import { createDispositionsRepo } from '../../src/adapters/postgres/dispositions.js';
import { createPauseCodesRepo } from '../../src/adapters/postgres/pause-codes.js';
import { createCallbacksRepo } from '../../src/adapters/postgres/callbacks.js';
import { createLeadLogRepo } from '../../src/adapters/postgres/lead-log.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

describe('PostgreSQL repositories', () => {
  let tdb: TestDb;
  let db: Db;
  let campaigns: CampaignsRepo;

  beforeAll(async () => {
    tdb = await createTestDb('repos');
    db = createDb(tdb.pool);
    campaigns = createCampaignsRepo(db);
  });
  afterAll(async () => {
    await tdb.drop();
  });

  describe('campaigns', () => {
    it('creates a campaign with the schema defaults and reads it back as numbers', async () => {
      const c = await campaigns.create({ name: 'Defaults' });
      expect(c).toMatchObject({
        name: 'Defaults',
        active: false,
        dialMethod: 'predictive',
        dialLevel: 1,
        dropRateCapPct: 3,
        dropWaitMs: 2000,
        ringTimeoutS: 25,
        windowStart: '09:00',
        windowEnd: '20:00',
        callerId: null,
      });
      expect(await campaigns.get(c.id)).toEqual(c);
      expect((await campaigns.list()).map((x) => x.id)).toContain(c.id);
    });

    it.each([
      [{ dropWaitMs: 2500 }, 'dropWaitMs', /at most 2000 ms/],
      [{ ringTimeoutS: 10 }, 'ringTimeoutS', /at least 15 s/],
      [{ dialLevel: 0 }, 'dialLevel', /greater than 0/],
      [{ dropRateCapPct: 3.5 }, 'dropRateCapPct', /at most 3/],
      [{ windowStart: '07:30' }, 'windowStart', /08:00 or later/],
      [{ windowEnd: '21:30' }, 'windowEnd', /21:00 or earlier/],
      [{ windowStart: '12:00', windowEnd: '11:00' }, 'windowEnd', /after windowStart/],
      [{ windowStart: '9am' }, 'windowStart', /HH:MM/],
      [{ callerId: '5551234' }, 'callerId', /E\.164/],
      [{ hopperSize: 0 }, 'hopperSize', /at least 1/],
      [{ dialMethod: 'robocall' }, 'dialMethod', /./],
      [{ bogus: 1 }, '', /./],
    ])('refuses %o with a ValidationError naming %s', async (settings, field, message) => {
      const err = await campaigns
        .create({ name: `bad ${JSON.stringify(settings)}`, ...(settings as object) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(message);
      if (field) expect((err as ValidationError).issues[0]?.path).toBe(field);
    });

    it('updates only the given settings, checks the window against the stored one, and refuses bad updates', async () => {
      const c = await campaigns.create({
        name: 'Updatable',
        windowStart: '10:00',
        windowEnd: '18:00',
      });
      const u = await campaigns.update(c.id, { dialLevel: 2.5, active: true, windowEnd: '21:00' });
      expect(u).toMatchObject({
        dialLevel: 2.5,
        active: true,
        windowStart: '10:00',
        windowEnd: '21:00',
        ringTimeoutS: 25,
      });
      await expect(campaigns.update(c.id, { windowEnd: '09:00' })).rejects.toThrow(
        /after windowStart/,
      );
      await expect(campaigns.update(c.id, { dropWaitMs: 2001 })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(campaigns.update('987654', { active: true })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect((await campaigns.get(c.id))?.dropWaitMs).toBe(2000);
    });

    it('refuses a second campaign with the same name as a ConflictError', async () => {
      await campaigns.create({ name: 'Unique name' });
      await expect(campaigns.create({ name: 'Unique name' })).rejects.toBeInstanceOf(ConflictError);
    });

    it('replaces recycle rules and refuses out-of-range ones', async () => {
      const c = await campaigns.create({ name: 'Recycling' });
      await campaigns.setRecycleRules(c.id, [
        { status: 'BUSY', delayS: 300, maxAttempts: 5 },
        { status: 'NO_ANSWER', delayS: 1800, maxAttempts: 3 },
      ]);
      await campaigns.setRecycleRules(c.id, [{ status: 'BUSY', delayS: 600, maxAttempts: 4 }]);
      expect(await campaigns.recycleRules(c.id)).toEqual([
        { status: 'BUSY', delayS: 600, maxAttempts: 4 },
      ]);
      await expect(
        campaigns.setRecycleRules(c.id, [{ status: 'BUSY', delayS: -1, maxAttempts: 4 }]),
      ).rejects.toThrow(/delayS must be at least 0/);
    });
  });

  describe('lists, leads and lead_log', () => {
    it('creates lists, counts leads, searches by phone and name prefix and returns history', async () => {
      const c = await campaigns.create({ name: 'Lists' });
      const lists = createListsRepo(db);
      const leads = createLeadsRepo(db);
      const list = await lists.create({ campaignId: c.id, name: 'Spring' });
      expect(await lists.listByCampaign(c.id)).toEqual([list]);
      expect(await lists.update(list.id, { active: false })).toMatchObject({ active: false });
      await expect(lists.create({ campaignId: '999999', name: 'x' })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(lists.create({ campaignId: c.id, name: ' ' })).rejects.toBeInstanceOf(
        ValidationError,
      );

      const inserted = await tdb.pool.query<{ id: string }>(
        `INSERT INTO leads (list_id, phone, first_name, last_name, tz_candidates, tz_key, time_zone, tz_source)
         VALUES ($1, '+12125550001', 'Ann', 'Obrien', '{America/New_York}', 'America/New_York', 'America/New_York', 'area_code'),
                ($1, '+12125550002', 'Obi', 'Smith', '{}', '', NULL, 'unknown'),
                ($1, '+12125550003', 'Zed', 'Zo_e', '{}', '', NULL, 'unknown')
         RETURNING id`,
        [list.id],
      );
      const firstId = inserted.rows[0]?.id ?? '';
      expect(await lists.counts(list.id)).toEqual({
        total: 3,
        new: 3,
        final: 0,
        unknownTimeZone: 2,
      });

      const byPhone = await leads.search({ phone: '+12125550001' });
      expect(byPhone.map((l) => [l.firstName, l.tzCandidates])).toEqual([
        ['Ann', ['America/New_York']],
      ]);
      expect(
        (await leads.search({ name: 'ob', campaignId: c.id })).map((l) => l.firstName).sort(),
      ).toEqual(['Ann', 'Obi']);
      // A LIKE wildcard in the query is a plain character.
      expect((await leads.search({ name: 'zo_' })).map((l) => l.firstName)).toEqual(['Zed']);
      expect(await leads.search({ name: 'zo%' })).toEqual([]);
      await expect(leads.search({ phone: '2125550001' })).rejects.toBeInstanceOf(ValidationError);
      await expect(leads.search({})).rejects.toBeInstanceOf(ValidationError);

      const leadLog = createLeadLogRepo(db);
      await leadLog.append([
        {
          leadId: firstId,
          kind: 'imported',
          at: new Date('2026-01-01T10:00:00Z'),
          detail: { importJobId: '1' },
        },
        { leadId: firstId, kind: 'dialed', at: new Date('2026-01-02T10:00:00Z'), callId: 'call-1' },
      ]);
      const history = await leads.history(firstId);
      expect(history.map((h) => [h.kind, h.callId, h.detail])).toEqual([
        ['imported', null, { importJobId: '1' }],
        ['dialed', 'call-1', {}],
      ]);
      expect((await leads.get(firstId))?.phone).toBe('+12125550001');
      expect(await leads.get('999999')).toBeNull();
    });
  });

  describe('dnc', () => {
    it('adds system-wide and campaign entries with who and when, idempotently, and looks up what applies', async () => {
      const a = await campaigns.create({ name: 'DNC A' });
      const b = await campaigns.create({ name: 'DNC B' });
      const user = await tdb.pool.query<{ id: string }>(
        "INSERT INTO users (username, display_name, role, password_hash) VALUES ('sup', 'Sup', 'supervisor', 'x') RETURNING id",
      );
      const userId = user.rows[0]?.id ?? '';
      const dnc = createDncRepo(db);
      const sys = await dnc.add({ phone: '+12125550900', addedBy: userId, note: 'asked' });
      expect(sys).toMatchObject({
        campaignId: null,
        addedBy: userId,
        source: 'manual',
        note: 'asked',
      });
      expect(sys.addedAt).toBeInstanceOf(Date);
      expect(await dnc.add({ phone: '+12125550900' })).toEqual(sys);
      const camp = await dnc.add({
        phone: '+12125550901',
        campaignId: a.id,
        source: 'disposition',
      });

      expect(await dnc.lookup('+12125550900', b.id)).toEqual([sys]);
      expect(await dnc.lookup('+12125550901', a.id)).toEqual([camp]);
      expect(await dnc.lookup('+12125550901', b.id)).toEqual([]);
      expect(await dnc.lookup('+12125550901')).toEqual([]);
      expect((await dnc.list({ campaignId: a.id })).map((e) => e.phone)).toEqual(['+12125550901']);

      expect(await dnc.remove('+12125550901', b.id)).toBe(false);
      expect(await dnc.remove('+12125550901', a.id)).toBe(true);
      expect(await dnc.lookup('+12125550901', a.id)).toEqual([]);
      await expect(dnc.add({ phone: '212-555-0900' })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('dispositions and pause codes', () => {
    it('lists system-wide codes plus the campaign ones, a campaign code hiding the system one', async () => {
      const c = await campaigns.create({ name: 'Dispo' });
      const repo = createDispositionsRepo(db);
      await repo.create({ code: 'SALE', name: 'Sale', sale: true, final: true });
      await repo.create({ code: 'NI', name: 'Not interested', final: true, sortOrder: 5 });
      const own = await repo.create({
        campaignId: c.id,
        code: 'NI',
        name: 'Campaign NI',
        final: false,
      });
      const forC = await repo.forCampaign(c.id);
      // Ordered by sort_order, then code: the campaign's NI (0) comes before the system NI (5) would.
      expect(forC.map((d) => [d.code, d.name])).toEqual([
        ['NI', 'Campaign NI'],
        ['SALE', 'Sale'],
      ]);
      expect((await repo.forCampaign(null)).map((d) => d.name)).toEqual(['Sale', 'Not interested']);
      expect(await repo.findByCode(c.id, 'NI')).toEqual(own);
      expect(await repo.update(own.id, { dnc: true })).toMatchObject({
        dnc: true,
        name: 'Campaign NI',
      });
      await expect(repo.create({ code: 'SALE', name: 'again' })).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(repo.create({ code: 'bad code', name: 'x' })).rejects.toThrow(/code must be/);
      expect(await repo.remove(own.id)).toBe(true);

      const pauses = createPauseCodesRepo(db);
      await pauses.create({ code: 'BREAK', name: 'Break' });
      await pauses.create({ campaignId: c.id, code: 'TRAIN', name: 'Training', billable: true });
      expect((await pauses.forCampaign(c.id)).map((p) => [p.code, p.billable])).toEqual([
        ['BREAK', false],
        ['TRAIN', true],
      ]);
      expect((await pauses.forCampaign(null)).map((p) => p.code)).toEqual(['BREAK']);
    });
  });

  describe('callbacks', () => {
    it('creates callbacks, lists the due ones and moves status only from the expected one', async () => {
      const c = await campaigns.create({ name: 'Callbacks' });
      const list = await createListsRepo(db).create({ campaignId: c.id, name: 'cb' });
      const lead = await tdb.pool.query<{ id: string }>(
        "INSERT INTO leads (list_id, phone) VALUES ($1, '+13125550001') RETURNING id",
        [list.id],
      );
      const leadId = lead.rows[0]?.id ?? '';
      const repo = createCallbacksRepo(db);
      const soon = await repo.create({
        leadId,
        campaignId: c.id,
        dueAt: new Date('2026-03-01T15:00:00Z'),
        timeZone: 'America/Chicago',
      });
      await repo.create({
        leadId,
        campaignId: c.id,
        dueAt: new Date('2026-03-09T15:00:00Z'),
        timeZone: 'America/Chicago',
        note: 'later',
      });
      expect((await repo.due(c.id, new Date('2026-03-02T00:00:00Z'))).map((x) => x.id)).toEqual([
        soon.id,
      ]);
      expect(await repo.setStatus(soon.id, 'QUEUED', ['PENDING'])).toBe(true);
      expect(await repo.setStatus(soon.id, 'QUEUED', ['PENDING'])).toBe(false);
      expect(await repo.due(c.id, new Date('2026-03-02T00:00:00Z'))).toEqual([]);
      expect((await repo.forLead(leadId)).map((x) => x.status)).toEqual(['QUEUED', 'PENDING']);
      await expect(repo.setStatus('999999', 'DONE', ['PENDING'])).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(
        repo.create({
          leadId,
          campaignId: c.id,
          dueAt: new Date('x'),
          timeZone: 'America/Chicago',
        }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        repo.create({
          leadId: '999999',
          campaignId: c.id,
          dueAt: new Date(),
          timeZone: 'America/Chicago',
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });
});
