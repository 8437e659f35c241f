import type { FastifyInstance } from 'fastify';
import {
  RecordingAudioQuery,
  RecordingCallParams,
  RecordingIdParams,
  RecordingLeadParams,
  RecordingList,
  RecordingPeaks,
  RecordingSearchQuery,
  RecordingView,
  type ErrorBody,
} from '@ringside/protocol';
import { UnauthorizedError, UnavailableError } from '../../errors.js';
import type { RecordingPlayer } from '../../services/recordings/play/player.js';
import type { SessionUser } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { tokenFrom } from '../session.js';
import { ANY_ROLE } from './common.js';

/** A page of one call's or one lead's recordings (a call has one; a lead a few dozen at most). */
const PAGE = { page: 1, pageSize: 100 };

/**
 * Listening (issue 15 point 6; docs/recording.md "Listening and quality review"). Every route is
 * open to every role, and filters by who asks: supervisors and admins hear every call; an agent
 * only calls with a segment of theirs in campaigns whose agents_hear_own_recordings is set. A
 * recording the caller may not hear answers 404, exactly as one that does not exist.
 */
export function registerRecordingPlayRoutes(app: FastifyInstance, deps: AppDeps): void {
  const player = (): RecordingPlayer => {
    if (!deps.recordingPlay) throw new UnavailableError('recordings are not available');
    return deps.recordingPlay;
  };
  const who = (user: SessionUser | null) => {
    if (!user) throw new UnauthorizedError('sign in first');
    return { id: user.id, role: user.role };
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/recordings',
    auth: ANY_ROLE,
    summary: 'Search recordings (campaign, agent, date range, state), paged, newest first.',
    tags: ['recordings'],
    query: RecordingSearchQuery,
    response: RecordingList,
    handler: async ({ user, query }) => {
      const { page, pageSize, ...filter } = query;
      return player().list(who(user), { kind: 'search', query: filter }, { page, pageSize });
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/recordings/by-call/:callId',
    auth: ANY_ROLE,
    summary: "A call's recording with its segments and marks (an empty list when none).",
    tags: ['recordings'],
    params: RecordingCallParams,
    response: RecordingList,
    handler: async ({ user, params }) =>
      player().list(who(user), { kind: 'call', callId: params.callId }, PAGE),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/recordings/by-lead/:leadId',
    auth: ANY_ROLE,
    summary: "A lead's recordings, newest first (the lead history).",
    tags: ['recordings'],
    params: RecordingLeadParams,
    response: RecordingList,
    handler: async ({ user, params }) =>
      player().list(who(user), { kind: 'lead', leadId: params.leadId }, PAGE),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/recordings/:id',
    auth: ANY_ROLE,
    summary: 'One recording with its segments and marks.',
    tags: ['recordings'],
    params: RecordingIdParams,
    response: RecordingView,
    handler: async ({ user, params }) => player().view(who(user), params.id),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/recordings/:id/audio',
    auth: ANY_ROLE,
    summary: 'The decrypted WAV, whole or one byte range (206); ?download=1 as an attachment.',
    tags: ['recordings'],
    params: RecordingIdParams,
    query: RecordingAudioQuery,
    handler: async ({ req, reply, user, params, query }) => {
      const a = await player().audio(who(user), params.id, {
        range: req.headers.range,
        download: query.download === '1',
        session:
          tokenFrom({ authorization: req.headers.authorization, cookies: req.cookies }) ?? '',
      });
      void reply.headers(a.headers);
      if (a.status === 416) {
        const body: ErrorBody = {
          error: {
            code: 'RANGE_NOT_SATISFIABLE',
            message: `range: ${a.reason}`,
            issues: [{ path: 'range', message: a.reason }],
          },
        };
        return reply.code(416).type('application/json').send(body);
      }
      return reply.code(a.status).send(a.body);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/recordings/:id/peaks',
    auth: ANY_ROLE,
    summary: 'The waveform: min/max pairs of the samples, computed once from the stored WAV.',
    tags: ['recordings'],
    params: RecordingIdParams,
    response: RecordingPeaks,
    handler: async ({ user, params }) => player().peaks(who(user), params.id),
  });
}
