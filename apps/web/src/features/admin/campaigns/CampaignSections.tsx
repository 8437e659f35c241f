import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import {
  CampaignCreate,
  CampaignFields,
  CampaignPatch,
  DialMethod,
  DispositionList,
  RECYCLE_OUTCOMES,
  RecycleRules,
  type Campaign,
  type CampaignField,
  type Me,
} from '@ringside/protocol';
import { adminRequest } from '../shared/http.js';
import {
  DataTable,
  Field,
  FormHeading,
  fieldErrors,
  KitStyles,
  RefusalBanner,
  SelectField,
  SuccessBanner,
  TextField,
} from '../shared/kit.js';
import { campaignsApi } from './api.js';
import {
  LEAD_PLACEHOLDERS,
  placeholderValues,
  previewSegments,
  SAMPLE_LEAD,
  unknownPlaceholders,
} from './script-preview.js';

/**
 * Campaigns (every setting of the data model, with its limit shown and checked by the same
 * schema as the server), recycle rules, and the script editor with a live preview.
 */

type Kind = 'text' | 'optional-text' | 'int' | 'decimal' | 'time' | 'bool' | 'select';
type SettingKey = Exclude<CampaignField, 'script'>;

interface Setting {
  key: SettingKey;
  label: string;
  kind: Kind;
  hint?: string;
  options?: readonly string[];
}

const GROUPS: ReadonlyArray<{ legend: string; settings: readonly Setting[] }> = [
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
    ],
  },
];
const SETTINGS = GROUPS.flatMap((g) => g.settings);

type Draft = Record<SettingKey, string | boolean>;

/** The table's defaults (0001_init.sql) for a new campaign. */
const NEW_CAMPAIGN: Omit<Campaign, 'id' | 'script'> = {
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
  wrapupDefaultDisposition: 'NI',
  amdHumanAsMachinePct: 0,
  amdMachineAsHumanPct: 0,
  amdAuditPct: 0,
};

function toDraft(c: Omit<Campaign, 'id' | 'script'>): Draft {
  const d = {} as Draft;
  for (const s of SETTINGS) {
    const v = c[s.key];
    d[s.key] = typeof v === 'boolean' ? v : v === null ? '' : String(v);
  }
  return d;
}

/** Form text -> the API's value; an empty or malformed number stays NaN for the schema to name. */
function fromDraft(d: Draft): Record<SettingKey, unknown> {
  const out = {} as Record<SettingKey, unknown>;
  for (const s of SETTINGS) {
    const v = d[s.key];
    if (typeof v === 'boolean') out[s.key] = v;
    else if (s.kind === 'int' || s.kind === 'decimal') out[s.key] = v.trim() ? Number(v) : NaN;
    else if (s.kind === 'optional-text') out[s.key] = v.trim() ? v.trim() : null;
    else out[s.key] = v;
  }
  return out;
}

export function CampaignsSection(props: { me: Me; path: string }) {
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const selected = props.path || null;

  const reload = useCallback(async () => {
    try {
      setCampaigns((await campaignsApi.list()).campaigns);
    } catch (err) {
      setLoadError(err);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const current = selected && selected !== 'new' ? campaigns.find((c) => c.id === selected) : null;

  return (
    <section className="admin-kit" aria-labelledby="campaigns-heading">
      <KitStyles />
      <h2 id="campaigns-heading">Campaigns</h2>
      <RefusalBanner error={loadError} title="Could not load campaigns" />
      <SuccessBanner message={flash} />
      <a href="#/admin/campaigns/new" className="button-link" onClick={() => setFlash(null)}>
        New campaign
      </a>
      <DataTable
        caption="Campaigns"
        rows={campaigns}
        rowKey={(c) => c.id}
        selectedKey={selected}
        columns={[
          { header: 'Name', cell: (c) => c.name },
          { header: 'Active', cell: (c) => (c.active ? 'yes' : 'no') },
          { header: 'Method', cell: (c) => `${c.dialMethod} ${c.dialLevel}` },
          { header: 'Window', cell: (c) => `${c.windowStart}-${c.windowEnd}` },
          { header: 'Ring timeout', cell: (c) => `${c.ringTimeoutS} s` },
          {
            header: 'Actions',
            cell: (c) => (
              <a href={`#/admin/campaigns/${c.id}`} onClick={() => setFlash(null)}>
                Edit <span className="sr-only">{c.name}</span>
              </a>
            ),
          },
        ]}
      />
      {selected === 'new' && (
        <CampaignForm
          key="new"
          campaign={null}
          onSaved={(c) => {
            setFlash(`Created campaign ${c.name}.`);
            void reload();
            window.location.hash = `#/admin/campaigns/${c.id}`;
          }}
        />
      )}
      {current && (
        <>
          <CampaignForm
            key={current.id}
            campaign={current}
            onSaved={(c) => {
              setFlash(`Saved campaign ${c.name}.`);
              void reload();
            }}
          />
          <RecycleRulesEditor key={`rr-${current.id}`} campaignId={current.id} />
          <p>
            <a href={`#/admin/scripts/${current.id}`}>Edit the script of {current.name}</a>
          </p>
        </>
      )}
    </section>
  );
}

function CampaignForm(props: { campaign: Campaign | null; onSaved(c: Campaign): void }) {
  const base = props.campaign ?? NEW_CAMPAIGN;
  const [draft, setDraft] = useState<Draft>(() => toDraft(base));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);
  const title = props.campaign ? `Edit campaign ${props.campaign.name}` : 'New campaign';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const values = fromDraft(draft);
    let parsed;
    if (props.campaign) {
      const c = props.campaign;
      const changed = Object.fromEntries(
        Object.entries(values).filter(([k, v]) => v !== c[k as SettingKey]),
      );
      if (Object.keys(changed).length === 0) {
        setError(null);
        props.onSaved(c);
        return;
      }
      parsed = CampaignPatch.safeParse(changed);
    } else {
      parsed = CampaignCreate.safeParse(values);
    }
    if (!parsed.success) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = props.campaign
        ? await campaignsApi.update(props.campaign.id, parsed.data)
        : await campaignsApi.create(CampaignCreate.parse(parsed.data));
      props.onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" aria-label={title} noValidate onSubmit={(e) => void submit(e)}>
      <FormHeading>{title}</FormHeading>
      {GROUPS.map((g) => (
        <fieldset key={g.legend}>
          <legend>{g.legend}</legend>
          <div className="fields">
            {g.settings.map((s) => (
              <SettingInput
                key={s.key}
                setting={s}
                value={draft[s.key]}
                error={errors[s.key]}
                onChange={(v) => setDraft((d) => ({ ...d, [s.key]: v }))}
              />
            ))}
          </div>
        </fieldset>
      ))}
      <RefusalBanner error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {props.campaign ? 'Save campaign' : 'Create campaign'}
      </button>
    </form>
  );
}

function SettingInput(props: {
  setting: Setting;
  value: string | boolean;
  error: string | undefined;
  onChange(v: string | boolean): void;
}) {
  const { setting: s, value } = props;
  const id = `campaign-${s.key}`;
  if (s.kind === 'bool') {
    return (
      <div className="field" data-field={id}>
        <label>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            onChange={(e) => props.onChange(e.target.checked)}
          />
          {s.label}
        </label>
        {props.error && (
          <span className="field-error" role="alert">
            {props.error}
          </span>
        )}
      </div>
    );
  }
  const text = typeof value === 'string' ? value : '';
  return (
    <Field id={id} label={s.label} hint={s.hint} error={props.error}>
      {(a) =>
        s.kind === 'select' ? (
          <select {...a} value={text} onChange={(e) => props.onChange(e.target.value)}>
            {(s.options ?? []).map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        ) : (
          <input
            {...a}
            type={s.kind === 'time' ? 'time' : 'text'}
            inputMode={s.kind === 'int' ? 'numeric' : s.kind === 'decimal' ? 'decimal' : undefined}
            value={text}
            onChange={(e) => props.onChange(e.target.value)}
          />
        )
      }
    </Field>
  );
}

interface RuleDraft {
  status: string;
  delayS: string;
  maxAttempts: string;
}

function RecycleRulesEditor(props: { campaignId: string }) {
  const [rules, setRules] = useState<RuleDraft[]>([]);
  const [codes, setCodes] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);
  const errors = fieldErrors(error);

  useEffect(() => {
    void campaignsApi
      .recycleRules(props.campaignId)
      .then((r) =>
        setRules(
          r.rules.map((x) => ({
            status: x.status,
            delayS: String(x.delayS),
            maxAttempts: String(x.maxAttempts),
          })),
        ),
      )
      .catch(setError);
    void adminRequest('GET', `/api/campaigns/${props.campaignId}/dispositions`, DispositionList)
      .then((d) => setCodes(d.dispositions.map((x) => x.code)))
      .catch(() => undefined);
  }, [props.campaignId]);

  const set = (i: number, patch: Partial<RuleDraft>) =>
    setRules((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setOk(null);
    const parsed = RecycleRules.safeParse({
      rules: rules.map((r) => ({
        status: r.status.trim().toUpperCase(),
        delayS: r.delayS.trim() ? Number(r.delayS) : NaN,
        maxAttempts: r.maxAttempts.trim() ? Number(r.maxAttempts) : NaN,
      })),
    });
    if (!parsed.success) {
      setError(parsed.error);
      return;
    }
    try {
      await campaignsApi.setRecycleRules(props.campaignId, parsed.data.rules);
      setError(null);
      setOk(`Saved ${parsed.data.rules.length} recycle rule(s).`);
    } catch (err) {
      setError(err);
    }
  };

  const listId = `recycle-statuses-${props.campaignId}`;
  return (
    <form className="card" aria-label="Recycle rules" noValidate onSubmit={(e) => void save(e)}>
      <h3>Recycle rules</h3>
      <p className="hint">
        After an attempt ends with a status, wait the delay before dialing the lead again; stop
        after the maximum attempts.
      </p>
      <datalist id={listId}>
        {[...RECYCLE_OUTCOMES, ...codes].map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      {rules.map((r, i) => (
        <div className="fields" role="group" aria-label={`Rule ${i + 1}`} key={i}>
          <TextField
            id={`rr-${i}-status`}
            label="Status"
            error={errors[`rules.${i}.status`]}
            list={listId}
            value={r.status}
            onChange={(status) => set(i, { status })}
          />
          <TextField
            id={`rr-${i}-delay`}
            label="Delay (s)"
            hint="0-2592000 s (30 days)"
            error={errors[`rules.${i}.delayS`]}
            inputMode="numeric"
            value={r.delayS}
            onChange={(delayS) => set(i, { delayS })}
          />
          <TextField
            id={`rr-${i}-max`}
            label="Max attempts"
            hint="1-100"
            error={errors[`rules.${i}.maxAttempts`]}
            inputMode="numeric"
            value={r.maxAttempts}
            onChange={(maxAttempts) => set(i, { maxAttempts })}
          />
          <button type="button" onClick={() => setRules((rs) => rs.filter((_, j) => j !== i))}>
            Remove rule {i + 1}
          </button>
        </div>
      ))}
      <RefusalBanner error={error} />
      <SuccessBanner message={ok} />
      <div className="row">
        <button
          type="button"
          onClick={() =>
            setRules((rs) => [...rs, { status: '', delayS: '3600', maxAttempts: '3' }])
          }
        >
          Add rule
        </button>
        <button type="submit" className="primary">
          Save recycle rules
        </button>
      </div>
    </form>
  );
}

const SCRIPT_CSS = `
.admin-kit .script-preview { white-space: pre-wrap; background: #f6f8fa; padding: 8px; border-radius: 4px; min-height: 3rem; }
.admin-kit mark.ph-known { background: #d1f0d9; border-bottom: 2px solid #1b7f3b; }
.admin-kit mark.ph-unknown { background: #ffd7d5; border-bottom: 2px dashed #b3261e; }
.admin-kit .script-layout { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.admin-kit textarea { width: 100%; min-height: 14rem; font: inherit; }
`;

export function ScriptsSection(props: { me: Me; path: string }) {
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [script, setScript] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const selected = props.path || campaigns[0]?.id || '';
  const campaign = campaigns.find((c) => c.id === selected) ?? null;

  useEffect(() => {
    void campaignsApi
      .list()
      .then((r) => setCampaigns(r.campaigns))
      .catch(setError);
  }, []);
  // A newly picked campaign loads its saved script; saving keeps the text and the feedback.
  const [loadedId, setLoadedId] = useState<string | null>(null);
  if (campaign && loadedId !== campaign.id) {
    setLoadedId(campaign.id);
    setScript(campaign.script);
    setOk(null);
    setError(null);
  }

  const values = useMemo(() => placeholderValues(SAMPLE_LEAD, props.me.displayName), [props.me]);
  const segments = useMemo(() => previewSegments(script, values), [script, values]);
  const unknown = unknownPlaceholders(segments);
  const limitError = CampaignFields.shape.script.safeParse(script);

  const insert = (name: string) => {
    const el = textarea.current;
    const token = `{{${name}}}`;
    const start = el?.selectionStart ?? script.length;
    const end = el?.selectionEnd ?? script.length;
    setScript(script.slice(0, start) + token + script.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!campaign) return;
    setOk(null);
    const parsed = CampaignPatch.safeParse({ script });
    if (!parsed.success) {
      setError(parsed.error);
      return;
    }
    try {
      const saved = await campaignsApi.update(campaign.id, parsed.data);
      setCampaigns((cs) => cs.map((c) => (c.id === saved.id ? saved : c)));
      setError(null);
      setOk(`Saved the script of ${saved.name}.`);
    } catch (err) {
      setError(err);
    }
  };

  const placeholders = [
    ...LEAD_PLACEHOLDERS,
    ...Object.keys(SAMPLE_LEAD.custom).filter((k) => !LEAD_PLACEHOLDERS.some((p) => p === k)),
  ];

  return (
    <section className="admin-kit" aria-labelledby="scripts-heading">
      <KitStyles />
      <style>{SCRIPT_CSS}</style>
      <h2 id="scripts-heading">Scripts</h2>
      <SelectField
        id="script-campaign"
        label="Campaign"
        value={selected}
        onChange={(id) => {
          window.location.hash = `#/admin/scripts/${id}`;
        }}
      >
        {campaigns.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </SelectField>
      {campaign && (
        <form aria-label="Script" noValidate onSubmit={(e) => void save(e)}>
          <div className="script-layout">
            <div>
              <Field
                id="script-text"
                label={`Script of ${campaign.name}`}
                hint={`${script.length} / 20000 characters; {{field}} is filled from the lead`}
                error={
                  limitError.success
                    ? fieldErrors(error).script
                    : limitError.error.issues[0]?.message
                }
              >
                {(a) => (
                  <textarea
                    {...a}
                    ref={textarea}
                    value={script}
                    onChange={(e) => setScript(e.target.value)}
                  />
                )}
              </Field>
              <div role="group" aria-label="Insert a placeholder" className="row">
                {placeholders.map((p) => (
                  <button key={p} type="button" onClick={() => insert(p)}>
                    {`{{${p}}}`}
                  </button>
                ))}
              </div>
            </div>
            <div>
              <h3 id="script-preview-heading">Preview with a sample lead</h3>
              <div
                className="script-preview"
                aria-labelledby="script-preview-heading"
                data-testid="script-preview"
              >
                {segments.map((s, i) =>
                  s.kind === 'text' ? (
                    <span key={i}>{s.text}</span>
                  ) : s.known ? (
                    <mark key={i} className="ph-known" title={`{{${s.name}}}`}>
                      {s.value}
                    </mark>
                  ) : (
                    <mark key={i} className="ph-unknown" title="unknown placeholder">
                      {`{{${s.name}}}`}
                    </mark>
                  ),
                )}
              </div>
              <div role="status" aria-live="polite">
                {unknown.length > 0 && (
                  <p className="banner refusal" data-testid="unknown-placeholders">
                    Unknown placeholder{unknown.length > 1 ? 's' : ''}:{' '}
                    {unknown.map((n) => `{{${n}}}`).join(', ')}. The agent sees nothing there unless
                    the lead has a custom field of that name.
                  </p>
                )}
              </div>
            </div>
          </div>
          <RefusalBanner error={error} />
          <SuccessBanner message={ok} />
          <button type="submit" className="primary" disabled={script === campaign.script}>
            Save script
          </button>
        </form>
      )}
    </section>
  );
}
