import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Campaign, ErrorBody } from '@ringside/protocol';
import { loadDialerCampaign } from '../../src/services/dialer/settings.js';
import type { CampaignsRepo } from '../../src/ports/campaigns.js';
import { useAdminApp } from '../helpers/admin-hooks.js';
import { bearer, type Harness } from '../http/harness.js';

/** The campaign's AMD error estimate and audit share (docs/pacing.md, AMD errors). */

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

describe('campaign AMD settings', () => {
  it('saves the AMD error estimate and audit share, and the dialer loads them', async () => {
    const r = await patch({ amdHumanAsMachinePct: 1.5, amdMachineAsHumanPct: 6, amdAuditPct: 2 });
    expect(r.statusCode).toBe(200);
    const c = JSON.parse(r.body) as Campaign;
    expect(c).toMatchObject({ amdHumanAsMachinePct: 1.5, amdMachineAsHumanPct: 6, amdAuditPct: 2 });
    const loaded = await loadDialerCampaign(repo, h.campaignId);
    expect(loaded?.campaign.amdErrors).toEqual({ humanAsMachinePct: 1.5, machineAsHumanPct: 6 });
    expect(loaded?.campaign.amdAuditPct).toBe(2);
  });

  it.each([
    ['amdHumanAsMachinePct', 51, 'must be between 0 and 50 %'],
    ['amdMachineAsHumanPct', -1, 'must be between 0 and 50 %'],
    ['amdAuditPct', 101, 'must be between 0 and 100 %'],
    ['amdAuditPct', 'lots', 'must be between 0 and 100 %'],
  ])('refuses %s = %s with 400 naming the field, changing nothing', async (field, value, msg) => {
    const r = await patch({ [field]: value });
    expect(r.statusCode).toBe(400);
    const e = (JSON.parse(r.body) as ErrorBody).error;
    expect(e.message).toContain(field);
    expect(e.message).toContain(msg);
    const c = await repo.get(h.campaignId);
    expect(c).toMatchObject({ amdHumanAsMachinePct: 1.5, amdMachineAsHumanPct: 6, amdAuditPct: 2 });
  });
});
