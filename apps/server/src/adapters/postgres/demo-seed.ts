import { hash } from '@node-rs/argon2';
import type pg from 'pg';
import { inTransaction } from './transaction.js';
import { deriveTimeZone } from '../../domain/timezone/index.js';
import { ValidationError } from '../../errors.js';

/**
 * Demo data for `npm start` on the simulated PBX: users, a team, an active predictive campaign,
 * a list of leads, system dispositions and pause codes. Idempotent: running it again changes
 * nothing but the demo users' passwords (set to the ones given) and adds leads up to `leads`.
 *
 * The simulated PBX picks a call's outcome from the last digit of the number (0-4 human,
 * 5-6 machine, 7 no answer, 8 busy, 9 congestion), so the leads' last digits cycle 0-9.
 */
export interface SeedDemoOptions {
  /** Number of agents (agent1..agentN). Default 4. */
  agents?: number;
  /** Number of leads in the demo list. Default 200, at most 100,000. */
  leads?: number;
  /** Password of every demo user. Default 'ringside-demo'. */
  password?: string;
  campaignName?: string;
  /**
   * The external phone of demo agent `username` (the index-th, from 0): its dial string, stored
   * as users.sip_endpoint with phone type sip, or null for the browser phone. Default: every
   * agent uses the browser phone. On a real Asterisk the demo's bots get `simAgentPhone(name)`.
   */
  agentPhone?: (username: string, index: number) => string | null;
}

/** The test-only dialplan context of the bots' phones (deploy/asterisk/extensions.conf). */
export const SIM_AGENT_PHONES_CONTEXT = 'sim-agent-phones';

/**
 * A demo bot's phone on a real Asterisk: Local/<username>@sim-agent-phones answers and stays up,
 * so Asterisk really rings the bot's line (never needed in production).
 */
export function simAgentPhone(username: string): string {
  return `Local/${username}@${SIM_AGENT_PHONES_CONTEXT}`;
}

export interface DemoCredential {
  username: string;
  password: string;
  role: 'admin' | 'supervisor' | 'agent';
}

export interface SeedDemoResult {
  adminId: string;
  supervisorId: string;
  agentIds: string[];
  teamId: string;
  campaignId: string;
  listId: string;
  /** Leads added by this run (0 when the list already held enough). */
  leadsCreated: number;
  credentials: DemoCredential[];
}

/** Agent dispositions, system-wide. Call outcomes (BUSY, NO_ANSWER...) are not dispositions. */
export const DEMO_DISPOSITIONS = [
  { code: 'SALE', name: 'Sale', human: true, sale: true, dnc: false, callback: false, final: true },
  {
    code: 'NI',
    name: 'Not interested',
    human: true,
    sale: false,
    dnc: false,
    callback: false,
    final: true,
  },
  {
    code: 'CALLBK',
    name: 'Call back',
    human: true,
    sale: false,
    dnc: false,
    callback: true,
    final: false,
  },
  {
    code: 'DNC',
    name: 'Do not call',
    human: true,
    sale: false,
    dnc: true,
    callback: false,
    final: true,
  },
  {
    code: 'NQ',
    name: 'Not qualified',
    human: true,
    sale: false,
    dnc: false,
    callback: false,
    final: true,
  },
  {
    code: 'WN',
    name: 'Wrong number',
    human: true,
    sale: false,
    dnc: false,
    callback: false,
    final: true,
  },
  {
    code: 'HU',
    name: 'Hung up',
    human: true,
    sale: false,
    dnc: false,
    callback: false,
    final: false,
  },
  {
    code: 'AM',
    name: 'Answering machine (agent)',
    human: false,
    sale: false,
    dnc: false,
    callback: false,
    final: false,
  },
] as const;

export const DEMO_PAUSE_CODES = [
  { code: 'BREAK', name: 'Break', billable: false },
  { code: 'LUNCH', name: 'Lunch', billable: false },
  { code: 'MEETING', name: 'Meeting', billable: true },
  { code: 'TRAIN', name: 'Training', billable: true },
  { code: 'TECH', name: 'Technical problem', billable: true },
] as const;

/** Recycle rules of the demo campaign: status, delay (s), max attempts. */
const DEMO_RECYCLE: ReadonlyArray<[string, number, number]> = [
  ['BUSY', 300, 5],
  ['NO_ANSWER', 1800, 4],
  ['MACHINE', 3600, 3],
  ['CONGESTION', 600, 5],
  ['DROPPED', 900, 3],
  ['HU', 3600, 3],
  ['AM', 7200, 3],
];

/** Area codes of single-zone US regions: New York, Chicago, Denver, Phoenix, Los Angeles, Honolulu... */
const DEMO_AREA_CODES = ['212', '404', '312', '713', '303', '602', '415', '206', '907', '808'];

const FIRST_NAMES = ['Alex', 'Sam', 'Jordan', 'Taylor', 'Casey', 'Riley', 'Morgan', 'Jamie'];
const LAST_NAMES = ['Rivera', 'Chen', 'Okafor', 'Novak', 'Haddad', 'Silva', 'Kowalski', 'Brennan'];

/** The demo lead number i: area code cycles through zones, the last digit is i mod 10. */
export function demoPhone(i: number): string {
  // The tens digit picks the area code, shifted by each block of 10,000 so that numbers stay
  // distinct up to 100,000 leads.
  const ac =
    DEMO_AREA_CODES[(Math.floor(i / 10) + Math.floor(i / 10_000)) % DEMO_AREA_CODES.length] ??
    '212';
  const line = String(i % 10_000).padStart(4, '0');
  // 555 exchange: unassigned in real life outside 555-01xx (reserved for fiction).
  return `+1${ac}555${line}`;
}

export async function seedDemo(pool: pg.Pool, opts: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  const agents = opts.agents ?? 4;
  const leads = opts.leads ?? 200;
  const password = opts.password ?? 'ringside-demo';
  const campaignName = opts.campaignName ?? 'Demo predictive';
  if (!Number.isInteger(agents) || agents < 0 || agents > 500) {
    throw new ValidationError('agents must be 0-500', [
      { path: 'agents', message: 'must be 0-500' },
    ]);
  }
  // 10 area codes x 10,000 line numbers: distinct numbers up to 100,000.
  if (!Number.isInteger(leads) || leads < 0 || leads > 100_000) {
    throw new ValidationError('leads must be 0-100000', [
      { path: 'leads', message: 'must be 0-100000' },
    ]);
  }
  if (password.length < 8) {
    throw new ValidationError('password must be at least 8 characters', [
      { path: 'password', message: 'too short' },
    ]);
  }

  const users: DemoCredential[] = [
    { username: 'admin', password, role: 'admin' },
    { username: 'supervisor', password, role: 'supervisor' },
    ...Array.from({ length: agents }, (_, i) => ({
      username: `agent${i + 1}`,
      password,
      role: 'agent' as const,
    })),
  ];
  const phoneOf = (u: DemoCredential): string | null => {
    if (u.role !== 'agent' || !opts.agentPhone) return null;
    return opts.agentPhone(u.username, Number(u.username.slice('agent'.length)) - 1);
  };
  // Hash before the transaction: argon2 is slow on purpose, the transaction should not wait on it.
  const passwordHash = await hash(password);

  return inTransaction(pool, async (client) => {
    const team = await client.query<{ id: string }>(
      `INSERT INTO teams (name) VALUES ('Demo team')
       ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id::text AS id`,
    );
    const teamId = one(team.rows).id;

    const ids = new Map<string, string>();
    for (const u of users) {
      const r = await client.query<{ id: string }>(
        `INSERT INTO users (username, display_name, role, password_hash, team_id, phone_type,
                            sip_endpoint)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (username) DO UPDATE
           SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role, active = true,
               team_id = EXCLUDED.team_id, phone_type = EXCLUDED.phone_type,
               sip_endpoint = EXCLUDED.sip_endpoint, updated_at = now()
         RETURNING id::text AS id`,
        [
          u.username,
          displayName(u.username),
          u.role,
          passwordHash,
          u.role === 'admin' ? null : teamId,
          // Every run sets the phones again: a demo on the simulated PBX after one on a real
          // Asterisk gives the bots their simulated phones back.
          phoneOf(u) ? 'sip' : 'webrtc',
          phoneOf(u),
        ],
      );
      ids.set(u.username, one(r.rows).id);
    }

    const campaign = await client.query<{ id: string }>(
      `INSERT INTO campaigns (name, active, dial_method, dial_level, hopper_size, window_start, window_end,
                              max_attempts, caller_id, script)
       VALUES ($1, true, 'predictive', 1.5, 200, '08:00', '21:00', 6, '+12125550100', $2)
       ON CONFLICT (name) DO UPDATE SET active = true RETURNING id::text AS id`,
      [
        campaignName,
        'Hello {{first_name}}, this is {{agent_name}} calling from Ringside about your account in {{city}}.',
      ],
    );
    const campaignId = one(campaign.rows).id;
    for (const [status, delayS, maxAttempts] of DEMO_RECYCLE) {
      await client.query(
        `INSERT INTO campaign_recycle_rules (campaign_id, status, delay_s, max_attempts) VALUES ($1, $2, $3, $4)
         ON CONFLICT (campaign_id, status) DO NOTHING`,
        [campaignId, status, delayS, maxAttempts],
      );
    }

    const existingList = await client.query<{ id: string }>(
      `SELECT id::text AS id FROM lists WHERE campaign_id = $1 AND name = 'Demo leads' ORDER BY id LIMIT 1`,
      [campaignId],
    );
    const listId =
      existingList.rows[0]?.id ??
      one(
        (
          await client.query<{ id: string }>(
            `INSERT INTO lists (campaign_id, name) VALUES ($1, 'Demo leads') RETURNING id::text AS id`,
            [campaignId],
          )
        ).rows,
      ).id;

    for (const [i, d] of DEMO_DISPOSITIONS.entries()) {
      await client.query(
        `INSERT INTO dispositions (campaign_id, code, name, human_answered, sale, dnc, callback, final, sort_order)
         VALUES (NULL, $1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT ((coalesce(campaign_id, 0)), code) DO NOTHING`,
        [d.code, d.name, d.human, d.sale, d.dnc, d.callback, d.final, i * 10],
      );
    }
    for (const p of DEMO_PAUSE_CODES) {
      await client.query(
        `INSERT INTO pause_codes (campaign_id, code, name, billable) VALUES (NULL, $1, $2, $3)
         ON CONFLICT ((coalesce(campaign_id, 0)), code) DO NOTHING`,
        [p.code, p.name, p.billable],
      );
    }

    // Leads in one statement from arrays (one round trip whatever the count).
    const cols = {
      phone: [] as string[],
      first: [] as string[],
      last: [] as string[],
      zone: [] as Array<string | null>,
      key: [] as string[],
      source: [] as string[],
      city: [] as string[],
    };
    for (let i = 0; i < leads; i++) {
      const phone = demoPhone(i);
      const tz = deriveTimeZone({ phone, country: 'US' });
      cols.phone.push(phone);
      cols.first.push(FIRST_NAMES[i % FIRST_NAMES.length] ?? 'Alex');
      cols.last.push(
        LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length] ?? 'Rivera',
      );
      cols.zone.push(tz.timeZone);
      cols.key.push(tz.key);
      cols.source.push(tz.source);
      cols.city.push(tz.timeZone?.split('/').pop()?.replace(/_/g, ' ') ?? '');
    }
    const inserted = await client.query<{ id: string }>(
      `WITH ins AS (
         INSERT INTO leads (list_id, phone, first_name, last_name, city, time_zone, tz_candidates, tz_key, tz_source,
                            custom)
         SELECT $1, t.phone, t.first, t.last, t.city, t.zone, string_to_array(t.key, ','), t.key, t.source,
                jsonb_build_object('demo', true)
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                AS t(phone, first, last, zone, key, source, city)
         ON CONFLICT (list_id, phone) DO NOTHING
         RETURNING id
       ), logged AS (
         INSERT INTO lead_log (lead_id, kind, detail) SELECT id, 'imported', '{"source":"demo"}' FROM ins
       )
       SELECT count(*)::text AS id FROM ins`,
      [listId, cols.phone, cols.first, cols.last, cols.zone, cols.key, cols.source, cols.city],
    );

    return {
      adminId: ids.get('admin') ?? '',
      supervisorId: ids.get('supervisor') ?? '',
      agentIds: users.filter((u) => u.role === 'agent').map((u) => ids.get(u.username) ?? ''),
      teamId,
      campaignId,
      listId,
      leadsCreated: Number(one(inserted.rows).id),
      credentials: users,
    };
  });
}

function displayName(username: string): string {
  const m = /^agent(\d+)$/.exec(username);
  if (m) return `Agent ${m[1]}`;
  return username.charAt(0).toUpperCase() + username.slice(1);
}

function one<T>(rows: T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('expected one row');
  return row;
}
