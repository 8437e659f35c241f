import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CallIdParams, IdParams, LeadView, RecordingControlResponse } from '@ringside/protocol';
import type { CallId } from '@ringside/protocol';
import { NotFoundError, UnauthorizedError, UnavailableError } from '../../errors.js';
import type { SessionUser } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { ADMIN, ANY_ROLE } from './common.js';
import { leadView } from './leads.js';

/** PUT /api/leads/:id/recording-consent: the lead's override of the consent notice rule. */
const RecordingConsentBody = z
  .object({
    recordingConsent: z
      .enum(['always', 'never'], {
        error: 'must be always, never or null (the campaign rule)',
      })
      .nullable(),
  })
  .strict();

/**
 * The call's recording commands (docs/recording.md "Recording the call", docs/api.md): Record,
 * Pause and Resume (services/recordings/call-recording-control.ts), and the lead's consent
 * override. The service checks ownership and the campaign's rules; these routes validate and
 * answer 503 while no implementation is wired.
 */
export function registerRecordingRoutes(app: FastifyInstance, deps: AppDeps): void {
  const tags = ['recordings'];
  const control = () => {
    if (!deps.recordingControl) throw new UnavailableError('recording is not available');
    return deps.recordingControl;
  };
  const caller = (user: SessionUser | null) => {
    if (!user) throw new UnauthorizedError('sign in first');
    return { userId: user.id, role: user.role };
  };

  const command = (verb: 'start' | 'pause' | 'resume', summary: string) =>
    defineRoute(app, {
      method: 'POST',
      url: `/api/calls/:callId/recording/${verb}`,
      auth: ANY_ROLE,
      summary,
      tags,
      params: CallIdParams,
      response: RecordingControlResponse,
      handler: async ({ user, params }) => control()[verb](caller(user), params.callId as CallId),
    });

  command(
    'start',
    'Record the call from now (the Record button): the agent on their own live call, in a campaign whose recording mode is not none, a call not yet recorded. The consent notice plays first when the rule wants one. Audited.',
  );
  command(
    'pause',
    'Pause the recording for payment details: silence in the file, a pause mark. The agent on their own call unless the campaign pauses through the API only (409); supervisors and admins on any. Audited.',
  );
  command(
    'resume',
    'Resume a paused recording: a resume mark, the paused time added to the call. Same rules as pause. Audited.',
  );

  defineRoute(app, {
    method: 'PUT',
    url: '/api/leads/:id/recording-consent',
    auth: ADMIN,
    summary:
      "The lead's override of the campaign's consent notice rule: always, never, or null (the campaign's rule). Audited.",
    tags,
    params: IdParams,
    body: RecordingConsentBody,
    response: LeadView,
    handler: async ({ user, params, body }) => {
      if (!deps.leadConsent) throw new UnavailableError('lead consent is not available');
      const before = await deps.leads.get(params.id);
      if (!before) throw new NotFoundError(`lead ${params.id} not found`);
      const lead = await deps.leadConsent.setRecordingConsent(params.id, body.recordingConsent);
      await deps.audit.record({
        userId: caller(user).userId,
        action: 'lead.recording_consent',
        target: `lead:${params.id}`,
        detail: { from: before.recordingConsent, to: lead.recordingConsent },
      });
      return leadView(lead);
    },
  });
}
