import { useEffect, useState, type FormEvent } from 'react';
import { DispositionList, RECYCLE_OUTCOMES, RecycleRules } from '@ringside/protocol';
import { adminRequest } from '../shared/http.js';
import { attempt, fieldBinder } from '../shared/forms.js';
import {
  fieldErrors,
  RefusalBanner,
  SuccessBanner,
  TextField,
  type FieldErrors,
} from '../shared/kit.js';
import { campaignsApi } from './api.js';

interface RuleDraft {
  status: string;
  delayS: string;
  maxAttempts: string;
}

/** A campaign's recycle rules: after a status, wait a delay before dialing the lead again. */
export function RecycleRulesEditor(props: { campaignId: string }) {
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
    const saved = parsed.data.rules;
    await attempt(
      async () => {
        await campaignsApi.setRecycleRules(props.campaignId, saved);
        return `Saved ${saved.length} recycle rule(s).`;
      },
      setError,
      setOk,
    );
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
        <RuleRow
          key={i}
          index={i}
          rule={r}
          listId={listId}
          errors={errors}
          set={(patch) => set(i, patch)}
          remove={() => setRules((rs) => rs.filter((_, j) => j !== i))}
        />
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

/** A rule's number fields: the draft's key, the id's suffix, the label and the range taken. */
const NUMBER_FIELDS = [
  ['delayS', 'delay', 'Delay (s)', '0-2592000 s (30 days)'],
  ['maxAttempts', 'max', 'Max attempts', '1-100'],
] as const;

/** One rule's fields (its refusals are `rules.<index>.<field>`) and its remove button. */
function RuleRow(props: {
  index: number;
  rule: RuleDraft;
  listId: string;
  errors: FieldErrors;
  set(patch: Partial<RuleDraft>): void;
  remove(): void;
}) {
  const i = props.index;
  const bind = fieldBinder(props.rule, props.set, props.errors, `rules.${i}.`);
  return (
    <div className="fields" role="group" aria-label={`Rule ${i + 1}`}>
      <TextField id={`rr-${i}-status`} label="Status" list={props.listId} {...bind('status')} />
      {NUMBER_FIELDS.map(([key, id, label, hint]) => (
        <TextField
          key={key}
          id={`rr-${i}-${id}`}
          label={label}
          hint={hint}
          inputMode="numeric"
          {...bind(key)}
        />
      ))}
      <button type="button" onClick={props.remove}>
        Remove rule {i + 1}
      </button>
    </div>
  );
}
