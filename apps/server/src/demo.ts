import { seedDemo, simAgentPhone } from './adapters/postgres/demo-seed.js';
import type { RoleContext, RunningRole } from './roles/context.js';

/** Bots take every demo agent but the first, which is left for a person to log in as. */
const DEMO_AGENTS = 6;

/**
 * `npm start`'s demo: seeds a campaign with leads and users, then logs bot agents in through the
 * same HTTP API and WebSocket a browser uses (started after the api role), and prints where to go.
 */
export async function startDemo(ctx: RoleContext): Promise<RunningRole> {
  const seeded = await seedDemo(ctx.pool, {
    agents: DEMO_AGENTS,
    leads: 2000,
    // On a real Asterisk the bots' lines are phones Asterisk really rings (the test-only context
    // sim-agent-phones of deploy/asterisk/extensions.conf); the first agent, free for a person,
    // keeps the browser phone.
    ...(ctx.config.ari.length > 0
      ? { agentPhone: (u: string, i: number) => (i === 0 ? null : simAgentPhone(u)) }
      : {}),
  });
  const zones = await moveDemoLeadsIntoDaylight(ctx, seeded.listId);
  const url = `http://${ctx.config.http.host}:${ctx.config.http.port}`;
  const { startBotAgents } = await import('@ringside/sim');
  // Bots that cannot start leave the demo running for the person (one line says why); a bot
  // whose phone cannot be reached starts anyway and calls it again (apps/sim/src/bots).
  const bots = await startBotAgents({
    baseUrl: url,
    campaignId: seeded.campaignId,
    count: DEMO_AGENTS - 1,
    first: 2,
    talkMs: 20_000,
    wrapMs: 3_000,
    onLog: (msg, fields) =>
      msg === 'phone not connected'
        ? ctx.logger.warn({ bot: true, ...fields }, 'demo bot: phone not connected')
        : ctx.logger.debug({ bot: true, ...fields }, msg),
  }).catch((err: unknown) => {
    ctx.logger.error(
      { err: err instanceof Error ? err.message : String(err) },
      'demo bot agents did not start; the demo runs without them',
    );
    return null;
  });
  const agents = seeded.credentials.filter((c) => c.role === 'agent');
  const free = agents[0];
  const admin = seeded.credentials.find((c) => c.role === 'admin');
  const supervisor = seeded.credentials.find((c) => c.role === 'supervisor');
  const lines = [
    '',
    `  Ringside demo is running: open ${url}`,
    bots
      ? `  ${DEMO_AGENTS - 1} bot agents are taking calls on campaign ${seeded.campaignId}.`
      : '  The bot agents did not start (see the log); log in as an agent to take calls.',
    zones.length
      ? `  (demo leads were given time zones where it is daytime now: ${zones.join(', ')})`
      : '',
    free ? `  agent (free for you):  ${free.username} / ${free.password}` : '',
    supervisor ? `  supervisor:           ${supervisor.username} / ${supervisor.password}` : '',
    admin ? `  admin:                ${admin.username} / ${admin.password}` : '',
    admin && ctx.config.twoFactor.requireForAdmins
      ? '  (the admin sets up two-factor sign-in at its first sign-in: scan the QR code with an authenticator app)'
      : '',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return { name: 'demo', stop: async () => bots?.stop() };
}

/** Zones spread around the world; the demo picks those where it is daytime now. */
const WORLD_ZONES = [
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Sao_Paulo',
  'Atlantic/Azores',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Athens',
  'Europe/Moscow',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
];

/**
 * The compliance rules never call a lead outside 08:00-21:00 (and the campaign's window) in its
 * local time, so at night in the US a demo of US leads would place no call at all. For the demo
 * only, leads are re-zoned (source 'manual', as an admin could) to zones where it is now between
 * 11:00 and 17:00, so calls flow at any hour while every rule stays in force.
 */
async function moveDemoLeadsIntoDaylight(ctx: RoleContext, listId: string): Promise<string[]> {
  const now = new Date(ctx.clock.nowMs());
  const daylight = WORLD_ZONES.filter((zone) => {
    const hour = Number(
      new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hour: 'numeric',
        hourCycle: 'h23',
      }).format(now),
    );
    return hour >= 11 && hour < 17;
  });
  if (daylight.length === 0) return [];
  await ctx.pool.query(
    `UPDATE leads l
        SET time_zone = z.zone, tz_candidates = ARRAY[z.zone], tz_key = z.zone, tz_source = 'manual',
            updated_at = now()
       FROM (SELECT id, ($2::text[])[1 + (id % array_length($2::text[], 1))] AS zone
               FROM leads WHERE list_id = $1 AND NOT final AND hopper_at IS NULL) z
      WHERE l.id = z.id AND l.tz_key IS DISTINCT FROM z.zone`,
    [listId, daylight],
  );
  return daylight;
}

/** Where the demo's made-up leads are dialed on a real Asterisk (deploy/asterisk/extensions.conf). */
export const DEMO_DIAL_TEMPLATE = 'Local/{digits}@sim-customers';

/**
 * The dial template the demo must use instead of the configured one, or null: on a real Asterisk
 * the demo's made-up numbers go to its test customers, never to a carrier's trunk, unless
 * ARI_DIAL_TEMPLATE was set on purpose. On the simulated PBX the default already does.
 */
export function demoDialTemplate(
  config: { ari: readonly unknown[]; ariDialTemplateSet: boolean },
  demo: boolean,
): string | null {
  return demo && config.ari.length > 0 && !config.ariDialTemplateSet ? DEMO_DIAL_TEMPLATE : null;
}
