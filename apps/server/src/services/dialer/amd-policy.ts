import {
  amdEstimate,
  amdRule,
  ledgerWithEstimates,
  type AmdEstimate,
  type AmdRule,
  type AuditMarks,
} from '../../domain/pacing/index.js';
import { ledgerDay } from '../../domain/compliance.js';
import type { MachinePolicy } from '../../domain/call/index.js';
import type { CampaignRun, Tracked } from './campaign-run.js';

/**
 * What one campaign does with AMD verdicts (docs/pacing.md, AMD errors): the error estimate
 * (admin's, or the audit's marks once there are enough), whether MACHINE verdicts may be hung
 * up on, and the audit's share of MACHINE verdicts sent to agents.
 */
export class AmdPolicy {
  /** AMD verdicts of this campaign's calls seen by this driver (the AMD estimate's base). */
  private readonly verdicts = { human: 0, machine: 0 };
  private auditMarks: AuditMarks = { person: 0, machine: 0 };
  /** Accumulates the audit share: a MACHINE verdict goes to an agent each time it passes 1. */
  private auditDue = 0;

  constructor(private readonly run: CampaignRun) {}

  async refreshMarks(): Promise<void> {
    const { d, campaign } = this.run;
    if (d.amdAudit) this.auditMarks = await d.amdAudit.marks(campaign.id);
  }

  /** The campaign's AMD error estimate now: the audit's marks once there are enough. */
  estimate(): AmdEstimate {
    return amdEstimate(this.run.campaign.amdErrors, this.auditMarks, this.verdicts);
  }

  /** Whether MACHINE verdicts may be hung up on (domain/pacing/amd.ts). */
  rule(): AmdRule {
    const l = ledgerWithEstimates(this.run.ledgerDays, ledgerDay(this.run.d.clock.nowMs()));
    return amdRule(this.estimate().humanAsMachinePct, this.run.campaign.dropRateCapPct, {
      estimated: l.estimated,
      humans: l.answered,
    });
  }

  /**
   * Counts the verdict of an automatic call and says what a MACHINE verdict gets: an agent when
   * AMD's errors alone would spend the cap or the audit picks it (then it may be marked), else
   * the campaign's machine action. Other verdicts go to an agent whatever this says.
   */
  async policy(t: Tracked): Promise<MachinePolicy> {
    const { campaign: c, log } = this.run;
    const result = t.call.amdResult;
    if (result === 'MACHINE') this.verdicts.machine++;
    else if (result !== null) this.verdicts.human++;
    if (result !== 'MACHINE' || !c.amdEnabled) return 'agent';
    if (!this.rule().hangups) {
      // AMD's errors alone would spend the cap: the verdict goes to an agent (reason on screen).
      await this.markable(t);
      return 'agent';
    }
    if (this.auditPick()) {
      log.info({ callId: t.call.callId }, 'machine verdict sent to an agent for the AMD audit');
      await this.markable(t);
      return 'agent';
    }
    return c.machineAction === 'message' && c.machineMessageAudio ? 'message' : 'hangup';
  }

  /** A MACHINE verdict going to an agent: the agent may mark it (the audit's sample). */
  private async markable(t: Tracked): Promise<void> {
    const { d, campaign, log } = this.run;
    const callId = t.call.callId;
    await d.amdAudit
      ?.pending(campaign.id, callId)
      .catch((err: unknown) => log.warn({ err, callId }, 'AMD audit not recorded'));
  }

  /** Picks the campaign's audit share of MACHINE verdicts, evenly spread. */
  private auditPick(): boolean {
    const share = Math.min(100, Math.max(0, this.run.campaign.amdAuditPct)) / 100;
    if (!(share > 0)) return false;
    this.auditDue += share;
    if (this.auditDue < 1) return false;
    this.auditDue -= 1;
    return true;
  }
}
