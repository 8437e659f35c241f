import type {
  AgentId,
  AgentStateChanged,
  CallId,
  CallOutcome,
  LeadId,
  VoicemailOutcome,
} from '@ringside/protocol';
import { ledgerCounts, ledgerDay } from '../../domain/compliance.js';
import type { DialResult, PacingStats } from '../../domain/pacing/index.js';
import type { AmdPolicy } from './amd-policy.js';
import { leadRecycle, type CampaignRun, type Tracked } from './campaign-run.js';

/**
 * What finished calls and agents teach the campaign: each ended call returns its lead to the
 * recycle rules and adds to the drop ledger (counted drops, and the estimated people AMD hung up
 * on); dial outcomes and talk and wrap-up times feed the predictive model's statistics.
 *
 * As bench/pacing counts them (the parity the floor benchmark checks): a live answer enters the
 * ledger when the customer reaches an agent, not minutes later when the call ends; a person's
 * verdict is learned as a dial outcome when it comes, not when the talk is over (learning at the
 * end left the people still talking out of the answer rate); talk is the time in call, and the
 * time after the customer hung up (DEAD, where the agent does its after-call work) is wrap-up.
 */
export class Outcomes {
  /** Talk time of each agent's last call, waiting for its wrap-up to end (pacing statistics). */
  private readonly talkMs = new Map<AgentId, number>();
  /** Wrap-up already spent in DEAD (the customer hung up first) of each agent's last call. */
  private readonly deadMs = new Map<AgentId, number>();

  constructor(
    private readonly run: CampaignRun,
    private readonly amd: AmdPolicy,
    private readonly stats: PacingStats,
  ) {}

  /**
   * A call ended: its lead back to the recycle rules, the ledger, the statistics. `t`: the
   * call as this driver followed it (already ended and forgotten), if it did.
   */
  /** The AMD verdict: a person's (or not sure: sent to an agent) is learned as a dial outcome now. */
  verdict(t: Tracked): void {
    const r = t.call.amdResult;
    if (t.dialObserved || t.call.manual || (r !== 'HUMAN' && r !== 'NOTSURE')) return;
    if (t.call.answeredAtMs === null) return;
    t.dialObserved = true;
    this.observeDial(t, 'HUMAN', t.call.amdAtMs ?? t.call.answeredAtMs);
  }

  /**
   * The customer reached an agent: a live answer in the ledger now (once per call, transfers
   * included). A MACHINE verdict sent to an agent is left to the estimate made when it ends.
   */
  async bridged(t: Tracked, atMs: number): Promise<void> {
    if (t.liveCounted || t.call.amdResult === 'MACHINE') return;
    t.liveCounted = true;
    await this.addToLedger(t.call.callId, atMs, { drops: 0, humans: 1 }, 0, 0);
  }

  async ended(
    t: Tracked | undefined,
    callId: CallId,
    leadId: LeadId,
    outcome: CallOutcome,
    atMs: number,
    agentId: AgentId | null,
    /** The voicemail drop's outcome: the lead's status instead of MACHINE (recycled as MACHINE). */
    vm: VoicemailOutcome | null = null,
  ): Promise<void> {
    if (t && !t.dialObserved) this.observeDial(t, outcome, atMs);
    // A refused origination was already settled by the dialing path.
    if (outcome !== 'ORIGINATE_FAILED') {
      const next = leadRecycle(outcome, atMs, this.run.campaign.recycle);
      this.run.d.leads.ended(leadId, callId, vm ?? outcome, atMs, next);
      let add = ledgerCounts(outcome);
      // Counted when it reached an agent (a drop after that would still count as a drop).
      if (t?.liveCounted) add = { drops: add.drops, humans: 0 };
      const q = this.amd.estimate().personPerMachineVerdict;
      // A MACHINE verdict hung up on (or played the machine message): its expected share of an
      // abandoned person goes to the ledger as an estimated drop.
      let estimated = t?.call.amdHungUp ? q : 0;
      let estimatedAnswers = 0;
      if (
        t &&
        !t.call.manual &&
        !t.call.amdHungUp &&
        t.call.amdResult === 'MACHINE' &&
        add.humans > 0
      ) {
        // A MACHINE verdict an agent got (AMD rule or audit): a person with chance q, the same
        // count bench/pacing makes. Dropped: q estimated drops; answered: q estimated answers.
        if (add.drops > 0) estimated = q;
        else estimatedAnswers = q;
        add = { drops: 0, humans: 0 };
      }
      if (add.drops > 0 || add.humans > 0 || estimated > 0 || estimatedAnswers > 0) {
        await this.addToLedger(callId, atMs, add, estimated, estimatedAnswers);
        if (estimated > 0 || estimatedAnswers > 0) {
          // Durably too: a ledger rebuilt from call_log and the reports count it (0102).
          await this.run.d.callLog
            ?.step(callId, {
              kind: 'amd_estimate',
              atMs,
              abandoned: estimated,
              answers: estimatedAnswers,
            })
            .catch((err: unknown) =>
              this.run.log.error({ err, callId }, 'AMD estimate not written to call_log'),
            );
        }
      }
    }
    if (outcome === 'DROPPED')
      this.run.log.info({ callId, leadId, agentId }, 'live answer dropped');
  }

  /** Adds to the campaign's ledger: the copy this driver paces with, and Redis. */
  private async addToLedger(
    callId: CallId,
    atMs: number,
    add: { drops: number; humans: number },
    estimated: number,
    estimatedAnswers: number,
  ): Promise<void> {
    const day = ledgerDay(atMs);
    const cur = this.run.ledgerDays.find((x) => x.day === day);
    if (cur) {
      cur.drops += add.drops;
      cur.humans += add.humans;
      if (estimated > 0) cur.estimated = (cur.estimated ?? 0) + estimated;
      if (estimatedAnswers > 0)
        cur.estimatedAnswers = (cur.estimatedAnswers ?? 0) + estimatedAnswers;
    } else
      this.run.ledgerDays.push({
        day,
        ...add,
        ...(estimated > 0 ? { estimated } : {}),
        ...(estimatedAnswers > 0 ? { estimatedAnswers } : {}),
      });
    await this.run.d.ledger
      .add(this.run.campaign.id, day, add.drops, add.humans, estimated, estimatedAnswers)
      .catch((err: unknown) => this.run.log.error({ err, callId }, 'drop ledger not updated'));
  }

  private observeDial(t: Tracked, outcome: CallOutcome, endedAtMs: number): void {
    const { manual, answeredAtMs, amdAtMs } = t.call;
    if (manual) return;
    const result: DialResult | null =
      outcome === 'HUMAN' || outcome === 'DROPPED'
        ? 'HUMAN'
        : outcome === 'MACHINE'
          ? 'MACHINE'
          : outcome === 'BUSY' || outcome === 'CONGESTION' || outcome === 'INVALID'
            ? 'FAILED'
            : outcome === 'NO_ANSWER'
              ? 'NO_ANSWER'
              : null;
    if (result === null) return;
    const hour = new Date(t.originatedAtMs).getUTCHours();
    if (result === 'HUMAN' || result === 'MACHINE') {
      if (answeredAtMs === null) return;
      this.stats.observeDial({
        hour,
        result,
        answerDelayMs: answeredAtMs - t.originatedAtMs,
        ...(amdAtMs !== null ? { amdDelayMs: amdAtMs - answeredAtMs } : {}),
      });
    } else if (result === 'FAILED') {
      this.stats.observeDial({ hour, result, answerDelayMs: endedAtMs - t.originatedAtMs });
    } else {
      this.stats.observeDial({ hour, result });
    }
  }

  /** Talk (INCALL and DEAD) and wrap-up times feed the predictive mode's handle-time tables. */
  observeAgent(e: AgentStateChanged): void {
    const id = e.agentId;
    const spent = e.atMs - e.sinceMs;
    if (e.to === 'INCALL' && e.from !== 'DEAD') {
      this.talkMs.set(id, 0);
      this.deadMs.set(id, 0);
    }
    if (e.from === 'INCALL' || (e.from === 'DEAD' && e.to === 'INCALL')) {
      this.talkMs.set(id, (this.talkMs.get(id) ?? 0) + spent);
    } else if (e.from === 'DEAD') {
      // After the customer hung up: the agent's after-call work, wrap-up for the model.
      this.deadMs.set(id, (this.deadMs.get(id) ?? 0) + spent);
    }
    if (e.from === 'WRAPUP') {
      const talk = this.talkMs.get(id);
      const dead = this.deadMs.get(id) ?? 0;
      this.talkMs.delete(id);
      this.deadMs.delete(id);
      if (talk !== undefined) this.stats.observeHandle({ talkMs: talk, wrapMs: dead + spent });
    }
  }
}
