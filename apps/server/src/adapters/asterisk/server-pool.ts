import { placeCall, type PlacementState } from '../../domain/fleet.js';
import type { StateStore } from '../../ports/state-store.js';
import type { OriginationPool } from '../../ports/telephony.js';
import type { AriRestClient } from './ari-client.js';

export interface PooledServer {
  id: string;
  client: AriRestClient;
  /** Most concurrent calls this server should carry (channels, trunk lines, CPU for AMD). */
  maxCalls: number;
}

interface Entry {
  server: PooledServer;
  up: boolean;
  /** Live calls on this server: recounted from the state store, plus our own originations since. */
  load: number;
}

/**
 * The Asterisk servers calls are placed on. pick() chooses, among servers that are up and below
 * their capacity, the least loaded one. Load is recounted from live_call (refresh()) so that
 * several dialers share one view, and adjusted locally between recounts.
 */
export class ServerPool implements OriginationPool {
  private readonly entries = new Map<string, Entry>();

  constructor(
    servers: PooledServer[],
    private readonly store: StateStore,
  ) {
    for (const s of servers) this.entries.set(s.id, { server: s, up: true, load: 0 });
  }

  get size(): number {
    return this.entries.size;
  }

  server(id: string): PooledServer | null {
    return this.entries.get(id)?.server ?? null;
  }

  /** The least-loaded server that is up and has a free line, or null. */
  pick(): PooledServer | null {
    let best: Entry | null = null;
    for (const e of this.entries.values()) {
      if (!e.up || e.load >= e.server.maxCalls) continue;
      if (!best || e.load / e.server.maxCalls < best.load / best.server.maxCalls) best = e;
    }
    return best?.server ?? null;
  }

  place(state: PlacementState, readyByServer: ReadonlyMap<string, number>): PooledServer | null {
    const servers = [...this.entries.values()].map((e) => ({
      id: e.server.id,
      open: e.up && e.load < e.server.maxCalls,
    }));
    const id = placeCall(state, servers, readyByServer);
    return id ? (this.entries.get(id)?.server ?? null) : null;
  }

  openServer(serverId: string): PooledServer | null {
    const e = this.entries.get(serverId);
    return e && e.up && e.load < e.server.maxCalls ? e.server : null;
  }

  acquire(id: string): void {
    const e = this.entries.get(id);
    if (e) e.load += 1;
  }

  release(id: string): void {
    const e = this.entries.get(id);
    if (e && e.load > 0) e.load -= 1;
  }

  setUp(id: string, up: boolean): void {
    const e = this.entries.get(id);
    if (e) e.up = up;
  }

  isUp(id: string): boolean {
    return this.entries.get(id)?.up ?? false;
  }

  /** Recounts each server's live calls from the state store. */
  async refresh(): Promise<void> {
    const counts = new Map<string, number>();
    for (const c of await this.store.listCalls())
      counts.set(c.serverId, (counts.get(c.serverId) ?? 0) + 1);
    for (const [id, e] of this.entries) e.load = counts.get(id) ?? 0;
  }

  /** Probes each server (GET /asterisk/ping) and marks it up or down. */
  async probe(): Promise<void> {
    await Promise.all(
      [...this.entries.values()].map(async (e) => {
        try {
          await e.server.client.ping();
          e.up = true;
        } catch {
          e.up = false;
        }
      }),
    );
  }

  loads(): Array<{ id: string; up: boolean; load: number; maxCalls: number }> {
    return [...this.entries.values()].map((e) => ({
      id: e.server.id,
      up: e.up,
      load: e.load,
      maxCalls: e.server.maxCalls,
    }));
  }
}
