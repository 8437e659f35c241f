import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { CampaignFields, CampaignPatch, type Campaign, type Me } from '@ringside/protocol';
import {
  Field,
  fieldErrors,
  AdminSection,
  RefusalBanner,
  SelectField,
  SuccessBanner,
} from '../shared/kit.js';
import { attempt } from '../shared/forms.js';
import { campaignsApi } from './api.js';
import {
  LEAD_PLACEHOLDERS,
  placeholderValues,
  previewSegments,
  SAMPLE_LEAD,
  unknownPlaceholders,
} from './script-preview.js';

const SCRIPT_CSS = `
.admin-kit .script-preview { white-space: pre-wrap; background: #f6f8fa; padding: 8px; border-radius: 4px; min-height: 3rem; }
.admin-kit mark.ph-known { background: #d1f0d9; border-bottom: 2px solid #1b7f3b; }
.admin-kit mark.ph-unknown { background: #ffd7d5; border-bottom: 2px dashed #b3261e; }
.admin-kit .script-layout { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.admin-kit textarea { width: 100%; min-height: 14rem; font: inherit; }
`;

/** The script editor: a campaign's script with placeholders and a live preview on a sample lead. */
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
    const patch = parsed.data;
    await attempt(
      async () => {
        const saved = await campaignsApi.update(campaign.id, patch);
        setCampaigns((cs) => cs.map((c) => (c.id === saved.id ? saved : c)));
        return `Saved the script of ${saved.name}.`;
      },
      setError,
      setOk,
    );
  };

  const placeholders = [
    ...LEAD_PLACEHOLDERS,
    ...Object.keys(SAMPLE_LEAD.custom).filter((k) => !LEAD_PLACEHOLDERS.some((p) => p === k)),
  ];

  return (
    <AdminSection headingId="scripts-heading" title="Scripts">
      <style>{SCRIPT_CSS}</style>
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
    </AdminSection>
  );
}
