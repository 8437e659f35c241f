/**
 * The simulated PBX against Ringside's own traces of a real Asterisk (traces/README.md): each
 * trace in traces/ is reproduced on the simulator (its requests, or for an events-only trace the
 * steps its events imply, sim-trace-replay.ts) on a manual clock at the trace's times, and the
 * simulator must send the same events in the same order, per channel and bridge and for the
 * events a dialer acts on (the comparison of apps/sim's own trace test). A new trace dropped
 * into the folder is replayed without any change here.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEvent, formatIssues } from '@ringside/ari';
import { ManualScheduler, startSimPbx, type SimPbx, type SimPbxOptions } from '@ringside/sim';
import {
  ariRequest,
  collectEvents,
  eventKey,
  ignorable,
  sequenceProblems,
  timingRules,
  type AriMessage,
} from '../../../sim/test/helpers.js';
import { WEBRTC_AGENT_ENDPOINT } from '../../src/services/telephony/sip-accounts.js';
import {
  loadProjectTrace,
  loadTrace,
  projectTraceFiles,
  projectTracesDir,
  traceFiles,
} from './trace-helpers.js';
import {
  defaultEndpoints,
  replaySteps,
  withStasisEvents,
  type TraceEventLine,
} from './sim-trace-replay.js';

let pbx: SimPbx | null = null;
afterEach(async () => {
  await pbx?.stop();
  pbx = null;
});

/** The sidecar `<name>.sim.json`: the PBX the trace was recorded on, as startSimPbx options. */
function sidecar(file: string): Pick<SimPbxOptions, 'endpoints' | 'modules'> | null {
  const p = path.join(projectTracesDir, file.replace(/\.jsonl$/, '.sim.json'));
  if (!existsSync(p)) return null;
  return JSON.parse(readFileSync(p, 'utf8')) as Pick<SimPbxOptions, 'endpoints' | 'modules'>;
}

/** Ringside's browser phones' codecs (services/telephony/sip-accounts.ts), for traces without a sidecar. */
const ringsideAllow = (WEBRTC_AGENT_ENDPOINT.find((f) => f.attribute === 'allow')?.value ?? 'ulaw')
  .split(',')
  .map((c) => c.trim());

async function control(url: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${url}/_sim${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

async function replayOnSim(
  lines: TraceEventLine[],
  setup: Pick<SimPbxOptions, 'endpoints' | 'modules'> | null,
) {
  const scheduler = new ManualScheduler();
  pbx = await startSimPbx({
    port: 0,
    scheduler,
    rules: timingRules(lines),
    endpoints: setup?.endpoints ?? defaultEndpoints(lines, ringsideAllow),
    modules: setup?.modules,
  });
  const sim = pbx;
  const sink = await collectEvents(sim.eventsUrl);
  const t0 = scheduler.nowMs();
  const problems: string[] = [];
  for (const step of replaySteps(lines)) {
    scheduler.advance(Math.max(0, t0 + step.tMs - scheduler.nowMs()));
    if (step.kind === 'ari') {
      const got = await ariRequest(sim.url, step.method, step.path, step.query);
      if (step.expected && got.status !== step.expected.status) {
        problems.push(
          `${step.method} ${step.path}: ${got.status}, Asterisk ${step.expected.status}`,
        );
      }
      if (!step.expected && got.status >= 300) {
        problems.push(`${step.method} ${step.path} (implied by the events): ${got.status}`);
      }
    } else if (step.kind === 'login') {
      const r = await control(sim.url, 'POST', `/phones/${step.endpoint}/login`, {
        channelId: step.channelId,
      });
      if (r.status !== 200) problems.push(`${step.endpoint} login: ${JSON.stringify(r.body)}`);
    } else {
      const action = step.kind === 'phone-hangup' ? 'hangup' : step.kind;
      const r = await control(sim.url, 'POST', `/phones/${step.endpoint}/${action}`);
      if (r.status !== 204) problems.push(`${step.endpoint} ${action}: ${r.status}`);
    }
  }
  const lastT = lines.at(-1)?.tMs ?? 0;
  scheduler.advance(Math.max(0, t0 + lastT + 1 - scheduler.nowMs()));
  await sink.settle();
  sink.close();
  const want = lines
    .filter((l) => l.event && !ignorable(l.event as AriMessage))
    .map((l) => eventKey(l.event as AriMessage));
  const got = sink.events.filter((e) => !ignorable(e)).map((e) => eventKey(e));
  return { problems, want, got, events: sink.events };
}

describe("simulated PBX replays the project's own Asterisk traces", () => {
  it('has traces to replay', () => {
    expect(projectTraceFiles().length).toBeGreaterThanOrEqual(1);
  });

  for (const file of projectTraceFiles()) {
    it(`${file}: the same events in the same order as Asterisk`, async () => {
      // A trace of record-trace.ts has no StasisStart/StasisEnd: put back where Asterisk sends them.
      const lines = withStasisEvents(loadProjectTrace(file) as unknown as TraceEventLine[]);
      const { problems, want, got, events } = await replayOnSim(lines, sidecar(file));
      expect(problems).toEqual([]);
      expect(
        events
          .map((e) => checkEvent(e))
          .filter((r) => !r.ok)
          .map(formatIssues),
      ).toEqual([]);
      expect(sequenceProblems(got, want)).toEqual([]);
    });
  }

  it('webrtc-opus-refused: the sim ejects the ulaw customer from the Opus agent bridge by its own codec logic, as Asterisk 22.10.1 did', async () => {
    const file = 'webrtc-opus-refused.jsonl';
    const lines = withStasisEvents(loadProjectTrace(file) as unknown as TraceEventLine[]);
    // Nothing asks the simulator to remove the customer: the driver infers no removeChannel.
    const steps = replaySteps(lines).filter((s) => s.kind === 'ari');
    expect(steps.map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /bridges',
      'POST /bridges/agent-3/addChannel',
      'POST /channels',
      'POST /bridges/agent-3/addChannel',
      'DELETE /channels/cmxcnksfsc85f3817c7',
      'DELETE /channels/1796610622.0',
      'DELETE /bridges/agent-3',
    ]);
    const { events } = await replayOnSim(lines, sidecar(file));
    const customer = 'cmxcnksfsc85f3817c7';
    const moves = events.filter(
      (e) =>
        (e.type === 'ChannelEnteredBridge' || e.type === 'ChannelLeftBridge') &&
        (e.channel as { id: string }).id === customer,
    );
    expect(moves.map((e) => e.type)).toEqual(['ChannelEnteredBridge', 'ChannelLeftBridge']);
    expect(moves[0]?.timestamp).toBe(moves[1]?.timestamp);
    expect(pbx?.engine.counters.codecEjections).toBe(1);
    expect(pbx?.engine.warnings).toEqual([
      'No path to translate from Local/12125550000@sim-customers-talking-00000000;1 to PJSIP/agent1-00000000',
    ]);
  });

  it('withStasisEvents puts every StasisStart and StasisEnd of the shared traces back where Asterisk sent them', () => {
    for (const file of traceFiles()) {
      const lines = loadTrace(file) as unknown as TraceEventLine[];
      const stasis = (e: TraceEventLine['event']) =>
        e?.type === 'StasisStart' || e?.type === 'StasisEnd';
      // Only a channel that ran Stasis() in the dialplan shows where it entered the app.
      const viaDialplan = new Set(
        lines
          .filter((l) => l.event?.type === 'ChannelDialplan' && l.event.dialplan_app === 'Stasis')
          .map((l) => (l.event?.channel as { id: string }).id),
      );
      const ofDialplanChannel = (l: TraceEventLine) =>
        viaDialplan.has((l.event?.channel as { id?: string } | undefined)?.id ?? '');
      const stripped = lines.filter((l) => !(stasis(l.event) && ofDialplanChannel(l)));
      const onlyDialplan = lines.filter((l) => stasis(l.event) && ofDialplanChannel(l));
      const key = (l: TraceEventLine) => (l.event ? eventKey(l.event as AriMessage) : l.dir);
      const put = withStasisEvents(stripped.filter((l) => !stasis(l.event)));
      // Every StasisStart/StasisEnd of a dialplan channel is back, at its place.
      expect(put.filter((l) => stasis(l.event)).map(key), file).toEqual(onlyDialplan.map(key));
      const others = (ls: TraceEventLine[]) =>
        ls.filter((l) => !stasis(l.event) || ofDialplanChannel(l)).map(key);
      expect(others(put), file).toEqual(others(lines));
    }
  });
});

describe('the events-only driver', () => {
  // record-trace.ts records events only: every recorded flow of ../shared/ari/traces, stripped of
  // its requests, must still be reproduced from its events.
  for (const file of traceFiles().filter((f) => f !== 'errors.jsonl')) {
    it(`reproduces ${file} from its events alone`, async () => {
      const lines = (loadTrace(file) as unknown as TraceEventLine[]).filter(
        (l) => l.dir === 'event',
      );
      // The phone of webrtc-agent-leg carried audio both ways: a G.711 endpoint here.
      const setup = { endpoints: defaultEndpoints(lines, ['ulaw']) };
      const { problems, want, got } = await replayOnSim(lines, setup);
      expect(problems).toEqual([]);
      expect(sequenceProblems(got, want)).toEqual([]);
    });
  }
});
