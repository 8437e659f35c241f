import { ledgerDay } from '../../domain/compliance.js';
import { ledgerWithEstimates } from '../../domain/pacing/index.js';
import type { DialerStatus } from '../../ports/dialer.js';
import type { AmdPolicy } from './amd-policy.js';
import type { CampaignRun } from './campaign-run.js';

/** How often the status is rewritten even when nothing changed, ms of wall clock. */
const STATUS_REFRESH_MS = 2_000;

/**
 * What the campaign's dialer tells supervisors after each pacing decision (a DialerStatus to the
 * StatusObserver: status-publisher.ts): state and reason, counts, the drop ledger and the AMD
 * rule; written when something changed, else every STATUS_REFRESH_MS.
 */
export class StatusReport {
  private lastStatusKey = '';
  private lastStatusAt = 0;

  constructor(
    private readonly run: CampaignRun,
    private readonly amd: AmdPolicy,
  ) {}

  async report(
    state: DialerStatus['state'],
    reason: string,
    appliedMode: string,
    ready: number,
    inFlight: number,
  ): Promise<void> {
    // Mode and dial level too: a settings change shows in the header at once, not at the refresh.
    const key = `${state}|${reason}|${appliedMode}|${ready}|${inFlight}|${this.run.waiting.length}|${this.run.campaign.dialMethod}|${this.run.campaign.dialLevel}|${this.amd.rule().hangups}`;
    const wall = this.run.d.perfNow();
    if (key === this.lastStatusKey && wall - this.lastStatusAt < STATUS_REFRESH_MS) return;
    if (reason !== this.lastStatusKey.split('|')[1])
      this.run.log.debug({ state, reason }, 'dialer status');
    this.lastStatusKey = key;
    this.lastStatusAt = wall;
    const now = this.run.d.clock.nowMs();
    const ledger = ledgerWithEstimates(this.run.ledgerDays, ledgerDay(now));
    const today = this.run.ledgerDays.find((d) => d.day === ledgerDay(now));
    const amd = this.amd.estimate();
    const rule = this.amd.rule();
    const status: DialerStatus = {
      campaignId: this.run.campaign.id,
      instanceId: this.run.d.instanceId,
      state,
      reason,
      mode: this.run.campaign.dialMethod,
      appliedMode,
      readyAgents: ready,
      callsInFlight: inFlight,
      waitingForAgent: this.run.waiting.length,
      atMs: now,
      drops: {
        counted: ledger.counted,
        estimated: Math.round(ledger.estimated * 100) / 100,
        humans: ledger.answered,
        ratePct: ledger.humans > 0 ? Math.round((10_000 * ledger.drops) / ledger.humans) / 100 : 0,
        capPct: this.run.campaign.dropRateCapPct,
        today: { drops: today?.drops ?? 0, humans: today?.humans ?? 0 },
      },
      amd: {
        hangups: rule.hangups,
        note: rule.reason,
        source: amd.source,
        humanAsMachinePct: Math.round(amd.humanAsMachinePct * 100) / 100,
        machineAsHumanPct: amd.machineAsHumanPct,
        interval: amd.interval,
        auditPct: this.run.campaign.amdAuditPct,
      },
    };
    this.run.d.statusObserver?.observe(status, this.run.campaign.dialLevel);
  }
}
