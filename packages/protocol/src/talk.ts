import { z } from 'zod';
import { Role } from './agent.js';
import { AgentId, CampaignId, EpochMs } from './ids.js';

/**
 * Agent and supervisor talk (issue 17, point 7): short plain-text messages between supervisors
 * and agents (one agent, a team or a campaign's agents), and an agent's raised hand. Both travel
 * over the WebSocket (`talk.*` client messages below, `talk.*` domain events back), never on a
 * telephony path or a lead-facing route. docs/realtime.md, "Agent and supervisor talk".
 */

/** Longest message text, in characters (after trimming). */
export const TALK_TEXT_MAX = 500;

/** Any control character but line feed and tab (plain text only; the panels never render HTML). */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** One message's text: plain, 1 to TALK_TEXT_MAX characters once trimmed. */
export const TalkText = z
  .string()
  .trim()
  .min(1, 'a message needs some text')
  .max(TALK_TEXT_MAX, `a message is at most ${TALK_TEXT_MAX} characters`)
  .refine((t) => !CONTROL_CHARS.test(t), 'control characters are not allowed');

/** A message's database id (bigint as digits). */
export const TalkMessageId = z.string().regex(/^[1-9]\d{0,18}$/, 'must be a message id');
export type TalkMessageId = z.infer<typeof TalkMessageId>;

/**
 * Who a message is for: one agent, a team's agents, the agents logged in to a campaign (the
 * supervisors' choices), or `supervisors`: what an agent writes (its own thread).
 */
export const TalkRecipient = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent'), agentId: AgentId }).strict(),
  z.object({ kind: z.literal('team'), teamId: z.string().regex(/^[1-9]\d{0,18}$/) }).strict(),
  z.object({ kind: z.literal('campaign'), campaignId: CampaignId }).strict(),
  z.object({ kind: z.literal('supervisors') }).strict(),
]);
export type TalkRecipient = z.infer<typeof TalkRecipient>;

/** One stored message, as panels show it. */
export const TalkMessage = z.object({
  id: TalkMessageId,
  fromUserId: z.string().min(1).max(64),
  fromName: z.string().max(128),
  fromRole: Role,
  to: TalkRecipient,
  /** The agent of a one-to-one thread (the recipient, or the agent who wrote); null: a broadcast. */
  agentId: AgentId.nullable(),
  text: z.string().min(1).max(TALK_TEXT_MAX),
  sentAtMs: EpochMs,
  /**
   * When it was read: by the agent (messages to one agent; for the agent itself, its own copy of
   * a broadcast) or by a supervisor (an agent's message). Null: unread, or a broadcast as
   * supervisors see it.
   */
  readAtMs: EpochMs.nullable(),
});
export type TalkMessage = z.infer<typeof TalkMessage>;

/** An agent's raised hand, as the wall shows it. */
export const RaisedHand = z.object({ agentId: AgentId, raisedAtMs: EpochMs });
export type RaisedHand = z.infer<typeof RaisedHand>;

// ---------------------------------------------------------------------------------------------
// Domain events (the `system` stream)

/** A message was stored; `recipients` are the agents whose panels get it. */
export const TalkMessageSent = z.object({
  type: z.literal('talk.message'),
  message: TalkMessage,
  /** Agents that receive it (a broadcast's members at send time; the writer for its own). */
  recipients: z.array(AgentId).max(20_000),
  /** The writer's own reference (the client message's), so its panel can match the echo. */
  clientRef: z.string().max(64).nullable(),
  atMs: EpochMs,
});

/** Messages of one agent's thread, up to `upToId`, were read (by the agent or a supervisor). */
export const TalkMessagesRead = z.object({
  type: z.literal('talk.read'),
  agentId: AgentId,
  by: z.enum(['agent', 'supervisor']),
  readerId: z.string().min(1).max(64),
  upToId: TalkMessageId,
  atMs: EpochMs,
});

/** An agent raised or lowered its hand, or a supervisor acknowledged (lowered) it. */
export const TalkHandChanged = z.object({
  type: z.literal('talk.hand'),
  agentId: AgentId,
  raised: z.boolean(),
  /** agent: the agent itself; supervisor: acknowledged; system: the agent logged out. */
  by: z.enum(['agent', 'supervisor', 'system']),
  userId: z.string().max(64).nullable(),
  atMs: EpochMs,
});

export type TalkMessageSent = z.infer<typeof TalkMessageSent>;
export type TalkMessagesRead = z.infer<typeof TalkMessagesRead>;
export type TalkHandChanged = z.infer<typeof TalkHandChanged>;

// ---------------------------------------------------------------------------------------------
// WebSocket: what a snapshot carries, and the client messages' data

/** The recent talk a panel gets in its snapshot (newest last). */
export const TalkSnapshot = z.object({
  messages: z.array(TalkMessage).max(1000),
  /** Supervisors: every raised hand; agents: their own, when raised. */
  hands: z.array(RaisedHand),
});
export type TalkSnapshot = z.infer<typeof TalkSnapshot>;

/** `talk.send`: one message. Errors answer with the client message's seq (replyTo). */
export const TalkSendData = z
  .object({ to: TalkRecipient, text: TalkText, clientRef: z.string().max(64).optional() })
  .strict();
/** `talk.read`: everything of a thread up to a message is read (supervisors name the agent). */
export const TalkReadData = z
  .object({ upToId: TalkMessageId, agentId: AgentId.optional() })
  .strict();
/** `talk.hand`: an agent raises or lowers its own hand; a supervisor lowers (acknowledges) one. */
export const TalkHandData = z.object({ raised: z.boolean(), agentId: AgentId.optional() }).strict();
export type TalkSendData = z.infer<typeof TalkSendData>;
export type TalkReadData = z.infer<typeof TalkReadData>;
export type TalkHandData = z.infer<typeof TalkHandData>;
