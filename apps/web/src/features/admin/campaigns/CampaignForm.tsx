import { useState, type FormEvent } from 'react';
import { CampaignCreate, CampaignPatch, type Campaign } from '@ringside/protocol';
import { Field, FormHeading, fieldErrors, RefusalBanner } from '../shared/kit.js';
import { campaignsApi } from './api.js';
import {
  fromDraft,
  GROUPS,
  isShown,
  NEW_CAMPAIGN,
  toDraft,
  type Draft,
  type Setting,
  type SettingKey,
} from './settings.js';

/** A campaign's settings form, grouped as in settings.ts; new when `campaign` is null. */
export function CampaignForm(props: { campaign: Campaign | null; onSaved(c: Campaign): void }) {
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
            {g.settings
              .filter((s) => isShown(s, draft))
              .map((s) => (
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
              <option key={o} value={o}>
                {s.optionLabels?.[o] ?? o}
              </option>
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
