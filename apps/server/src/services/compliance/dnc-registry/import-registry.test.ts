import { describe, expect, it } from 'vitest';
import { splitNanp } from '../../../ports/national-dnc.js';
import {
  NPA_BITSET_BYTES,
  type NationalDncChange,
  type NationalDncStore,
} from '../../../ports/national-dnc.js';
import { importRegistryFile } from './import-registry.js';

/** The port in memory: what the importer wrote, as sets of numbers per area code. */
class MemoryRegistry implements NationalDncStore {
  live = new Map<string, Set<number>>();
  bitsetsWritten = 0;
  async isListed(phone: string) {
    const n = splitNanp(phone);
    return n ? (this.live.get(n.npa)?.has(n.line) ?? false) : false;
  }
  beginFull() {
    const tmp = new Map<string, Set<number>>();
    return {
      addBitset: async (npa: string, bits: Buffer) => {
        expect(bits.length).toBe(NPA_BITSET_BYTES);
        this.bitsetsWritten++;
        const set = tmp.get(npa) ?? new Set<number>();
        for (let i = 0; i < bits.length; i++) {
          if (bits[i] === 0) continue;
          for (let b = 0; b < 8; b++) if (bits[i]! & (0x80 >> b)) set.add(i * 8 + b);
        }
        tmp.set(npa, set);
      },
      commit: async () => {
        for (const [npa, s] of tmp) this.live.set(npa, s);
        return new Map([...tmp].map(([k, v]) => [k, v.size]));
      },
      abort: async () => tmp.clear(),
    };
  }
  async applyChanges(changes: readonly NationalDncChange[]) {
    for (const c of changes) {
      const s = this.live.get(c.npa) ?? new Set<number>();
      if (c.listed) s.add(c.line);
      else s.delete(c.line);
      this.live.set(c.npa, s);
    }
  }
  async recount() {}
  async areaCodes() {
    return new Map();
  }
}

const opts = { nowMs: () => 0 };

describe('national registry file import', () => {
  it('reads every accepted way of writing a number, across chunk boundaries', async () => {
    const reg = new MemoryRegistry();
    const text =
      'Phone Number\r\n2125550100\n212-555-0101\n(212) 555-0102\n212,5550103\n12125550104\n+12125550105\n\n9999999999';
    // One byte a chunk: every line crosses a chunk boundary.
    const chunks = [...Buffer.from(text)].map((b) => Buffer.from([b]));
    const r = await importRegistryFile(reg, chunks, { kind: 'full', ...opts });
    expect(r).toMatchObject({ numbers: 7, invalid: 0, committed: true, areaCodes: ['212', '999'] });
    expect([...(reg.live.get('212') ?? [])].sort()).toEqual([
      5550100, 5550101, 5550102, 5550103, 5550104, 5550105,
    ]);
    expect(await reg.isListed('+19999999999')).toBe(true);
  });

  it('names invalid lines and does not commit a damaged full file', async () => {
    const reg = new MemoryRegistry();
    const r = await importRegistryFile(
      reg,
      ['2125550100\n21255501\n0125550100\n2125550100 A\n212555010000\n'],
      { kind: 'full', ...opts },
    );
    expect(r.committed).toBe(false);
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4, 5]);
    expect(reg.live.size).toBe(0);
    const lenient = await importRegistryFile(reg, ['2125550100\n21255501\n'], {
      kind: 'full',
      maxInvalid: 1,
      ...opts,
    });
    expect(lenient.committed).toBe(true);
  });

  it('keeps at most maxOpenAreaCodes bitsets in memory, flushing partial ones', async () => {
    const reg = new MemoryRegistry();
    const lines = ['2015550001', '2025550001', '2035550001', '2015550002', '2025550002'];
    await importRegistryFile(reg, [lines.join('\n')], {
      kind: 'full',
      maxOpenAreaCodes: 1,
      ...opts,
    });
    expect(reg.bitsetsWritten).toBe(5);
    expect(reg.live.get('201')).toEqual(new Set([5550001, 5550002]));
    expect(reg.live.get('202')).toEqual(new Set([5550001, 5550002]));
  });

  it('applies change lines in order and refuses a change line without its flag', async () => {
    const reg = new MemoryRegistry();
    const r = await importRegistryFile(
      reg,
      ['2125550100,A\nD 2125550100\n2125550101\tadd\n2125550102\n2125550103 A D\n'],
      { kind: 'delta', batch: 1, ...opts },
    );
    expect(r.errors).toEqual([
      { line: 4, reason: 'a change line needs one flag: A (added) or D (deleted)' },
      { line: 5, reason: 'a change line needs one flag: A (added) or D (deleted)' },
    ]);
    expect([...(reg.live.get('212') ?? [])]).toEqual([5550101]);
  });

  it('splits only +1 numbers of 10 digits for the dial-time check', () => {
    expect(splitNanp('+12125550123')).toEqual({ npa: '212', line: 5550123 });
    expect(splitNanp('+442071234567')).toBeNull();
    expect(splitNanp('+1212555012')).toBeNull();
    expect(splitNanp('+1212555012x')).toBeNull();
  });
});
