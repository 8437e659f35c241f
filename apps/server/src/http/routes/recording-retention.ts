import type { FastifyInstance } from 'fastify';
import { IdParams, LegalHoldBody, LegalHoldResponse } from '@ringside/protocol';
import { NotFoundError, UnavailableError } from '../../errors.js';
import type { LegalHoldRows } from '../../services/recordings/store/ports.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { actor } from './admin-people.js';
import { ADMIN } from './common.js';

/**
 * Legal holds (issue 15 point 5; docs/recording.md "Storage and retention"): a recording on hold,
 * or every recording of a lead on hold, is never purged by retention. Admins only; every change
 * is audited. The store (LegalHoldRows): adapters/storage/recording-rows.ts, wired in roles/api.ts.
 */
export function registerRecordingRetentionRoutes(app: FastifyInstance, deps: AppDeps): void {
  const holds = (): LegalHoldRows => {
    if (!deps.legalHolds) throw new UnavailableError('legal holds are not available');
    return deps.legalHolds;
  };

  defineRoute(app, {
    method: 'PUT',
    url: '/api/leads/:id/legal-hold',
    auth: ADMIN,
    summary: "Put a lead's recordings on legal hold (kept past retention), or lift the hold.",
    tags: ['recordings'],
    params: IdParams,
    body: LegalHoldBody,
    response: LegalHoldResponse,
    handler: async ({ params, body, user }) => {
      if (!(await holds().setLeadHold(params.id, body.hold)))
        throw new NotFoundError(`lead ${params.id} not found`);
      await deps.audit.record({
        userId: actor(user),
        action: body.hold ? 'lead.legal_hold.set' : 'lead.legal_hold.lift',
        target: `lead:${params.id}`,
        detail: { hold: body.hold },
      });
      return { id: params.id, hold: body.hold };
    },
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/recordings/:id/legal-hold',
    auth: ADMIN,
    summary: 'Put a recording on legal hold (kept past retention), or lift the hold.',
    tags: ['recordings'],
    params: IdParams,
    body: LegalHoldBody,
    response: LegalHoldResponse,
    handler: async ({ params, body, user }) => {
      if (!(await holds().setRecordingHold(params.id, body.hold)))
        throw new NotFoundError(`recording ${params.id} not found`);
      await deps.audit.record({
        userId: actor(user),
        action: body.hold ? 'recording.legal_hold.set' : 'recording.legal_hold.lift',
        target: `recording:${params.id}`,
        detail: { hold: body.hold },
      });
      return { id: params.id, hold: body.hold };
    },
  });
}
