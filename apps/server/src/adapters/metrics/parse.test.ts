import { describe, expect, it } from 'vitest';
import {
  histogramDelta,
  histogramQuantile,
  parseExposition,
  readHistogram,
  sampleSum,
} from './parse.js';

const TEXT = `# HELP h A histogram.
# TYPE h histogram
h_bucket{le="0.1",x="a"} 50
h_bucket{le="0.2",x="a"} 90
h_bucket{le="0.4",x="a"} 100
h_bucket{le="+Inf",x="a"} 100
h_sum{x="a"} 14
h_count{x="a"} 100
h_bucket{le="0.1",x="b"} 0
h_bucket{le="0.2",x="b"} 0
h_bucket{le="0.4",x="b"} 0
h_bucket{le="+Inf",x="b"} 4
h_sum{x="b"} 40
h_count{x="b"} 4
c_total{name="with \\"quote\\" and } brace",role="api"} 3 1700000000000
g 1.5e+2
`;

describe('parseExposition', () => {
  it('reads names, labels (escapes and braces inside quotes) and values, skipping comments', () => {
    const s = parseExposition(TEXT);
    expect(s).toHaveLength(14);
    expect(s[12]).toEqual({
      name: 'c_total',
      labels: { name: 'with "quote" and } brace', role: 'api' },
      value: 3,
    });
    expect(s[13]).toEqual({ name: 'g', labels: {}, value: 150 });
    expect(s[3]?.labels.le).toBe('+Inf');
  });

  it('names the line it cannot read', () => {
    expect(() => parseExposition('ok 1\nbroken{a="1" 2\n')).toThrow(/unclosed label set/);
    expect(() => parseExposition('bad value\n')).toThrow(/cannot read line "bad value"/);
  });
});

describe('histogramQuantile', () => {
  it('interpolates inside the bucket the rank falls in, as Prometheus does', () => {
    const h = readHistogram(TEXT, 'h', { x: 'a' });
    expect(h?.count).toBe(100);
    // Rank 50 is the top of the first bucket; 70 is half-way through (0.1, 0.2].
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(0.1);
    expect(histogramQuantile(h, 0.7)).toBeCloseTo(0.15);
    expect(histogramQuantile(h, 0.25)).toBeCloseTo(0.05);
    expect(histogramQuantile(h, 0.99)).toBeCloseTo(0.38);
  });

  it('sums the matching series and gives the largest finite bound for a rank in +Inf', () => {
    const all = readHistogram(TEXT, 'h');
    expect(all?.count).toBe(104);
    expect(histogramQuantile(all, 0.99)).toBe(0.4);
    expect(histogramQuantile(readHistogram(TEXT, 'h', { x: 'b' }), 0.5)).toBe(0.4);
  });

  it('is null for an empty or absent histogram and a q outside 0..1', () => {
    expect(histogramQuantile(readHistogram(TEXT, 'nope'), 0.5)).toBeNull();
    const empty = readHistogram('e_bucket{le="1"} 0\ne_bucket{le="+Inf"} 0\ne_count 0\n', 'e');
    expect(histogramQuantile(empty, 0.5)).toBeNull();
    expect(histogramQuantile(readHistogram(TEXT, 'h'), 1.5)).toBeNull();
  });

  it('measures only what happened between two readings', () => {
    const before = readHistogram(TEXT, 'h', { x: 'a' });
    const after = readHistogram(
      TEXT.replace('h_bucket{le="0.4",x="a"} 100', 'h_bucket{le="0.4",x="a"} 200')
        .replace('h_bucket{le="+Inf",x="a"} 100', 'h_bucket{le="+Inf",x="a"} 200')
        .replace('h_count{x="a"} 100', 'h_count{x="a"} 200'),
      'h',
      { x: 'a' },
    );
    const d = histogramDelta(after as NonNullable<typeof after>, before);
    expect(d.count).toBe(100);
    // All 100 new observations are in (0.2, 0.4].
    expect(histogramQuantile(d, 0.5)).toBeCloseTo(0.3);
  });
});

describe('several processes', () => {
  it('reads the expositions of several processes, joined, as one histogram', () => {
    const api1 =
      'p_bucket{le="0.01",role="api"} 3\np_bucket{le="+Inf",role="api"} 4\np_count{role="api"} 4\n';
    const api2 =
      'p_bucket{le="0.01",role="api"} 1\np_bucket{le="+Inf",role="api"} 4\np_count{role="api"} 4\n';
    const h = readHistogram(`${api1}${api2}`, 'p');
    expect(h?.count).toBe(8);
    expect(h?.buckets).toEqual([
      { le: 0.01, count: 4 },
      { le: Infinity, count: 8 },
    ]);
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(0.01);
  });
});

describe('sampleSum', () => {
  it('adds the samples of one name whose labels match', () => {
    expect(sampleSum(TEXT, 'c_total', { role: 'api' })).toBe(3);
    expect(sampleSum(TEXT, 'c_total', { role: 'dialer' })).toBe(0);
    expect(sampleSum(TEXT, 'h_count')).toBe(104);
  });
});
