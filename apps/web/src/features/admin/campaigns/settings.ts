import { DialMethod, type Campaign, type CampaignField } from '@ringside/protocol';

/**
 * Every campaign setting of the data model as the form shows it: its group, label, kind and
 * limit (checked by the same schema as the server), a new campaign's defaults, and the
 * conversion between the form's text and the API's values.
 */

export type Kind = 'text' | 'optional-text' | 'int' | 'decimal' | 'time' | 'bool' | 'select';
export type SettingKey = Exclude<CampaignField, 'script'>;

export interface Setting {
  key: SettingKey;
  label: string;
  kind: Kind;
  hint?: string;
  options?: readonly string[];
  /** How each option of a select reads (the value itself when absent). */
  optionLabels?: Readonly<Record<string, string>>;
  /**
   * Shown (and sent) only when this holds for the form's values, e.g. the share of calls only for
   * the 'percent' recording mode; a hidden setting keeps its stored value.
   */
  shownWhen?: (d: Draft) => boolean;
}

export const GROUPS: ReadonlyArray<{ legend: string; settings: readonly Setting[] }> = [
  {
    legend: 'General',
    settings: [
      { key: 'name', label: 'Name', kind: 'text', hint: '1-100 characters, unique' },
      { key: 'active', label: 'Active (the dialer dials it)', kind: 'bool' },
    ],
  },
  {
    legend: 'Dialing',
    settings: [
      { key: 'dialMethod', label: 'Dial method', kind: 'select', options: DialMethod.options },
      { key: 'dialLevel', label: 'Dial level', kind: 'decimal', hint: 'above 0, at most 10' },
      { key: 'dropRateCapPct', label: 'Drop-rate cap (%)', kind: 'decimal', hint: '0-3 %' },
      { key: 'dropWaitMs', label: 'Drop wait (ms)', kind: 'int', hint: '0-2000 ms' },
      { key: 'ringTimeoutS', label: 'Ring timeout (s)', kind: 'int', hint: '15-120 s' },
      { key: 'hopperSize', label: 'Hopper size', kind: 'int', hint: '1-50000 leads' },
      { key: 'maxAttempts', label: 'Max attempts per lead', kind: 'int', hint: '1-100' },
      {
        key: 'callerId',
        label: 'Caller ID',
        kind: 'optional-text',
        hint: 'E.164, e.g. +14155550123; empty: none',
      },
    ],
  },
  {
    legend: "Calling window (the lead's local time)",
    settings: [
      { key: 'windowStart', label: 'Window start', kind: 'time', hint: '08:00-21:00' },
      { key: 'windowEnd', label: 'Window end', kind: 'time', hint: '08:00-21:00, after start' },
    ],
  },
  {
    legend: 'Do not call',
    settings: [
      {
        key: 'nationalDncScrub',
        label: 'Check the national DNC registry',
        kind: 'bool',
        hint: 'turn off only for exempt calls (e.g. an established business relationship)',
      },
    ],
  },
  {
    legend: 'Answering machines and drops',
    settings: [
      { key: 'amdEnabled', label: 'Answering-machine detection', kind: 'bool' },
      {
        key: 'machineAction',
        label: 'On a machine',
        kind: 'select',
        options: ['hangup', 'message'],
      },
      {
        key: 'machineMessageAudio',
        label: 'Machine message audio',
        kind: 'optional-text',
        hint: 'e.g. sound:our-message; empty: none',
      },
      {
        key: 'safeHarborAudio',
        label: 'Safe-harbor audio',
        kind: 'text',
        hint: 'played to a dropped call',
      },
      {
        key: 'amdHumanAsMachinePct',
        label: 'AMD: people judged machines (%)',
        kind: 'decimal',
        hint: '0-50 %; each machine hang-up counts as this share of a drop',
      },
      {
        key: 'amdMachineAsHumanPct',
        label: 'AMD: machines judged people (%)',
        kind: 'decimal',
        hint: '0-50 %',
      },
      {
        key: 'amdAuditPct',
        label: 'AMD audit: machine verdicts sent to agents (%)',
        kind: 'decimal',
        hint: '0-100 %; agents mark a person or a machine',
      },
    ],
  },
  {
    legend: 'Wrap-up',
    settings: [
      { key: 'wrapupS', label: 'Wrap-up time (s)', kind: 'int', hint: '0-3600 s' },
      {
        key: 'wrapupTimeoutAction',
        label: 'When wrap-up times out',
        kind: 'select',
        options: ['disposition', 'pause'],
      },
      {
        key: 'wrapupDefaultDisposition',
        label: 'Default disposition',
        kind: 'text',
        hint: 'a code, e.g. NI',
      },
      {
        key: 'wrapupExtensions',
        label: 'Wrap-up extensions allowed per call',
        kind: 'int',
        hint: '0-10; 0: agents cannot extend',
      },
      {
        key: 'wrapupExtensionS',
        label: 'Extension (s)',
        kind: 'int',
        hint: '5-600 s added each time',
      },
    ],
  },
  {
    legend: 'Recording',
    settings: [
      {
        key: 'recordingMode',
        label: 'Record calls',
        kind: 'select',
        options: ['none', 'all', 'percent', 'on_demand'],
        optionLabels: {
          none: 'None',
          all: 'All calls',
          percent: 'A share of the calls',
          on_demand: "On demand (the agent's Record button)",
        },
      },
      {
        key: 'recordingPct',
        label: 'Share of calls recorded (%)',
        kind: 'int',
        hint: '0-100 %; agents may still record the others',
        shownWhen: (d) => d.recordingMode === 'percent',
      },
      {
        key: 'consentMode',
        label: 'Consent notice',
        kind: 'select',
        options: ['off', 'two_party', 'all'],
        optionLabels: {
          off: 'Off',
          two_party: 'Leads in two-party-consent states',
          all: 'Every call',
        },
        hint: "played before the agent is bridged; a lead's own setting wins",
      },
      {
        key: 'consentMedia',
        label: 'Consent notice sound',
        kind: 'text',
        hint: 'an Asterisk sound, e.g. sound:ringside-recording-notice',
        shownWhen: (d) => d.consentMode !== 'off',
      },
      {
        key: 'recordingPauseApiOnly',
        label: 'Pause and resume recording through the API only (payment integration)',
        kind: 'bool',
        hint: "agents' Pause recording button is then off",
      },
      {
        key: 'recordingRetentionDays',
        label: 'Keep recordings (days)',
        kind: 'int',
        hint: '1-3650 days, then deleted unless on legal hold',
      },
      {
        key: 'agentsHearOwnRecordings',
        label: "Agents may play their own calls' recordings",
        kind: 'bool',
      },
    ],
  },
];
export const SETTINGS = GROUPS.flatMap((g) => g.settings);

export type Draft = Record<SettingKey, string | boolean>;

/** The table's defaults (0001_init.sql) for a new campaign. */
export const NEW_CAMPAIGN: Omit<Campaign, 'id' | 'script'> = {
  name: '',
  active: false,
  dialMethod: 'predictive',
  dialLevel: 1,
  dropRateCapPct: 3,
  dropWaitMs: 2000,
  ringTimeoutS: 25,
  hopperSize: 500,
  windowStart: '09:00',
  windowEnd: '20:00',
  maxAttempts: 6,
  callerId: null,
  amdEnabled: true,
  nationalDncScrub: true,
  machineAction: 'hangup',
  machineMessageAudio: null,
  safeHarborAudio: 'sound:vm-goodbye',
  wrapupS: 30,
  wrapupTimeoutAction: 'disposition',
  wrapupExtensions: 1,
  wrapupExtensionS: 30,
  wrapupDefaultDisposition: 'NI',
  amdHumanAsMachinePct: 0,
  amdMachineAsHumanPct: 0,
  amdAuditPct: 0,
  // Recording policy (0130_recordings.sql defaults; docs/recording.md).
  recordingMode: 'none',
  recordingPct: 0,
  consentMode: 'off',
  consentMedia: 'sound:ringside-recording-notice',
  recordingPauseApiOnly: false,
  recordingRetentionDays: 365,
  agentsHearOwnRecordings: false,
};

export function toDraft(c: Omit<Campaign, 'id' | 'script'>): Draft {
  const d = {} as Draft;
  for (const s of SETTINGS) {
    const v = c[s.key];
    d[s.key] = typeof v === 'boolean' ? v : v === null ? '' : String(v);
  }
  return d;
}

/** Whether a setting is on the form now (see Setting.shownWhen). */
export function isShown(s: Setting, d: Draft): boolean {
  return s.shownWhen ? s.shownWhen(d) : true;
}

/**
 * Form text -> the API's value; an empty or malformed number stays NaN for the schema to name.
 * A hidden setting is left out: it keeps its stored value (a new campaign: the table's default).
 */
export function fromDraft(d: Draft): Partial<Record<SettingKey, unknown>> {
  const out: Partial<Record<SettingKey, unknown>> = {};
  for (const s of SETTINGS) {
    if (!isShown(s, d)) continue;
    const v = d[s.key];
    if (typeof v === 'boolean') out[s.key] = v;
    else if (s.kind === 'int' || s.kind === 'decimal') out[s.key] = v.trim() ? Number(v) : NaN;
    else if (s.kind === 'optional-text') out[s.key] = v.trim() ? v.trim() : null;
    else out[s.key] = v;
  }
  return out;
}
