import { z } from 'zod';
import {
  AgentId,
  AgentState,
  AmdResult,
  CallStage,
  BusEnvelope,
  CallId,
  CampaignId,
  DomainEvent,
  E164,
  LeadId,
  ListId,
} from '@ringside/protocol';
import type { HopperEntry } from '../../ports/hopper.js';
import type { AgentStatus, LiveCall } from '../../ports/state-store.js';
import type { StreamName } from '../../ports/event-bus.js';

/**
 * Validation of what comes back from Redis (STYLE.md §4): data written by another version of
 * the program, or by hand, fails loudly here instead of deep inside a service.
 */

const nullable = <T extends z.ZodTypeAny>(s: T) =>
  z.preprocess((v) => (v === '' ? null : v), s.nullable());

/** The agent status hash: every field a string, '' for null. */
const AgentStatusHash = z.object({
  state: AgentState,
  sinceMs: z.coerce.number().int(),
  campaignId: nullable(CampaignId),
  callId: nullable(CallId),
  pauseCode: nullable(z.string()),
  bridgeId: nullable(z.string()),
  legChannelId: nullable(z.string()),
});

export function agentToHash(a: AgentStatus): string[] {
  return [
    a.state,
    String(a.sinceMs),
    a.campaignId ?? '',
    a.callId ?? '',
    a.pauseCode ?? '',
    a.bridgeId ?? '',
    a.legChannelId ?? '',
  ];
}

export function agentFromHash(agentId: string, h: Record<string, string>): AgentStatus | null {
  if (!h.state) return null;
  const p = AgentStatusHash.parse(h);
  return { agentId: AgentId.parse(agentId), ...p };
}

/** The agent hash's fields in the order the Lua scripts return them (agent-list, reserve, near). */
export const AGENT_HASH_FIELDS = [
  'state',
  'sinceMs',
  'campaignId',
  'callId',
  'pauseCode',
  'bridgeId',
  'legChannelId',
] as const;

/** An agent from a script's flat reply: its AGENT_HASH_FIELDS values from `at` on. */
export function agentFromFields(
  agentId: string,
  values: readonly (string | null | undefined)[],
  at = 0,
): AgentStatus | null {
  const h: Record<string, string> = {};
  AGENT_HASH_FIELDS.forEach((f, i) => (h[f] = values[at + i] ?? ''));
  return agentFromHash(agentId, h);
}

const ms = z.number().int();
export const LiveCallSchema = z.object({
  callId: CallId,
  campaignId: CampaignId,
  leadId: LeadId,
  listId: ListId,
  phone: E164,
  stage: CallStage,
  serverId: z.string(),
  channelId: z.string(),
  bridgeId: z.string().nullable(),
  agentId: AgentId.nullable(),
  manual: z.boolean(),
  attempt: z.number().int(),
  originatedAtMs: ms,
  ringingAtMs: ms.nullable(),
  answeredAtMs: ms.nullable(),
  amdAtMs: ms.nullable(),
  amdResult: AmdResult.nullable(),
  waitingAtMs: ms.nullable(),
  bridgedAtMs: ms.nullable(),
  droppedAtMs: ms.nullable(),
  endedAtMs: ms.nullable(),
}) satisfies z.ZodType<LiveCall>;

export const HopperEntrySchema = z.object({
  leadId: LeadId,
  listId: ListId,
  campaignId: CampaignId,
  phone: E164,
  timeZones: z.array(z.string()),
  priority: z.enum(['callback', 'recycle', 'new']),
  attempts: z.number().int().nonnegative(),
  windowClosesAtMs: ms,
  states: z.array(z.string()).optional(),
}) satisfies z.ZodType<HopperEntry>;

/**
 * Reads an entry back from Redis. Entries are validated in full when they are added (the
 * boundary where data enters Redis); reading them back, on the hot path of every pop, only
 * checks the shape, which costs a fraction of a full schema parse.
 */
export function parseHopperEntry(json: string): HopperEntry {
  const v: unknown = JSON.parse(json);
  if (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { leadId?: unknown }).leadId === 'string' &&
    typeof (v as { windowClosesAtMs?: unknown }).windowClosesAtMs === 'number' &&
    Array.isArray((v as { timeZones?: unknown }).timeZones)
  ) {
    return v as HopperEntry;
  }
  return HopperEntrySchema.parse(v); // throws, naming what is wrong
}

/** A stream entry's flat field list [k1, v1, k2, v2, ...] as written by the Lua scripts. */
export function envelopeFromFields(stream: StreamName, fields: string[]): BusEnvelope {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  return BusEnvelope.parse({
    v: 1,
    stream,
    seq: Number(f.seq),
    tsMs: Number(f.ts),
    event: DomainEvent.parse(JSON.parse(f.e ?? 'null')),
  });
}
