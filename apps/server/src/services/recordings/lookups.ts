import type { CampaignsRepo } from '../../ports/campaigns.js';
import type { LeadsRepo } from '../../ports/leads.js';
import type { CampaignRecordingSettings } from './call-recording-control.js';
import type { CallRecorderDeps } from './call-recorder.js';

/** The consent notice a campaign plays when it names none (migration 0130's default). */
const DEFAULT_CONSENT_MEDIA = 'sound:ringside-recording-notice';

/**
 * What the recorder (ari-worker) and the Record / Pause / Resume commands (api) read of a
 * campaign and a lead, written once for the roles and the test rigs.
 */
export function recordingLookups(
  campaigns: Pick<CampaignsRepo, 'get'>,
  leads: Pick<LeadsRepo, 'get'>,
): Pick<CallRecorderDeps, 'policyOf' | 'leadOf'> & {
  settingsOf(campaignId: string): Promise<CampaignRecordingSettings | null>;
} {
  return {
    async policyOf(campaignId) {
      const c = await campaigns.get(campaignId);
      return c
        ? {
            recordingMode: c.recordingMode ?? 'none',
            recordingPct: c.recordingPct ?? 0,
            consentMode: c.consentMode ?? 'off',
            consentMedia: c.consentMedia ?? DEFAULT_CONSENT_MEDIA,
            recordingRetentionDays: c.recordingRetentionDays ?? 365,
          }
        : null;
    },
    async settingsOf(campaignId) {
      const c = await campaigns.get(campaignId);
      return c
        ? {
            recordingMode: c.recordingMode ?? 'none',
            consentMode: c.consentMode ?? 'off',
            consentMedia: c.consentMedia ?? DEFAULT_CONSENT_MEDIA,
            recordingPauseApiOnly: c.recordingPauseApiOnly ?? false,
          }
        : null;
    },
    async leadOf(leadId) {
      const l = await leads.get(leadId);
      return l ? { state: l.state, recordingConsent: l.recordingConsent } : null;
    },
  };
}
