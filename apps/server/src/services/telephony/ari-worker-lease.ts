import { performance } from 'node:perf_hooks';
import type { Logger } from '../../logger.js';
import type { ServerLeaseStore } from '../../ports/server-lease.js';

/** What the lease holder runs for its server: the server's supervisor (ari-worker-server.ts). */
export interface ActiveServer {
  start(): void;
  stop(): Promise<void>;
}

export interface LeasedServerOptions {
  serverId: string;
  leases: ServerLeaseStore;
  /**
   * Builds what follows the server (its supervisor: events WebSocket, call worker, resync) when
   * this instance takes the lease. `fenced` is for its state store: a call write refused because
   * the lease is no longer ours (RedisStateStore's fence) calls it, and the server is let go.
   */
  activate(fenced: () => void): ActiveServer;
  logger: Logger;
  /** Lease renewal and take-over attempts, ms of wall clock (1,000; the TTL is the store's). */
  renewEveryMs?: number;
  /** Monotonic milliseconds (performance.now). */
  perfNow?: () => number;
}

/**
 * One Asterisk server under the ari-worker role when several workers can follow it (docs/scaling.md,
 * "Every role twice"): only the holder of the server's lease opens its events WebSocket (on
 * Asterisk a second connection for the same Stasis app takes the app's events from the first),
 * and a standby only renews nothing and tries to take the lease every round. Taking it starts the
 * supervisor, whose first connection runs the resync (calls ended or changed while nobody
 * followed the server are brought into state). Losing it (another instance took it, or Redis could
 * not confirm it before its TTL ran out, or a fenced call write was refused) stops the supervisor
 * at once and is logged once.
 */
export class LeasedServer {
  private active: ActiveServer | null = null;
  /** Counts activations, so a late fence callback of an earlier one cannot stop a newer one. */
  private generation = 0;
  /** Monotonic ms until which our lease is certainly valid (from before the renewal was sent). */
  private validUntil = 0;
  private round: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private renewFailureLogged = false;
  private readonly perfNow: () => number;

  constructor(private readonly o: LeasedServerOptions) {
    this.perfNow = o.perfNow ?? (() => performance.now());
  }

  get serverId(): string {
    return this.o.serverId;
  }

  /** Whether this instance follows the server now (holds its lease). */
  get isActive(): boolean {
    return this.active !== null;
  }

  /** Tries to take the lease now, then renews or retries every round. */
  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.o.renewEveryMs ?? 1_000);
    this.timer.unref();
  }

  /** One lease round (rounds never overlap); resolves when it is done. */
  tick(): Promise<void> {
    this.round = this.round
      .then(() => this.roundNow())
      .catch((err: unknown) => {
        this.o.logger.error({ err, serverId: this.o.serverId }, 'ari-worker lease round failed');
      });
    return this.round;
  }

  /**
   * Stops following the server. `release` (default) gives the lease back so the standby takes
   * over within one of its rounds; `release: false` leaves it to expire, as a crash would (tests).
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.round;
    const a = this.active;
    this.active = null;
    if (a) await a.stop();
    if (opts.release !== false && a) {
      await this.o.leases.give(this.o.serverId).catch((err: unknown) => {
        this.o.logger.warn({ err, serverId: this.o.serverId }, 'ari-worker lease not given back');
      });
    }
  }

  private async roundNow(): Promise<void> {
    if (this.stopping) return;
    const sentAt = this.perfNow();
    let held: boolean;
    try {
      held = await this.o.leases.acquireOrRenew(this.o.serverId);
    } catch (err) {
      // Redis cannot say. Past the lease's TTL another instance may hold it: let the server go.
      if (this.active && this.perfNow() >= this.validUntil) {
        await this.lose('lease not renewed within its TTL (Redis unreachable)');
      } else if (!this.renewFailureLogged) {
        this.renewFailureLogged = true;
        this.o.logger.warn({ err, serverId: this.o.serverId }, 'ari-worker lease round failed');
      }
      return;
    }
    this.renewFailureLogged = false;
    if (this.stopping) return;
    if (held) {
      this.validUntil = sentAt + this.o.leases.ttlMs;
      if (!this.active) this.takeOver();
      return;
    }
    if (this.active) await this.lose('another instance holds the lease');
  }

  private takeOver(): void {
    const generation = ++this.generation;
    const active = this.o.activate(() => this.fenced(generation));
    this.active = active;
    active.start();
    this.o.logger.info(
      { serverId: this.o.serverId, ownerId: this.o.leases.ownerId },
      'ari-worker took the server: following its events',
    );
  }

  /** A call write was refused for the lease: let the server go (queued like a round). */
  private fenced(generation: number): void {
    this.round = this.round
      .then(async () => {
        if (generation === this.generation && this.active) {
          await this.lose('a call write was refused: the lease is no longer ours');
        }
      })
      .catch(() => undefined);
  }

  private async lose(reason: string): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.active = null;
    this.o.logger.warn(
      { serverId: this.o.serverId, ownerId: this.o.leases.ownerId, reason },
      'ari-worker lease lost: server handed over',
    );
    await a.stop().catch((err: unknown) => {
      this.o.logger.error({ err, serverId: this.o.serverId }, 'ari-worker stop failed');
    });
  }
}
