import { beforeEach, describe, expect, it } from 'vitest';
import type {
  AgentId,
  CallId,
  CampaignId,
  DomainEvent,
  E164,
  LeadId,
  ListId,
} from '@ringside/protocol';
import { AriError } from '../../adapters/asterisk/ari-error.js';
import type { Campaign } from '../../adapters/postgres/campaigns.js';
import { UnavailableError, type ValidationError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { ManualClock } from '../../ports/clock.js';
import { MemoryEventBus } from '../../ports/fakes/memory-event-bus.js';
import { MemoryHopper } from '../../ports/fakes/memory-hopper.js';
import { MemoryStateStore } from '../../ports/fakes/memory-state-store.js';
import type { HopperEntry } from '../../ports/hopper.js';
import type { LiveCall } from '../../ports/state-store.js';
import type { PacingControl } from '../../domain/pacing/index.js';
import { AgentSessionService } from '../agents/agent-session.js';
import {
  newLiveCall,
  type OriginateCall,
  type OriginateResult,
} from '../telephony/ari-worker-originator.js';
import { CampaignDriver, type DriverDeps } from './campaign-driver.js';
import type { DialerLeads } from './leads.js';
import type { DialerAri, Timers } from './ports.js';
import type { DialerStatus } from './redis-state.js';
import { checkDialerSettings, toDialerCampaign, type DialerCampaign } from './settings.js';
import { DEFAULT_STATE_RULES, ruleSet } from '../../domain/state-rules.js';

// 2026-11-24 17:00 UTC: noon in New York, 02:00 in Tokyo.
const T0 = Date.UTC(2026, 10, 24, 17, 0, 0);
const C = '7' as CampaignId;
const LIST = '3' as ListId;

/** Timers on the manual clock: advance() runs what falls due. */
class ManualTimers implements Timers {
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

async function settle(): Promise<void> {
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
    await this.store.putCall(newLiveCall(req, 's1', atMs), {
      type: 'call.originated',
      callId: req.callId,
      campaignId: req.campaignId,
      leadId: req.leadId,
      listId: req.listId,
      agentId: req.agentId ?? null,
      serverId: 's1',
      channelId: req.callId,
      atMs,
    });
    return { ok: true, serverId: 's1' };
  }
}

class FakeLeads implements DialerLeads {
  readonly writes: string[] = [];
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

function campaignRow(over: Partial<Campaign> = {}): Campaign {
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

function entry(n: number, over: Partial<HopperEntry> = {}): HopperEntry {
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

interface World {
  clock: ManualClock;
  timers: ManualTimers;
  store: MemoryStateStore;
  hopper: MemoryHopper;
  ari: FakeAri;
  originator: FakeOriginator;
  leads: FakeLeads;
  dnc: Set<string>;
  statuses: DialerStatus[];
  /** The dial level reported with each status. */
  levels: number[];
  ledger: Array<{ day: number; drops: number; humans: number; estimated?: number }>;
  sessions: AgentSessionService;
  driver: CampaignDriver;
}

let w: World;
let seq = 0;

function makeWorld(
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
  return {
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
    sessions,
    driver,
  };
}

async function agentReady(id: string, withLeg = true): Promise<AgentId> {
  const agentId = id as AgentId;
  await w.sessions.apply(agentId, { type: 'login', campaignId: C }, 'agent');
  if (withLeg) {
    await w.sessions.apply(
      agentId,
      { type: 'set_leg', bridgeId: `agent-${id}`, legChannelId: `leg-${id}` },
      'x',
    );
  }
  w.clock.advance(10);
  await w.sessions.apply(agentId, { type: 'ready' }, 'agent');
  return agentId;
}

/** The worker's side of a call reaching the AMD verdict. */
async function verdict(callId: CallId, result: 'HUMAN' | 'MACHINE' | 'NOTSURE'): Promise<void> {
  const call = await w.store.getCall(callId);
  if (!call) throw new Error(`no live call ${callId}`);
  const atMs = w.clock.nowMs();
  const next: LiveCall = {
    ...call,
    stage: 'AMD',
    answeredAtMs: atMs - 500,
    amdAtMs: atMs,
    amdResult: result,
  };
  await w.store.putCall(next, { type: 'call.amd', callId, result, cause: 'x', atMs });
  await w.driver.onCallEvent(
    { type: 'call.amd', callId, result, cause: 'x', atMs },
    performance.now(),
  );
}

function ended(
  callId: CallId,
  leadId: LeadId,
  outcome: 'HUMAN' | 'DROPPED' | 'BUSY' | 'MACHINE',
): DomainEvent {
  return {
    type: 'call.ended',
    callId,
    campaignId: C,
    leadId,
    outcome,
    hangupCause: 16,
    agentId: null,
    atMs: w.clock.nowMs(),
  };
}

const lastStatus = () => w.statuses.at(-1);

describe('CampaignDriver: placing calls', () => {
  beforeEach(() => {
    w = makeWorld(toDialerCampaign(campaignRow(), []));
  });

  it('places one call per ready agent in progressive mode, ringing at least 15 s', async () => {
    await agentReady('1');
    await agentReady('2');
    await w.hopper.add(C, [entry(1), entry(2), entry(3)]);
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(2);
    expect(w.originator.requests.every((r) => r.ringTimeoutS >= 15 && r.agentId === null)).toBe(
      true,
    );
    expect(await w.hopper.size(C)).toBe(1);
    expect(await w.hopper.leasedCount(C)).toBe(0); // acked
    expect(w.leads.writes.filter((x) => x.startsWith('dialed'))).toHaveLength(2);
  });

  it('reports a changed dial level at once, not at the next periodic refresh', async () => {
    // A wall clock that stands still: only a change can make the driver report again.
    w = makeWorld(
      toDialerCampaign(campaignRow({ dialMethod: 'ratio', dialLevel: 2 }), []),
      null,
      () => 5,
    );
    await agentReady('1');
    await w.driver.tick();
    await w.driver.tick();
    expect(w.levels).toEqual([2]); // the same status twice is reported once
    w.driver.update(
      toDialerCampaign(campaignRow({ dialMethod: 'ratio', dialLevel: 3.5 }), []),
      null,
    );
    await w.driver.tick();
    expect(w.levels.at(-1)).toBe(3.5);
  });

  it('never dials while no agent of the campaign is ready', async () => {
    await w.sessions.apply('1' as AgentId, { type: 'login', campaignId: C }, 'agent'); // paused
    await w.hopper.add(C, [entry(1)]);
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(0);
    expect(lastStatus()?.reason).toMatch(/not dialing/i);
  });

  it('skips a number on DNC at dial time and dials the next lead instead', async () => {
    await agentReady('1');
    await w.hopper.add(C, [entry(1), entry(2)]);
    w.dnc.add(entry(1).phone);
    await w.driver.tick();
    expect(w.originator.requests.map((r) => r.leadId)).toEqual([entry(2).leadId]);
    expect(w.leads.writes).toContain(`skipped ${entry(1).leadId} DNC`);
    expect((await w.hopper.entries(C)).map((e) => e.leadId)).not.toContain(entry(1).leadId);
  });

  it('skips a lead whose local time is outside the calling window', async () => {
    await agentReady('1');
    await w.hopper.add(C, [entry(1, { timeZones: ['Asia/Tokyo'] })]);
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(0);
    expect(w.leads.writes).toContain(`skipped ${entry(1).leadId} CALLING_WINDOW`);
  });

  describe('state calling rules at dial time', () => {
    const miami = (n: number, over: Partial<HopperEntry> = {}) =>
      entry(n, { phone: `+1305555${String(n).padStart(4, '0')}` as E164, ...over });
    let dials: Array<{ phone: string; atMs: number }>;
    const withRules = (campaign = toDialerCampaign(campaignRow({ windowEnd: '21:00' }), [])) => {
      dials = [];
      w = makeWorld(campaign, null, undefined, {
        compliance: {
          rules: () => ruleSet(DEFAULT_STATE_RULES),
          attempts: {
            recent: async (phone, sinceMs) =>
              dials.filter((d) => d.phone === phone && d.atMs > sinceMs).map((d) => d.atMs),
            record: async (phone, atMs) => void dials.push({ phone, atMs }),
          },
        },
      });
    };

    it('skips a Florida number dialed 3 times in 24 hours and counts each dial it places', async () => {
      withRules();
      await agentReady('1');
      const phone = miami(1).phone;
      for (const h of [20, 6, 1]) dials.push({ phone, atMs: T0 - h * 3600_000 });
      await w.hopper.add(C, [miami(1), miami(2)]);
      await w.driver.tick();
      expect(w.leads.writes).toContain(`skipped ${miami(1).leadId} STATE_ATTEMPTS`);
      expect(w.originator.requests.map((r) => r.leadId)).toEqual([miami(2).leadId]);
      expect(dials.filter((d) => d.phone === miami(2).phone)).toHaveLength(1);
    });

    it("skips a Florida lead at 20:30 local (Florida's window ends at 20:00)", async () => {
      withRules();
      w.clock.set(T0 + 8.5 * 3600_000); // 20:30 in New York and Miami
      await agentReady('1');
      await w.hopper.add(C, [miami(1, { windowClosesAtMs: T0 + 24 * 3600_000 })]);
      await w.driver.tick();
      expect(w.originator.requests).toHaveLength(0);
      expect(w.leads.writes).toContain(`skipped ${miami(1).leadId} STATE_WINDOW`);
    });
  });

  it('places no new call once its campaign is stopped, while it finishes the live ones', async () => {
    await agentReady('1');
    await w.hopper.add(C, [entry(1)]);
    w.driver.setDraining(true);
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(0);
    expect(lastStatus()?.reason).toMatch(/Campaign stopped/);
  });

  it('idles and says the hopper is empty when there is no lead', async () => {
    await agentReady('1');
    await w.driver.tick();
    expect(lastStatus()).toMatchObject({ state: 'idle' });
    expect(lastStatus()?.reason).toMatch(/^Hopper empty/);
  });

  it('returns a refused lead to the hopper and recycles it after three refusals', async () => {
    await agentReady('1');
    await w.hopper.add(C, [entry(1)]);
    const refused: OriginateResult = {
      ok: false,
      attempted: true,
      error: new AriError(500, 'Allocation failed', 'channels.originate'),
    };
    w.originator.results = [refused, refused, refused];
    await w.driver.tick();
    expect(await w.hopper.size(C)).toBe(1); // released, not lost
    await w.driver.tick();
    await w.driver.tick();
    expect(await w.hopper.size(C)).toBe(0);
    expect(w.leads.writes).toContain(`ended ${entry(1).leadId} ORIGINATE_FAILED`);
  });

  it('stops dialing and keeps the lead when no server can take a call', async () => {
    await agentReady('1');
    await agentReady('2');
    await w.hopper.add(C, [entry(1), entry(2)]);
    w.originator.results = [
      { ok: false, attempted: false, error: new UnavailableError('no server') },
    ];
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(1);
    expect(await w.hopper.size(C)).toBe(2);
    expect(lastStatus()?.reason).toMatch(/No Asterisk server/);
  });

  it('refuses to dial a campaign whose settings are out of range, naming the field and limit', async () => {
    const bad = campaignRow({ dropWaitMs: 2_500 });
    const invalid = checkDialerSettings(bad);
    expect(invalid?.issues[0]).toMatchObject({ path: 'dropWaitMs' });
    expect(invalid?.message).toMatch(/2000/);
    expect(checkDialerSettings(campaignRow({ ringTimeoutS: 10 }))?.message).toMatch(
      /ringTimeoutS.*15/,
    );
    expect(checkDialerSettings(campaignRow({ dialLevel: 0 }))?.message).toMatch(
      /dialLevel.*greater than 0/,
    );
    w = makeWorld(toDialerCampaign(bad, []), invalid);
    await agentReady('1');
    await w.hopper.add(C, [entry(1)]);
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(0);
    expect(lastStatus()).toMatchObject({ state: 'blocked' });
    expect(lastStatus()?.reason).toMatch(/dropWaitMs/);
  });
});

describe('CampaignDriver: live answers', () => {
  beforeEach(() => {
    w = makeWorld(toDialerCampaign(campaignRow(), []));
  });

  async function placeOne(): Promise<{ callId: CallId; leadId: LeadId }> {
    await w.hopper.add(C, [entry(1)]);
    await w.driver.tick();
    const req = w.originator.requests.at(-1);
    if (!req) throw new Error('nothing placed');
    return { callId: req.callId, leadId: req.leadId };
  }

  it("puts a human answer in the longest-ready agent's bridge and marks the agent INCALL", async () => {
    const a1 = await agentReady('1');
    w.clock.advance(100);
    await agentReady('2');
    const { callId } = await placeOne();
    await verdict(callId, 'HUMAN');
    expect(w.ari.log).toContain(`addChannel agent-1 ${callId}`);
    expect((await w.store.getAgent(a1))?.state).toBe('INCALL');
  });

  it('parks a human answer while no agent is ready and hands it over when one frees up', async () => {
    const a1 = await agentReady('1');
    const { callId } = await placeOne();
    await w.sessions.apply(a1, { type: 'pause', code: 'BREAK' }, 'agent');
    await verdict(callId, 'HUMAN');
    expect(w.ari.log).toContain(`addChannel hold-${C} ${callId}`);
    await w.timers.advance(800);
    await w.sessions.apply(a1, { type: 'ready' }, 'agent');
    await w.driver.onAgentEvent({
      type: 'agent.state_changed',
      agentId: a1,
      campaignId: C,
      from: 'PAUSED',
      to: 'READY',
      pauseCode: null,
      callId: null,
      reason: 'agent',
      sinceMs: 0,
      atMs: w.clock.nowMs(),
    });
    expect(w.ari.log).toContain(`removeChannel hold-${C} ${callId}`);
    expect(w.ari.log).toContain(`addChannel agent-1 ${callId}`);
    await w.timers.advance(5_000);
    expect(w.ari.log.some((x) => x.startsWith('play'))).toBe(false);
  });

  it('plays the safe-harbor message before 2 s when no agent frees up, then hangs up', async () => {
    const a1 = await agentReady('1');
    const { callId } = await placeOne();
    await w.sessions.apply(a1, { type: 'pause', code: 'BREAK' }, 'agent');
    const decidedAt = w.clock.nowMs();
    await verdict(callId, 'NOTSURE');
    await w.timers.advance(1_600);
    expect(w.ari.log.some((x) => x.startsWith('play'))).toBe(false);
    await w.timers.advance(200);
    expect(w.ari.log).toContain(`play ${callId} sound:vm-goodbye sh-${callId}`);
    expect(w.clock.nowMs() - decidedAt).toBeLessThanOrEqual(2_000 - 200);
    await w.driver.onCallEvent(
      {
        type: 'call.safe_harbor',
        callId,
        playbackId: `sh-${callId}`,
        startedAtMs: 0,
        atMs: w.clock.nowMs(),
      },
      0,
    );
    expect(w.ari.log.at(-1)).toBe(`hangup ${callId}`);
  });

  it('hangs up on a machine, or leaves the campaign message first when configured', async () => {
    await agentReady('1');
    const { callId } = await placeOne();
    await verdict(callId, 'MACHINE');
    expect(w.ari.log.at(-1)).toBe(`hangup ${callId}`);

    w = makeWorld(
      toDialerCampaign(
        campaignRow({ machineAction: 'message', machineMessageAudio: 'sound:msg' }),
        [],
      ),
    );
    await agentReady('1');
    const second = await placeOne();
    await verdict(second.callId, 'MACHINE');
    expect(w.ari.log.at(-1)).toBe(`play ${second.callId} sound:msg mm-${second.callId}`);
    w.ari.playbackState = 'done';
    await w.timers.advance(1_000);
    expect(w.ari.log.at(-1)).toBe(`hangup ${second.callId}`);
  });

  it('pauses an agent whose bridge is gone and gives the call to the next one', async () => {
    const a1 = await agentReady('1');
    w.clock.advance(50);
    await agentReady('2');
    const { callId } = await placeOne();
    w.ari.fail = {
      op: 'addChannel agent-1',
      error: new AriError(404, 'Bridge not found', 'bridges.addChannel'),
    };
    await verdict(callId, 'HUMAN');
    expect(await w.store.getAgent(a1)).toMatchObject({ state: 'PAUSED', pauseCode: 'NOLEG' });
    expect(w.ari.log).toContain(`addChannel agent-2 ${callId}`);
  });

  it('returns busy leads to their recycle rules and counts drops in the ledger', async () => {
    await agentReady('1');
    const { callId, leadId } = await placeOne();
    await w.driver.onCallEvent(ended(callId, leadId, 'BUSY'), 0);
    expect(w.leads.writes).toContain(`ended ${leadId} BUSY`);
    expect(w.ledger).toEqual([]);
    await w.driver.onCallEvent(ended('x1' as CallId, leadId, 'DROPPED'), 0);
    await w.driver.onCallEvent(ended('x2' as CallId, leadId, 'HUMAN'), 0);
    expect(w.ledger.map((x) => [x.drops, x.humans])).toEqual([
      [1, 1],
      [0, 1],
    ]);
  });

  it('takes over a call whose verdict nobody acted on, freeing the agent the dead holder reserved', async () => {
    const a1 = await agentReady('1');
    const { callId } = await placeOne();
    const call = await w.store.getCall(callId);
    if (!call) throw new Error('no call');
    const atMs = w.clock.nowMs();
    await w.store.putCall(
      { ...call, stage: 'AMD', answeredAtMs: atMs, amdAtMs: atMs, amdResult: 'HUMAN' },
      { type: 'call.amd', callId, result: 'HUMAN', cause: 'x', atMs },
    );
    // The old holder had reserved the agent, then died before the hand-off.
    expect((await w.store.reserveLongestReady(C, callId, w.clock.nowMs()))?.agentId).toBe(a1);
    // A new holder of the lease: a fresh driver over the same state.
    const fresh = new CampaignDriver(
      { ...(w.driver as unknown as { d: DriverDeps }).d },
      toDialerCampaign(campaignRow(), []),
      null,
    );
    await fresh.recover();
    expect(w.ari.log).toContain(`addChannel agent-1 ${callId}`);
    expect((await w.store.getAgent(a1))?.state).toBe('INCALL');
  });
});

describe('CampaignDriver: the predictive controller state (parity with bench/pacing)', () => {
  let n = 0;
  /** A call of the campaign the driver follows, ended with `outcome` after the usual delays. */
  async function finishedCall(outcome: 'HUMAN' | 'NO_ANSWER' | 'MACHINE'): Promise<void> {
    const callId = `t${++n}` as CallId;
    const leadId = String(5000 + n) as LeadId;
    const at = w.clock.nowMs();
    const answered = outcome === 'NO_ANSWER' ? null : at - 8_000;
    w.driver.adopt({
      ...newLiveCall(
        {
          callId,
          campaignId: C,
          leadId,
          listId: LIST,
          phone: '+12125550100' as E164,
          attempt: 1,
          agentId: null,
          manual: false,
          ringTimeoutS: 15,
          callerId: null,
        },
        's1',
        at - 15_000,
      ),
      answeredAtMs: answered,
      amdAtMs: answered === null ? null : answered + 2_000,
      amdResult: answered === null ? null : outcome === 'HUMAN' ? 'HUMAN' : 'MACHINE',
    });
    await w.driver.onCallEvent(
      {
        type: 'call.ended',
        callId,
        campaignId: C,
        leadId,
        outcome,
        hangupCause: 16,
        agentId: null,
        atMs: at,
      },
      0,
    );
  }

  /** Enough outcomes and conversations for the predictive mode to leave its learning phase. */
  async function teach(): Promise<void> {
    for (let i = 0; i < 220; i++) await finishedCall(i % 4 === 0 ? 'HUMAN' : 'NO_ANSWER');
    const agentId = 'teacher' as AgentId;
    for (let i = 0; i < 25; i++) {
      const t = w.clock.nowMs();
      const base = { type: 'agent.state_changed' as const, agentId, campaignId: C };
      const common = { pauseCode: null, callId: null, reason: 'x' };
      await w.driver.onAgentEvent({
        ...base,
        ...common,
        from: 'RESERVED',
        to: 'INCALL',
        sinceMs: t,
        atMs: t,
      });
      await w.driver.onAgentEvent({
        ...base,
        ...common,
        from: 'INCALL',
        to: 'WRAPUP',
        sinceMs: t,
        atMs: t + 60_000,
      });
      await w.driver.onAgentEvent({
        ...base,
        ...common,
        from: 'WRAPUP',
        to: 'PAUSED',
        sinceMs: t + 60_000,
        atMs: t + 70_000,
      });
    }
  }

  function predictiveWorld(stored: PacingControl | null, saved: PacingControl[]): void {
    let wall = 0;
    w = makeWorld(
      toDialerCampaign(campaignRow({ dialMethod: 'predictive' }), []),
      null,
      () => (wall += 60_000),
      {
        pacingControl: {
          load: async () => stored,
          save: async (_c, control) => {
            saved.push(control);
            return true;
          },
        },
      },
    );
  }

  it(
    "passes each decision the previous one's controller state, so theta moves",
    { timeout: 60_000 },
    async () => {
      const saved: PacingControl[] = [];
      predictiveWorld(null, saved);
      await agentReady('1');
      await teach();
      await w.driver.tick();
      const first = w.driver.pacingControl();
      expect(first?.theta).toBeCloseTo(0.02, 6);
      // 300 human answers without a drop: the controller raises theta (0.02 x e^0.25).
      for (let i = 0; i < 300; i++) await finishedCall('HUMAN');
      await w.driver.tick();
      await settle();
      expect(w.driver.pacingControl()?.theta).toBeCloseTo(0.02 * Math.exp(0.25), 6);
      // Every change went to the store that a restarted or taking-over dialer reads.
      expect(saved.at(-1)).toEqual(w.driver.pacingControl());
    },
  );

  it('continues from the controller state a previous lease holder stored', async () => {
    const saved: PacingControl[] = [];
    predictiveWorld({ theta: 0.3, humansAt: 0, dropsAt: 0 }, saved);
    await w.driver.recover();
    await agentReady('1');
    await teach();
    await w.hopper.add(C, [entry(1), entry(2), entry(3), entry(4)]);
    await w.driver.tick();
    // 55 human answers since the stored marks: too few for an update, theta stays the stored one.
    expect(w.driver.pacingControl()).toEqual({ theta: 0.3, humansAt: 0, dropsAt: 0 });
    expect(lastStatus()?.reason).toMatch(/risking up to 30% per call/);
  });
});

describe('CampaignDriver: AMD errors and the AMD audit', () => {
  let k = 0;
  async function call(result: 'HUMAN' | 'MACHINE'): Promise<{ callId: CallId; leadId: LeadId }> {
    await w.hopper.add(C, [entry(200 + ++k)]);
    await settle();
    await w.driver.tick();
    await settle();
    const req = w.originator.requests.at(-1);
    if (!req) throw new Error('nothing placed');
    await verdict(req.callId, result);
    return { callId: req.callId, leadId: req.leadId };
  }

  /** The worker's call.ended: the live call leaves the store, then the driver hears of it. */
  async function end(
    c: { callId: CallId; leadId: LeadId },
    outcome: 'HUMAN' | 'MACHINE' | 'DROPPED',
  ) {
    const live = await w.store.getCall(c.callId);
    const e = ended(c.callId, c.leadId, outcome);
    if (live) await w.store.endCall(live, e);
    await w.driver.onCallEvent(e, 0);
  }

  it('adds the expected share of a person to the ledger for each MACHINE hang-up, apart from drops', async () => {
    w = makeWorld(
      toDialerCampaign(campaignRow({ amdHumanAsMachinePct: 1, amdMachineAsHumanPct: 5 }), []),
    );
    await agentReady('1');
    await agentReady('2');
    const human = await call('HUMAN');
    await end(human, 'HUMAN');
    const machine = await call('MACHINE');
    expect(w.ari.log).toContain(`hangup ${machine.callId}`);
    await end(machine, 'MACHINE');
    const est = w.ledger.at(-1);
    // 1 human and 1 machine verdict, 1 % / 5 %: P = (0.95 - 0.05) / 0.94 people, 1 % of them.
    expect(est).toMatchObject({ drops: 0, humans: 0 });
    expect(est?.estimated).toBeCloseTo((0.01 * 0.9) / 0.94, 6);
    await settle();
    await w.driver.tick();
    await settle();
    expect(lastStatus()?.drops).toMatchObject({ counted: 0, humans: 1, capPct: 3 });
    expect(lastStatus()?.drops?.estimated).toBeCloseTo(0.01, 2);
    expect(lastStatus()?.amd).toMatchObject({ hangups: true, source: 'admin' });
  });

  it('sends MACHINE verdicts to agents, and says so, once AMD errors alone would spend the cap', async () => {
    w = makeWorld(
      toDialerCampaign(campaignRow({ amdHumanAsMachinePct: 3, amdMachineAsHumanPct: 10 }), []),
    );
    await agentReady('1');
    await agentReady('2');
    const human = await call('HUMAN');
    await end(human, 'HUMAN');
    const machine = await call('MACHINE');
    expect(w.ari.log).toContain(`addChannel agent-2 ${machine.callId}`);
    expect(w.ari.log).not.toContain(`hangup ${machine.callId}`);
    // Dropped for want of an agent: not a counted drop, its expected share of a person instead.
    await end(machine, 'DROPPED');
    const last = w.ledger.at(-1);
    expect(last).toMatchObject({ drops: 0, humans: 0 });
    expect(last?.estimated).toBeGreaterThan(0);
    expect(last?.estimated).toBeLessThan(0.1);
    await w.driver.tick();
    expect(lastStatus()?.amd?.hangups).toBe(false);
    expect(lastStatus()?.amd?.note).toMatch(/machine verdicts go to agents/);
  });

  it("sends the campaign's audit share of MACHINE verdicts to agents and hangs up on the rest", async () => {
    const pending: string[] = [];
    w = makeWorld(toDialerCampaign(campaignRow({ amdAuditPct: 50 }), []), null, undefined, {
      amdAudit: {
        marks: async () => ({ person: 0, machine: 0 }),
        pending: async (_c, callId) => void pending.push(callId),
      },
    });
    await agentReady('1');
    const first = await call('MACHINE');
    await end(first, 'MACHINE');
    const second = await call('MACHINE');
    expect(w.ari.log).toContain(`hangup ${first.callId}`);
    expect(w.ari.log).toContain(`addChannel agent-1 ${second.callId}`);
    // Only the one sent to an agent may be marked by that agent.
    expect(pending).toEqual([second.callId]);
    // The audited one is no hang-up and, being a MACHINE verdict, no counted live answer either:
    // it counts as its expected share of a person (0 here: no AMD error estimate).
    await end(second, 'HUMAN');
    expect(w.ledger.filter((x) => x.humans > 0 || x.drops > 0)).toEqual([]);
  });

  it("follows the audit's marks once there are enough, with their interval", async () => {
    w = makeWorld(
      toDialerCampaign(campaignRow({ amdHumanAsMachinePct: 0.5, amdMachineAsHumanPct: 5 }), []),
      null,
      undefined,
      {
        amdAudit: {
          marks: async () => ({ person: 4, machine: 36 }),
          pending: async () => undefined,
        },
      },
    );
    await w.driver.recover();
    await agentReady('1');
    await call('HUMAN');
    await w.driver.tick();
    const amd = lastStatus()?.amd;
    expect(amd?.source).toBe('audit');
    expect(amd?.interval?.marks).toBe(40);
    expect(amd?.interval?.lo).toBeLessThan(0.1);
    expect(amd?.interval?.hi).toBeGreaterThan(0.1);
  });
});
