import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AgentState, AgentStatusView, RosterResponse } from '@ringside/protocol';
import { launchChromium, WEB_DIST } from '../e2e/system.js';

/**
 * Frame budget of the supervisor dashboard with 1,000 agents, in Debian's chromium: the built app
 * with its API and WebSocket played by Playwright (a synthetic snapshot of 1,000 agents, then
 * 200 state changes a second), while the grid scrolls. Frame intervals are taken from
 * requestAnimationFrame in the page itself. The numbers go to docs/supervisor.md.
 */

const AGENTS = 1000;
const EVENTS_PER_S = Number(process.env.SV_EVENTS ?? 200);
const MEASURE_MS = 5000;
const ORIGIN = 'http://ringside.test';
const STATES: AgentState[] = ['READY', 'PAUSED', 'INCALL', 'WRAPUP', 'RESERVED', 'DEAD'];

let browser: Browser;
let page: Page;

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
 * A production build of its own: under vitest NODE_ENV is 'test', and a build made with it
 * (e2e/system.ts ensureWebBuild) carries React's development runtime, several times slower.
 */
let dist = '';

beforeAll(async () => {
  dist = mkdtempSync(path.join(os.tmpdir(), 'ringside-sv-dist-'));
  execFileSync(
    'npx',
    ['vite', 'build', path.dirname(WEB_DIST), '--outDir', dist, '--logLevel', 'warn'],
    { env: { ...process.env, NODE_ENV: 'production' }, stdio: 'inherit' },
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
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
      // Batches every 50 ms: 10 events each, 200 a second.
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
        for (let k = 0; k < EVENTS_PER_S / 20; k++) {
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
});

afterAll(async () => {
  await browser?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

/** The few browser globals measureFrames uses (the server's tsconfig has no DOM library). */
interface PageGlobals {
  document: {
    querySelector(sel: string): { scrollTop: number; scrollHeight: number } | null;
    querySelectorAll(sel: string): { length: number };
  };
  requestAnimationFrame(cb: (t: number) => void): number;
}

/** Runs in the page: rAF intervals for `measureMs` while scrolling the grid (if any). */
async function measureFrames(measureMs: number) {
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

describe('dashboard frame budget with 1,000 agents', () => {
  it('keeps the DOM to the visible rows and reports rAF frame intervals under load', async () => {
    await page.goto(`${ORIGIN}/`);
    await page.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
    await page.getByText(`${AGENTS} agents`).waitFor({ timeout: 10_000 });
    const base = await browser.newPage();
    await base.setContent('<p>idle</p>');
    const idle = await base.evaluate(measureFrames, 2000);
    await base.close();
    console.log(
      `idle page in this browser: interval p50 ${idle.p50.toFixed(1)} ms, p95 ${idle.p95.toFixed(1)} ms`,
    );
    // Main-thread time (CDP) says how much of the budget the dashboard itself used, which the
    // frame intervals alone do not on a machine shared with other work.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => {
      const m = (await cdp.send('Performance.getMetrics')).metrics;
      const get = (n: string) => m.find((x) => x.name === n)?.value ?? 0;
      return {
        task: get('TaskDuration'),
        script: get('ScriptDuration'),
        layout: get('LayoutDuration') + get('RecalcStyleDuration'),
      };
    };
    const before = await metrics();
    if (process.env.SV_PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const r = await page.evaluate(measureFrames, MEASURE_MS);
    const after = await metrics();
    if (process.env.SV_PROFILE) {
      const { profile } = await cdp.send('Profiler.stop');
      const self = new Map<string, number>();
      const dt = profile.timeDeltas ?? [];
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      (profile.samples ?? []).forEach((id, i) => {
        const n = byId.get(id);
        const k = `${n?.callFrame.functionName || '(anon)'} ${n?.callFrame.url.split('/').pop() ?? ''}:${n?.callFrame.lineNumber ?? 0}`;
        self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0) / 1000);
      });
      console.log(JSON.stringify([...self].sort((a, b) => b[1] - a[1]).slice(0, 15)));
    }
    const busy = {
      taskMs: (after.task - before.task) * 1000,
      scriptMs: (after.script - before.script) * 1000,
      layoutMs: (after.layout - before.layout) * 1000,
    };
    const perFrameMs = busy.taskMs / Math.max(1, r.frames);
    console.log(
      `main thread over ${MEASURE_MS} ms: busy ${busy.taskMs.toFixed(0)} ms ` +
        `(script ${busy.scriptMs.toFixed(0)} ms, style+layout ${busy.layoutMs.toFixed(0)} ms), ` +
        `${perFrameMs.toFixed(1)} ms per frame`,
    );
    console.log(
      `frame budget, ${AGENTS} agents, ${EVENTS_PER_S} events/s, scrolling: ` +
        `${r.frames} frames in ${MEASURE_MS} ms; interval p50 ${r.p50.toFixed(1)} ms, ` +
        `p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, ` +
        `${r.over50} frames over 50 ms; at most ${r.maxRows} rows in the DOM`,
    );
    expect(r.maxRows).toBeGreaterThan(0);
    expect(r.maxRows).toBeLessThan(60);
    // The campaign headers rendered the pushed dialer statuses all along (5 campaigns).
    expect(await page.locator('.sv-reason').count()).toBe(5);
    // Measured p95 16.8 ms (60 fps); 50 ms leaves room for a machine shared with other work,
    // while a grid re-rendering all 1,000 rows per event batch lands well above it.
    expect(r.p95).toBeLessThan(50);
  });
});
