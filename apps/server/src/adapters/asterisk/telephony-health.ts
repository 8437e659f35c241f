import type { TelephonyStatusChanged } from '@ringside/protocol';

/** One Asterisk server as the health endpoint shows it. */
export interface TelephonyServerStatus {
  serverId: string;
  up: boolean;
  /** Why it is down (or 'connected'); safe to show. */
  reason: string;
  /** Since when (epoch ms). */
  sinceMs: number;
}

/** A server's new status, and its previous one (null: first seen). */
export type TelephonyHealthListener = (
  status: TelephonyServerStatus,
  prev: TelephonyServerStatus | null,
) => void;

/**
 * Telephony up/down per Asterisk server. The ARI worker sets it from its events connection and
 * publishes `telephony.status` on every change; a process without a worker (api alone) feeds it
 * from those bus events with apply(). /health reads snapshot() and allUp().
 */
export class TelephonyHealth {
  private readonly servers = new Map<string, TelephonyServerStatus>();
  private readonly listeners = new Set<TelephonyHealthListener>();

  set(serverId: string, up: boolean, reason: string, atMs: number): boolean {
    const prev = this.servers.get(serverId);
    if (prev && prev.up === up) return false;
    const next = { serverId, up, reason, sinceMs: atMs };
    this.servers.set(serverId, next);
    for (const l of this.listeners) {
      try {
        l(next, prev ?? null);
      } catch {
        // A listener's fault is its own; health stays right.
      }
    }
    return true;
  }

  /** Calls `listener` on every change (up/down) of a server; returns how to stop. */
  onChange(listener: TelephonyHealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a `telephony.status` event from the bus. */
  apply(event: TelephonyStatusChanged): void {
    this.set(event.serverId, event.up, event.reason, event.atMs);
  }

  snapshot(): TelephonyServerStatus[] {
    return [...this.servers.values()].sort((a, b) => a.serverId.localeCompare(b.serverId));
  }

  /** True when at least one server is known and every known server is up. */
  allUp(): boolean {
    const all = this.snapshot();
    return all.length > 0 && all.every((s) => s.up);
  }

  forget(serverId: string): void {
    this.servers.delete(serverId);
  }
}

/** The process-wide instance the ari-worker role writes and the api role reads. */
export const telephonyHealth = new TelephonyHealth();
