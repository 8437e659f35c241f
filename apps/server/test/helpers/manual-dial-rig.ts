import type { AgentId, CallId, CampaignId } from '@ringside/protocol';
import type pg from 'pg';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { PgDialerLeads } from '../../src/adapters/postgres/dialer-leads.js';
import { PgDncRows } from '../../src/adapters/postgres/dialer-dnc.js';
import type { Logger } from '../../src/logger.js';
import type { CampaignsRepo } from '../../src/ports/campaigns.js';
import type { Clock } from '../../src/ports/clock.js';
import { MemoryEventBus } from '../../src/ports/fakes/memory-event-bus.js';
import { MemoryStateStore } from '../../src/ports/fakes/memory-state-store.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import type { DialCompliance } from '../../src/services/compliance/dial-compliance.js';
import { ManualDialer } from '../../src/services/dialer/index.js';
import type {
  OriginateCall,
  OriginateResult,
} from '../../src/services/telephony/ari-worker-originator.js';

export interface ManualDialRigOptions {
  pool: pg.Pool;
  campaignId: CampaignId;
  agentId: AgentId;
  /** The agent's phone leg. */
  leg: { bridgeId: string; legChannelId: string };
  clock: Clock;
  logger: Logger;
  /** Defaults to a campaigns repository on `pool`. */
  campaigns?: CampaignsRepo;
  /** The id of the next call; `requests` holds the originations asked so far. */
  newCallId(requests: readonly OriginateCall[]): CallId;
  compliance?: DialCompliance;
}

/**
 * A manual dialer on the real PostgreSQL (leads, DNC table, campaigns) with an in-memory state
 * store, an originator that records each request and answers `setResult`'s result (ok by
 * default), and the agent logged in to the campaign with a phone leg.
 */
export async function manualDialRig(o: ManualDialRigOptions) {
  const store = new MemoryStateStore(new MemoryEventBus());
  const sessions = new AgentSessionService({
    store,
    log: { record: async () => undefined },
    clock: o.clock,
  });
  const requests: OriginateCall[] = [];
  let result: OriginateResult = { ok: true, serverId: 's' };
  const dialer = new ManualDialer({
    dncTable: new PgDncRows(o.pool),
    store,
    agents: sessions,
    originator: {
      originate: async (r) => {
        requests.push(r);
        return result;
      },
    },
    campaigns: o.campaigns ?? createCampaignsRepo(createDb(o.pool)),
    leads: new PgDialerLeads(o.pool, o.logger),
    clock: o.clock,
    logger: o.logger,
    newCallId: () => o.newCallId(requests),
    ...(o.compliance && { compliance: o.compliance }),
  });
  await sessions.apply(o.agentId, { type: 'login', campaignId: o.campaignId }, 'agent');
  await sessions.apply(o.agentId, { type: 'set_leg', ...o.leg }, 'x');
  return {
    store,
    sessions,
    dialer,
    agentId: o.agentId,
    requests,
    setResult: (r: OriginateResult) => (result = r),
  };
}
