import type { Role } from '@ringside/protocol';

/** Role sets used by the routes; every route names one of these or 'public'. */
export const ANY_ROLE: readonly Role[] = ['agent', 'supervisor', 'admin'];
export const AGENT_ONLY: readonly Role[] = ['agent'];
export const SUPERVISOR: readonly Role[] = ['supervisor', 'admin'];
export const ADMIN: readonly Role[] = ['admin'];
