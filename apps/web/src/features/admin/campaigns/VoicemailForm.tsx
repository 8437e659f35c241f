import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  VoicemailMessage,
  VoicemailView,
  type VoicemailSettings,
  type VoicemailSettingsPatch,
} from '@ringside/protocol';
import { ApiError, refusalError } from '../../../core/api.js';
import { adminRequest } from '../shared/http.js';
import { DataTable, RefusalBanner, SelectField, SuccessBanner, TextField } from '../shared/kit.js';

/**
 * A campaign's voicemail drop (docs/recording.md, "Voicemail drop"): upload a message (WAV or
 * MP3, converted by the server), preview it, choose it, and how the drop waits for the greeting.
 */

const base = (id: string) => `/api/campaigns/${id}/voicemail`;

/** Sends the file itself as the body; the server answers the converted message or a refusal. */
async function uploadMessage(campaignId: string, name: string, file: File) {
  let res: Response;
  try {
    res = await fetch(`${base(campaignId)}/messages?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server could not be reached');
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) throw refusalError(res.status, json, 'upload');
  return VoicemailMessage.parse(json);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function VoicemailForm(props: { campaignId: string }) {
  const { campaignId } = props;
  const [view, setView] = useState<VoicemailView | null>(null);
  const [draft, setDraft] = useState<VoicemailSettings | null>(null);
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const v = await adminRequest('GET', base(campaignId), VoicemailView);
      setView(v);
      setDraft(v.settings);
    } catch (err) {
      setError(err);
    }
  }, [campaignId]);
  useEffect(() => {
    void load();
  }, [load]);

  const upload = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setOk(null);
    try {
      const m = await uploadMessage(campaignId, name.trim() || file.name, file);
      setOk(`Uploaded ${m.name} (${seconds(m.durationMs)}).`);
      setName('');
      setFile(null);
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft || !view) return;
    const patch: VoicemailSettingsPatch = {};
    for (const k of Object.keys(draft) as (keyof VoicemailSettings)[])
      if (draft[k] !== view.settings[k]) Object.assign(patch, { [k]: draft[k] });
    setError(null);
    setOk(null);
    try {
      const v = await adminRequest('PATCH', base(campaignId), VoicemailView, patch);
      setView(v);
      setDraft(v.settings);
      setOk('Saved the voicemail drop.');
    } catch (err) {
      setError(err);
    }
  };

  const set = (p: Partial<VoicemailSettings>) => draft && setDraft({ ...draft, ...p });
  const id = (s: string) => `vm-${s}-${campaignId}`;

  return (
    <section className="card" aria-labelledby={id('heading')}>
      <h3 id={id('heading')}>Voicemail drop</h3>
      <RefusalBanner error={error} />
      <SuccessBanner message={ok} />
      <form onSubmit={(e) => void upload(e)} aria-label="Upload a voicemail message">
        <TextField id={id('name')} label="Message name" value={name} onChange={setName} />
        <div className="field">
          <label htmlFor={id('file')}>Audio file (WAV or MP3, at most 120 s)</label>
          <input
            id={id('file')}
            type="file"
            accept=".wav,.mp3,audio/wav,audio/mpeg"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <button type="submit" disabled={!file || busy}>
          {busy ? 'Uploading…' : 'Upload'}
        </button>
      </form>
      {view && (
        <DataTable
          caption="Voicemail messages"
          rows={view.messages}
          rowKey={(m) => m.id}
          selectedKey={draft?.messageId ?? null}
          empty="No message uploaded yet."
          columns={[
            { header: 'Name', cell: (m) => m.name },
            { header: 'Uploaded as', cell: (m) => m.sourceFormat.toUpperCase() },
            { header: 'Length', cell: (m) => seconds(m.durationMs) },
            {
              header: 'Preview',
              cell: (m) => (
                <audio
                  controls
                  preload="none"
                  aria-label={`Preview ${m.name}`}
                  src={`${base(campaignId)}/messages/${m.id}/audio`}
                />
              ),
            },
          ]}
        />
      )}
      {draft && view && (
        <form onSubmit={(e) => void save(e)} aria-label="Voicemail drop settings">
          <SelectField
            id={id('message')}
            label="Message left on answering machines"
            value={draft.messageId ?? ''}
            onChange={(v) => set({ messageId: v || null })}
          >
            <option value="">None (the campaign's machine message sound, if any)</option>
            {view.messages.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} ({seconds(m.durationMs)})
              </option>
            ))}
          </SelectField>
          <SelectField
            id={id('wait')}
            label="When to play it"
            value={draft.wait}
            onChange={(v) => set({ wait: v === 'none' ? 'none' : 'greeting_end' })}
          >
            <option value="greeting_end">After the greeting ends (talk detection)</option>
            <option value="none">At once after the machine is detected</option>
          </SelectField>
          <TextField
            id={id('max-wait')}
            label="Longest wait for the greeting's end (seconds)"
            hint="5 to 120"
            type="number"
            inputMode="numeric"
            value={String(draft.maxWaitS)}
            onChange={(v) => set({ maxWaitS: Number(v) })}
          />
          <SelectField
            id={id('no-beep')}
            label="When the greeting never ends"
            value={draft.noBeepAction}
            onChange={(v) => set({ noBeepAction: v === 'hangup' ? 'hangup' : 'leave' })}
          >
            <option value="leave">Leave the message anyway</option>
            <option value="hangup">Hang up without a message</option>
          </SelectField>
          <TextField
            id={id('review')}
            label="Machine verdicts recorded for the AMD review (percent)"
            hint="0 to 100"
            type="number"
            inputMode="numeric"
            value={String(draft.amdReviewPct)}
            onChange={(v) => set({ amdReviewPct: Number(v) })}
          />
          <button type="submit">Save voicemail drop</button>
        </form>
      )}
    </section>
  );
}
