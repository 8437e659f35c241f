import { describe, expect, it } from 'vitest';
import {
  descendants,
  formatCpuList,
  formatCpuSeen,
  parseCpuList,
  parseRedisPid,
  parseStatCpu,
  parseStatPpid,
  parseTasksetAnswer,
  pinPlan,
} from './pin.js';

describe('parseCpuList', () => {
  it('reads single CPUs, ranges and mixes, sorted without repeats', () => {
    expect(parseCpuList('1')).toEqual([1]);
    expect(parseCpuList('0-3')).toEqual([0, 1, 2, 3]);
    expect(parseCpuList('6,0-2, 2')).toEqual([0, 1, 2, 6]);
  });

  it('rejects empty lists, words and backward ranges', () => {
    expect(() => parseCpuList('')).toThrow(/empty/);
    expect(() => parseCpuList('a')).toThrow(/bad CPU list/);
    expect(() => parseCpuList('3-1')).toThrow(/bad CPU range/);
    expect(() => parseCpuList('1,')).toThrow(/bad CPU list/);
  });

  it('round-trips through formatCpuList', () => {
    expect(formatCpuList(parseCpuList('3,0-1'))).toBe('0,1,3');
  });
});

describe('pinPlan', () => {
  it('gives the real-time side and the replica side their CPUs', () => {
    expect(pinPlan(2, '0', '1')).toEqual({ realtime: [0], replica: [1] });
    expect(pinPlan(8, '0-5', '6,7')).toEqual({ realtime: [0, 1, 2, 3, 4, 5], replica: [6, 7] });
  });

  it('refuses overlapping sides, missing CPUs and a 1-CPU machine', () => {
    expect(() => pinPlan(2, '0-1', '1')).toThrow(/overlap \(1\)/);
    expect(() => pinPlan(2, '0', '2')).toThrow(/CPU 2 does not exist/);
    expect(() => pinPlan(1, '0', '1')).toThrow(/at least 2 CPUs/);
  });
});

describe('/proc stat lines', () => {
  // A real postgres backend's line, its command name holding a space and parens.
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[0] = 'S'; // field 3, state
  fields[1] = '4242'; // field 4, ppid
  fields[36] = '1'; // field 39, processor
  const line = `5151 (postgres: (x) y) ${fields.join(' ')}`;

  it('reads the parent pid after the command name', () => {
    expect(parseStatPpid(line)).toBe(4242);
  });

  it('reads the CPU the task last ran on', () => {
    expect(parseStatCpu(line)).toBe(1);
  });

  it('rejects a line without those fields', () => {
    expect(() => parseStatPpid('12 (x)')).toThrow(/bad/);
    expect(() => parseStatCpu('12 (x) S 1')).toThrow(/bad/);
  });
});

describe('descendants', () => {
  const table = [
    { pid: 1, ppid: 0 },
    { pid: 100, ppid: 1 }, // the postmaster
    { pid: 101, ppid: 100 },
    { pid: 102, ppid: 100 },
    { pid: 150, ppid: 102 }, // a grandchild
    { pid: 200, ppid: 1 }, // another server
    { pid: 201, ppid: 200 },
  ];

  it('lists the root and every process below it, and nothing else', () => {
    expect(descendants(100, table)).toEqual([100, 101, 102, 150]);
    expect(descendants(200, table)).toEqual([200, 201]);
  });

  it('lists just the root when it has no children (or is gone)', () => {
    expect(descendants(101, table)).toEqual([101]);
    expect(descendants(999, table)).toEqual([999]);
  });
});

describe('parseTasksetAnswer', () => {
  it("reads taskset -p -c's list", () => {
    expect(parseTasksetAnswer("pid 29143's current affinity list: 0,1\n")).toEqual([0, 1]);
    expect(parseTasksetAnswer("pid 7's current affinity list: 0-3\n")).toEqual([0, 1, 2, 3]);
  });

  it('refuses a mask answer (taskset without -c)', () => {
    expect(() => parseTasksetAnswer("pid 7's current affinity mask: 3")).toThrow(/unexpected/);
  });
});

describe('parseRedisPid', () => {
  it('reads process_id from INFO server', () => {
    expect(parseRedisPid('# Server\r\nredis_version:7.0.15\r\nprocess_id:812\r\n')).toBe(812);
    expect(() => parseRedisPid('# Server\r\n')).toThrow(/process_id/);
  });
});

describe('formatCpuSeen', () => {
  it('writes cpu:samples in CPU order, or - when nothing was sampled', () => {
    expect(formatCpuSeen({ '1': 58, '0': 2 })).toBe('0:2 1:58');
    expect(formatCpuSeen({})).toBe('-');
    expect(formatCpuSeen(null)).toBe('-');
  });
});
