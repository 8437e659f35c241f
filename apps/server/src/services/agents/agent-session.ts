import { WRAPUP_EXTENDED_REASON, type AgentId, type CallId } from '@ringside/protocol';
import { ConflictError, IllegalTransitionError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus, Subscription } from '../../ports/event-bus.js';
import { expectedOf, type AgentStatus, type StateStore } from '../../ports/state-store.js';
import {
  changedEvent,
  LEG_REASON,
  loggedOut,
  transition,
  type AgentEffect,
  type AgentEvent,
} from '../../domain/agent-state.js';
import type {
  AgentCommand,
  AgentLogWriter,
  AgentSessionApi,
  AgentSessionResult,
  AgentTransitions,
  PendingPauses,
} from '../../ports/agents.js';
import type { DispositionService } from './disposition.js';
import type { WrapupExtender } from './wrapup-extension.js';

export type { AgentCommand, AgentSessionResult } from '../../ports/agents.js';

export interface AgentSessionDeps {
  store: StateStore;
  /** Where transitions are made durable (agent_log, agent_sessions). */
  log: AgentLogWriter;
  clock: Clock;
  logger?: Logger;
}

/** How often a transition is retried when another writer changed the agent meanwhile. */
const CAS_ATTEMPTS = 3;

/**
 * Agent sessions: applies the pure state machine through the state store's compare-and-set
 * (so two writers never both win), then writes agent_log and the agent_sessions snapshot.
 * Returns the effects for the caller (http/ws, ari-worker) to carry out.
 */
export class AgentSessionService implements AgentTransitions {
  constructor(private readonly d: AgentSessionDeps) {}

  /**
   * Throws IllegalTransitionError when the agent's state does not accept the command, and
   * ConflictError when the agent kept changing under us.
   */
  async apply(
    agentId: AgentId,
    command: AgentCommand,
    reason: string,
  ): Promise<AgentSessionResult> {
    for (let i = 0; i < CAS_ATTEMPTS; i++) {
      const prev = (await this.d.store.getAgent(agentId)) ?? loggedOut(agentId);
      const atMs = Math.max(this.d.clock.nowMs(), prev.sinceMs);
      const { status, effects } = transition(prev, { ...command, atMs } as AgentEvent);
      const why =
        command.type === 'set_leg'
          ? LEG_REASON
          : command.type === 'wrapup_extend'
            ? WRAPUP_EXTENDED_REASON
            : reason;
      const event = changedEvent(prev, status, why, atMs);
      const envelope = await this.d.store.transitionAgent(status, expectedOf(prev), event);
      if (!envelope) continue;
      try {
        await this.d.log.record(event, prev, status);
      } catch (err) {
        // Redis has the new state and the bus has the event: the recorder consumer writes the
        // row again from the bus (idempotent), so the request does not fail for this.
        this.d.logger?.warn({ err, agentId }, 'agent_log write failed; left to the recorder');
      }
      return { status, effects, envelope };
    }
    throw new ConflictError(`agent ${agentId} changed concurrently; try again`);
  }
}

/**
 * Records every agent.state_changed seen on the bus in agent_log and agent_sessions, including
 * the ones no AgentSessionService made (the dialer's READY -> RESERVED in reserveLongestReady).
 * Idempotent, so it may run in several processes; the scheduler role runs it.
 */
export async function startAgentLogRecorder(
  bus: EventBus,
  log: AgentLogWriter,
  logger?: Logger,
): Promise<Subscription> {
  return bus.subscribe({
    from: 'latest',
    onEvent: async (env) => {
      if (env.event.type !== 'agent.state_changed') return;
      await log.record(env.event, undefined, undefined, { replaceSameInstant: false });
    },
    onGap: (stream, expected, got) => {
      // Rows of the trimmed events are missing unless their service wrote them (it normally has).
      logger?.warn({ stream, expected, got }, 'agent log recorder missed events');
    },
    onError: (err, env) => {
      logger?.error({ err, seq: env?.seq }, 'agent log recorder failed on an event');
    },
  });
}

export interface SessionApiDeps {
  sessions: AgentTransitions;
  dispositions: Pick<DispositionService, 'autoDispose' | 'owesDisposition' | 'dispose'>;
  pendingPauses: PendingPauses;
  store: StateStore;
  /** Takes down the agent's phone leg and bridge after a logout (telephony); optional. */
  endLeg?: (agentId: AgentId, legChannelId: string) => Promise<unknown>;
  /** Hangs up a customer whose agent logged out mid-call (telephony); optional. */
  hangupCall?: (callId: CallId) => Promise<unknown>;
  /** The agents' wrap-up extensions (wrapup-extension.ts); optional. */
  extender?: Pick<WrapupExtender, 'extend'>;
  logger: Logger;
}

/**
 * The AgentSessionApi of the api role: the agent session service plus dispositions, the
 * "pause after this call" request and the effects the session service returns.
 *
 * Pause while INCALL, or in DEAD/WRAPUP of a call that owes its disposition, does not leave the
 * call: it is recorded and applied when the disposition ends the wrap-up (the answer is the
 * unchanged status); READY is refused there (409). Without this an agent could leave wrap-up by
 * pausing or going ready, and be offered the next call with the disposition never written.
 */
export function createAgentSessionApi(d: SessionApiDeps): AgentSessionApi {
  const carryOut = async (agentId: AgentId, effects: AgentEffect[]) => {
    for (const e of effects) {
      try {
        if (e.type === 'auto_disposition' && e.callId) {
          await d.dispositions.autoDispose(e.callId, agentId);
        } else if (e.type === 'end_agent_leg') {
          await d.endLeg?.(agentId, e.legChannelId);
        } else if (e.type === 'hangup_call') {
          await d.hangupCall?.(e.callId);
        }
      } catch (err) {
        d.logger.warn({ err, agentId, effect: e.type }, 'agent effect failed');
      }
    }
  };
  const extender = d.extender;
  const run = async (agentId: AgentId, command: AgentCommand, reason: string) => {
    const r = await d.sessions.apply(agentId, command, reason);
    await carryOut(agentId, r.effects);
    return r.status;
  };
  /** On the call, or in wrap-up of a call that still owes its disposition. */
  const mustWait = async (s: AgentStatus): Promise<boolean> => {
    if (s.state === 'INCALL') return true;
    if ((s.state === 'WRAPUP' || s.state === 'DEAD') && s.callId) {
      return d.dispositions.owesDisposition(s.callId, s.agentId);
    }
    return false;
  };
  return {
    login: (agentId, campaignId) => run(agentId, { type: 'login', campaignId }, 'agent'),
    async ready(agentId) {
      const s = await d.store.getAgent(agentId);
      if (s?.callId && (s.state === 'WRAPUP' || s.state === 'DEAD')) {
        if (await d.dispositions.owesDisposition(s.callId, agentId)) {
          throw new IllegalTransitionError(
            s.state,
            'ready',
            'submit the disposition of the call first',
          );
        }
      }
      return run(agentId, { type: 'ready' }, 'agent');
    },
    async pause(agentId, code, reason) {
      const s = await d.store.getAgent(agentId);
      if (reason === 'agent' && s?.callId && (await mustWait(s))) {
        if (code.length === 0 || code.length > 32) {
          throw new IllegalTransitionError(
            s.state,
            'pause',
            'a pause needs a code of 1-32 characters',
          );
        }
        await d.pendingPauses.set(agentId, code);
        return s;
      }
      return run(agentId, { type: 'pause', code }, reason);
    },
    async logout(agentId) {
      const r = await run(agentId, { type: 'logout' }, 'agent');
      await d.pendingPauses.take(agentId);
      return r;
    },
    dispose: (agentId, input) => d.dispositions.dispose(agentId, input),
    ...(extender ? { extendWrapup: (agentId: AgentId) => extender.extend(agentId) } : {}),
  };
}
