import { useEffect, useMemo, useState } from 'react';
import { refusalMessage } from '../../core/api.js';
import { RecordingsApi } from './api.js';

type Consent = 'always' | 'never' | null;

const CONSENT_CHOICES: { value: string; consent: Consent; label: string }[] = [
  { value: 'campaign', consent: null, label: "The campaign's rule (by the lead's state)" },
  { value: 'always', consent: 'always', label: 'Always play the consent notice' },
  { value: 'never', consent: 'never', label: 'Never play the consent notice' },
];

/**
 * An admin's recording settings of one lead, beside its history and recordings: the consent
 * notice override (issue 15 point 1: always / never / the campaign's rule) and the legal hold
 * (point 5: the lead's recordings are kept past retention). Each change is one PUT, audited by
 * the server; the screen shows what the server answered, never what it hoped.
 */
export function LeadRecordingSettings(props: { leadId: string; api?: RecordingsApi }) {
  const api = useMemo(() => props.api ?? new RecordingsApi(), [props.api]);
  const [consent, setConsent] = useState<Consent | undefined>(undefined);
  const [hold, setHold] = useState<boolean | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    setConsent(undefined);
    setHold(undefined);
    setError(null);
    setSaved(null);
    api
      .lead(props.leadId, ctl.signal)
      .then((r) => {
        setConsent(r.lead.recordingConsent ?? null);
        setHold(r.lead.legalHold ?? false);
      })
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setError(refusalMessage(err));
      });
    return () => ctl.abort();
  }, [api, props.leadId]);

  const change = async (what: string, run: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      await run();
      setSaved(what);
    } catch (err) {
      setError(refusalMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const id = `rec-settings-${props.leadId}`;
  return (
    <section className="rec rec-settings" aria-labelledby={id}>
      <h3 id={id}>Recording settings of lead {props.leadId}</h3>
      {error && (
        <p className="rec-error" role="alert">
          {error}
        </p>
      )}
      {consent !== undefined && hold !== undefined && (
        <div className="rec-head">
          <label>
            Consent notice{' '}
            <select
              value={CONSENT_CHOICES.find((c) => c.consent === consent)?.value ?? 'campaign'}
              disabled={busy}
              onChange={(e) => {
                const next = CONSENT_CHOICES.find((c) => c.value === e.target.value)?.consent;
                if (next === undefined) return;
                void change('Consent notice saved.', async () => {
                  const lead = await api.setConsent(props.leadId, next);
                  setConsent(lead.recordingConsent ?? null);
                });
              }}
            >
              {CONSENT_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input
              type="checkbox"
              checked={hold}
              disabled={busy}
              onChange={(e) => {
                const next = e.target.checked;
                void change(
                  next ? 'Legal hold set: recordings are kept.' : 'Legal hold lifted.',
                  async () => {
                    const r = await api.setLeadHold(props.leadId, next);
                    setHold(r.hold);
                  },
                );
              }}
            />{' '}
            Legal hold (keep this lead&apos;s recordings past retention)
          </label>
        </div>
      )}
      <p role="status" className="rec-saved">
        {saved ?? ''}
      </p>
    </section>
  );
}
