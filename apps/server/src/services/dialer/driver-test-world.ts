import type {
  AgentId,
  CallId,
  CampaignId,
  CallOutcome,
  DomainEvent,
  E164,
  LeadId,
  ListId,
} from '@ringside/protocol';
import type { ValidationError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { ManualClock } from '../../ports/clock.js';
import { MemoryEventBus } from '../../ports/fakes/memory-event-bus.js';
import { MemoryHopper } from '../../ports/fakes/memory-hopper.js';
import { MemoryStateStore } from '../../ports/fakes/memory-state-store.js';
import type { HopperEntry } from '../../ports/hopper.js';
import type { CallLogStep } from '../../ports/call-log.js';
import type { LiveCall } from '../../ports/state-store.js';
import { AgentSessionService } from '../agents/agent-session.js';
import { newLiveCall, originatedEvent } from '../telephony/ari-worker-originator.js';
import { CampaignDriver, type DriverDeps } from './campaign-driver.js';
import type {
  DialerAri,
  DialerLeads,
  UnsettledCall,
  DialerStatus,
  OriginateCall,
  OriginateResult,
  Timers,
} from '../../ports/dialer.js';
import { toDialerCampaign, type DialerCampaign } from './settings.js';

/**
 * The campaign driver's unit-test world (the *.test.ts beside it): fakes for every port on a
 * manual clock. makeWorld() builds one and makes it the current world the helpers below act on.
 */

// 2026-11-24 17:00 UTC: noon in New York, 02:00 in Tokyo.
/** The campaign row settings.ts reads (adapters/postgres/campaigns.ts). */
export type CampaignRow = Parameters<typeof toDialerCampaign>[0];

export const T0 = Date.UTC(2026, 10, 24, 17, 0, 0);
export const C = '7' as CampaignId;
export const LIST = '3' as ListId;

/** Timers on the manual clock: advance() runs what falls due. */
export class ManualTimers implements Timers {
  private tasks: Array<{ at: number; fn: () => void; live: boolean }> = [];
  constructor(private readonly clock: ManualClock) {}
  after(ms: number, fn: () => void): () => void {
    const t = { at: this.clock.nowMs() + ms, fn, live: true };
    this.tasks.push(t);
    return () => {
      t.live = false;
    };
  }
  async advance(ms: number): Promise<void> {
    const end = this.clock.nowMs() + ms;
    for (;;) {
      const due = this.tasks.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.clock.set(Math.max(this.clock.nowMs(), due.at));
      due.fn();
      await settle();
    }
    this.clock.set(end);
  }
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** Records every ARI request; `fail` makes the next matching request throw. */
class FakeAri implements DialerAri {
  readonly log: string[] = [];
  fail: { op: string; error: Error } | null = null;
  private check(op: string): void {
    this.log.push(op);
    if (this.fail && op.startsWith(this.fail.op)) {
      const e = this.fail.error;
      this.fail = null;
      throw e;
    }
  }
  async createBridge(bridgeId: string, type?: string): Promise<unknown> {
    this.check(`createBridge ${bridgeId} ${type}`);
    return {};
  }
  async addChannel(bridgeId: string, channel: string | string[]): Promise<void> {
    this.check(`addChannel ${bridgeId} ${String(channel)}`);
  }
  async removeChannel(bridgeId: string, channel: string | string[]): Promise<void> {
    this.check(`removeChannel ${bridgeId} ${String(channel)}`);
  }
  async playOnChannel(
    channelId: string,
    media: string | string[],
    playbackId?: string,
  ): Promise<unknown> {
    this.check(`play ${channelId} ${String(media)} ${playbackId}`);
    return {};
  }
  playbackState = 'playing';
  async getPlayback(playbackId: string): Promise<unknown> {
    this.check(`getPlayback ${playbackId}`);
    return { state: this.playbackState };
  }
  async hangup(channelId: string): Promise<void> {
    this.check(`hangup ${channelId}`);
  }
}

/** Writes live_call like CallOriginator does; `results` scripts refusals. */
class FakeOriginator {
  readonly requests: OriginateCall[] = [];
  results: OriginateResult[] = [];
  constructor(
    private readonly store: MemoryStateStore,
    private readonly clock: ManualClock,
  ) {}
  async originate(req: OriginateCall): Promise<OriginateResult> {
    this.requests.push(req);
    const scripted = this.results.shift();
    if (scripted && !scripted.ok) return scripted;
    const atMs = this.clock.nowMs();
    await this.store.putCall(newLiveCall(req, 's1', atMs), originatedEvent(req, 's1', atMs));
    return { ok: true, serverId: 's1' };
  }
}

class FakeLeads implements DialerLeads {
  readonly writes: string[] = [];
  /** What `unsettled` answers (a take-over's calls whose lead the dead holder did not settle). */
  unsettledCalls: UnsettledCall[] = [];
  async unsettled(): Promise<UnsettledCall[]> {
    return this.unsettledCalls;
  }
  dialed(leadId: LeadId, callId: string): void {
    this.writes.push(`dialed ${leadId} ${callId}`);
  }
  ended(leadId: LeadId, _callId: string, outcome: string): void {
    this.writes.push(`ended ${leadId} ${outcome}`);
  }
  skipped(leadId: LeadId, rule: string): void {
    this.writes.push(`skipped ${leadId} ${rule}`);
  }
  async flush(): Promise<void> {}
}

export function campaignRow(over: Partial<CampaignRow> = {}): CampaignRow {
  return {
    id: C,
    name: 'c',
    active: true,
    dialMethod: 'progressive',
    dialLevel: 1,
    dropRateCapPct: 3,
    dropWaitMs: 2_000,
    ringTimeoutS: 15,
    hopperSize: 100,
    windowStart: '09:00',
    windowEnd: '20:00',
    maxAttempts: 6,
    callerId: null,
    amdEnabled: true,
    machineAction: 'hangup',
    machineMessageAudio: null,
    safeHarborAudio: 'sound:vm-goodbye',
    wrapupS: 0,
    wrapupTimeoutAction: 'disposition',
    wrapupDefaultDisposition: 'NI',
    script: '',
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...over,
  };
}

export function entry(n: number, over: Partial<HopperEntry> = {}): HopperEntry {
  return {
    leadId: String(100 + n) as LeadId,
    listId: LIST,
    campaignId: C,
    phone: `+1212555${String(n).padStart(4, '0')}` as E164,
    timeZones: ['America/New_York'],
    priority: 'new',
    attempts: 0,
    windowClosesAtMs: T0 + 3600_000,
    ...over,
  };
}

let seq = 0;

/** A fresh world: the driver of `campaign` over fakes of every port. */
export function makeWorld(
  campaign: DialerCampaign,
  invalid: ValidationError | null = null,
  /** A wall clock for the driver; default one that jumps 10 s per status, so each is reported. */
  perfNow?: () => number,
  extra: Partial<DriverDeps> = {},
): World {
  const clock = new ManualClock(T0);
  const timers = new ManualTimers(clock);
  const bus = new MemoryEventBus({ clock });
  const store = new MemoryStateStore(bus);
  const hopper = new MemoryHopper();
  const ari = new FakeAri();
  const originator = new FakeOriginator(store, clock);
  const leads = new FakeLeads();
  const dnc = new Set<string>();
  const statuses: DialerStatus[] = [];
  const levels: number[] = [];
  const ledger: World['ledger'] = [];
  const callLogSteps: World['callLogSteps'] = [];
  const sessions = new AgentSessionService({
    store,
    log: { record: async () => undefined },
    clock,
  });
  const deps: DriverDeps = {
    instanceId: 'test',
    store,
    hopper,
    originator,
    ari: () => ari,
    agents: sessions,
    dnc: { isBlocked: async (phone) => dnc.has(phone) },
    leads,
    ledger: {
      add: async (_c, day, drops, humans, estimated) =>
        void ledger.push({ day, drops, humans, ...(estimated ? { estimated } : {}) }),
      days: async () => [],
    },
    callLog: { step: async (callId, step) => void callLogSteps.push({ callId, step }) },
    statusObserver: {
      observe: (s, level) => {
        statuses.push(s);
        levels.push(level);
      },
    },
    clock,
    timers,
    logger: createLogger('silent'),
    newCallId: () => `call${++seq}` as CallId,
    perfNow: perfNow ?? (() => performance.now() + statuses.length * 10_000),
    hopperLeaseMs: 30_000,
    safeHarborStartMs: 300,
    maxLinesPerAgent: 3,
    ...extra,
  };
  const driver = new CampaignDriver(deps, campaign, invalid);
  return new World({
    clock,
    timers,
    store,
    hopper,
    ari,
    originator,
    leads,
    dnc,
    statuses,
    levels,
    ledger,
    callLogSteps,
    sessions,
    driver,
    deps,
  });
}

/** The driver under test and the fakes around it; the helpers act as the worker and agents would. */
export class World {
  readonly clock!: ManualClock;
  readonly timers!: ManualTimers;
  readonly store!: MemoryStateStore;
  readonly hopper!: MemoryHopper;
  readonly ari!: FakeAri;
  readonly originator!: FakeOriginator;
  readonly leads!: FakeLeads;
  readonly dnc!: Set<string>;
  readonly statuses!: DialerStatus[];
  /** The dial level reported with each status. */
  readonly levels!: number[];
  readonly ledger!: Array<{ day: number; drops: number; humans: number; estimated?: number }>;
  /** What the driver wrote to call_log (the AMD error estimate of each call). */
  readonly callLogSteps!: Array<{ callId: string; step: CallLogStep }>;
  readonly sessions!: AgentSessionService;
  readonly driver!: CampaignDriver;
  /** What the driver was built with (a second driver over the same state: a new lease holder). */
  readonly deps!: DriverDeps;

  constructor(parts: WorldParts) {
    Object.assign(this, parts);
  }

  async agentReady(id: string, withLeg = true): Promise<AgentId> {
    const agentId = id as AgentId;
    await this.sessions.apply(agentId, { type: 'login', campaignId: C }, 'agent');
    if (withLeg) {
      await this.sessions.apply(
        agentId,
        { type: 'set_leg', bridgeId: `agent-${id}`, legChannelId: `leg-${id}` },
        'x',
      );
    }
    this.clock.advance(10);
    await this.sessions.apply(agentId, { type: 'ready' }, 'agent');
    return agentId;
  }

  /** The worker's side of a call reaching the AMD verdict. */
  async verdict(callId: CallId, result: 'HUMAN' | 'MACHINE' | 'NOTSURE'): Promise<void> {
    const call = await this.store.getCall(callId);
    if (!call) throw new Error(`no live call ${callId}`);
    const atMs = this.clock.nowMs();
    const next: LiveCall = {
      ...call,
      stage: 'AMD',
      answeredAtMs: atMs - 500,
      amdAtMs: atMs,
      amdResult: result,
    };
    await this.store.putCall(next, { type: 'call.amd', callId, result, cause: 'x', atMs });
    await this.driver.onCallEvent(
      { type: 'call.amd', callId, result, cause: 'x', atMs },
      performance.now(),
    );
  }

  ended(callId: CallId, leadId: LeadId, outcome: CallOutcome): DomainEvent {
    return {
      type: 'call.ended',
      callId,
      campaignId: C,
      leadId,
      outcome,
      hangupCause: 16,
      agentId: null,
      atMs: this.clock.nowMs(),
    };
  }

  /** One lead in the hopper, one decision: the call it placed. */
  async placeOne(): Promise<{ callId: CallId; leadId: LeadId }> {
    await this.hopper.add(C, [entry(1)]);
    await this.driver.tick();
    const req = this.originator.requests.at(-1);
    if (!req) throw new Error('nothing placed');
    return { callId: req.callId, leadId: req.leadId };
  }

  lastStatus(): DialerStatus | undefined {
    return this.statuses.at(-1);
  }
}

type WorldParts = Omit<World, 'agentReady' | 'verdict' | 'ended' | 'placeOne' | 'lastStatus'>;

/** A campaign of the driver from its database row. */
export const campaignOf = (over: Partial<CampaignRow> = {}): DialerCampaign =>
  toDialerCampaign(campaignRow(over), []);
