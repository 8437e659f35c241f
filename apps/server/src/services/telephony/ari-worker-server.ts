import type { AriEvent } from '@ringside/ari';
import type { BusEnvelope } from '@ringside/protocol';
import { LeaseLostError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CallLogWriter } from '../../ports/call-log.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type { Metrics } from '../../ports/metrics.js';
import type { StateStore } from '../../ports/state-store.js';
import type {
  AgentLegHandler,
  MonitorLegHandler,
  OpenTelephonyEvents,
  TelephonyEventStream,
  TelephonyHealthSink,
  WorkerClient,
} from '../../ports/telephony.js';
import { AriCallWorker } from './ari-worker-calls.js';
import { CONSUMED_EVENT_TYPES } from './ari-worker-events.js';
import { CallMetricsObserver } from './call-metrics.js';
import type { CallRecorderHook } from '../recordings/call-recorder.js';

export interface ServerSupervisorOptions {
  /** The Asterisk server's id (AriServerConfig.id). */
  serverId: string;
  /** Its ARI client (closed on stop). */
  client: WorkerClient;
  /** Opens its events connection (roles/ari-server.ts: an AriEventStream). */
  openEvents: OpenTelephonyEvents;
  store: StateStore;
  bus: EventBus;
  callLog: CallLogWriter;
  clock: Clock;
  logger: Logger;
  health: TelephonyHealthSink;
  agentLegs?: AgentLegHandler;
  monitorLegs?: MonitorLegHandler;
  /**
   * Asterisk unreachable this long is declared lost: its calls are ended in state (reason
   * SERVER_LOST) rather than left live, then `onLost` runs, ms (60,000; a fleet gives
   * FLEET_REHOME_AFTER_MS, so the calls end when the agents are re-homed).
   */
  lostCallsAfterMs?: number;
  /**
   * The server was declared lost (after its calls were ended): a fleet re-homes its agents
   * (roles/ari-worker.ts). Not called when it came back in time.
   */
  onLost?(): Promise<void>;
  /** Resync this often while connected, catching anything a lost event left behind, ms (60,000). */
  resyncIntervalMs?: number;
  /**
   * After each (re)connection's resync, one more this much later, ms (6,000): the first skips
   * calls originated within the origination grace (5 s), whose channel may not be listed yet; a
   * call placed just before the connection whose channel then vanished unseen (a standby taking
   * the server over) is ended by the second instead of at the next periodic resync.
   */
  settleResyncMs?: number;
  /** Every domain event published, with its ARI event's receive time (benchmark). */
  onPublished?(envelope: BusEnvelope, receivedAt: number): void;
  /** Calls by outcome, hand-off latency, ARI event lag and reconnects (docs/metrics.md). */
  metrics?: Metrics;
  /** Records the conversations of this server's calls (services/recordings/call-recorder.ts). */
  recorder?: CallRecorderHook;
}

/**
 * One Asterisk server under the ARI worker: its REST client, its events WebSocket, the call
 * worker, and the health it reports (telephony.status on the bus, TelephonyHealth in process).
 * Its client and events connection are given (roles/ari-server.ts builds them for ARI).
 * After every (re)connection it resyncs; when the server stays away too long its calls end.
 */
export class ServerSupervisor {
  readonly client: WorkerClient;
  readonly stream: TelephonyEventStream;
  readonly worker: AriCallWorker;
  private lostTimer: NodeJS.Timeout | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private settleTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  constructor(private readonly o: ServerSupervisorOptions) {
    this.log = o.logger.child({ serverId: o.serverId });
    this.client = o.client;
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
      serverId: o.serverId,
      ari: this.client,
      store: o.store,
      callLog: o.callLog,
      clock: o.clock,
      logger: this.log,
      bus: o.bus,
      ...(o.agentLegs ? { agentLegs: o.agentLegs } : {}),
      ...(o.monitorLegs ? { monitorLegs: o.monitorLegs } : {}),
      ...(onPublished ? { onPublished } : {}),
      ...(o.recorder ? { recorder: o.recorder } : {}),
    });
    this.stream = o.openEvents(
      {
        onEvent: (event: AriEvent, receivedAt: number) => {
          if (metrics) metrics.ariEventLag(o.serverId, ariEventAgeMs(event, o.clock.nowMs()));
          void this.worker.handle(event, receivedAt);
        },
        onUp: (reconnected) => {
          if (reconnected) metrics?.ariReconnect(o.serverId);
          void this.onUp();
        },
        onDown: (reason) => void this.onDown(reason),
      },
      CONSUMED_EVENT_TYPES,
    );
  }

  get serverId(): string {
    return this.o.serverId;
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
    if (this.settleTimer) clearTimeout(this.settleTimer);
    await this.stream.stop();
    await this.worker.idle();
    await this.o.recorder?.idle();
    this.o.recorder?.close();
    this.worker.close();
    this.client.close();
  }

  private async onUp(): Promise<void> {
    if (this.lostTimer) clearTimeout(this.lostTimer);
    this.lostTimer = null;
    await this.setHealth(true, 'connected');
    await this.resync();
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      if (this.stream.isUp) void this.resync();
    }, this.o.settleResyncMs ?? 6_000);
    this.settleTimer.unref();
  }

  private async onDown(reason: string): Promise<void> {
    await this.setHealth(false, reason);
    if (this.lostTimer) return;
    this.lostTimer = setTimeout(() => {
      this.lostTimer = null;
      if (!this.stream.isUp) void this.declareLost();
    }, this.o.lostCallsAfterMs ?? 60_000);
    this.lostTimer.unref();
  }

  /**
   * One decision, the server is lost: its calls are ended in state (once each, SERVER_LOST; the
   * resync when it returns finds none of them live and hangs up their leftover channels), then
   * `onLost` (a fleet re-homes its agents).
   */
  private async declareLost(): Promise<void> {
    try {
      const n = await this.worker.endAll('SERVER_LOST');
      if (n > 0)
        this.log.error(
          { ended: n, afterMs: this.o.lostCallsAfterMs ?? 60_000 },
          'asterisk unreachable too long: its calls were ended',
        );
    } catch (err) {
      this.log.error({ err }, 'ending lost calls failed');
    }
    if (this.stream.isUp) return;
    await this.o.onLost?.().catch((err: unknown) => {
      this.log.error({ err }, 'handling a lost server failed');
    });
  }

  private async resync(): Promise<void> {
    try {
      await this.worker.resync();
    } catch (err) {
      // Refused for the server's lease: the lease holder logs that once (ari-worker-lease.ts).
      if (err instanceof LeaseLostError) return;
      // The connection may have gone again; the next onUp resyncs.
      this.log.warn({ err }, 'resync failed');
    }
  }

  private async setHealth(up: boolean, reason: string): Promise<void> {
    const atMs = this.o.clock.nowMs();
    if (!this.o.health.set(this.o.serverId, up, reason, atMs)) return;
    try {
      await this.o.bus.publish({
        type: 'telephony.status',
        serverId: this.o.serverId.slice(0, 64),
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
