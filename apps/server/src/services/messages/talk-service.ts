import type {
  AgentId,
  CampaignId,
  DomainEvent,
  Role,
  TalkHandData,
  TalkMessage,
  TalkReadData,
  TalkSendData,
  TalkSnapshot,
} from '@ringside/protocol';
import { errorKind, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AuditLog } from '../../ports/audit.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type { HandRegistry, SendLimiter, TalkStore } from '../../ports/messages.js';

/** Too many messages (or hand changes) in a short time: the socket gets a RATE_LIMITED error. */
export class TalkRateLimitedError extends errorKind('RATE_LIMITED', 429) {}

/** Who acts: the signed-in user of the socket. */
export interface TalkUser {
  id: string;
  role: Role;
}

export interface TalkLimits {
  /** Messages per user per window (default 10 per 10 s). */
  messagesPerWindow: number;
  /** Hand changes per agent per window (default 10 per 10 s). */
  handsPerWindow: number;
  windowMs: number;
  /** How far back a snapshot's messages go (ms; default 12 h). */
  recentMs: number;
  /** At most this many messages in an agent's snapshot (default 100) and a supervisor's (300). */
  agentSnapshotMessages: number;
  supervisorSnapshotMessages: number;
}

export const TALK_DEFAULTS: TalkLimits = {
  messagesPerWindow: 10,
  handsPerWindow: 10,
  windowMs: 10_000,
  recentMs: 12 * 3_600_000,
  agentSnapshotMessages: 100,
  supervisorSnapshotMessages: 300,
};

export interface TalkServiceDeps {
  store: TalkStore;
  hands: HandRegistry;
  limiter: SendLimiter;
  bus: EventBus;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** The agents logged in to a campaign now (the state store): a campaign message's recipients. */
  campaignAgents(campaignId: CampaignId): Promise<AgentId[]>;
  limits?: Partial<TalkLimits>;
}

/**
 * Agent and supervisor talk (issue 17, point 7): checks who may write to whom, limits the rate,
 * stores and audits each message, publishes it on the bus (every api process's gateway routes
 * it to the sockets it holds), and keeps the raised hands. Customers never see any of it: no
 * telephony path and no lead-facing route reaches this service.
 *
 * Who may do what: an agent writes only to the supervisors (its own thread), marks only its own
 * messages read, and raises or lowers only its own hand; supervisors and admins write to any
 * agent, team or campaign (every supervisor sees every agent on the wall), mark an agent's
 * thread read, and lower (acknowledge) any hand, never raise one.
 */
export class TalkService {
  private readonly limits: TalkLimits;
  private readonly log: Logger;

  constructor(private readonly deps: TalkServiceDeps) {
    this.limits = { ...TALK_DEFAULTS, ...deps.limits };
    this.log = deps.logger.child({ component: 'talk' });
  }

  async send(user: TalkUser, data: TalkSendData): Promise<TalkMessage> {
    const { to } = data;
    const text = data.text.trim();
    if (text.length === 0) throw new ValidationError('a message needs some text');
    if (user.role === 'agent' && to.kind !== 'supervisors') {
      throw new ForbiddenError('agents write to the supervisors only');
    }
    if (user.role !== 'agent' && to.kind === 'supervisors') {
      throw new ForbiddenError('write to an agent, a team or a campaign');
    }
    // Counted before any lookup, so a burst of bad messages costs the database nothing either.
    const now = this.deps.clock.nowMs();
    await this.limit(`msg:${user.id}`, this.limits.messagesPerWindow, now, 'messages');
    let thread: AgentId | null = null;
    let recipients: AgentId[];
    if (to.kind === 'supervisors') {
      thread = user.id as AgentId;
      recipients = [thread];
    } else if (to.kind === 'agent') {
      if (!(await this.deps.store.isAgent(to.agentId))) {
        throw new NotFoundError(`agent ${to.agentId} not found`);
      }
      thread = to.agentId;
      recipients = [to.agentId];
    } else if (to.kind === 'team') {
      const members = await this.deps.store.teamAgents(to.teamId);
      if (!members) throw new NotFoundError(`team ${to.teamId} not found`);
      recipients = members;
    } else {
      if (!(await this.deps.store.campaignExists(to.campaignId))) {
        throw new NotFoundError(`campaign ${to.campaignId} not found`);
      }
      recipients = await this.deps.campaignAgents(to.campaignId);
    }
    const message = await this.deps.store.insert({
      senderId: user.id,
      senderRole: user.role,
      to,
      threadAgentId: thread,
      recipients,
      text,
      sentAtMs: now,
    });
    await this.deps.audit.record({
      userId: user.id,
      action: 'talk.send',
      target: targetOf(to, thread),
      // The text itself is in talk_messages; the audit keeps who, to whom, how long.
      detail: { messageId: message.id, chars: text.length, recipients: recipients.length },
    });
    await this.publish({
      type: 'talk.message',
      message,
      recipients,
      clientRef: data.clientRef ?? null,
      atMs: now,
    });
    return message;
  }

  async read(user: TalkUser, data: TalkReadData): Promise<void> {
    const now = this.deps.clock.nowMs();
    if (user.role === 'agent') {
      if (data.agentId && data.agentId !== user.id) {
        throw new ForbiddenError('agents mark only their own messages read');
      }
      const agentId = user.id as AgentId;
      const n = await this.deps.store.markReadByAgent(agentId, data.upToId, now);
      if (n > 0) {
        await this.publish({
          type: 'talk.read',
          agentId,
          by: 'agent',
          readerId: user.id,
          upToId: data.upToId,
          atMs: now,
        });
      }
      return;
    }
    if (!data.agentId) throw new ValidationError('agentId: name the agent whose thread was read');
    const n = await this.deps.store.markReadBySupervisor(data.agentId, data.upToId, user.id, now);
    if (n > 0) {
      await this.publish({
        type: 'talk.read',
        agentId: data.agentId,
        by: 'supervisor',
        readerId: user.id,
        upToId: data.upToId,
        atMs: now,
      });
    }
  }

  /** Raises or lowers a hand; true when it changed (and the change was published). */
  async hand(user: TalkUser, data: TalkHandData): Promise<boolean> {
    const now = this.deps.clock.nowMs();
    let agentId: AgentId;
    let by: 'agent' | 'supervisor';
    if (user.role === 'agent') {
      if (data.agentId && data.agentId !== user.id) {
        throw new ForbiddenError('agents raise and lower only their own hand');
      }
      agentId = user.id as AgentId;
      by = 'agent';
    } else {
      if (data.raised) throw new ForbiddenError('only the agent raises its hand');
      if (!data.agentId) throw new ValidationError('agentId: name the agent whose hand to lower');
      agentId = data.agentId;
      by = 'supervisor';
    }
    await this.limit(`hand:${user.id}`, this.limits.handsPerWindow, now, 'hand changes');
    const changed = data.raised
      ? await this.deps.hands.raise(agentId, now)
      : await this.deps.hands.lower(agentId);
    if (!changed) return false;
    await this.deps.audit.record({
      userId: user.id,
      action: data.raised
        ? 'talk.hand_raise'
        : by === 'agent'
          ? 'talk.hand_lower'
          : 'talk.hand_ack',
      target: `agent:${agentId}`,
      detail: {},
    });
    await this.publish({
      type: 'talk.hand',
      agentId,
      raised: data.raised,
      by,
      userId: user.id,
      atMs: now,
    });
    return true;
  }

  /** An agent logged out: its hand goes down (one api process publishes it). */
  async agentLeft(agentId: AgentId): Promise<void> {
    if (!(await this.deps.hands.lower(agentId))) return;
    const now = this.deps.clock.nowMs();
    await this.deps.audit.record({
      userId: null,
      action: 'talk.hand_lower',
      target: `agent:${agentId}`,
      detail: { reason: 'logged_out' },
    });
    await this.publish({
      type: 'talk.hand',
      agentId,
      raised: false,
      by: 'system',
      userId: null,
      atMs: now,
    });
  }

  /** What a (re)connecting panel gets: the recent thread and the hands it may see. */
  async snapshotFor(user: TalkUser): Promise<TalkSnapshot> {
    const since = this.deps.clock.nowMs() - this.limits.recentMs;
    if (user.role === 'agent') {
      const agentId = user.id as AgentId;
      const [messages, hands] = await Promise.all([
        this.deps.store.recentForAgent(agentId, since, this.limits.agentSnapshotMessages),
        this.deps.hands.list(agentId),
      ]);
      return { messages, hands };
    }
    const [messages, hands] = await Promise.all([
      this.deps.store.recentAll(since, this.limits.supervisorSnapshotMessages),
      this.deps.hands.list(),
    ]);
    return { messages, hands };
  }

  private async limit(key: string, max: number, now: number, what: string): Promise<void> {
    if (!(await this.deps.limiter.take(key, max, this.limits.windowMs, now))) {
      throw new TalkRateLimitedError(
        `too many ${what}: at most ${max} per ${Math.round(this.limits.windowMs / 1000)} s; wait a moment`,
      );
    }
  }

  private async publish(event: DomainEvent): Promise<void> {
    try {
      await this.deps.bus.publish(event);
    } catch (err) {
      // Stored and audited: panels get it in their next snapshot.
      this.log.warn({ err, type: event.type }, 'talk event not published');
    }
  }
}

/** The audit target of a message. */
function targetOf(to: TalkSendData['to'], thread: AgentId | null): string {
  switch (to.kind) {
    case 'agent':
      return `agent:${to.agentId}`;
    case 'team':
      return `team:${to.teamId}`;
    case 'campaign':
      return `campaign:${to.campaignId}`;
    case 'supervisors':
      return `agent:${thread ?? ''}`;
  }
}
