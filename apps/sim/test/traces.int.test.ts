/**
 * Contract tests of the simulated PBX against Asterisk 22: every recorded trace's requests are
 * sent to the simulator on a manual clock, at the trace's own times, and it must answer with the
 * same statuses and bodies and send the same events in the same order (minus the ones docs/sim.md
 * lists as left out). Every event and response is also judged by the ARI contract checker.
 */
import { describe, expect, it } from 'vitest';
import { checkEvent, checkResponse, formatIssues, parseAriEvent } from '@ringside/ari';
import { ManualScheduler, type SimPbx } from '../src/index.js';
import {
  ariRequest,
  collectEvents,
  eventKey,
  ignorable,
  loadTrace,
  normalizeBody,
  sequenceProblems,
  startTestPbx,
  timingRules,
  traceFiles,
  type AriMessage,
  type TraceLine,
} from './helpers.js';

const flows = traceFiles().filter((f) => f !== 'errors.jsonl' && f !== 'webrtc-agent-leg.jsonl');

function contractProblems(events: AriMessage[]): string[] {
  const problems: string[] = [];
  for (const e of events) {
    const r = checkEvent(e);
    if (!r.ok) problems.push(formatIssues(r));
    // The worker's run-time validation (zod) must accept it too.
    const parsed = parseAriEvent(e);
    if (!parsed.ok) problems.push(`${e.type}: ${parsed.reason}`);
  }
  return problems;
}

function dropDialplanApp(body: unknown): unknown {
  const b = body as { dialplan?: Record<string, unknown> };
  if (!b?.dialplan) return body;
  return { ...b, dialplan: { ...b.dialplan, app_name: '*', app_data: '*' } };
}

let pbx: SimPbx | null = null;

describe('simulated PBX replays the recorded Asterisk traces', () => {
  it('has the recorded flows to replay', () => {
    expect(flows.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of flows) {
    it(`${file}: same responses and the same events in the same order as Asterisk`, async () => {
      const lines = loadTrace(file);
      const scheduler = new ManualScheduler();
      pbx = await startTestPbx({ port: 0, scheduler, rules: timingRules(lines) });
      const sink = await collectEvents(pbx.eventsUrl);
      const t0 = scheduler.nowMs();
      const responses: Array<{
        req: TraceLine;
        expected: TraceLine;
        got: unknown;
        status: number;
      }> = [];
      for (let i = 0; i < lines.length; i++) {
        const req = lines[i] as TraceLine;
        if (req.dir !== 'request') continue;
        const expected = lines
          .slice(i + 1)
          .find((l) => l.dir === 'response' && l.path === req.path);
        if (!expected) throw new Error(`${file}: no response for ${req.method} ${req.path}`);
        scheduler.advance(t0 + req.tMs - scheduler.nowMs());
        const got = await ariRequest(
          pbx.url,
          req.method ?? 'GET',
          req.path ?? '/',
          req.query ?? {},
        );
        responses.push({ req, expected, got: got.body, status: got.status });
      }
      const lastT = lines[lines.length - 1]?.tMs ?? 0;
      scheduler.advance(t0 + lastT + 1 - scheduler.nowMs());
      await sink.settle();
      sink.close();

      for (const r of responses) {
        const what = `${r.req.method} ${r.req.path}`;
        expect(r.status, what).toBe(r.expected.status);
        // A snoop's response races its StasisStart in Asterisk (the traces show both dialplan apps).
        const racy = r.req.path?.endsWith('/snoop') ? dropDialplanApp : (b: unknown) => b;
        expect(racy(normalizeBody(r.got)), what).toEqual(racy(normalizeBody(r.expected.body)));
        const c = checkResponse(r.req.method ?? '', r.req.path ?? '', r.status, r.got ?? undefined);
        expect(c.ok, formatIssues(c)).toBe(true);
      }

      expect(contractProblems(sink.events)).toEqual([]);
      const want = lines
        .filter((l) => l.dir === 'event' && l.event && !ignorable(l.event))
        .map((l) => eventKey(l.event as AriMessage));
      const got = sink.events.filter((e) => !ignorable(e)).map((e) => eventKey(e));
      expect(sequenceProblems(got, want)).toEqual([]);
    });
  }
});
