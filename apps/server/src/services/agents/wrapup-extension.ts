import { WRAPUP_EXTENDED_REASON, type AgentId, type AgentStateChanged } from '@ringside/protocol';
import { IllegalTransitionError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  AgentTransitions,
  WrapupExtended,
  WrapupExtension,
  WrapupExtensions,
} from '../../ports/agents.js';
import type { AuditLog } from '../../ports/audit.js';
import type { Clock } from '../../ports/clock.js';
import type { AgentStatus, StateStore } from '../../ports/state-store.js';
import type { DispositionService } from './disposition.js';

/**
 * The wrap-up deadline of an agent in DEAD or WRAPUP: its state's start plus the campaign's
 * wrap-up time, or later when the agent extended this state's wrap-up (`ext` of the same call and
 * state). The sweeper (wrapup.ts) times the agent out at this instant.
 */
export function wrapupDeadlineMs(
  a: Pick<AgentStatus, 'callId' | 'sinceMs'>,
  wrapupMs: number,
  ext: WrapupExtension | null,
): number {
  const base = a.sinceMs + wrapupMs;
  if (!ext || ext.callId !== a.callId || ext.sinceMs !== a.sinceMs) return base;
  return Math.max(base, ext.untilMs);
}

export interface WrapupExtenderDeps {
  store: StateStore;
  sessions: AgentTransitions;
  dispositions: Pick<DispositionService, 'campaign' | 'owesDisposition'>;
  extensions: WrapupExtensions;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}

/**
 * An agent's own wrap-up extension: the campaign allows `wrapupExtensions` per call of
 * `wrapupExtensionS` each. The extension is counted atomically in Redis (the allowance is never
 * exceeded), then published as an agent.state_changed to the same state (reason
 * WRAPUP_EXTENDED_REASON, the new deadline in wrapupUntilMs) so the agent's panel and the
 * supervisors see it, and audited (audit_log, action `agent.wrapup_extend`). The wrap-up sweeper
 * reads the same record (wrapupDeadlineMs). Refusals are IllegalTransitionError (409) saying why.
 */
export class WrapupExtender {
  constructor(private readonly d: WrapupExtenderDeps) {}

  async extend(agentId: AgentId): Promise<WrapupExtended> {
    const a = await this.d.store.getAgent(agentId);
    const state = a?.state ?? 'LOGGED_OUT';
    const refuse = (why: string) => new IllegalTransitionError(state, 'wrapup_extend', why);
    if (!a || (a.state !== 'WRAPUP' && a.state !== 'DEAD') || !a.callId || !a.campaignId) {
      throw refuse('there is no wrap-up to extend');
    }
    if (!(await this.d.dispositions.owesDisposition(a.callId, agentId))) {
      throw refuse('the call already has its disposition');
    }
    const rules = await this.d.dispositions.campaign(a.campaignId);
    if (rules.wrapupMs <= 0) throw refuse("this campaign's wrap-up has no time limit");
    if (rules.extensionsAllowed <= 0) {
      throw refuse('this campaign does not allow extending wrap-up');
    }
    const now = this.d.clock.nowMs();
    const current = wrapupDeadlineMs(a, rules.wrapupMs, await this.d.extensions.get(agentId));
    if (now >= current) throw refuse('the wrap-up time is already over');
    const ext = await this.d.extensions.take(agentId, {
      callId: a.callId,
      sinceMs: a.sinceMs,
      baseUntilMs: a.sinceMs + rules.wrapupMs,
      addMs: rules.extensionMs,
      max: rules.extensionsAllowed,
    });
    if (!ext) {
      const n = rules.extensionsAllowed;
      throw refuse(
        `wrap-up was already extended ${n === 1 ? 'once' : `${n} times`} on this call ` +
          "(the campaign's limit)",
      );
    }
    const r = await this.d.sessions.apply(
      agentId,
      { type: 'wrapup_extend', untilMs: ext.untilMs },
      WRAPUP_EXTENDED_REASON,
    );
    const e = r.envelope.event as AgentStateChanged;
    await this.d.audit
      .record({
        userId: agentId,
        action: 'agent.wrapup_extend',
        target: `agent:${agentId}`,
        detail: {
          callId: a.callId,
          campaignId: a.campaignId,
          extension: ext.used,
          allowed: rules.extensionsAllowed,
          addedMs: rules.extensionMs,
          untilMs: ext.untilMs,
          atMs: e.atMs,
        },
      })
      .catch((err: unknown) => {
        // The extension stands (the agent was told); the log line keeps the trace.
        this.d.logger.error({ err, agentId, callId: a.callId }, 'wrap-up extension not audited');
      });
    this.d.logger.info(
      { agentId, callId: a.callId, extension: ext.used, untilMs: ext.untilMs },
      'wrap-up extended',
    );
    return {
      status: r.status,
      untilMs: ext.untilMs,
      used: ext.used,
      allowed: rules.extensionsAllowed,
    };
  }
}
