import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { AgentState, AgentStatusView, RosterResponse } from '@ringside/protocol';
import { WEB_DIST } from '../e2e/system.js';

/**
 * The page driver of the dashboard frame budget, shared by frame-budget.e2e.test.ts and
 * `npm run bench:browser`: the built app with its API and WebSocket played by Playwright (a
 * synthetic snapshot of 1,000 agents, then a steady stream of state changes), and a frame meter
 * that runs in the page.
 */

export const AGENTS = 1000;
export const ORIGIN = 'http://ringside.test';
const STATES: AgentState[] = ['READY', 'PAUSED', 'INCALL', 'WRAPUP', 'RESERVED', 'DEAD'];

const agentAt = (i: number, nowMs: number): AgentStatusView => ({
  agentId: String(i + 1),
  state: STATES[i % STATES.length] ?? 'READY',
  sinceMs: nowMs - (i % 600) * 1000,
  campaignId: String((i % 5) + 1),
  callId: null,
  pauseCode: i % STATES.length === 1 ? 'BREAK' : null,
});

const roster: RosterResponse = {
  agents: Array.from({ length: AGENTS }, (_, i) => ({
    agentId: String(i + 1),
    displayName: `Agent ${String(i + 1).padStart(4, '0')}`,
    teamId: `t${i % 10}`,
    callsToday: i % 40,
  })),
  campaigns: Array.from({ length: 5 }, (_, i) => ({
    id: String(i + 1),
    name: `Campaign ${i + 1}`,
    dialMethod: 'predictive' as const,
    dialLevel: 2,
    dropRateCapPct: 3,
    drops: { today: { drops: i, humanAnswers: 400 }, window: { drops: 90, humanAnswers: 9000 } },
  })),
};

function contentType(file: string): string {
  if (file.endsWith('.js')) return 'text/javascript';
  if (file.endsWith('.css')) return 'text/css';
  return 'text/html';
}

/**
 * A production build of its own, in a new temp dir (the caller removes it): under vitest NODE_ENV
 * is 'test', and a build made with it (e2e/system.ts ensureWebBuild) carries React's development
 * runtime, several times slower.
 */
export function buildProductionWeb(): string {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'ringside-sv-dist-'));
  execFileSync(
    'npx',
    ['vite', 'build', path.dirname(WEB_DIST), '--outDir', dist, '--logLevel', 'warn'],
    { env: { ...process.env, NODE_ENV: 'production' }, stdio: 'inherit' },
  );
  return dist;
}

/** A dialer.status of campaign c whose reason and counts move with n. */
const dialerStatusAt = (c: number, n: number, atMs: number) => ({
  type: 'dialer.status',
  campaignId: String(c + 1),
  state: 'dialing',
  reason: `Predictive: ${n % 7} ready and ${(n % 5) / 2} more expected free soon, placing ${n % 3}.`,
  mode: 'predictive',
  appliedMode: 'predictive',
  dialLevel: 2,
  readyAgents: n % 7,
  callsInFlight: n % 11,
  waitingForAgent: 0,
  hopperSize: 500 - (n % 50),
  dialableLeads: 100_000 - n,
  dialableAtMs: atMs,
  kpi: { dayStartMs: 0, handledCalls: n, ahtMs: 180_000, connectedCalls: n, asaMs: 700 },
  atMs,
});

/**
 * Serves the dashboard from `dist` at ORIGIN with a supervisor session and the roster, and plays
 * its WebSocket: a snapshot of AGENTS agents, then `eventsPerS` agent state changes a second in
 * batches every 50 ms, and once a second a dialer.status per campaign.
 */
export async function routeDashboard(page: Page, dist: string, eventsPerS: number): Promise<void> {
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/api/me') {
      return route.fulfill({
        json: {
          id: '5000',
          username: 'supervisor',
          displayName: 'Sup',
          role: 'supervisor',
          phoneType: 'webrtc',
        },
      });
    }
    if (url.pathname === '/api/supervisor/roster') return route.fulfill({ json: roster });
    const rel = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const file = path.join(dist, path.normalize(rel));
    if (!file.startsWith(dist)) return route.fulfill({ status: 404 });
    try {
      return route.fulfill({ body: readFileSync(file), contentType: contentType(file) });
    } catch {
      return route.fulfill({ status: 404 });
    }
  });

  await page.routeWebSocket(`ws://ringside.test/ws`, (ws) => {
    let seq = 0;
    let timer: ReturnType<typeof setInterval> | null = null;
    const send = (type: string, data: unknown) =>
      ws.send(JSON.stringify({ v: 1, type, seq: ++seq, tsMs: Date.now(), data }));
    ws.onMessage((raw) => {
      const msg = JSON.parse(String(raw)) as { type: string; seq: number };
      if (msg.type === 'ping') send('pong', { nonce: null, replyTo: msg.seq });
      if (msg.type !== 'subscribe') return;
      const now = Date.now();
      send('snapshot', {
        scope: 'supervisor',
        reason: 'subscribe',
        agent: null,
        agents: Array.from({ length: AGENTS }, (_, i) => agentAt(i, now)),
        calls: [],
        campaigns: Array.from({ length: 5 }, (_, c) => dialerStatusAt(c, 0, now)),
      });
      let n = 0;
      // Batches every 50 ms: eventsPerS / 20 events each.
      let batch = 0;
      timer ??= setInterval(() => {
        // Once a second, a dialer.status per campaign (the publisher's most): the header's line.
        if (++batch % 20 === 0) {
          for (let c = 0; c < 5; c++) {
            send('event', {
              stream: 'system',
              busSeq: batch * 5 + c,
              event: dialerStatusAt(c, batch, Date.now()),
            });
          }
        }
        for (let k = 0; k < eventsPerS / 20; k++) {
          const i = (n * 7919) % AGENTS;
          const from = STATES[(n + 0) % 2] ?? 'READY';
          const to = from === 'READY' ? 'PAUSED' : 'READY';
          n++;
          send('event', {
            stream: 'agents',
            busSeq: n,
            event: {
              type: 'agent.state_changed',
              agentId: String(i + 1),
              campaignId: String((i % 5) + 1),
              from,
              to,
              pauseCode: to === 'PAUSED' ? 'BREAK' : null,
              callId: null,
              reason: 'agent',
              sinceMs: Date.now() - 1000,
              atMs: Date.now(),
            },
          });
        }
      }, 50);
    });
    ws.onClose(() => {
      if (timer) clearInterval(timer);
    });
  });
}

/** Opens the dashboard (routed by routeDashboard) and waits for the whole roster on screen. */
export async function openDashboard(page: Page): Promise<void> {
  await page.goto(`${ORIGIN}/`);
  await page.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
  await page.getByText(`${AGENTS} agents`).waitFor({ timeout: 10_000 });
}

/** The few browser globals measureFrames uses (the server's tsconfig has no DOM library). */
interface PageGlobals {
  document: {
    querySelector(sel: string): { scrollTop: number; scrollHeight: number } | null;
    querySelectorAll(sel: string): { length: number };
  };
  requestAnimationFrame(cb: (t: number) => void): number;
}

/** rAF frame intervals in ms over a measurement, and the most grid rows seen in the DOM. */
export interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Frames whose interval was over 50 ms. */
  over50: number;
  maxRows: number;
}

/**
 * Runs in the page (pass it to page.evaluate): rAF intervals for `measureMs` while scrolling the
 * grid (if any) 96 px a frame.
 */
export async function measureFrames(measureMs: number): Promise<FrameStats> {
  const { document, requestAnimationFrame } = globalThis as unknown as PageGlobals;
  const scroller = document.querySelector('.sv-scroll');
  const deltas: number[] = [];
  let maxRows = 0;
  await new Promise<void>((resolve) => {
    const start = performance.now();
    let last = start;
    const step = (t: number) => {
      deltas.push(t - last);
      last = t;
      // Scroll through the grid while events arrive: the worst case of a watched wallboard.
      if (scroller) {
        scroller.scrollTop = (scroller.scrollTop + 96) % (scroller.scrollHeight - 600);
      }
      maxRows = Math.max(maxRows, document.querySelectorAll('.sv-row[data-agent-id]').length);
      if (t - start < measureMs) requestAnimationFrame(step);
      else resolve();
    };
    requestAnimationFrame(step);
  });
  deltas.shift();
  const sorted = [...deltas].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {
    frames: deltas.length,
    p50: q(0.5) ?? 0,
    p95: q(0.95) ?? 0,
    p99: q(0.99) ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    over50: deltas.filter((d) => d > 50).length,
    maxRows,
  };
}
