import type { RoleContext, RunningRole } from './context.js';

/** Role `scheduler`. Placeholder until its issue wires it; see docs/architecture.md. */
export async function startScheduler(ctx: RoleContext): Promise<RunningRole> {
  ctx.logger.warn({ role: 'scheduler' }, 'role has no implementation yet');
  return { name: 'scheduler', stop: async () => undefined };
}
