import {
  useCallback,
  useEffect,
  useMemo,
  useState,
  type FormEvent,
  type ReactElement,
} from 'react';
import {
  RecordingRowState,
  RecordingSearchQuery,
  type Me,
  type RecordingList,
} from '@ringside/protocol';
import { ApiError, refusalMessage } from '../../core/api.js';
import { RecordingsApi } from './api.js';
import { RecordingListView } from './RecordingList.js';
import { RECORDINGS_CSS } from './styles.js';

interface Form {
  campaignId: string;
  agentId: string;
  fromDay: string;
  toDay: string;
  state: string;
}

/** The query string of the form, checked with the server's schema; or the field errors. */
export function searchQuery(
  f: Form,
  page: number,
): { ok: true; q: URLSearchParams } | { ok: false; errors: Record<string, string> } {
  const q = new URLSearchParams();
  if (f.campaignId.trim()) q.set('campaignId', f.campaignId.trim());
  if (f.agentId.trim()) q.set('agentId', f.agentId.trim());
  if (f.fromDay) q.set('from', `${f.fromDay}T00:00:00Z`);
  if (f.toDay) q.set('to', new Date(Date.parse(`${f.toDay}T00:00:00Z`) + 86_400_000).toISOString());
  if (f.state) q.set('state', f.state);
  q.set('page', String(page));
  q.set('pageSize', '25');
  const r = RecordingSearchQuery.safeParse(Object.fromEntries(q));
  if (r.success) return { ok: true, q };
  const errors: Record<string, string> = {};
  for (const i of r.error.issues) errors[String(i.path[0] ?? 'form')] ??= i.message;
  return { ok: false, errors };
}

/**
 * Reports, Recordings (`#/reports/recordings`): the calls' recordings by campaign, agent, days
 * and state, newest first, 25 a page, each with its player and the review beside it.
 */
export function RecordingsSearch(props: {
  me: Me;
  campaigns: ReadonlyArray<{ id: string; name: string }>;
}) {
  const api = useMemo(() => new RecordingsApi(), []);
  const [form, setForm] = useState<Form>({
    campaignId: '',
    agentId: '',
    fromDay: '',
    toDay: '',
    state: '',
  });
  const [page, setPage] = useState(1);
  const [data, setData] = useState<RecordingList | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const run = useCallback(
    async (f: Form, p: number) => {
      const built = searchQuery(f, p);
      if (!built.ok) {
        setErrors(built.errors);
        return;
      }
      setBusy(true);
      setErrors({});
      try {
        setData(await api.search(built.q));
        setPage(p);
      } catch (err) {
        if (err instanceof ApiError && err.issues.length) {
          const e: Record<string, string> = {};
          for (const i of err.issues) e[i.path.replace(/^query\./, '')] ??= i.message;
          setErrors(e);
        } else setErrors({ form: refusalMessage(err) });
      } finally {
        setBusy(false);
      }
    },
    [api],
  );
  useEffect(() => {
    void run({ campaignId: '', agentId: '', fromDay: '', toDay: '', state: '' }, 1);
  }, [run]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(form, 1);
  };
  const field = (name: string, label: string, input: ReactElement) => (
    <label>
      {label}
      {input}
      {errors[name] && (
        <span className="rp-error" role="alert">
          {errors[name]}
        </span>
      )}
    </label>
  );
  const viewer = { id: props.me.id, canReview: props.me.role !== 'agent' };
  return (
    <div className="rec">
      <style>{RECORDINGS_CSS}</style>
      <form className="rp-filters" onSubmit={submit} aria-label="Find recordings">
        {field(
          'campaignId',
          'Campaign',
          <select
            value={form.campaignId}
            onChange={(e) => setForm({ ...form, campaignId: e.target.value })}
          >
            <option value="">all</option>
            {props.campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>,
        )}
        {field(
          'agentId',
          'Agent id',
          <input
            inputMode="numeric"
            value={form.agentId}
            onChange={(e) => setForm({ ...form, agentId: e.target.value })}
          />,
        )}
        {field(
          'from',
          'From (UTC day)',
          <input
            type="date"
            value={form.fromDay}
            onChange={(e) => setForm({ ...form, fromDay: e.target.value })}
          />,
        )}
        {field(
          'to',
          'To (UTC day)',
          <input
            type="date"
            value={form.toDay}
            onChange={(e) => setForm({ ...form, toDay: e.target.value })}
          />,
        )}
        {field(
          'state',
          'State',
          <select value={form.state} onChange={(e) => setForm({ ...form, state: e.target.value })}>
            <option value="">any</option>
            {RecordingRowState.options.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>,
        )}
        <button type="submit" disabled={busy}>
          Find
        </button>
      </form>
      {errors.form && (
        <p className="rec-error" role="alert">
          {errors.form}
        </p>
      )}
      {data && (
        <>
          <RecordingListView
            api={api}
            recordings={data.recordings}
            viewer={viewer}
            label="Recordings found"
            empty="No recordings match."
          />
          <nav aria-label="Pages of recordings">
            <button
              type="button"
              disabled={busy || page <= 1}
              onClick={() => void run(form, page - 1)}
            >
              Previous page
            </button>{' '}
            <span>page {page}</span>{' '}
            <button
              type="button"
              disabled={busy || !data.hasMore}
              onClick={() => void run(form, page + 1)}
            >
              Next page
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
