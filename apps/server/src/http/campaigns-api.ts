import type { Campaign } from '@ringside/protocol';
import type { Campaign as CampaignRecord, CampaignsRepo } from '../ports/campaigns.js';
import type { CampaignsApi } from './deps.js';

/** The API's view of a campaign: the repository's record without bookkeeping columns. */
export function campaignView(c: CampaignRecord): Campaign {
  const { createdAt: _createdAt, updatedAt: _updatedAt, ...settings } = c;
  return {
    ...settings,
    nationalDncScrub: c.nationalDncScrub ?? true,
    amdHumanAsMachinePct: c.amdHumanAsMachinePct ?? 0,
    amdMachineAsHumanPct: c.amdMachineAsHumanPct ?? 0,
    amdAuditPct: c.amdAuditPct ?? 0,
    wrapupExtensions: c.wrapupExtensions ?? 0,
    wrapupExtensionS: c.wrapupExtensionS ?? 30,
    recordingMode: c.recordingMode ?? 'none',
    recordingPct: c.recordingPct ?? 0,
    consentMode: c.consentMode ?? 'off',
    consentMedia: c.consentMedia ?? 'sound:ringside-recording-notice',
    recordingPauseApiOnly: c.recordingPauseApiOnly ?? false,
    recordingRetentionDays: c.recordingRetentionDays ?? 365,
    agentsHearOwnRecordings: c.agentsHearOwnRecordings ?? false,
  };
}

/** CampaignsApi over the PostgreSQL campaigns repository. */
export function campaignsApi(repo: CampaignsRepo): CampaignsApi {
  return {
    list: async () => (await repo.list()).map(campaignView),
    get: async (id) => {
      const c = await repo.get(id);
      return c ? campaignView(c) : null;
    },
    update: async (id, patch) => campaignView(await repo.update(id, patch)),
  };
}
