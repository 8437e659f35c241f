import type { RoleContext, RunningRole } from './context.js';

/** Role `ari-worker`. Placeholder until its issue wires it; see docs/architecture.md. */
export async function startAriWorker(ctx: RoleContext): Promise<RunningRole> {
  ctx.logger.warn({ role: 'ari-worker' }, 'role has no implementation yet');
  return { name: 'ari-worker', stop: async () => undefined };
}
