import { z } from 'zod';
import { AgentMonitorStarted, DialerStatusChanged, DomainEvent } from './events.js';
import { AgentStatusView, LiveCallView, NumericId } from './http.js';
import { TalkHandData, TalkReadData, TalkSendData, TalkSnapshot } from './talk.js';
import { RecordingChanged } from './recording.js';

/**
 * The WebSocket protocol between the gateway (`GET /ws`) and browsers or bot agents. Every
 * message, both ways, is one JSON envelope `{v, type, seq, tsMs, data}`:
 * - `v`: protocol version (1);
 * - `seq`: per connection and direction, 1, 2, 3, ...; the server's numbers let a client see that
 *   it missed something (it then subscribes again and gets a fresh snapshot);
 * - `tsMs`: the sender's clock, epoch ms.
 * Receivers validate every message against these schemas; see docs/api.md.
 */
export const WS_PROTOCOL_VERSION = 1;

/** Largest client message the gateway reads (bytes); larger ones are refused. */
export const WS_MAX_CLIENT_MESSAGE_BYTES = 4096;

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({
    v: z.literal(WS_PROTOCOL_VERSION),
    type: z.literal(type),
    seq: z.number().int().nonnegative(),
    tsMs: z.number().int().nonnegative(),
    data,
  });

// ---------------------------------------------------------------------------------------------
// Server -> client

/**
 * The whole state the subscriber may see, sent on subscribe and again whenever the gateway saw
 * a gap in the event bus. It replaces everything the client knew; events that follow apply on top.
 */
export const SnapshotData = z.object({
  scope: z.enum(['agent', 'supervisor']),
  reason: z.enum(['subscribe', 'gap']),
  /** The subscriber's own status (agents); null when logged out. */
  agent: AgentStatusView.nullable(),
  /** Every agent (supervisors; filtered by campaign when subscribed with one); [] for agents. */
  agents: z.array(AgentStatusView),
  /** Agents: their own live call, if any. Supervisors: every live call (of the campaign). */
  calls: z.array(LiveCallView),
  /**
   * Supervisors: the last `dialer.status` of every campaign a dialer is driving (of the
   * campaign, when subscribed with one). Absent for agents and from older servers.
   */
  campaigns: z.array(DialerStatusChanged).optional(),
  /**
   * Agents: the supervisor monitoring the agent's call right now, when the agent hears them
   * (whisper or barge; listen is never shown). Absent or null: none.
   */
  monitor: AgentMonitorStarted.nullable().optional(),
  /** Recent agent/supervisor messages and raised hands (talk.ts); absent from older servers. */
  talk: TalkSnapshot.optional(),
  /**
   * The recordings of the live calls in `calls` (recording, paused, the consent notice, stopped
   * between segments), each as the `recording.changed` that put it there would say, so a panel
   * opened mid-call shows REC / Paused at once. Absent from older servers.
   */
  recordings: z.array(RecordingChanged).optional(),
});
export type SnapshotData = z.infer<typeof SnapshotData>;

/** One domain event from the bus, with its position there. */
export const EventData = z.object({
  stream: z.string(),
  busSeq: z.number().int().positive(),
  event: DomainEvent,
});
export type EventData = z.infer<typeof EventData>;

export const WsErrorCode = z.enum([
  'BAD_JSON',
  'UNKNOWN_TYPE',
  'VALIDATION',
  'TOO_LARGE',
  'NOT_SUBSCRIBED',
  'FORBIDDEN',
  'INTERNAL',
]);
export type WsErrorCode = z.infer<typeof WsErrorCode>;

export const WsErrorData = z.object({
  code: z.union([WsErrorCode, z.string()]),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** The `seq` of the client message this answers, when it could be read. */
  replyTo: z.number().int().nullable(),
});
export type WsErrorData = z.infer<typeof WsErrorData>;

export const HeartbeatData = z.object({
  /** How often the server sends heartbeats, and how often the client should ping (ms). */
  intervalMs: z.number().int().positive(),
});

export const PongData = z.object({
  nonce: z.string().max(64).nullable(),
  replyTo: z.number().int(),
});

export const ServerSnapshot = envelope('snapshot', SnapshotData);
export const ServerEvent = envelope('event', EventData);
export const ServerError = envelope('error', WsErrorData);
export const ServerHeartbeat = envelope('heartbeat', HeartbeatData);
export const ServerPong = envelope('pong', PongData);

export const ServerMessage = z.discriminatedUnion('type', [
  ServerSnapshot,
  ServerEvent,
  ServerError,
  ServerHeartbeat,
  ServerPong,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type ServerMessageType = ServerMessage['type'];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

// ---------------------------------------------------------------------------------------------
// Client -> server

/** Starts (or restarts) the feed: the server answers with a snapshot, then events. */
export const SubscribeData = z
  .object({
    /** Supervisors: only this campaign's agents and calls. Ignored for agents. */
    campaignId: NumericId.optional(),
  })
  .strict();

/** Application-level heartbeat; the server answers with pong. */
export const PingData = z.object({ nonce: z.string().max(64).optional() }).strict();

export const ClientSubscribe = envelope('subscribe', SubscribeData);
export const ClientPing = envelope('ping', PingData);

export const ClientTalkSend = envelope('talk.send', TalkSendData);
export const ClientTalkRead = envelope('talk.read', TalkReadData);
export const ClientTalkHand = envelope('talk.hand', TalkHandData);

export const ClientMessage = z.discriminatedUnion('type', [
  ClientSubscribe,
  ClientPing,
  ClientTalkSend,
  ClientTalkRead,
  ClientTalkHand,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageType = ClientMessage['type'];
export const CLIENT_MESSAGE_TYPES: ReadonlyArray<ClientMessageType> = [
  'subscribe',
  'ping',
  'talk.send',
  'talk.read',
  'talk.hand',
];
