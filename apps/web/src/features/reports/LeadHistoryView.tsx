import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { NumericId, type LeadTimelineEvent, type Me } from '@ringside/protocol';
import { LeadRecordingSettings } from '../recordings/LeadRecordingSettings.js';
import { LeadRecordings } from '../recordings/RecordingList.js';
import type { ReportsApi } from './api.js';
import { formatInstant } from './format.js';
import { useLeadData } from './useLeadData.js';
import { WhyNotDialedPanel } from './WhyNotDialedPanel.js';

/** One line of the timeline, in words. */
export function describeEvent(e: LeadTimelineEvent): string {
  switch (e.source) {
    case 'call': {
      const parts = [`call ${e.callId}`, `campaign ${e.campaignId}`];
      if (e.agentId) parts.push(`agent ${e.agentId}`);
      parts.push(
        e.answeredAtMs === null ? 'not answered' : `answered ${formatInstant(e.answeredAtMs)}`,
      );
      if (e.outcome) parts.push(`outcome ${e.outcome}`);
      if (e.disposition) parts.push(`disposition ${e.disposition}`);
      return parts.join(', ');
    }
    case 'log': {
      const detail = Object.entries(e.detail)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      return [
        e.kind,
        e.callId ? `call ${e.callId}` : '',
        e.agentId ? `agent ${e.agentId}` : '',
        detail,
      ]
        .filter(Boolean)
        .join(', ');
    }
    case 'callback':
      return `callback ${e.callbackId} due ${formatInstant(e.dueAtMs)}${e.agentId ? ` for agent ${e.agentId}` : ''}, ${e.status}`;
  }
}

/** The timeline of one lead: `#/reports/lead-history/<leadId>` (bookmarkable). */
export function LeadHistoryView(props: { api: ReportsApi; leadId: string; me?: Me }) {
  const [input, setInput] = useState(props.leadId);
  const load = useCallback(
    (leadId: string, signal: AbortSignal) => props.api.leadHistory(leadId, signal),
    [props.api],
  );
  const { data, error, setError } = useLeadData(props.leadId, load);
  useEffect(() => setInput(props.leadId), [props.leadId]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const id = input.trim();
    if (!NumericId.safeParse(id).success) {
      setError('A lead id is a positive whole number.');
      return;
    }
    window.location.hash = `#/reports/lead-history/${id}`;
  };
  return (
    <>
      <form className="rp-filters" onSubmit={submit} aria-label="Lead">
        <label>
          Lead id
          <input
            inputMode="numeric"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'rp-err-lead' : undefined}
          />
          {error && (
            <span className="rp-error" role="alert" id="rp-err-lead">
              {error}
            </span>
          )}
        </label>
        <button type="submit">Show history</button>
      </form>
      {data && <WhyNotDialedPanel api={props.api} leadId={data.leadId} />}
      {data && props.me?.role === 'admin' && <LeadRecordingSettings leadId={data.leadId} />}
      {data && props.me && (
        <LeadRecordings
          leadId={data.leadId}
          viewer={{ id: props.me.id, canReview: props.me.role !== 'agent' }}
        />
      )}
      {data && (
        <>
          <p>
            <a className="rp-csv" href={props.api.leadHistoryCsvUrl(data.leadId)} download>
              Export CSV
            </a>
          </p>
          {data.events.length === 0 ? (
            <p>Nothing has happened to lead {data.leadId} yet.</p>
          ) : (
            <ol className="rp-timeline" aria-label={`History of lead ${data.leadId}`}>
              {data.events.map((e, i) => (
                <li key={i} className={`rp-ev rp-ev-${e.source}`}>
                  <time dateTime={new Date(e.atMs).toISOString()}>{formatInstant(e.atMs)}</time>{' '}
                  <span className="rp-ev-source">{e.source}</span> {describeEvent(e)}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </>
  );
}
