import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WhyNotDialedResponse } from '@ringside/protocol';
import { RedisNationalDnc } from '../../src/adapters/redis/national-dnc.js';
import { injectLogin } from '../helpers/admin-app.js';
import { createHarness, type Harness } from '../http/harness.js';
import { buildComplianceApp } from './compliance-app.js';

/**
 * "Why is this lead not being dialed?" names the national DNC registry (the dialer's own Redis
 * bitsets) when the number is registered and the campaign scrubs it, and not once an admin has
 * exempted the campaign.
 */
let h: Harness;
let app: FastifyInstance;
let token = '';
let leadId = '';

beforeAll(async () => {
  h = await createHarness();
  const national = new RedisNationalDnc(h.redis, h.keys);
  app = await buildComplianceApp(h, { clock: h.deps.clock, national });
  token = await injectLogin(app, 'super');
  await national.applyChanges([{ npa: '415', line: 5550177, listed: true }]);
  const r = await h.db.pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key, tz_source)
     VALUES ($1, '+14155550177', 'America/Los_Angeles', '{America/Los_Angeles}',
             'America/Los_Angeles', 'manual')
     RETURNING id::text`,
    [h.listId],
  );
  leadId = r.rows[0]?.id ?? '';
}, 60_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
});

const dncReason = async () => {
  const r = await app.inject({
    method: 'GET',
    url: `/api/leads/${leadId}/why-not-dialed`,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(r.statusCode).toBe(200);
  return (r.json() as WhyNotDialedResponse).reasons.find((x) => x.code === 'DNC')?.message ?? null;
};

describe('why not dialed: the national DNC registry', () => {
  it('names the registry for a registered number on a campaign that scrubs it', async () => {
    expect(await dncReason()).toMatch(/national DNC registry/);
  });

  it('says nothing of it once the campaign is exempted', async () => {
    await h.db.pool.query('UPDATE campaigns SET national_dnc_scrub = false WHERE id = $1', [
      h.campaignId,
    ]);
    expect(await dncReason()).toBeNull();
  });
});
