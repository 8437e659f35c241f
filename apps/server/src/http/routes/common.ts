import type { Role } from '@ringside/protocol';
import { UnavailableError } from '../../errors.js';
import type { AppDeps, ListAdminDeps } from '../deps.js';

/** Who may call a route: 'public' (no session), or the roles allowed. */
export type RouteAuth = 'public' | readonly Role[];

/** Content types whose body is handed to the route as a stream (lead import). */
export const STREAM_CONTENT_TYPES = ['text/csv', 'application/octet-stream'];

/** Role sets used by the routes; every route names one of these or 'public'. */
export const ANY_ROLE: readonly Role[] = ['agent', 'supervisor', 'admin'];
export const AGENT_ONLY: readonly Role[] = ['agent'];
export const SUPERVISOR: readonly Role[] = ['supervisor', 'admin'];
export const ADMIN: readonly Role[] = ['admin'];

/** The admin dependencies, or 503 when this server was started without them. */
export function listAdmin(deps: AppDeps): ListAdminDeps {
  if (!deps.listAdmin) throw new UnavailableError('list administration is not configured');
  return deps.listAdmin;
}
