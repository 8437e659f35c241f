import type { AgentId } from '@ringside/protocol';
import type { AgentEffect } from '../../domain/agent-state.js';
import { IllegalTransitionError, RingsideError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AgentTransitions, PendingPauses, WrapupExtensions } from '../../ports/agents.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus, Subscription } from '../../ports/event-bus.js';
import type { AgentStatus, StateStore } from '../../ports/state-store.js';
import type { DispositionService } from './disposition.js';
import { wrapupDeadlineMs } from './wrapup-extension.js';

/**
 * The end of a call on the agent's side: the customer hanging up first (INCALL -> DEAD) and the
 * wrap-up timeout. Both run in the api role; the server alone applies the timeout (the panel only
 * shows its countdown).
 */

export interface WrapupSweeperDeps {
  store: StateStore;
  sessions: AgentTransitions;
  dispositions: Pick<DispositionService, 'campaign' | 'autoDispose'>;
  pendingPauses: PendingPauses;
  /** Agents' wrap-up extensions: an extended wrap-up times out at its new deadline. Optional. */
  extensions?: Pick<WrapupExtensions, 'get'>;
  clock: Clock;
  logger: Logger;
}

/**
 * The wrap-up timeout, as a scheduled check (it runs in the api role, every second by default):
 * an agent in WRAPUP (or DEAD: the customer hung up and the agent did nothing) longer than its
 * campaign's wrapup_s gets the campaign's wrapup_timeout_action: 'disposition' records the
 * default disposition and makes the agent READY (PAUSED if it asked to pause after the call);
 * 'pause' records the default disposition too (the lead must not stay undecided) and pauses the
 * agent with code WRAPUP. wrapup_s = 0 means no timer.
 *
 * Idempotent and safe in several processes: the agent's move is a compare-and-set in the state
 * store (only one process wins; the others see IllegalTransitionError and skip), and the
 * disposition is written only when call_log has none.
 */
export class WrapupSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly d: WrapupSweeperDeps) {}

  /** Applies every timeout due at the clock's now; returns how many agents were moved. */
  async sweep(): Promise<number> {
    const now = this.d.clock.nowMs();
    let moved = 0;
    for (const a of await this.d.store.listAgents()) {
      if ((a.state !== 'WRAPUP' && a.state !== 'DEAD') || !a.campaignId) continue;
      let rules;
      try {
        rules = await this.d.dispositions.campaign(a.campaignId);
      } catch (err) {
        this.d.logger.warn({ err, agentId: a.agentId }, 'wrap-up check: campaign not readable');
        continue;
      }
      if (rules.wrapupMs <= 0 || now < a.sinceMs + rules.wrapupMs) continue;
      // Past the campaign's time: only an extension of this call's wrap-up holds it off.
      const ext = (await this.d.extensions?.get(a.agentId)) ?? null;
      if (now < wrapupDeadlineMs(a, rules.wrapupMs, ext)) continue;
      if (await this.timeOut(a, rules.timeoutAction)) moved += 1;
    }
    return moved;
  }

  private async timeOut(a: AgentStatus, action: 'disposition' | 'pause'): Promise<boolean> {
    try {
      if (a.state === 'DEAD') {
        await this.d.sessions.apply(
          a.agentId,
          { type: 'agent_hangup', wrapupMs: 0 },
          'system:wrapup-timeout',
        );
      }
      const pending = await this.d.pendingPauses.take(a.agentId);
      const r = await this.d.sessions.apply(
        a.agentId,
        { type: 'wrapup_timeout', action: action === 'pause' || pending ? 'pause' : 'ready' },
        'system:wrapup-timeout',
      );
      await this.effects(a.agentId, r.effects);
      return true;
    } catch (err) {
      // Another process (or the agent's own disposition) moved the agent first.
      if (err instanceof IllegalTransitionError || isConflict(err)) return false;
      throw err;
    }
  }

  private async effects(agentId: AgentId, effects: AgentEffect[]): Promise<void> {
    for (const e of effects) {
      if (e.type === 'auto_disposition' && e.callId) {
        await this.d.dispositions.autoDispose(e.callId, agentId);
      }
    }
  }

  /** Sweeps every `intervalMs` (default 1,000); a sweep never overlaps the previous one. */
  start(intervalMs = 1_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep().catch((err: unknown) => {
        this.d.logger.error({ err }, 'wrap-up sweep failed');
        return 0;
      });
      void this.running.finally(() => {
        this.running = null;
      });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

function isConflict(err: unknown): boolean {
  return err instanceof RingsideError && err.code === 'CONFLICT';
}

/**
 * Moves an agent whose call ended without it hanging up (the customer hung up first) from INCALL
 * to DEAD, so the panel shows it and the disposition is owed. Listens to call.ended on the bus;
 * idempotent (compare-and-set; a second process sees the agent already DEAD and does nothing).
 * Runs in the api role.
 */
export async function startCustomerHangupWatcher(d: {
  bus: EventBus;
  store: StateStore;
  sessions: AgentTransitions;
  logger: Logger;
}): Promise<Subscription> {
  return d.bus.subscribe({
    from: 'latest',
    onEvent: async (env) => {
      const e = env.event;
      if (e.type !== 'call.ended' || !e.agentId) return;
      const agent = await d.store.getAgent(e.agentId);
      if (agent?.state !== 'INCALL' || agent.callId !== e.callId) return;
      await d.sessions
        .apply(e.agentId, { type: 'customer_hangup' }, 'system:customer-hangup')
        .catch((err: unknown) => {
          if (err instanceof IllegalTransitionError || isConflict(err)) return;
          throw err;
        });
    },
    onError: (err) => d.logger.error({ err }, 'customer hang-up watcher failed on an event'),
  });
}
