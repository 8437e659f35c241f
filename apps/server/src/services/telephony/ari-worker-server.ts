import type { AriEvent } from '@ringside/ari';
import type { BusEnvelope } from '@ringside/protocol';
import type { AriServerConfig } from '../../config.js';
import { AriRestClient } from '../../adapters/asterisk/ari-client.js';
import { AriEventStream } from '../../adapters/asterisk/ari-events.js';
import type { TelephonyHealth } from '../../adapters/asterisk/telephony-health.js';
import type { CallLogWriter } from '../../adapters/postgres/call-log.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type { Metrics } from '../../ports/metrics.js';
import type { StateStore } from '../../ports/state-store.js';
import {
  AriCallWorker,
  CONSUMED_EVENT_TYPES,
  type AgentLegHandler,
  type MonitorLegHandler,
} from './ari-worker-calls.js';
import { CallMetricsObserver } from './call-metrics.js';

export interface AriServerSupervisorOptions {
  server: AriServerConfig;
  store: StateStore;
  bus: EventBus;
  callLog: CallLogWriter;
  clock: Clock;
  logger: Logger;
  health: TelephonyHealth;
  agentLegs?: AgentLegHandler;
  monitorLegs?: MonitorLegHandler;
  /** Asterisk unreachable this long: its calls are ended rather than left live, ms (60,000). */
  lostCallsAfterMs?: number;
  /** Resync this often while connected, catching anything a lost event left behind, ms (60,000). */
  resyncIntervalMs?: number;
  /** Heartbeat ping interval, ms (5,000). */
  pingIntervalMs?: number;
  /** Reconnection backoff, ms (500 doubling to 30,000). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Every domain event published, with its ARI event's receive time (benchmark). */
  onPublished?(envelope: BusEnvelope, receivedAt: number): void;
  /** Calls by outcome, hand-off latency, ARI event lag and reconnects (docs/metrics.md). */
  metrics?: Metrics;
}

/**
 * One Asterisk server under the ARI worker: its REST client, its events WebSocket, the call
 * worker, and the health it reports (telephony.status on the bus, TelephonyHealth in process).
 * After every (re)connection it resyncs; when the server stays away too long its calls end.
 */
export class AriServerSupervisor {
  readonly client: AriRestClient;
  readonly stream: AriEventStream;
  readonly worker: AriCallWorker;
  private lostTimer: NodeJS.Timeout | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  constructor(private readonly o: AriServerSupervisorOptions) {
    this.log = o.logger.child({ serverId: o.server.id });
    this.client = new AriRestClient(o.server);
    const metrics = o.metrics;
    const callMetrics = metrics ? new CallMetricsObserver(metrics).onPublished : undefined;
    const onPublished =
      callMetrics && o.onPublished
        ? (env: BusEnvelope, at: number) => {
            callMetrics(env, at);
            o.onPublished?.(env, at);
          }
        : (callMetrics ?? o.onPublished);
    this.worker = new AriCallWorker({
      serverId: o.server.id,
      ari: this.client,
      store: o.store,
      callLog: o.callLog,
      clock: o.clock,
      logger: this.log,
      ...(o.agentLegs ? { agentLegs: o.agentLegs } : {}),
      ...(o.monitorLegs ? { monitorLegs: o.monitorLegs } : {}),
      ...(onPublished ? { onPublished } : {}),
    });
    this.stream = new AriEventStream({
      ...o.server,
      logger: this.log,
      consumedTypes: CONSUMED_EVENT_TYPES,
      ...(o.pingIntervalMs ? { pingIntervalMs: o.pingIntervalMs } : {}),
      ...(o.reconnectBaseMs ? { reconnectBaseMs: o.reconnectBaseMs } : {}),
      ...(o.reconnectMaxMs ? { reconnectMaxMs: o.reconnectMaxMs } : {}),
      onEvent: (event: AriEvent, receivedAt: number) => {
        if (metrics) metrics.ariEventLag(o.server.id, ariEventAgeMs(event, o.clock.nowMs()));
        void this.worker.handle(event, receivedAt);
      },
      onUp: (reconnected) => {
        if (reconnected) metrics?.ariReconnect(o.server.id);
        void this.onUp();
      },
      onDown: (reason) => void this.onDown(reason),
    });
  }

  get serverId(): string {
    return this.o.server.id;
  }

  start(): void {
    this.stream.start();
    this.resyncTimer = setInterval(() => {
      if (this.stream.isUp) void this.resync();
    }, this.o.resyncIntervalMs ?? 60_000);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.lostTimer) clearTimeout(this.lostTimer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await this.stream.stop();
    await this.worker.idle();
    this.worker.close();
    this.client.close();
  }

  private async onUp(): Promise<void> {
    if (this.lostTimer) clearTimeout(this.lostTimer);
    this.lostTimer = null;
    await this.setHealth(true, 'connected');
    await this.resync();
  }

  private async onDown(reason: string): Promise<void> {
    await this.setHealth(false, reason);
    if (this.lostTimer) return;
    this.lostTimer = setTimeout(() => {
      this.lostTimer = null;
      if (this.stream.isUp) return;
      void this.worker
        .endAll()
        .then((n) => {
          if (n > 0)
            this.log.error({ ended: n }, 'asterisk unreachable too long: its calls were ended');
        })
        .catch((err: unknown) => this.log.error({ err }, 'ending lost calls failed'));
    }, this.o.lostCallsAfterMs ?? 60_000);
    this.lostTimer.unref();
  }

  private async resync(): Promise<void> {
    try {
      await this.worker.resync();
    } catch (err) {
      // The connection may have gone again; the next onUp resyncs.
      this.log.warn({ err }, 'resync failed');
    }
  }

  private async setHealth(up: boolean, reason: string): Promise<void> {
    const atMs = this.o.clock.nowMs();
    if (!this.o.health.set(this.o.server.id, up, reason, atMs)) return;
    try {
      await this.o.bus.publish({
        type: 'telephony.status',
        serverId: this.o.server.id.slice(0, 64),
        up,
        reason: reason.slice(0, 256),
        atMs,
      });
    } catch (err) {
      this.log.warn({ err }, 'telephony.status not published');
    }
  }
}

/** now minus the event's Asterisk timestamp (2026-11-24T20:27:24.272+0000), ms; NaN without one. */
export function ariEventAgeMs(event: AriEvent, nowMs: number): number {
  const ts = (event as { timestamp?: unknown }).timestamp;
  return typeof ts === 'string' ? nowMs - Date.parse(ts) : NaN;
}
