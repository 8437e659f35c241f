import type { BusEnvelope, DomainEvent } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import { NO_METRICS, type Metrics } from '../../ports/metrics.js';
import { CallMetricsObserver } from './call-metrics.js';

function recorder() {
  const handoffs: Array<[number, boolean]> = [];
  const ended: string[] = [];
  const drops: Array<[string, number]> = [];
  const metrics: Metrics = {
    ...NO_METRICS,
    handoff: (ms, parked) => handoffs.push([ms, parked]),
    callEnded: (c, o) => ended.push(`${c}:${o}`),
    dropsCounted: (c, n) => drops.push([c, n]),
  };
  return { metrics, handoffs, ended, drops };
}

let seq = 0;
const env = (event: Record<string, unknown>): BusEnvelope =>
  ({ v: 1, stream: 'calls', seq: ++seq, tsMs: 0, event: event as DomainEvent }) as BusEnvelope;
const amd = (callId: string, result: string) =>
  env({ type: 'call.amd', callId, result, cause: 'x', atMs: 1 });
const bridged = (callId: string) =>
  env({ type: 'call.bridged', callId, agentId: '9', bridgeId: 'b', atMs: 2 });
const ended = (callId: string, outcome: string) =>
  env({
    type: 'call.ended',
    callId,
    campaignId: '3',
    leadId: '4',
    outcome,
    hangupCause: 16,
    agentId: null,
    atMs: 3,
  });

describe('CallMetricsObserver', () => {
  it('times a hand-off from the verdict to the bridge on the receive clock', () => {
    const r = recorder();
    const o = new CallMetricsObserver(r.metrics);
    o.onPublished(amd('c1', 'HUMAN'), 1_000);
    o.onPublished(bridged('c1'), 1_037.5);
    expect(r.handoffs).toEqual([[37.5, false]]);
    expect(o.tracked).toBe(0);
  });

  it('marks a call that waited for an agent as parked, and a NOTSURE verdict is a hand-off too', () => {
    const r = recorder();
    const o = new CallMetricsObserver(r.metrics);
    o.onPublished(amd('c2', 'NOTSURE'), 0);
    o.onPublished(env({ type: 'call.waiting', callId: 'c2', atMs: 1 }), 10);
    o.onPublished(bridged('c2'), 900);
    expect(r.handoffs).toEqual([[900, true]]);
  });

  it('does not time machines, calls bridged without a verdict, or a second bridge', () => {
    const r = recorder();
    const o = new CallMetricsObserver(r.metrics);
    o.onPublished(amd('m', 'MACHINE'), 0);
    o.onPublished(bridged('m'), 5);
    o.onPublished(bridged('manual'), 5);
    o.onPublished(amd('c3', 'HUMAN'), 0);
    o.onPublished(bridged('c3'), 20);
    o.onPublished(bridged('c3'), 5_000); // a transfer's bridge
    expect(r.handoffs).toEqual([[20, false]]);
  });

  it('counts every ended call by outcome, drops by the ledger rule, and forgets the call', () => {
    const r = recorder();
    const o = new CallMetricsObserver(r.metrics);
    o.onPublished(amd('c4', 'HUMAN'), 0);
    o.onPublished(ended('c4', 'DROPPED'), 2_000);
    o.onPublished(ended('c5', 'BUSY'), 2_000);
    expect(r.ended).toEqual(['3:DROPPED', '3:BUSY']);
    expect(r.drops).toEqual([['3', 1]]);
    expect(o.tracked).toBe(0);
  });

  it('keeps a bounded number of calls waiting for their bridge', () => {
    const o = new CallMetricsObserver(NO_METRICS);
    for (let i = 0; i < 20_050; i++) o.onPublished(amd(`x${i}`, 'HUMAN'), i);
    expect(o.tracked).toBe(20_000);
  });
});
