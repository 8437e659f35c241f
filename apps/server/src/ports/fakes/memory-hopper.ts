import type { CampaignId, LeadId } from '@ringside/protocol';
import { ValidationError } from '../../errors.js';
import {
  HOPPER_PRIORITIES,
  type Hopper,
  type HopperEntry,
  type HopperLease,
  type HopperPriority,
} from '../hopper.js';

interface Lease {
  consumerId: string;
  expiresAtMs: number;
}

interface CampaignHopper {
  queues: Record<HopperPriority, LeadId[]>;
  /** Queued and leased entries. */
  entries: Map<LeadId, HopperEntry>;
  leases: Map<LeadId, Lease>;
}

/**
 * In-memory Hopper with the Redis adapter's semantics (priority classes, FIFO, leases, reclaim,
 * window closing). For unit tests of the dialer and the filler; one process only.
 */
export class MemoryHopper implements Hopper {
  private readonly campaigns = new Map<CampaignId, CampaignHopper>();

  async size(campaignId: CampaignId): Promise<number> {
    const h = this.campaigns.get(campaignId);
    return h ? h.entries.size - h.leases.size : 0;
  }

  async leasedCount(campaignId: CampaignId): Promise<number> {
    return this.campaigns.get(campaignId)?.leases.size ?? 0;
  }

  async pop(
    campaignId: CampaignId,
    consumerId: string,
    leaseMs: number,
    nowMs: number,
  ): Promise<HopperLease | null> {
    const h = this.campaigns.get(campaignId);
    if (!h) return null;
    for (const p of HOPPER_PRIORITIES) {
      const q = h.queues[p];
      // Entries whose window closed stay (removeClosed reports them) but are skipped.
      const i = q.findIndex((id) => (h.entries.get(id)?.windowClosesAtMs ?? 0) > nowMs);
      if (i < 0) continue;
      const [leadId] = q.splice(i, 1);
      const entry = leadId === undefined ? undefined : h.entries.get(leadId);
      if (!leadId || !entry) continue;
      const lease = { consumerId, expiresAtMs: nowMs + leaseMs };
      h.leases.set(leadId, lease);
      return { entry: { ...entry, timeZones: [...entry.timeZones] }, ...lease };
    }
    return null;
  }

  async popMany(
    campaignId: CampaignId,
    consumerId: string,
    count: number,
    leaseMs: number,
    nowMs: number,
  ): Promise<HopperLease[]> {
    const out: HopperLease[] = [];
    while (out.length < count) {
      const l = await this.pop(campaignId, consumerId, leaseMs, nowMs);
      if (!l) break;
      out.push(l);
    }
    return out;
  }

  async ack(campaignId: CampaignId, leadId: LeadId, consumerId?: string): Promise<boolean> {
    const h = this.campaigns.get(campaignId);
    const lease = h?.leases.get(leadId);
    if (!h || !lease || (consumerId !== undefined && lease.consumerId !== consumerId)) return false;
    h.leases.delete(leadId);
    h.entries.delete(leadId);
    return true;
  }

  async release(campaignId: CampaignId, leadId: LeadId, consumerId?: string): Promise<boolean> {
    const h = this.campaigns.get(campaignId);
    const lease = h?.leases.get(leadId);
    const entry = h?.entries.get(leadId);
    if (!h || !lease || !entry) return false;
    if (consumerId !== undefined && lease.consumerId !== consumerId) return false;
    h.leases.delete(leadId);
    h.queues[entry.priority].unshift(leadId);
    return true;
  }

  async add(campaignId: CampaignId, entries: ReadonlyArray<HopperEntry>): Promise<number> {
    const h = this.hopper(campaignId);
    let added = 0;
    for (const e of entries) {
      if (e.campaignId !== campaignId) {
        throw new ValidationError('hopper entry of another campaign', [
          { path: 'campaignId', message: `lead ${e.leadId} belongs to ${e.campaignId}` },
        ]);
      }
      if (h.entries.has(e.leadId)) continue;
      h.entries.set(e.leadId, { ...e, timeZones: [...e.timeZones] });
      h.queues[e.priority].push(e.leadId);
      added += 1;
    }
    return added;
  }

  async reclaimExpired(campaignId: CampaignId, nowMs: number): Promise<HopperEntry[]> {
    const h = this.campaigns.get(campaignId);
    if (!h) return [];
    const expired = [...h.leases.entries()]
      .filter(([, l]) => l.expiresAtMs <= nowMs)
      .sort((a, b) => a[1].expiresAtMs - b[1].expiresAtMs);
    const out: HopperEntry[] = [];
    // Reverse, so that after the unshifts the earliest-expired lead is first in its class.
    for (const [leadId] of [...expired].reverse()) {
      const entry = h.entries.get(leadId);
      h.leases.delete(leadId);
      if (!entry) continue;
      h.queues[entry.priority].unshift(leadId);
    }
    for (const [leadId] of expired) {
      const entry = h.entries.get(leadId);
      if (entry) out.push({ ...entry, timeZones: [...entry.timeZones] });
    }
    return out;
  }

  async removeClosed(campaignId: CampaignId, nowMs: number): Promise<HopperEntry[]> {
    const h = this.campaigns.get(campaignId);
    if (!h) return [];
    const out: HopperEntry[] = [];
    for (const p of HOPPER_PRIORITIES) {
      h.queues[p] = h.queues[p].filter((id) => {
        const e = h.entries.get(id);
        if (!e || e.windowClosesAtMs > nowMs) return true;
        h.entries.delete(id);
        out.push(e);
        return false;
      });
    }
    return out.sort((a, b) => a.windowClosesAtMs - b.windowClosesAtMs);
  }

  async entries(campaignId: CampaignId): Promise<HopperEntry[]> {
    const h = this.campaigns.get(campaignId);
    return h ? [...h.entries.values()].map((e) => ({ ...e, timeZones: [...e.timeZones] })) : [];
  }

  async clear(campaignId: CampaignId): Promise<void> {
    this.campaigns.delete(campaignId);
  }

  private hopper(campaignId: CampaignId): CampaignHopper {
    let h = this.campaigns.get(campaignId);
    if (!h) {
      h = { queues: { callback: [], recycle: [], new: [] }, entries: new Map(), leases: new Map() };
      this.campaigns.set(campaignId, h);
    }
    return h;
  }
}
