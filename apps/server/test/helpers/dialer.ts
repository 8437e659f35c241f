import type { CallId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import type pg from 'pg';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { type CampaignsRepo } from '../../src/ports/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import type { Logger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import type { LiveCall } from '../../src/ports/state-store.js';
import { ConflictError } from '../../src/errors.js';
import { scaledTimers, type Originator } from '../../src/ports/dialer.js';
import type { DialerServiceOptions } from '../../src/services/dialer/index.js';

/** A campaign (created with `input`) and one list `listName` under it. */
export async function createCampaignWithList(
  pool: pg.Pool,
  input: Parameters<CampaignsRepo['create']>[0],
  listName = 'l',
): Promise<{ campaignId: CampaignId; listId: ListId }> {
  const c = await createCampaignsRepo(createDb(pool)).create(input);
  const l = await pool.query<{ id: string }>(
    `INSERT INTO lists (campaign_id, name) VALUES ($1, $2) RETURNING id`,
    [c.id, listName],
  );
  return { campaignId: c.id, listId: l.rows[0]?.id as ListId };
}

/**
 * A customer who answered and was judged HUMAN at `nowMs` (answered 300 ms before), not yet
 * handed to anyone: what the dialer acts on next.
 */
export function humanAnsweredCall(
  callId: string,
  campaignId: CampaignId,
  listId: ListId,
  nowMs: number,
): LiveCall {
  return {
    callId: callId as CallId,
    campaignId,
    leadId: '1' as LeadId,
    listId,
    phone: '+12125550100' as E164,
    stage: 'AMD',
    serverId: 's',
    channelId: callId,
    bridgeId: null,
    agentId: null,
    manual: false,
    attempt: 1,
    originatedAtMs: nowMs - 5_000,
    ringingAtMs: nowMs - 4_000,
    answeredAtMs: nowMs - 300,
    amdAtMs: nowMs,
    amdResult: 'HUMAN',
    waitingAtMs: null,
    bridgedAtMs: null,
    droppedAtMs: null,
    endedAtMs: null,
  };
}

/** DialerService parts a test does not look at: no DNC, leads or ledger written. */
export function inertDialerParts(): Pick<DialerServiceOptions, 'dnc' | 'leads' | 'ledger'> {
  return {
    dnc: { isBlocked: async () => false },
    leads: {
      dialed: () => undefined,
      ended: () => undefined,
      skipped: () => undefined,
      flush: async () => undefined,
    },
    ledger: { add: async () => undefined, days: async () => [] },
  };
}

/** An originator for services that must place no call of their own: every request is refused. */
export const neverOriginates: Originator = {
  originate: async () => ({ ok: false, attempted: false, error: new ConflictError('unused') }),
};

/**
 * DialerService settings the integration tests share: wall-clock time (no speed-up), no new
 * calls of its own (every call id is 'unused'), a 30 s hopper lease, the safe-harbor message
 * started 250 ms after a drop, and at most 3 lines per agent.
 */
export function testDialerDefaults(
  logger: Logger,
): Pick<
  DialerServiceOptions,
  | 'clock'
  | 'timers'
  | 'logger'
  | 'newCallId'
  | 'perfNow'
  | 'hopperLeaseMs'
  | 'safeHarborStartMs'
  | 'maxLinesPerAgent'
> {
  return {
    clock: systemClock,
    timers: scaledTimers(1),
    logger,
    newCallId: () => 'unused' as CallId,
    perfNow: () => performance.now(),
    hopperLeaseMs: 30_000,
    safeHarborStartMs: 250,
    maxLinesPerAgent: 3,
  };
}
