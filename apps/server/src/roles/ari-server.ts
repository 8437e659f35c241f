import { AriRestClient } from '../adapters/asterisk/ari-client.js';
import { AriEventStream } from '../adapters/asterisk/ari-events.js';
import type { AriServerConfig } from '../config.js';
import {
  ServerSupervisor,
  type ServerSupervisorOptions,
} from '../services/telephony/ari-worker-server.js';

export interface AriServerSupervisorOptions extends Omit<
  ServerSupervisorOptions,
  'serverId' | 'client' | 'openEvents'
> {
  server: AriServerConfig;
  /** The role's ARI client of this server, when it has one already (one per server per process). */
  client?: AriRestClient;
  /** Heartbeat ping interval, ms (5,000). */
  pingIntervalMs?: number;
  /** Reconnection backoff, ms (500 doubling to 30,000). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
}

/**
 * The ARI worker's supervisor of one Asterisk server (services/telephony/ari-worker-server.ts),
 * wired to ARI: its REST client (AriRestClient) and its events WebSocket (AriEventStream).
 */
export class AriServerSupervisor extends ServerSupervisor {
  declare readonly client: AriRestClient;
  declare readonly stream: AriEventStream;

  constructor(o: AriServerSupervisorOptions) {
    const { server, pingIntervalMs, reconnectBaseMs, reconnectMaxMs, ...rest } = o;
    const logger = o.logger.child({ serverId: server.id });
    super({
      ...rest,
      serverId: server.id,
      client: o.client ?? new AriRestClient(server),
      openEvents: (handlers, consumedTypes) =>
        new AriEventStream({
          ...server,
          logger,
          consumedTypes,
          ...(pingIntervalMs ? { pingIntervalMs } : {}),
          ...(reconnectBaseMs ? { reconnectBaseMs } : {}),
          ...(reconnectMaxMs ? { reconnectMaxMs } : {}),
          ...handlers,
        }),
    });
  }
}
