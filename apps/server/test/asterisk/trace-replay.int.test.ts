import type { AriEvent } from '@ringside/ari';
import { checkRequest, formatIssues } from '@ringside/ari';
import type { AgentId, CampaignId, DomainEvent } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { ServerPool } from '../../src/adapters/asterisk/server-pool.js';
import { createLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/ports/clock.js';
import { MemoryEventBus } from '../../src/ports/fakes/memory-event-bus.js';
import { MemoryStateStore } from '../../src/ports/fakes/memory-state-store.js';
import { AriCallWorker } from '../../src/services/telephony/ari-worker-calls.js';
import type { AgentLeg } from '../../src/ports/telephony.js';
import { CallOriginator } from '../../src/services/telephony/ari-worker-originator.js';
import {
  fakeFetch,
  loadProjectTrace,
  loadTrace,
  projectTraceFiles,
  traceFiles,
  type SentRequest,
  type TraceLine,
} from './trace-helpers.js';
import { withStasisEvents, type TraceEventLine } from './sim-trace-replay.js';
import { customerCall, MemoryCallLog } from './telephony-rig.js';

/**
 * Each recorded Asterisk trace is replayed through the worker: customer calls are originated
 * through the real originator and client (the fake fetch answers with the trace's response),
 * agents own the mixing bridges the trace creates, and every event is fed in order. The domain
 * events on the bus must be exactly the expected ones.
 */

/** A compact view of a domain event for assertions. */
function brief(e: DomainEvent): string {
  switch (e.type) {
    case 'call.originated':
      return `originated ${e.callId} on ${e.serverId}`;
    case 'call.amd':
      return `amd ${e.callId} ${e.result} ${e.cause}`;
    case 'call.bridged':
      return `bridged ${e.callId} ${e.agentId} ${e.bridgeId}`;
    case 'call.safe_harbor':
      return `safe_harbor ${e.callId} ${e.playbackId}`;
    case 'call.ended':
      return `ended ${e.callId} ${e.outcome} ${e.hangupCause}${e.reason ? ` ${e.reason}` : ''}`;
    case 'call.dropped':
    case 'call.ringing':
    case 'call.answered':
    case 'call.waiting':
      return `${e.type.slice(5)} ${e.callId}`;
    default:
      return e.type;
  }
}

const expected: Record<string, string[]> = {
  'busy.jsonl': ['originated call-b on ast1', 'ended call-b BUSY 17'],
  'congestion.jsonl': ['originated call-c on ast1', 'ended call-c CONGESTION 34'],
  'no-answer.jsonl': ['originated call-n on ast1', 'ringing call-n', 'ended call-n NO_ANSWER 19'],
  'machine-answer.jsonl': [
    'originated call-m on ast1',
    'ringing call-m',
    'answered call-m',
    'amd call-m MACHINE MAXWORDS-4-3',
    'ended call-m MACHINE 16',
  ],
  'drop-safe-harbor.jsonl': [
    'originated call-d on ast1',
    'ringing call-d',
    'answered call-d',
    'amd call-d HUMAN HUMAN-801-800',
    'dropped call-d',
    'safe_harbor call-d pb-d',
    'ended call-d DROPPED 16',
  ],
  'human-answer-bridge.jsonl': [
    'originated call-a on ast1',
    'ringing call-a',
    'answered call-a',
    'amd call-a HUMAN HUMAN-801-800',
    'bridged call-a agent-of-br-a br-a',
    'ended call-a HUMAN 16',
  ],
  'agent-hangs-up-customer.jsonl': [
    'originated call-k on ast1',
    'ringing call-k',
    'answered call-k',
    'amd call-k HUMAN HUMAN-801-800',
    'bridged call-k agent-of-br-k br-k',
    'ended call-k HUMAN 16',
  ],
  'holding-then-agent.jsonl': [
    'originated call-h on ast1',
    'ringing call-h',
    'answered call-h',
    'waiting call-h',
    'bridged call-h agent-of-br-h br-h',
    'ended call-h HUMAN 16',
  ],
  'snoop-listen-whisper.jsonl': [
    'originated call-s on ast1',
    'ringing call-s',
    'answered call-s',
    'amd call-s HUMAN HUMAN-801-800',
    'bridged call-s agent-of-br-s br-s',
    'ended call-s HUMAN 16',
  ],
  'webrtc-agent-leg.jsonl': [
    'originated probe-call on ast1',
    'ringing probe-call',
    'answered probe-call',
    'amd probe-call HUMAN HUMAN-801-800',
    'bridged probe-call agent-of-probe-br probe-br',
    'ended probe-call HUMAN 16',
  ],
  // Error responses only: no call is placed, the worker publishes nothing.
  'errors.jsonl': [],
};

/** The worker's bridge-leave grace in this replay (ms of real time). */
const LEAVE_GRACE_MS = 20;

function isCustomerChannel(name: string, id: string): boolean {
  return name.includes('@sim-customers') && !id.endsWith('-2');
}

/**
 * Domain events expected of the project's own traces (traces/README.md). A trace without an
 * entry gets the generic checks only, so a newly recorded trace runs at once.
 */
const projectExpected: Record<string, string[]> = {
  // Recorded on Asterisk 22.10.1 (traces/README.md): the ulaw customer is ejected from the Opus
  // agent's bridge on entry; the worker's bridge integrity hangs it up, the call ends refused.
  'webrtc-opus-refused.jsonl': [
    'originated cmxcnksfsc85f3817c7 on ast1',
    'ringing cmxcnksfsc85f3817c7',
    'answered cmxcnksfsc85f3817c7',
    'amd cmxcnksfsc85f3817c7 HUMAN HUMAN-803-800',
    'bridged cmxcnksfsc85f3817c7 agent-of-agent-3 agent-3',
    // Ended by Ringside before Asterisk reported a cause (the worker hung the customer up).
    'ended cmxcnksfsc85f3817c7 HUMAN null BRIDGE_REFUSED',
  ],
};

/** Whether a customer channel of the trace is still up after its last line. */
function customerLiveAtEnd(lines: TraceLine[]): boolean {
  const live = new Set<string>();
  for (const l of lines) {
    if (l.dir !== 'event') continue;
    const ev = l.event;
    if (ev.type === 'ChannelCreated' && isCustomerChannel(ev.channel.name, ev.channel.id)) {
      live.add(ev.channel.id);
    }
    if (ev.type === 'ChannelDestroyed') live.delete(ev.channel.id);
  }
  return live.size > 0;
}

async function replay(file: string, lines: TraceLine[] = loadTrace(file)) {
  const clock = new ManualClock(1_800_000_000_000);
  const bus = new MemoryEventBus({ clock });
  const store = new MemoryStateStore(bus);
  const callLog = new MemoryCallLog();
  const logger = createLogger('silent');
  const sent: SentRequest[] = [];
  // Originations are answered with the trace's recorded response for that channel.
  const responses = lines.filter(
    (l): l is Extract<TraceLine, { dir: 'response' }> => l.dir === 'response',
  );
  const fetchFn = fakeFetch((req) => {
    const channelId = req.query.channelId;
    const recorded = responses.find(
      (r) =>
        r.method === req.method &&
        r.path === '/channels' &&
        typeof r.body === 'object' &&
        r.body !== null &&
        (r.body as { id?: string }).id === channelId,
    );
    if (recorded) return { status: recorded.status, body: recorded.body };
    // A call seen only in events (webrtc trace): answer as Asterisk would.
    return { status: 200, body: { id: channelId } };
  }, sent);
  const client = new AriRestClient({
    baseUrl: 'http://ast1/ari',
    user: 'u',
    password: 'p',
    fetch: fetchFn,
  });
  const pool = new ServerPool([{ id: 'ast1', client, maxCalls: 10 }], store);
  const originator = new CallOriginator({ pool, store, callLog, clock, logger });
  const legs: AgentLeg[] = [];
  const worker = new AriCallWorker({
    serverId: 'ast1',
    ari: client,
    store,
    callLog,
    clock,
    logger,
    peerCauseWaitMs: 50,
    bridgeLeaveGraceMs: LEAVE_GRACE_MS,
    agentLegs: { onAgentLeg: async (leg) => void legs.push(leg) },
  });
  const seeded = new Set<string>();
  const seedCall = async (callId: string) => {
    if (seeded.has(callId)) return;
    seeded.add(callId);
    const r = await originator.originate(
      customerCall(callId, '+15551230001', {
        campaignId: '7',
        leadId: `lead-${callId}`,
        listId: '3',
      }),
    );
    expect(r.ok).toBe(true);
  };
  const seedAgent = async (bridgeId: string) => {
    const agentId = `agent-of-${bridgeId}` as AgentId;
    await store.transitionAgent(
      {
        agentId,
        state: 'READY',
        sinceMs: clock.nowMs(),
        campaignId: '7' as CampaignId,
        callId: null,
        pauseCode: null,
        bridgeId,
        legChannelId: null,
      },
      null,
      {
        type: 'agent.state_changed',
        agentId,
        campaignId: '7' as CampaignId,
        from: 'LOGGED_OUT',
        to: 'READY',
        pauseCode: null,
        callId: null,
        reason: 'agent',
        sinceMs: clock.nowMs(),
        atMs: clock.nowMs(),
      },
    );
  };

  let lastT = 0;
  /** A channel left an agent's bridge and the worker may not have judged it yet. */
  let leavePending = false;
  for (const line of lines) {
    // The worker judges a leave once its grace has run (and may hang up, as Ringside did ~640 ms
    // after the ejection of webrtc-opus-refused): let it run when Asterisk's next event came later.
    if (leavePending && line.tMs - lastT > LEAVE_GRACE_MS) {
      await worker.idle();
      await new Promise((r) => setTimeout(r, LEAVE_GRACE_MS * 3));
      await worker.idle();
      leavePending = false;
    }
    clock.advance(line.tMs - lastT);
    lastT = line.tMs;
    if (line.dir === 'request') {
      if (
        line.method === 'POST' &&
        line.path === '/channels' &&
        String(line.query.endpoint ?? '').includes('@sim-customers')
      ) {
        await seedCall(line.query.channelId ?? '');
      }
      continue;
    }
    if (line.dir !== 'event') continue;
    const ev: AriEvent = line.event;
    if (ev.type === 'ChannelCreated' && isCustomerChannel(ev.channel.name, ev.channel.id))
      await seedCall(ev.channel.id);
    if (ev.type === 'BridgeCreated' && ev.bridge.bridge_type === 'mixing')
      await seedAgent(ev.bridge.id);
    await worker.handle(ev);
    if (ev.type === 'ChannelLeftBridge') leavePending = true;
  }
  await new Promise((r) => setTimeout(r, 80));
  await worker.idle();
  worker.close();
  const events = bus.events().filter((e) => e.type !== 'agent.state_changed');
  return { events, store, callLog, sent, legs, worker, client };
}

describe("trace replay through the ARI worker: the project's own traces", () => {
  it('has the traces recorded (or constructed) for Ringside', () => {
    expect(projectTraceFiles()).toContain('webrtc-opus-refused.jsonl');
    for (const file of Object.keys(projectExpected)) expect(projectTraceFiles()).toContain(file);
  });

  for (const file of projectTraceFiles()) {
    it(`${file}: every event applied, every request valid ARI, no call left live`, async () => {
      // A trace of record-trace.ts has no StasisStart/StasisEnd: put back where Asterisk sends them.
      const lines = withStasisEvents(
        loadProjectTrace(file) as unknown as TraceEventLine[],
      ) as unknown as TraceLine[];
      const { events, store, sent, worker } = await replay(file, lines);
      expect(worker.stats.failed).toBe(0);
      const want = projectExpected[file];
      if (want) expect(events.map(brief)).toEqual(want);
      if (!customerLiveAtEnd(lines)) expect(await store.listCalls()).toEqual([]);
      for (const s of sent) {
        const r = checkRequest(s.method, s.path, s.query, s.body);
        expect(r.ok, formatIssues(r)).toBe(true);
      }
    });
  }
});

describe('trace replay through the ARI worker: webrtc-opus-refused (recorded)', () => {
  it('the worker itself hangs up the customer Asterisk ejected, and nothing else', async () => {
    const file = 'webrtc-opus-refused.jsonl';
    const lines = withStasisEvents(
      loadProjectTrace(file) as unknown as TraceEventLine[],
    ) as unknown as TraceLine[];
    const { sent, legs } = await replay(file, lines);
    expect(sent.filter((s) => s.method !== 'POST' || s.path !== '/channels')).toEqual([
      expect.objectContaining({ method: 'DELETE', path: '/channels/cmxcnksfsc85f3817c7' }),
    ]);
    // The browser phone's leg (StasisStart agent,agent1, put back from its Stasis() step).
    expect(legs).toEqual([{ serverId: 'ast1', channelId: '1796610622.0', endpoint: 'agent1' }]);
  });
});

describe('trace replay through the ARI worker', () => {
  it('has an expectation for every recorded trace', () => {
    expect(traceFiles().sort()).toEqual(Object.keys(expected).sort());
  });

  for (const file of Object.keys(expected)) {
    it(`${file}: produces exactly the expected domain events and leaves no live call`, async () => {
      const { events, store, sent } = await replay(file);
      expect(events.map(brief)).toEqual(expected[file]);
      expect(await store.listCalls()).toEqual([]);
      for (const s of sent) {
        const r = checkRequest(s.method, s.path, s.query, s.body);
        expect(r.ok, formatIssues(r)).toBe(true);
      }
    });
  }

  it('human-answer-bridge: call_log gets every instant and the outcome', async () => {
    const { callLog } = await replay('human-answer-bridge.jsonl');
    expect(callLog.starts.map((s) => s.callId)).toEqual(['call-a']);
    expect(callLog.steps.map((s) => s.step.kind)).toEqual([
      'ringing',
      'answered',
      'amd',
      'bridged',
      'ended',
    ]);
    const ended = callLog.steps.at(-1)?.step;
    expect(ended).toMatchObject({ kind: 'ended', outcome: 'HUMAN', hangupCause: 16 });
  });

  it('webrtc-agent-leg: the phone entering Stasis with args agent,agent1 is handed to the agent-leg handler', async () => {
    const { legs } = await replay('webrtc-agent-leg.jsonl');
    expect(legs).toEqual([{ serverId: 'ast1', channelId: '1795552514.0', endpoint: 'agent1' }]);
  });

  it('drop-safe-harbor: the drop records how long the live answer waited (AMD verdict to playback)', async () => {
    const { events } = await replay('drop-safe-harbor.jsonl');
    const dropped = events.find((e) => e.type === 'call.dropped');
    // StasisStart at 9631 ms, PlaybackStarted at 9633 ms in the trace.
    expect(dropped).toMatchObject({ type: 'call.dropped', waitMs: 2 });
  });
});
