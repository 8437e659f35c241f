import type {
  AgentId,
  ClientMessage,
  DomainEvent,
  SnapshotData,
  WsErrorData,
} from '@ringside/protocol';
import type { SessionUser } from '../http/auth.js';
import { mapError } from '../http/errors.js';
import type { Logger } from '../logger.js';
import type { TalkService } from '../services/messages/talk-service.js';
import { UnavailableError } from '../errors.js';

/** The client messages of agent and supervisor talk (packages/protocol src/talk.ts). */
export type TalkClientMessage = Extract<
  ClientMessage,
  { type: 'talk.send' | 'talk.read' | 'talk.hand' }
>;

/**
 * The gateway's part of agent and supervisor talk: runs each `talk.*` client message through
 * the talk service (one at a time per socket, in the order sent) and answers a refusal with an
 * error frame that replies to the message's seq; nothing else on the socket is affected.
 */
export interface TalkGateway {
  handle(
    socketKey: object,
    user: SessionUser,
    msg: TalkClientMessage,
    fail: (e: WsErrorData) => void,
  ): void;
  /** The `talk` part of a snapshot; {} when talk is not wired or its read failed. */
  snapshot(user: SessionUser): Promise<Pick<SnapshotData, 'talk'>>;
  /** Sees every bus event: an agent that logged out has its hand lowered. */
  observe(e: DomainEvent): void;
}

export function createTalkGateway(talk: TalkService | undefined, log: Logger): TalkGateway {
  const queues = new WeakMap<object, Promise<void>>();

  async function run(user: SessionUser, msg: TalkClientMessage): Promise<void> {
    if (!talk) throw new UnavailableError('messages are not available on this server');
    const who = { id: user.id, role: user.role };
    switch (msg.type) {
      case 'talk.send':
        await talk.send(who, msg.data);
        return;
      case 'talk.read':
        await talk.read(who, msg.data);
        return;
      case 'talk.hand':
        await talk.hand(who, msg.data);
        return;
    }
  }

  return {
    handle(socketKey, user, msg, fail) {
      const before = queues.get(socketKey) ?? Promise.resolve();
      const next = before.then(() =>
        run(user, msg).catch((err: unknown) => {
          const m = mapError(err);
          if (m.internal)
            log.error({ err, type: msg.type, userId: user.id }, 'talk message failed');
          fail({
            code: m.body.error.code,
            message: m.internal ? `${msg.type} failed; try again` : m.body.error.message,
            ...(m.body.error.issues ? { issues: m.body.error.issues } : {}),
            replyTo: msg.seq,
          });
        }),
      );
      queues.set(socketKey, next);
    },
    async snapshot(user) {
      if (!talk) return {};
      try {
        return { talk: await talk.snapshotFor({ id: user.id, role: user.role }) };
      } catch (err) {
        log.warn({ err, userId: user.id }, 'talk not read for a snapshot');
        return {};
      }
    },
    observe(e) {
      if (talk && e.type === 'agent.state_changed' && e.to === 'LOGGED_OUT') {
        talk.agentLeft(e.agentId).catch((err: unknown) => {
          log.warn({ err, agentId: e.agentId }, 'raised hand not lowered at logout');
        });
      }
    },
  };
}

/** The agents whose sockets get a talk event (besides supervisors, who get every one). */
export function talkAgents(e: DomainEvent): readonly AgentId[] {
  switch (e.type) {
    case 'talk.message':
      return e.recipients;
    case 'talk.read':
    case 'talk.hand':
      return [e.agentId];
    default:
      return [];
  }
}
