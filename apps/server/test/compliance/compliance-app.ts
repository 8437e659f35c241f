import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { createComplianceDeps } from '../../src/roles/compliance.js';
import type { Harness } from '../http/harness.js';

type ComplianceOptions = Omit<
  Parameters<typeof createComplianceDeps>[0],
  'pool' | 'redis' | 'prefix'
>;

/** The harness's app with the compliance routes on its database and Redis. */
export function buildComplianceApp(h: Harness, opts: ComplianceOptions): Promise<FastifyInstance> {
  return buildApp({
    ...h.deps,
    compliance: createComplianceDeps({
      pool: h.db.pool,
      redis: h.redis,
      prefix: h.keys.prefix,
      ...opts,
    }),
  });
}
