import type { RoleContext, RunningRole } from './context.js';

/** Role `dialer`. Placeholder until its issue wires it; see docs/architecture.md. */
export async function startDialer(ctx: RoleContext): Promise<RunningRole> {
  ctx.logger.warn({ role: 'dialer' }, 'role has no implementation yet');
  return { name: 'dialer', stop: async () => undefined };
}
