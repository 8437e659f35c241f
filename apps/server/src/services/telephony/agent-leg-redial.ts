import type { AgentId } from '@ringside/protocol';
import type { Logger } from '../../logger.js';
import type { StateStore } from '../../ports/state-store.js';
import { phoneFailureOf } from './agent-phone.js';

export interface PhoneRedialerDeps {
  store: Pick<StateStore, 'getAgent'>;
  logger: Logger;
  /**
   * The phone to call again when an agent's leg is lost: its dial string, or null when Ringside
   * does not call it (a browser phone re-registers and dials `login` by itself). Unset: lost legs
   * are never called again.
   */
  endpoint?: (agentId: AgentId) => Promise<string | null>;
  /** Wait before the first call again, ms (1,000), doubling after each failure up to maxMs. */
  baseMs?: number;
  /** Longest wait between two calls again, ms (60,000). */
  maxMs?: number;
  /** Calls the phone and nails it up (AgentLegService.attach); throws when it does not answer. */
  attach(agentId: AgentId, endpoint: string): Promise<unknown>;
  /** Tears a leg down again (AgentLegService.detach). */
  detach(agentId: AgentId): Promise<void>;
}

/** One phone being called again: the timer of the next attempt (null: one is under way). */
interface Redial {
  timer: NodeJS.Timeout | null;
  attempt: number;
  /** The wait before the attempt scheduled last, ms. */
  delayMs: number;
  /** The leg that was lost: a status still naming it has no leg (a write that raced the loss). */
  lostChannelId: string | null;
}

/**
 * Calls agents' lost external phones again (services/telephony/agent-leg.ts), one loop per agent,
 * until the phone answers, the agent logs out, or its leg is back some other way.
 */
export class PhoneRedialer {
  /** Agents whose external phone is being called again, and when next. */
  private readonly redials = new Map<AgentId, Redial>();
  private closed = false;

  constructor(private readonly d: PhoneRedialerDeps) {}

  /** Stops calling phones again (role shutdown). */
  close(): void {
    this.closed = true;
    for (const r of this.redials.values()) if (r.timer) clearTimeout(r.timer);
    this.redials.clear();
  }

  /** Agents whose phone is being called again (tests, status). */
  redialing(): AgentId[] {
    return [...this.redials.keys()];
  }

  /**
   * Calls the agent's external phone again until it answers (1 s, doubling to 60 s between
   * attempts), or the agent logs out, or its leg is back some other way. One loop per agent.
   */
  redial(agentId: AgentId, lostChannelId: string | null = null): void {
    if (this.closed || this.redials.has(agentId) || !this.d.endpoint) return;
    const r: Redial = {
      timer: null,
      attempt: 1,
      delayMs: this.d.baseMs ?? 1_000,
      lostChannelId,
    };
    this.redials.set(agentId, r);
    this.scheduleRedial(agentId, r, r.delayMs);
  }

  /**
   * The phone server is back (the worker saw it come up): every phone waiting to be called again
   * is called now, and its backoff starts over, rather than after a wait grown while it was down.
   */
  redialNow(): void {
    for (const [agentId, r] of this.redials) {
      if (!r.timer) continue; // an attempt is under way
      clearTimeout(r.timer);
      r.delayMs = this.d.baseMs ?? 1_000;
      this.scheduleRedial(agentId, r, 0);
    }
  }

  private scheduleRedial(agentId: AgentId, r: Redial, waitMs: number): void {
    if (this.closed) return;
    r.timer = setTimeout(() => {
      r.timer = null;
      void this.redialOnce(agentId, r.attempt, r.lostChannelId)
        .catch(() => false)
        .then((done) => {
          if (done || this.closed) {
            this.redials.delete(agentId);
            return;
          }
          r.attempt += 1;
          r.delayMs = Math.min(r.delayMs * 2, this.d.maxMs ?? 60_000);
          this.scheduleRedial(agentId, r, r.delayMs);
        });
    }, waitMs);
    r.timer.unref();
  }

  /** One call again; true when the loop is over (answered, logged out, nothing to call). */
  private async redialOnce(
    agentId: AgentId,
    n: number,
    lostChannelId: string | null,
  ): Promise<boolean> {
    if (this.closed) return true;
    const s = await this.d.store.getAgent(agentId);
    if (!s || s.state === 'LOGGED_OUT') {
      this.d.logger.info({ agentId, attempts: n - 1 }, 'phone not called again: agent logged out');
      return true;
    }
    // Back some other way. A status that still names the lost leg is not: a transition read
    // before the loss (the call ending in the same instant, a compare-and-set on the state only)
    // may have written the old leg back; attach() writes the new one over it.
    if (s.legChannelId && s.legChannelId !== lostChannelId) return true;
    const endpoint = await this.d.endpoint?.(agentId);
    if (!endpoint) return true;
    try {
      await this.d.attach(agentId, endpoint);
      this.d.logger.info({ agentId, attempt: n }, 'external phone called again: it answered');
      return true;
    } catch (err) {
      const after = await this.d.store.getAgent(agentId);
      if (!after || after.state === 'LOGGED_OUT') {
        // Logged out while it rang: a leg that answered meanwhile is nobody's.
        await this.d.detach(agentId).catch(() => undefined);
        return true;
      }
      this.d.logger.warn(
        { agentId, attempt: n, reason: phoneFailureOf(err) },
        'external phone called again: no answer yet, calling later',
      );
      return false;
    }
  }
}
