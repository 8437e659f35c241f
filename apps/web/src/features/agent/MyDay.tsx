import { useEffect, useState } from 'react';
import type { MyDayResponse } from '@ringside/protocol';
import type { ApiClient } from '../../core/api.js';
import { refusalMessage } from '../../core/api.js';
import type { PanelController } from '../../app/usePanel.js';
import { useNow } from './desk/time.js';

/** A pause limit warns from this share of it on. */
export const WARN_SHARE = 0.8;

export type PauseTone = 'ok' | 'warn' | 'over';

/** One pause code's line: used against its daily limit, and how it reads. */
export interface PauseLine {
  code: string;
  name: string;
  usedMs: number;
  limitMin: number | null;
  tone: PauseTone;
  text: string;
}

function minutes(ms: number): number {
  return Math.floor(ms / 60_000);
}

export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`
    : `${m}:${String(sec).padStart(2, '0')}`;
}

/**
 * The pause lines of the agent's day: each code's time (the open pause counted up to `nowMs`)
 * against its daily limit, 'warn' from 80 % of it, 'over' past it. `paused`: the code the agent
 * is paused with now, if any.
 */
export function pauseLines(day: MyDayResponse, paused: string | null, nowMs: number): PauseLine[] {
  const running = Math.max(0, nowMs - day.atMs);
  return day.pauses
    .map((p) => {
      const usedMs = p.usedMs + (paused === p.code ? running : 0);
      const limitMs = p.limitMin === null ? null : p.limitMin * 60_000;
      let tone: PauseTone = 'ok';
      let text =
        p.limitMin === null ? `${minutes(usedMs)} min` : `${minutes(usedMs)} of ${p.limitMin} min`;
      if (limitMs !== null && usedMs > limitMs) {
        tone = 'over';
        text = `${text}: over by ${Math.max(1, minutes(usedMs - limitMs))} min`;
      } else if (limitMs !== null && usedMs >= limitMs * WARN_SHARE) {
        tone = 'warn';
        text = `${text}: ${Math.max(0, Math.ceil((limitMs - usedMs) / 60_000))} min left`;
      }
      return { code: p.code, name: p.name, usedMs, limitMin: p.limitMin, tone, text };
    })
    .filter((l) => l.usedMs > 0 || l.limitMin !== null);
}

const TONE_STYLE: Record<PauseTone, React.CSSProperties> = {
  ok: {},
  warn: { color: '#5c3b00', background: '#fff4d6', fontWeight: 600 },
  over: { color: '#5c0b07', background: '#fde8e8', fontWeight: 600 },
};

/**
 * The agent's own day beside the call: calls, talk time, average handle time, sales, and each
 * pause code's time against its daily limit, warning from 80 % and when exceeded. Read from the
 * API when the agent's own state changes (no polling); an open pause counts up locally.
 */
export function MyDay(props: { api: ApiClient; panel: PanelController }) {
  const { api, panel } = props;
  const a = panel.state.agent;
  const [day, setDay] = useState<MyDayResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loggedIn = a !== null && a.state !== 'LOGGED_OUT';
  // Every change of the agent's own state (an event the panel already receives) re-reads it.
  const stateKey = loggedIn ? `${a.state}:${a.sinceMs}:${a.pauseCode ?? ''}` : null;
  useEffect(() => {
    if (!stateKey) return;
    let live = true;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    api
      .myDay(zone)
      .then((d) => {
        if (!live) return;
        setDay(d);
        setError(null);
      })
      .catch((err: unknown) => {
        if (live) setError(refusalMessage(err));
      });
    return () => {
      live = false;
    };
  }, [api, stateKey]);

  const paused = a?.state === 'PAUSED' ? a.pauseCode : null;
  const now = useNow(paused !== null, 15_000);
  if (!loggedIn) return null;
  const lines = day ? pauseLines(day, paused, Math.max(now, day.atMs)) : [];
  const warnings = lines.filter((l) => l.tone !== 'ok');
  return (
    <section className="card my-day" aria-labelledby="my-day-title">
      <h2 id="my-day-title">My day</h2>
      {error && <p className="tone-problem">Could not read your day: {error}</p>}
      {day && (
        <>
          <dl
            className="my-day-figures"
            style={{
              display: 'grid',
              gridTemplateColumns: 'auto auto',
              gap: '2px 12px',
              margin: 0,
            }}
          >
            <dt>Calls</dt>
            <dd>{day.calls}</dd>
            <dt>Talk time</dt>
            <dd>{fmtDuration(day.talkMs)}</dd>
            <dt>Average handle time</dt>
            <dd>{day.calls > 0 ? fmtDuration(day.avgHandleMs) : '—'}</dd>
            <dt>Sales</dt>
            <dd>{day.sales}</dd>
          </dl>
          {lines.length > 0 && (
            <>
              <h3 style={{ margin: '8px 0 2px', fontSize: '1em' }}>Pauses today</h3>
              <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                {lines.map((l) => (
                  <li
                    key={l.code}
                    data-tone={l.tone}
                    style={{ ...TONE_STYLE[l.tone], padding: '0 4px' }}
                  >
                    {l.name}: {l.text}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {/* Present from the start, so a limit running out is announced. */}
      <p role="status" aria-label="Pause limits" style={{ margin: '4px 0 0' }}>
        {warnings
          .map((w) =>
            w.tone === 'over'
              ? `${w.name} limit exceeded (${w.limitMin} min a day).`
              : `${w.name}: ${w.text.split(': ')[1] ?? ''} of today's limit.`,
          )
          .join(' ')}
      </p>
    </section>
  );
}
