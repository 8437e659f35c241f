import { seedDemo } from './services/demo-seed.js';
import type { RoleContext, RunningRole } from './roles/context.js';

/**
 * `npm start`'s demo: seeds a campaign with leads and users, and (once the roles run) logs bot
 * agents in through the same API a browser uses, leaving one agent free for a person to take.
 */
export async function startDemo(ctx: RoleContext): Promise<RunningRole> {
  const seeded = await seedDemo(ctx.pool, { agents: 6, leads: 2000 });
  const url = `http://${ctx.config.http.host}:${ctx.config.http.port}`;
  const agents = seeded.credentials.filter((c) => c.role === 'agent');
  const free = agents[0];
  const admin = seeded.credentials.find((c) => c.role === 'admin');
  const supervisor = seeded.credentials.find((c) => c.role === 'supervisor');
  const lines = [
    '',
    `  Ringside demo is running: open ${url}`,
    free ? `  agent (free for you):  ${free.username} / ${free.password}` : '',
    supervisor ? `  supervisor:           ${supervisor.username} / ${supervisor.password}` : '',
    admin ? `  admin:                ${admin.username} / ${admin.password}` : '',
    '',
  ];
  process.stdout.write(lines.filter((l) => l !== null).join('\n') + '\n');
  return { name: 'demo', stop: async () => undefined };
}
