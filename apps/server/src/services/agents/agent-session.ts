import type { AgentId, BusEnvelope } from '@ringside/protocol';
import { ConflictError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus, Subscription } from '../../ports/event-bus.js';
import type { AgentStatus, StateStore } from '../../ports/state-store.js';
import {
  changedEvent,
  LEG_REASON,
  loggedOut,
  transition,
  type AgentEffect,
  type AgentEvent,
} from '../../domain/agent-state.js';
import type { AgentLogRepository } from '../../adapters/postgres/agent-log.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An agent event without its instant: the service stamps it with its clock. */
export type AgentCommand = DistributiveOmit<AgentEvent, 'atMs'>;

export interface AgentSessionResult {
  status: AgentStatus;
  effects: AgentEffect[];
  envelope: BusEnvelope;
}

export interface AgentSessionDeps {
  store: StateStore;
  /** Where transitions are made durable (agent_log, agent_sessions). */
  log: Pick<AgentLogRepository, 'record'>;
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
export class AgentSessionService {
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
      const why = command.type === 'set_leg' ? LEG_REASON : reason;
      const event = changedEvent(prev, status, why, atMs);
      const expected = prev.state === 'LOGGED_OUT' ? null : prev.state;
      const envelope = await this.d.store.transitionAgent(status, expected, event);
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
  log: Pick<AgentLogRepository, 'record'>,
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
