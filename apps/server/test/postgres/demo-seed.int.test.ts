import { verify } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { seedDemo, simAgentPhone } from '../../src/adapters/postgres/demo-seed.js';
import { useTestDb } from '../helpers/hooks.js';

describe('seedDemo', () => {
  const db = useTestDb('seed');

  it('creates users with argon2id hashes, an active predictive campaign, leads for every outcome digit, dispositions and pause codes', async () => {
    const r = await seedDemo(db.pool, { agents: 3, leads: 120, password: 'demo-pass-1' });
    expect(r.agentIds).toHaveLength(3);
    expect(r.leadsCreated).toBe(120);
    expect(r.credentials.map((c) => [c.username, c.role])).toEqual([
      ['admin', 'admin'],
      ['supervisor', 'supervisor'],
      ['agent1', 'agent'],
      ['agent2', 'agent'],
      ['agent3', 'agent'],
    ]);

    const user = await db.pool.query<{ password_hash: string; team_id: string }>(
      "SELECT password_hash, team_id::text FROM users WHERE username = 'agent2'",
    );
    const hash = user.rows[0]?.password_hash ?? '';
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(await verify(hash, 'demo-pass-1')).toBe(true);
    expect(user.rows[0]?.team_id).toBe(r.teamId);

    const campaign = await db.pool.query(
      'SELECT active, dial_method FROM campaigns WHERE id = $1',
      [r.campaignId],
    );
    expect(campaign.rows[0]).toEqual({ active: true, dial_method: 'predictive' });

    const digits = await db.pool.query<{ d: string; n: number }>(
      'SELECT right(phone, 1) AS d, count(*)::int AS n FROM leads WHERE list_id = $1 GROUP BY 1 ORDER BY 1',
      [r.listId],
    );
    expect(digits.rows).toEqual(Array.from({ length: 10 }, (_, d) => ({ d: String(d), n: 12 })));
    const zones = await db.pool.query<{ tz_key: string }>(
      'SELECT DISTINCT tz_key FROM leads WHERE list_id = $1',
      [r.listId],
    );
    expect(zones.rows.length).toBeGreaterThanOrEqual(5);
    expect(zones.rows.map((z) => z.tz_key)).toContain('America/Los_Angeles');

    const dispo = await db.pool.query(
      'SELECT code, sale, dnc, callback, final FROM dispositions WHERE campaign_id IS NULL ORDER BY sort_order',
    );
    expect(dispo.rows.slice(0, 4)).toEqual([
      { code: 'SALE', sale: true, dnc: false, callback: false, final: true },
      { code: 'NI', sale: false, dnc: false, callback: false, final: true },
      { code: 'CALLBK', sale: false, dnc: false, callback: true, final: false },
      { code: 'DNC', sale: false, dnc: true, callback: false, final: true },
    ]);
    const pauses = await db.pool.query('SELECT count(*)::int AS n FROM pause_codes');
    expect(pauses.rows[0]).toEqual({ n: 5 });
  });

  it('on a real Asterisk gives the bots phones Asterisk rings (Local/<name>@sim-agent-phones) and leaves the free agent the browser phone; a later run without gives them back', async () => {
    const phones = async () =>
      (
        await db.pool.query<{ username: string; phone_type: string; sip_endpoint: string | null }>(
          "SELECT username, phone_type, sip_endpoint FROM users WHERE username LIKE 'agent%' ORDER BY username",
        )
      ).rows;
    await seedDemo(db.pool, {
      agents: 3,
      leads: 10,
      password: 'demo-pass-1',
      agentPhone: (username, i) => (i === 0 ? null : simAgentPhone(username)),
    });
    expect(await phones()).toEqual([
      { username: 'agent1', phone_type: 'webrtc', sip_endpoint: null },
      { username: 'agent2', phone_type: 'sip', sip_endpoint: 'Local/agent2@sim-agent-phones' },
      { username: 'agent3', phone_type: 'sip', sip_endpoint: 'Local/agent3@sim-agent-phones' },
    ]);
    await seedDemo(db.pool, { agents: 3, leads: 10, password: 'demo-pass-1' });
    expect(
      (await phones()).every((u) => u.phone_type === 'webrtc' && u.sip_endpoint === null),
    ).toBe(true);
  });

  it('is idempotent: a second run returns the same ids and adds only missing leads', async () => {
    const first = await seedDemo(db.pool, { agents: 3, leads: 120, password: 'demo-pass-1' });
    const again = await seedDemo(db.pool, { agents: 3, leads: 150, password: 'demo-pass-2' });
    expect(again).toMatchObject({
      adminId: first.adminId,
      campaignId: first.campaignId,
      listId: first.listId,
      agentIds: first.agentIds,
      leadsCreated: 30,
    });
    const counts = await db.pool.query(
      `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM campaigns) AS campaigns,
              (SELECT count(*)::int FROM lists) AS lists, (SELECT count(*)::int FROM dispositions) AS dispositions,
              (SELECT count(*)::int FROM leads) AS leads`,
    );
    expect(counts.rows[0]).toEqual({
      users: 5,
      campaigns: 1,
      lists: 1,
      dispositions: 8,
      leads: 150,
    });
    const hash = await db.pool.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE username = 'admin'",
    );
    expect(await verify(hash.rows[0]?.password_hash ?? '', 'demo-pass-2')).toBe(true);
  });
});
