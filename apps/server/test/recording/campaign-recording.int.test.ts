import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Campaign, ErrorBody } from '@ringside/protocol';
import type { CampaignsRepo } from '../../src/ports/campaigns.js';
import { useAdminApp } from '../helpers/admin-hooks.js';
import { bearer, type Harness } from '../http/harness.js';

/** The campaign's recording policy through the admin API (docs/recording.md). */

let h: Harness;
let app: FastifyInstance;
let repo: CampaignsRepo;
let token = '';

const patch = (payload: Record<string, unknown>) =>
  app.inject({
    method: 'PATCH',
    url: `/api/campaigns/${h.campaignId}`,
    headers: bearer(token),
    payload,
  });

useAdminApp((rig) => ({ h, app, campaigns: repo, token } = rig));

const POLICY = {
  recordingMode: 'percent',
  recordingPct: 25,
  consentMode: 'two_party',
  consentMedia: 'sound:custom/our-notice',
  recordingPauseApiOnly: true,
  recordingRetentionDays: 90,
  agentsHearOwnRecordings: true,
};

describe('campaign recording settings', () => {
  it('shows the defaults of a campaign nobody set (none, consent off, 365 days)', async () => {
    const r = await app.inject({
      method: 'GET',
      url: `/api/campaigns/${h.campaignId}`,
      headers: bearer(token),
    });
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({
      recordingMode: 'none',
      recordingPct: 0,
      consentMode: 'off',
      consentMedia: 'sound:ringside-recording-notice',
      recordingPauseApiOnly: false,
      recordingRetentionDays: 365,
      agentsHearOwnRecordings: false,
    });
  });

  it('saves every recording setting and reads them back', async () => {
    const r = await patch(POLICY);
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body) as Campaign).toMatchObject(POLICY);
    expect(await repo.get(h.campaignId)).toMatchObject(POLICY);
  });

  it.each([
    ['recordingMode', 'sometimes', 'must be all, none, percent or on_demand'],
    ['recordingPct', 101, 'must be between 0 and 100 %'],
    ['recordingPct', 12.5, 'must be between 0 and 100 %'],
    ['consentMode', 'one_party', 'must be off, two_party or all'],
    ['consentMedia', 'http://evil/x.wav', 'must be an Asterisk media URI'],
    ['consentMedia', '', 'must be an Asterisk media URI'],
    ['recordingPauseApiOnly', 'yes', ''],
    ['recordingRetentionDays', 0, 'must be between 1 and 3650 days'],
    ['recordingRetentionDays', 3651, 'must be between 1 and 3650 days'],
    ['agentsHearOwnRecordings', 1, ''],
  ])('refuses %s = %j with 400 naming the field, changing nothing', async (field, value, msg) => {
    const r = await patch({ [field]: value });
    expect(r.statusCode).toBe(400);
    const e = (JSON.parse(r.body) as ErrorBody).error;
    expect(e.message).toContain(field);
    expect(e.message).toContain(msg);
    expect(await repo.get(h.campaignId)).toMatchObject(POLICY);
  });

  it('the repository refuses bad values itself, naming the field', async () => {
    await expect(repo.update(h.campaignId, { recordingPct: 200 })).rejects.toThrow(
      /recordingPct: recordingPct must be at most 100/,
    );
    await expect(repo.update(h.campaignId, { consentMode: 'sometimes' as 'off' })).rejects.toThrow(
      /consentMode/,
    );
  });
});
