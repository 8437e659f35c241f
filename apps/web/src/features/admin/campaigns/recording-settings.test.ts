import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CampaignCreate, CampaignPatch, type Campaign } from '@ringside/protocol';
import { fieldErrors } from '../shared/kit.js';
import { CampaignForm } from './CampaignForm.js';
import { fromDraft, GROUPS, NEW_CAMPAIGN, toDraft } from './settings.js';

const campaign = (over: Partial<Campaign> = {}): Campaign => ({
  ...NEW_CAMPAIGN,
  id: '7',
  name: 'Spring',
  script: '',
  ...over,
});

const form = (c: Campaign | null) =>
  renderToStaticMarkup(createElement(CampaignForm, { campaign: c, onSaved: () => undefined }));

describe('the Recording section of the campaign form', () => {
  it('has every recording setting, the options in words', () => {
    const g = GROUPS.find((x) => x.legend === 'Recording');
    expect(g?.settings.map((s) => s.key)).toEqual([
      'recordingMode',
      'recordingPct',
      'consentMode',
      'consentMedia',
      'recordingPauseApiOnly',
      'recordingRetentionDays',
      'agentsHearOwnRecordings',
    ]);
    const html = form(campaign({ recordingMode: 'on_demand' }));
    expect(html).toContain('<legend>Recording</legend>');
    expect(html).toContain(
      '<option value="on_demand" selected="">On demand (the agent&#x27;s Record button)</option>',
    );
    expect(html).toContain('Keep recordings (days)');
    expect(html).toContain('Pause and resume recording through the API only');
  });

  it('shows the share of calls only for the percent mode, the sound only with a notice', () => {
    const all = form(campaign({ recordingMode: 'all', consentMode: 'off' }));
    expect(all).not.toContain('campaign-recordingPct');
    expect(all).not.toContain('campaign-consentMedia');
    const pct = form(campaign({ recordingMode: 'percent', recordingPct: 20, consentMode: 'all' }));
    expect(pct).toContain('id="campaign-recordingPct"');
    expect(pct).toContain('value="20"');
    expect(pct).toContain('value="sound:ringside-recording-notice"');
  });

  it('a hidden setting is not sent: it keeps its stored value', () => {
    const d = toDraft(campaign({ recordingMode: 'all', recordingPct: 35 }));
    expect(fromDraft(d)).not.toHaveProperty('recordingPct');
    expect(fromDraft({ ...d, recordingMode: 'percent' })).toHaveProperty('recordingPct', 35);
  });

  it('bad values are named on their fields by the shared schema', () => {
    const d = toDraft(campaign({ recordingMode: 'percent', consentMode: 'all' }));
    const bad = {
      ...d,
      recordingPct: '150',
      consentMedia: 'notice.wav',
      recordingRetentionDays: '0',
    };
    const r = CampaignPatch.safeParse(fromDraft(bad));
    expect(r.success).toBe(false);
    const errors = fieldErrors(r.error);
    expect(Object.keys(errors).sort()).toEqual([
      'consentMedia',
      'recordingPct',
      'recordingRetentionDays',
    ]);
    expect(errors.consentMedia).toMatch(/Asterisk media URI/);
  });

  it("a new campaign's form values pass the create schema with the recording defaults", () => {
    const r = CampaignCreate.safeParse({ ...fromDraft(toDraft(NEW_CAMPAIGN)), name: 'New' });
    expect(r.success).toBe(true);
    expect(r.data?.recordingMode).toBe('none');
    expect(r.data).not.toHaveProperty('recordingPct');
  });
});
