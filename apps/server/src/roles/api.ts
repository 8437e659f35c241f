import type { RoleContext, RunningRole } from './context.js';

/** Role `api`. Placeholder until its issue wires it; see docs/architecture.md. */
export async function startApi(ctx: RoleContext): Promise<RunningRole> {
  ctx.logger.warn({ role: 'api' }, 'role has no implementation yet');
  return { name: 'api', stop: async () => undefined };
}
