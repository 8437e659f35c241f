import type { Redis } from 'ioredis';
import {
  NPA_BITSET_BYTES,
  splitNanp,
  type NationalDncChange,
  type NationalDncFullImport,
  type NationalDncStore,
} from '../../ports/national-dnc.js';
import type { RedisKeys } from './keys.js';

/**
 * The national DNC registry in Redis: one string per area code used as a bitset of 10^7 bits
 * (1.25 MB; bit n set = the number <npa><n as 7 digits> is registered), so 400 area codes of the
 * full registry take about 500 MB whatever their number counts, and a dial-time check is one
 * GETBIT (O(1)). A full import writes each area code into a scratch key of the same hash slot and
 * RENAMEs it over the live key, so readers see the old set or the new one, never a half.
 */
export class RedisNationalDnc implements NationalDncStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async isListed(phone: string): Promise<boolean> {
    const n = splitNanp(phone);
    if (!n) return false;
    return (await this.redis.getbit(this.keys.dncNational(n.npa).bits, n.line)) === 1;
  }

  beginFull(): NationalDncFullImport {
    const written = new Set<string>();
    const { redis, keys } = this;
    return {
      async addBitset(npa, bits) {
        checkNpa(npa);
        if (bits.length !== NPA_BITSET_BYTES) {
          throw new RangeError(`bitset of area code ${npa} must be ${NPA_BITSET_BYTES} bytes`);
        }
        const k = keys.dncNational(npa);
        if (!written.has(npa)) {
          // The first part of an area code overwrites any scratch a crashed import left behind.
          await redis.set(k.tmp, bits);
          written.add(npa);
          return;
        }
        await redis
          .pipeline()
          .set(k.part, bits)
          .bitop('OR', k.tmp, k.tmp, k.part)
          .del(k.part)
          .exec();
      },
      async commit(importedAtMs) {
        const counts = new Map<string, number>();
        for (const npa of written) {
          const k = keys.dncNational(npa);
          const res = await redis.pipeline().rename(k.tmp, k.bits).bitcount(k.bits).exec();
          const count = Number(checkPipeline(res)[1]);
          counts.set(npa, count);
          await redis.hset(
            keys.dncNationalAreas,
            npa,
            JSON.stringify({ numbers: count, importedAtMs }),
          );
        }
        written.clear();
        return counts;
      },
      async abort() {
        const tmp = [...written].map((npa) => keys.dncNational(npa).tmp);
        written.clear();
        // One DEL per key: scratch keys of different area codes live in different slots.
        for (const k of tmp) await redis.del(k);
      },
    };
  }

  async applyChanges(changes: readonly NationalDncChange[]): Promise<void> {
    if (changes.length === 0) return;
    // One pipeline per area code: each is its own hash slot, and on Redis Cluster a pipeline
    // must stay on one node.
    const byNpa = new Map<string, NationalDncChange[]>();
    for (const c of changes) {
      checkNpa(c.npa);
      const list = byNpa.get(c.npa);
      if (list) list.push(c);
      else byNpa.set(c.npa, [c]);
    }
    await Promise.all(
      [...byNpa].map(async ([npa, list]) => {
        const p = this.redis.pipeline();
        const bits = this.keys.dncNational(npa).bits;
        for (const c of list) p.setbit(bits, c.line, c.listed ? 1 : 0);
        checkPipeline(await p.exec());
      }),
    );
  }

  async recount(npas: Iterable<string>, atMs: number): Promise<void> {
    for (const npa of npas) {
      const numbers = await this.redis.bitcount(this.keys.dncNational(npa).bits);
      await this.redis.hset(
        this.keys.dncNationalAreas,
        npa,
        JSON.stringify({ numbers, importedAtMs: atMs }),
      );
    }
  }

  async areaCodes(): Promise<Map<string, { numbers: number; importedAtMs: number }>> {
    const all = await this.redis.hgetall(this.keys.dncNationalAreas);
    const out = new Map<string, { numbers: number; importedAtMs: number }>();
    for (const [npa, json] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
      const v = JSON.parse(json) as { numbers: number; importedAtMs: number };
      out.set(npa, v);
    }
    return out;
  }
}

function checkNpa(npa: string): void {
  if (!/^[2-9][0-9]{2}$/.test(npa)) throw new RangeError(`not an area code: ${npa}`);
}

function checkPipeline(res: [Error | null, unknown][] | null): unknown[] {
  return (res ?? []).map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}
