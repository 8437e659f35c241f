import type { BusEnvelope } from '@ringside/protocol';
import { ledgerCounts } from '../../domain/compliance.js';
import type { Metrics } from '../../ports/metrics.js';

/** Most calls followed between their verdict and their bridge (older ones are forgotten first). */
const MAX_TRACKED = 20_000;

/**
 * The call metrics as the ARI worker, the source of truth for calls, publishes them: calls by
 * outcome and counted drops (call.ended, with the ledger's own rule), and the hand-off latency,
 * from the AMD verdict's ARI event to the customer's entry in an agent's bridge, both receive
 * times on this process's performance clock. Feed it every published envelope (onPublished).
 */
export class CallMetricsObserver {
  /** callId -> receive time of its HUMAN/NOTSURE verdict (performance.now() ms). */
  private readonly verdictAt = new Map<string, number>();
  private readonly parked = new Set<string>();

  constructor(private readonly metrics: Metrics) {}

  readonly onPublished = (env: BusEnvelope, receivedAt: number): void => {
    const e = env.event;
    switch (e.type) {
      case 'call.amd':
        if (e.result === 'MACHINE') return;
        if (this.verdictAt.size >= MAX_TRACKED) {
          const oldest = this.verdictAt.keys().next().value;
          if (oldest !== undefined) this.forget(oldest);
        }
        this.verdictAt.set(e.callId, receivedAt);
        return;
      case 'call.waiting':
        if (this.verdictAt.has(e.callId)) this.parked.add(e.callId);
        return;
      case 'call.bridged': {
        const at = this.verdictAt.get(e.callId);
        if (at === undefined) return;
        this.metrics.handoff(receivedAt - at, this.parked.has(e.callId));
        this.forget(e.callId);
        return;
      }
      case 'call.ended': {
        this.forget(e.callId);
        this.metrics.callEnded(e.campaignId, e.outcome);
        const { drops } = ledgerCounts(e.outcome);
        if (drops > 0) this.metrics.dropsCounted(e.campaignId, drops);
        return;
      }
      default:
        return;
    }
  };

  /** Calls waiting for their bridge (tests). */
  get tracked(): number {
    return this.verdictAt.size;
  }

  private forget(callId: string): void {
    this.verdictAt.delete(callId);
    this.parked.delete(callId);
  }
}
