import type { Redis } from 'ioredis';
import { AriRestClient } from '../adapters/asterisk/ari-client.js';
import { createAuditLog } from '../adapters/postgres/audit.js';
import { createCampaignsRepo } from '../adapters/postgres/campaigns.js';
import type { Db } from '../adapters/postgres/database.js';
import { createLeadsRepo } from '../adapters/postgres/leads.js';
import { createRecordingCallsRepo } from '../adapters/postgres/recording-calls.js';
import { RedisLiveRecordings } from '../adapters/redis/live-recordings.js';
import type { AppDeps } from '../http/deps.js';
import type { Logger } from '../logger.js';
import type { EventBus } from '../ports/event-bus.js';
import type { StateStore } from '../ports/state-store.js';
import { recordingLookups } from '../services/recordings/lookups.js';
import { RecordingControl } from '../services/recordings/call-recording-control.js';
import type { RoleContext } from './context.js';

/**
 * The api role's recording commands (routes/recording.ts): Record, Pause, Resume over ARI to the
 * call's own server (one client per server, its own), and the lead's consent override.
 */
export function recordingApiDeps(
  ctx: RoleContext,
  d: { db: Db; redis: Redis; store: StateStore; bus: EventBus; logger: Logger },
): Pick<AppDeps, 'recordingControl' | 'leadConsent' | 'liveRecordings'> & { close(): void } {
  const aris = new Map(ctx.ariServers.map((s) => [s.id, new AriRestClient(s)]));
  const campaigns = createCampaignsRepo(d.db);
  const leads = createLeadsRepo(d.db);
  const live = new RedisLiveRecordings(d.redis, ctx.config.redisPrefix);
  const lookups = recordingLookups(campaigns, leads);
  const recordingControl = new RecordingControl({
    ariOf: (serverId) => aris.get(serverId) ?? null,
    store: d.store,
    live,
    repo: createRecordingCallsRepo(d.db),
    settingsOf: lookups.settingsOf,
    leadOf: lookups.leadOf,
    audit: createAuditLog(ctx.pool),
    bus: d.bus,
    clock: ctx.clock,
    logger: d.logger,
  });
  return {
    recordingControl,
    leadConsent: leads,
    liveRecordings: live,
    close() {
      for (const a of aris.values()) a.close();
    },
  };
}
