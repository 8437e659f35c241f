import type { AgentStateChanged, CallId, DomainEvent, VoicemailOutcome } from '@ringside/protocol';
import type { PacingControl, PacingStats } from '../../domain/pacing/index.js';
import type { ValidationError } from '../../errors.js';
import type { LiveCall } from '../../ports/state-store.js';
import { AmdPolicy } from './amd-policy.js';
import { CampaignRun, type Tracked } from './campaign-run.js';
import type { DriverDeps } from './driver-deps.js';
import { Handoff } from './handoff.js';
import { Outcomes } from './outcomes.js';
import { Pacing } from './pacing.js';
import { Recovery } from './recovery.js';
import type { DialerCampaign } from './settings.js';

export type { DriverDeps } from './driver-deps.js';

/**
 * Drives one campaign while this instance holds its lease: paces and places calls (pacing.ts),
 * hands live answers to agents, parks and drops the ones no agent takes, acts on machines
 * (handoff.ts, machines.ts, over the call state machine in domain/call), and returns every
 * finished lead to its recycle rules (outcomes.ts). All state it needs survives in Redis
 * (live_call, agent_status, hopper), so a new lease holder picks up where a dead one stopped
 * (recovery.ts).
 */
export class CampaignDriver {
  private readonly run: CampaignRun;
  private readonly amd: AmdPolicy;
  private readonly pacing: Pacing;
  private readonly handoff: Handoff;
  private readonly outcomes: Outcomes;
  private readonly recovery: Recovery;

  constructor(d: DriverDeps, campaign: DialerCampaign, invalid: ValidationError | null) {
    this.run = new CampaignRun(d, campaign, invalid);
    this.amd = new AmdPolicy(this.run);
    this.pacing = new Pacing(this.run, this.amd);
    this.handoff = new Handoff(this.run, this.amd);
    this.outcomes = new Outcomes(this.run, this.amd, this.pacing.stats);
    this.recovery = new Recovery(this.run, this.handoff);
  }

  get id(): DialerCampaign['id'] {
    return this.run.campaign.id;
  }

  owns(callId: CallId): boolean {
    return this.run.calls.has(callId);
  }

  /** Calls of this campaign are still being followed. */
  busy(): boolean {
    return this.run.calls.size > 0;
  }

  /** A stopped campaign: place no new call, keep handling the live ones. */
  setDraining(on: boolean): void {
    this.run.draining = on;
  }

  update(campaign: DialerCampaign, invalid: ValidationError | null): void {
    this.run.campaign = campaign;
    this.run.invalid = invalid;
  }

  /** quality.amd_marked: a reviewer's mark moved the AMD audit's counts; the estimate follows. */
  refreshAmdMarks(): Promise<void> {
    return this.amd.refreshMarks();
  }

  async refreshLedger(): Promise<void> {
    this.run.ledgerDays = await this.run.d.ledger.days(this.run.campaign.id);
    await this.amd.refreshMarks();
  }

  /**
   * Takes over the campaign's live calls after acquiring the lease: a verdict nobody acted on is
   * acted on now, parked calls get their remaining wait, agents reserved for calls that are gone
   * are released. Calls in flight are followed from here on, not lost.
   */
  async recover(): Promise<void> {
    await this.refreshLedger();
    await this.pacing.loadControl();
    await this.recovery.recover();
  }

  /** What the predictive model has learned so far (tests, diagnostics). */
  pacingStats(): PacingStats {
    return this.pacing.stats;
  }

  /** The controller state the next decision gets (tests, diagnostics). */
  pacingControl(): PacingControl | undefined {
    return this.pacing.controlState();
  }

  stop(): void {
    this.run.stopped = true;
    this.handoff.stop();
    for (const t of this.run.calls.values()) {
      t.cancelDeadline?.();
      t.cancelHangup?.();
    }
  }

  /** Follows a call it did not place (manual dial from the API, or placed by a previous holder). */
  adopt(call: LiveCall): Tracked {
    return this.recovery.adopt(call);
  }

  /** Runs a pacing decision now, or right after the one in progress. */
  tick(): Promise<void> {
    return this.pacing.tick();
  }

  /** A call.* event of one of this campaign's calls. */
  async onCallEvent(event: DomainEvent, perfSeen: number): Promise<void> {
    if (this.run.stopped) return;
    const t = 'callId' in event ? this.run.calls.get(event.callId as CallId) : undefined;
    switch (event.type) {
      case 'call.answered':
        if (t) await this.handoff.apply(t, { type: 'answered', atMs: event.atMs });
        return;
      case 'call.amd':
        if (!t) return;
        await this.handoff.apply(t, { type: 'amd', result: event.result, atMs: event.atMs });
        t.seenAmdPerf = perfSeen;
        this.outcomes.verdict(t);
        await this.handoff.onVerdict(t);
        return;
      case 'call.bridged':
        if (!t) return;
        await this.handoff.apply(t, { type: 'bridged', agentId: null, atMs: event.atMs });
        await this.outcomes.bridged(t, event.atMs);
        return;
      case 'call.safe_harbor':
        // The message finished: the drop ends with a hang-up.
        if (t) await this.handoff.apply(t, { type: 'safe_harbor_done', atMs: event.atMs });
        return;
      case 'call.talking':
        if (t) await this.handoff.onTalking(event);
        return;
      case 'call.ended': {
        const { callId, outcome, atMs } = event;
        // The voicemail drop's outcome is the lead's status (services/voicemail).
        let vm: VoicemailOutcome | null = null;
        if (t) {
          await this.handoff.apply(t, { type: 'ended', outcome, atMs });
          t.cancelHangup?.();
          vm = await this.handoff.machineEnded(t, atMs);
          await this.handoff.released(t);
          this.run.calls.delete(callId);
        }
        await this.outcomes.ended(t, callId, event.leadId, outcome, atMs, event.agentId, vm);
        void this.tick();
        return;
      }
      default:
        return;
    }
  }

  async onAgentEvent(e: AgentStateChanged): Promise<void> {
    if (this.run.stopped || e.from === e.to) return; // from === to: a phone-leg change, not a state
    this.outcomes.observeAgent(e);
    if (e.to === 'READY') {
      await this.handoff.serveWaiting();
      void this.tick();
    }
  }
}
