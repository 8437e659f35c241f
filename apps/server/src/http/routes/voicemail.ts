import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import {
  IdParams,
  VoicemailMessage,
  VoicemailSettingsPatch,
  VoicemailUploadQuery,
  VoicemailView,
  type CampaignId,
  type VoicemailSettings,
} from '@ringside/protocol';
import { NotFoundError, UnavailableError } from '../../errors.js';
import { convertMessage, readUpload } from '../../services/voicemail/convert.js';
import type { VoicemailApi } from '../../ports/voicemail.js';
import type { AppDeps } from '../deps.js';
import { UnsupportedMediaTypeError } from '../errors.js';
import { defineRoute } from '../route.js';
import { ADMIN } from './common.js';
import { publishSettingsChanged } from './campaigns.js';

/**
 * Voicemail drop messages and settings (issue 15, point 7; docs/recording.md, "Voicemail drop"):
 * admins upload a WAV or MP3 per campaign (converted to 8 kHz 16-bit mono WAV), preview it, pick
 * the campaign's message and how the drop waits. Asterisk fetches the chosen message from the
 * public /media/vm/<token>.wav (res_http_media_cache); the token is the only key to it.
 */

/** The upload's body: the file itself. */
const UPLOAD_TYPES = ['application/octet-stream'];

const MessageParams = z.object({
  id: IdParams.shape.id,
  messageId: z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be a message id'),
});
const MediaParams = z.object({
  file: z.string().regex(/^[0-9a-f]{32}\.wav$/, 'not a voicemail media file'),
});

function api(deps: AppDeps): VoicemailApi {
  if (!deps.voicemail) throw new UnavailableError('voicemail messages are not available');
  return deps.voicemail;
}

export function registerVoicemailRoutes(app: FastifyInstance, deps: AppDeps): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/campaigns/:id/voicemail',
    auth: ADMIN,
    summary: "A campaign's voicemail drop settings and its uploaded messages, newest first.",
    tags: ['admin'],
    params: IdParams,
    response: VoicemailView,
    handler: async ({ params }) => api(deps).view(params.id as CampaignId),
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/campaigns/:id/voicemail',
    auth: ADMIN,
    summary:
      "Change the voicemail drop settings: the message (one of the campaign's), the wait for the " +
      "greeting's end, its limit, what to do when it never ends, the AMD review share.",
    tags: ['admin'],
    params: IdParams,
    body: VoicemailSettingsPatch,
    response: VoicemailView,
    handler: async ({ params, body, user }) => {
      const id = params.id as CampaignId;
      const fields = await api(deps).update(id, body);
      if (fields.length > 0) {
        await deps.audit.record({
          userId: user?.id ?? null,
          action: 'campaign.voicemail',
          target: `campaign:${id}`,
          detail: { ...(body as Partial<VoicemailSettings>) },
        });
        const campaign = await deps.campaigns.get(id);
        if (campaign)
          await publishSettingsChanged(deps, campaign, fields, {
            userId: user?.id ?? null,
            by: 'admin',
          });
      }
      return api(deps).view(id);
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/campaigns/:id/voicemail/messages',
    auth: ADMIN,
    summary:
      'Upload a voicemail message: the body is the WAV or MP3 file itself ' +
      '(application/octet-stream), at most 25 MB and 120 s. It is converted to 8 kHz 16-bit mono ' +
      'WAV; a file that is not audio is refused (400) and nothing is kept.',
    tags: ['admin'],
    params: IdParams,
    query: VoicemailUploadQuery,
    streamBody: { contentTypes: UPLOAD_TYPES },
    response: VoicemailMessage,
    status: 201,
    handler: async ({ req, params, query, user }) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!UPLOAD_TYPES.includes(type))
        throw new UnsupportedMediaTypeError(
          `send the audio file as the body with Content-Type application/octet-stream (got ${type || 'none'})`,
        );
      const v = api(deps);
      const bytes = await readUpload(req.body as Readable);
      const converted = await convertMessage(bytes);
      const message = await v.addMessage({
        campaignId: params.id as CampaignId,
        name: query.name,
        sourceFormat: converted.sourceFormat,
        durationMs: converted.durationMs,
        audio: converted.wav,
        createdBy: user?.id ?? null,
      });
      await deps.audit.record({
        userId: user?.id ?? null,
        action: 'voicemail.upload',
        target: `campaign:${params.id}`,
        detail: {
          messageId: message.id,
          sourceFormat: message.sourceFormat,
          durationMs: message.durationMs,
        },
      });
      return message;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/campaigns/:id/voicemail/messages/:messageId/audio',
    auth: ADMIN,
    summary: "A message's converted audio (audio/wav), for the admin's preview.",
    tags: ['admin'],
    params: MessageParams,
    handler: async ({ params, reply }) => {
      const audio = await api(deps).audio(params.id as CampaignId, params.messageId);
      if (!audio) throw new NotFoundError(`no message ${params.messageId} in this campaign`);
      return reply
        .header('content-type', 'audio/wav')
        .header('cache-control', 'no-store')
        .send(audio);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/media/vm/:file',
    auth: 'public',
    summary:
      'A voicemail message as Asterisk fetches it (res_http_media_cache): its media token is ' +
      'the only key to it.',
    tags: ['telephony'],
    params: MediaParams,
    handler: async ({ params, reply }) => {
      const audio = await api(deps).audioByToken(params.file.slice(0, -'.wav'.length));
      if (!audio) throw new NotFoundError('no such voicemail media');
      return reply.header('content-type', 'audio/wav').send(audio);
    },
  });
}
