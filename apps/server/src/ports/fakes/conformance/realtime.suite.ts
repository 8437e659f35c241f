import { BusEnvelope, type DomainEvent } from '@ringside/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../errors.js';
import type { EventBus, Subscription } from '../../event-bus.js';
import type { Hopper } from '../../hopper.js';
import type { StateStore } from '../../state-store.js';
import { agentStatus, changed, hopperEntry, ids, liveCall } from './fixtures.js';

/** What one conformance run needs: the three ports over one shared backing store. */
export interface RealtimeHarness {
  store: StateStore;
  bus: EventBus;
  hopper: Hopper;
  /** The streams' MAXLEN in this harness: small, so the gap test can outrun it. */
  maxLen: number;
  close(): Promise<void>;
}

const c1 = ids.campaign('c1');
const c2 = ids.campaign('c2');

function telephony(n: number): DomainEvent {
  return { type: 'telephony.status', serverId: `pbx${n}`, up: true, reason: 'test', atMs: n };
}

/** Resolves when `pred` holds, polling; fails the test after `ms`. */
async function until(pred: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * One behaviour, every adapter (STYLE.md §2): the memory fakes and the Redis adapters run these
 * same tests, so a unit test against a fake means the same thing in production.
 */
export function realtimeConformance(name: string, make: () => Promise<RealtimeHarness>): void {
  describe(`${name}: realtime ports conformance`, () => {
    let h: RealtimeHarness;
    const subs: Subscription[] = [];
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      for (const s of subs.splice(0)) await s.close();
      await h.close();
    });

    describe('StateStore agents', () => {
      it('creates an agent from nothing and publishes its event with seq on the agents stream', async () => {
        const a = agentStatus('a1', 'READY', 100);
        const env = await h.store.transitionAgent(a, null, changed(null, a));
        expect(env).not.toBeNull();
        expect(env?.stream).toBe('agents');
        expect(env?.event).toMatchObject({ type: 'agent.state_changed', to: 'READY' });
        expect(env?.seq).toBeGreaterThan(0);
        expect(await h.store.getAgent(a.agentId)).toEqual(a);
      });

      it('gives consecutive seq numbers to consecutive changes', async () => {
        const a = agentStatus('a1', 'READY', 100);
        const b = agentStatus('a1', 'PAUSED', 200, { pauseCode: 'LUNCH' });
        const e1 = await h.store.transitionAgent(a, null, changed(null, a));
        const e2 = await h.store.transitionAgent(b, 'READY', changed(a, b));
        expect(e2?.seq).toBe((e1?.seq ?? 0) + 1);
        expect(await h.store.getAgent(a.agentId)).toEqual(b);
      });

      it('refuses a write whose expected state is stale and leaves state and stream unchanged', async () => {
        const a = agentStatus('a1', 'READY', 100);
        await h.store.transitionAgent(a, null, changed(null, a));
        const p = agentStatus('a1', 'PAUSED', 200);
        expect(await h.store.transitionAgent(p, 'INCALL', changed(a, p))).toBeNull();
        expect(await h.store.transitionAgent(p, null, changed(a, p))).toBeNull();
        expect(await h.store.getAgent(a.agentId)).toEqual(a);
        const next = await h.store.transitionAgent(p, 'READY', changed(a, p));
        expect(next?.seq).toBe(2);
      });

      it('refuses a transition computed from a phone leg that was replaced meanwhile', async () => {
        // The agent is on a call; its leg is lost and dialed again while the state stays INCALL.
        const onA = agentStatus('a1', 'INCALL', 100, { bridgeId: 'br', legChannelId: 'legA' });
        await h.store.transitionAgent(onA, null, changed(null, onA));
        const onB = { ...onA, legChannelId: 'legB', sinceMs: 150 };
        const relegA = { state: 'INCALL' as const, legChannelId: 'legA' };
        expect(await h.store.transitionAgent(onB, relegA, changed(onA, onB))).not.toBeNull();
        // A call end read before the re-dial would write legA back: refused, legB kept.
        const wrap = { ...onA, state: 'WRAPUP' as const, sinceMs: 200 };
        expect(await h.store.transitionAgent(wrap, relegA, changed(onA, wrap))).toBeNull();
        expect((await h.store.getAgent(onA.agentId))?.legChannelId).toBe('legB');
        // Read again, it goes through and keeps the new leg.
        const fresh = { ...wrap, legChannelId: 'legB' };
        const ok = { state: 'INCALL' as const, legChannelId: 'legB' };
        expect(await h.store.transitionAgent(fresh, ok, changed(onB, fresh))).not.toBeNull();
        expect(await h.store.getAgent(onA.agentId)).toEqual(fresh);
      });

      it('accepts a null expected state when the agent is LOGGED_OUT', async () => {
        const a = agentStatus('a1', 'READY', 100);
        const out = agentStatus('a1', 'LOGGED_OUT', 200, { campaignId: null });
        await h.store.transitionAgent(a, null, changed(null, a));
        await h.store.transitionAgent(out, 'READY', changed(a, out));
        const again = agentStatus('a1', 'READY', 300);
        expect(await h.store.transitionAgent(again, null, changed(out, again))).not.toBeNull();
      });

      it('throws a ValidationError when the event does not describe the write', async () => {
        const a = agentStatus('a1', 'READY', 100);
        const wrong = { ...changed(null, a), to: 'PAUSED' as const };
        await expect(h.store.transitionAgent(a, null, wrong)).rejects.toBeInstanceOf(
          ValidationError,
        );
        expect(await h.store.getAgent(a.agentId)).toBeNull();
      });

      it('lists agents, optionally by campaign', async () => {
        for (const [id, c] of [
          ['a1', c1],
          ['a2', c2],
          ['a3', c1],
        ] as const) {
          const s = agentStatus(id, 'PAUSED', 1, { campaignId: c });
          await h.store.transitionAgent(s, null, changed(null, s));
        }
        expect((await h.store.listAgents()).map((a) => a.agentId).sort()).toEqual([
          'a1',
          'a2',
          'a3',
        ]);
        expect((await h.store.listAgents(c1)).map((a) => a.agentId).sort()).toEqual(['a1', 'a3']);
      });

      it('reserves the agent READY the longest in the campaign and publishes READY -> RESERVED', async () => {
        const rows = [
          agentStatus('a1', 'READY', 300),
          agentStatus('a2', 'READY', 100, { campaignId: c2 }),
          agentStatus('a3', 'READY', 200),
          agentStatus('a4', 'PAUSED', 50),
        ];
        for (const s of rows) await h.store.transitionAgent(s, null, changed(null, s));
        expect(await h.store.countReady(c1)).toBe(2);
        const got = await h.store.reserveLongestReady(c1, ids.call('call-1'), 1_000);
        expect(got).toEqual({ ...rows[2], state: 'RESERVED', sinceMs: 1_000, callId: 'call-1' });
        expect(await h.store.getAgent(ids.agent('a3'))).toEqual(got);
        expect(await h.store.countReady(c1)).toBe(1);
        expect((await h.store.reserveLongestReady(c1, ids.call('call-2'), 1_001))?.agentId).toBe(
          'a1',
        );
        expect(await h.store.reserveLongestReady(c1, ids.call('call-3'), 1_002)).toBeNull();
        expect(await h.store.countReady(c2)).toBe(1);
      });

      it('publishes the reservation as one agent event with the READY start as sinceMs', async () => {
        const seen: BusEnvelope[] = [];
        subs.push(await h.bus.subscribe({ from: 'latest', onEvent: (e) => void seen.push(e) }));
        const a = agentStatus('a1', 'READY', 100);
        await h.store.transitionAgent(a, null, changed(null, a));
        await h.store.reserveLongestReady(c1, ids.call('call-9'), 500);
        await until(() => seen.length === 2);
        expect(seen[1]?.event).toEqual({
          type: 'agent.state_changed',
          agentId: 'a1',
          campaignId: 'c1',
          from: 'READY',
          to: 'RESERVED',
          pauseCode: null,
          callId: 'call-9',
          reason: 'dialer',
          sinceMs: 100,
          atMs: 500,
        });
        expect(seen[1]?.seq).toBe((seen[0]?.seq ?? 0) + 1);
      });

      it('never reserves one agent twice under concurrent reservations', async () => {
        for (let i = 0; i < 5; i++) {
          const s = agentStatus(`a${i}`, 'READY', 100 + i);
          await h.store.transitionAgent(s, null, changed(null, s));
        }
        const got = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            h.store.reserveLongestReady(c1, ids.call(`k${i}`), 1_000),
          ),
        );
        const agents = got.filter((g) => g !== null).map((g) => g?.agentId);
        expect(agents).toHaveLength(5);
        expect(new Set(agents).size).toBe(5);
        expect(await h.store.countReady(c1)).toBe(0);
      });

      it('takes an agent out of the ready set when it pauses and moves it when it changes campaign', async () => {
        const a = agentStatus('a1', 'READY', 100);
        await h.store.transitionAgent(a, null, changed(null, a));
        const p = agentStatus('a1', 'PAUSED', 200, { pauseCode: 'BRK' });
        await h.store.transitionAgent(p, 'READY', changed(a, p));
        expect(await h.store.countReady(c1)).toBe(0);
        expect(await h.store.reserveLongestReady(c1, ids.call('x'), 300)).toBeNull();
        const r2 = agentStatus('a1', 'READY', 400, { campaignId: c2 });
        await h.store.transitionAgent(r2, 'PAUSED', changed(p, r2));
        expect(await h.store.countReady(c1)).toBe(0);
        expect(await h.store.countReady(c2)).toBe(1);
      });
    });

    describe('StateStore calls', () => {
      it('stores, lists and ends live calls, one event each on the calls stream', async () => {
        const c = liveCall('call-1');
        const e1 = await h.store.putCall(c, {
          type: 'call.originated',
          callId: c.callId,
          campaignId: c.campaignId,
          leadId: c.leadId,
          listId: c.listId,
          agentId: null,
          serverId: 'pbx1',
          channelId: 'call-1',
          atMs: 1_000,
        });
        expect(e1.stream).toBe('calls');
        expect(await h.store.getCall(c.callId)).toEqual(c);
        const ringing = { ...c, stage: 'RINGING' as const, ringingAtMs: 1_500 };
        const e2 = await h.store.putCall(ringing, {
          type: 'call.ringing',
          callId: c.callId,
          atMs: 1_500,
        });
        expect(e2.seq).toBe(e1.seq + 1);
        await h.store.putCall(liveCall('call-2', { campaignId: c2 }), {
          type: 'call.ringing',
          callId: ids.call('call-2'),
          atMs: 1,
        });
        expect((await h.store.listCalls()).map((x) => x.callId).sort()).toEqual([
          'call-1',
          'call-2',
        ]);
        expect(await h.store.listCalls(c1)).toEqual([ringing]);
        const e3 = await h.store.endCall(ringing, {
          type: 'call.ended',
          callId: c.callId,
          campaignId: c.campaignId,
          leadId: c.leadId,
          outcome: 'NO_ANSWER',
          hangupCause: 19,
          agentId: null,
          atMs: 2_000,
        });
        expect(e3.seq).toBe(e2.seq + 2);
        expect(await h.store.getCall(c.callId)).toBeNull();
        expect((await h.store.listCalls()).map((x) => x.callId)).toEqual(['call-2']);
      });
    });

    it('refuses call state that travels with a non-call event', async () => {
      await expect(h.store.putCall(liveCall('call-1'), telephony(1))).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect(await h.store.getCall(ids.call('call-1'))).toBeNull();
    });

    describe('EventBus', () => {
      it('delivers only later events to a latest subscriber, in order, as valid envelopes', async () => {
        await h.bus.publish(telephony(1));
        const seen: BusEnvelope[] = [];
        subs.push(await h.bus.subscribe({ from: 'latest', onEvent: (e) => void seen.push(e) }));
        for (let i = 2; i <= 6; i++) await h.bus.publish(telephony(i));
        await until(() => seen.length === 5);
        expect(seen.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6]);
        expect(seen.every((e) => e.stream === 'system')).toBe(true);
        for (const e of seen) expect(BusEnvelope.parse(e)).toEqual(e);
      });

      it('replays retained events to a start subscriber, then live ones', async () => {
        await h.bus.publish(telephony(1));
        await h.bus.publish(telephony(2));
        const seen: number[] = [];
        subs.push(await h.bus.subscribe({ from: 'start', onEvent: (e) => void seen.push(e.seq) }));
        await h.bus.publish(telephony(3));
        await until(() => seen.length === 3);
        expect(seen).toEqual([1, 2, 3]);
      });

      it('delivers each stream in its own order to every subscriber', async () => {
        const a: string[] = [];
        const b: string[] = [];
        subs.push(
          await h.bus.subscribe({
            from: 'latest',
            onEvent: (e) => void a.push(`${e.stream}${e.seq}`),
          }),
          await h.bus.subscribe({
            from: 'latest',
            onEvent: (e) => void b.push(`${e.stream}${e.seq}`),
          }),
        );
        const s = agentStatus('a1', 'READY', 1);
        await h.store.transitionAgent(s, null, changed(null, s));
        await h.bus.publish(telephony(1));
        await h.bus.publish(telephony(2));
        await until(() => a.length === 3 && b.length === 3);
        for (const got of [a, b]) {
          expect(got.filter((x) => x.startsWith('system'))).toEqual(['system1', 'system2']);
          expect(got).toContain('agents1');
        }
      });

      it('reports a gap when a slow consumer falls behind trimming, then goes on', async () => {
        let unblock: () => void = () => undefined;
        const blocked = new Promise<void>((r) => (unblock = r));
        const seen: number[] = [];
        const gaps: Array<[string, number, number]> = [];
        subs.push(
          await h.bus.subscribe({
            from: 'latest',
            onEvent: async (e) => {
              seen.push(e.seq);
              if (e.seq === 1) await blocked;
            },
            onGap: (stream, expected, got) => void gaps.push([stream, expected, got]),
          }),
        );
        await h.bus.publish(telephony(1));
        await until(() => seen.length === 1);
        const total = h.maxLen + 10;
        for (let i = 2; i <= total; i++) await h.bus.publish(telephony(i));
        unblock();
        await until(() => seen[seen.length - 1] === total);
        expect(gaps).toHaveLength(1);
        const [stream, expected, got] = gaps[0] ?? ['', 0, 0];
        expect([stream, expected]).toEqual(['system', 2]);
        expect(got).toBeGreaterThan(2);
        expect(seen.slice(1)[0]).toBe(got);
        expect(seen.slice(1)).toEqual(Array.from({ length: total - got + 1 }, (_, i) => got + i));
      });

      it('stops delivering after close', async () => {
        const seen: number[] = [];
        const sub = await h.bus.subscribe({
          from: 'latest',
          onEvent: (e) => void seen.push(e.seq),
        });
        await h.bus.publish(telephony(1));
        await until(() => seen.length === 1);
        await sub.close();
        await h.bus.publish(telephony(2));
        await new Promise((r) => setTimeout(r, 100));
        expect(seen).toEqual([1]);
      });
    });

    describe('Hopper', () => {
      it('pops callbacks before recycled before new leads, FIFO within a class', async () => {
        await h.hopper.add(c1, [
          hopperEntry('n1'),
          hopperEntry('r1', 'recycle'),
          hopperEntry('n2'),
          hopperEntry('cb1', 'callback'),
          hopperEntry('r2', 'recycle'),
        ]);
        const order: string[] = [];
        for (;;) {
          const l = await h.hopper.pop(c1, 'd1', 30_000, 1_000);
          if (!l) break;
          order.push(l.entry.leadId);
        }
        expect(order).toEqual(['cb1', 'r1', 'r2', 'n1', 'n2']);
      });

      it('pops several leads at once in the same order as single pops', async () => {
        await h.hopper.add(c1, [
          hopperEntry('n1'),
          hopperEntry('r1', 'recycle'),
          hopperEntry('cb1', 'callback'),
          hopperEntry('n2', 'new', { windowClosesAtMs: 500 }),
          hopperEntry('n3'),
        ]);
        const got = await h.hopper.popMany(c1, 'd1', 4, 10_000, 1_000);
        expect(got.map((l) => l.entry.leadId)).toEqual(['cb1', 'r1', 'n1', 'n3']);
        expect(got.every((l) => l.consumerId === 'd1' && l.expiresAtMs === 11_000)).toBe(true);
        expect(await h.hopper.leasedCount(c1)).toBe(4);
        expect(await h.hopper.popMany(c1, 'd1', 4, 10_000, 1_000)).toEqual([]);
        expect(await h.hopper.popMany(c1, 'd1', 0, 10_000, 1_000)).toEqual([]);
      });

      it('adds only leads not already in the hopper, queued or leased', async () => {
        expect(await h.hopper.add(c1, [hopperEntry('1'), hopperEntry('2')])).toBe(2);
        await h.hopper.pop(c1, 'd1', 30_000, 1_000);
        expect(await h.hopper.add(c1, [hopperEntry('1'), hopperEntry('2'), hopperEntry('3')])).toBe(
          1,
        );
        expect(await h.hopper.size(c1)).toBe(2);
        expect(await h.hopper.leasedCount(c1)).toBe(1);
        expect((await h.hopper.entries(c1)).map((e) => e.leadId).sort()).toEqual(['1', '2', '3']);
      });

      it('leases a popped lead to its consumer until acked', async () => {
        const e = hopperEntry('1');
        await h.hopper.add(c1, [e]);
        const lease = await h.hopper.pop(c1, 'd1', 30_000, 1_000);
        expect(lease).toEqual({ entry: e, consumerId: 'd1', expiresAtMs: 31_000 });
        expect(await h.hopper.size(c1)).toBe(0);
        expect(await h.hopper.pop(c1, 'd2', 30_000, 1_000)).toBeNull();
        expect(await h.hopper.ack(c1, e.leadId, 'someone-else')).toBe(false);
        expect(await h.hopper.ack(c1, e.leadId, 'd1')).toBe(true);
        expect(await h.hopper.ack(c1, e.leadId)).toBe(false);
        expect(await h.hopper.leasedCount(c1)).toBe(0);
        expect(await h.hopper.reclaimExpired(c1, 99_999)).toEqual([]);
      });

      it('puts a released lead back at the head of its class', async () => {
        await h.hopper.add(c1, [hopperEntry('1'), hopperEntry('2')]);
        await h.hopper.pop(c1, 'd1', 30_000, 1_000);
        expect(await h.hopper.release(c1, ids.lead('1'), 'd2')).toBe(false);
        expect(await h.hopper.release(c1, ids.lead('1'), 'd1')).toBe(true);
        expect(await h.hopper.release(c1, ids.lead('1'))).toBe(false);
        expect((await h.hopper.pop(c1, 'd1', 30_000, 1_000))?.entry.leadId).toBe('1');
      });

      it('returns each expired lease exactly once to concurrent reclaimers and requeues it', async () => {
        await h.hopper.add(
          c1,
          Array.from({ length: 10 }, (_, i) => hopperEntry(`${i}`)),
        );
        for (let i = 0; i < 10; i++) await h.hopper.pop(c1, 'dead', i < 6 ? 1_000 : 60_000, 0);
        const results = await Promise.all(
          Array.from({ length: 6 }, () => h.hopper.reclaimExpired(c1, 5_000)),
        );
        const back = results.flat().map((e) => e.leadId);
        expect(back.sort()).toEqual(['0', '1', '2', '3', '4', '5']);
        expect(await h.hopper.size(c1)).toBe(6);
        expect(await h.hopper.leasedCount(c1)).toBe(4);
        const again: string[] = [];
        for (;;) {
          const l = await h.hopper.pop(c1, 'd2', 1_000, 5_000);
          if (!l) break;
          again.push(l.entry.leadId);
        }
        expect(again.sort()).toEqual(['0', '1', '2', '3', '4', '5']);
      });

      it('never pops a lead whose window has closed and removes it on removeClosed', async () => {
        await h.hopper.add(c1, [
          hopperEntry('early', 'callback', { windowClosesAtMs: 2_000 }),
          hopperEntry('late', 'new', { windowClosesAtMs: 9_000 }),
        ]);
        expect((await h.hopper.pop(c1, 'd1', 1_000, 2_000))?.entry.leadId).toBe('late');
        expect(await h.hopper.pop(c1, 'd1', 1_000, 2_000)).toBeNull();
        const removed = await h.hopper.removeClosed(c1, 2_000);
        expect(removed.map((e) => e.leadId)).toEqual(['early']);
        expect(await h.hopper.size(c1)).toBe(0);
        expect(await h.hopper.removeClosed(c1, 2_000)).toEqual([]);
        // The leased lead stays leased: the dialer re-checks the window before dialing.
        expect(await h.hopper.leasedCount(c1)).toBe(1);
        expect(await h.hopper.add(c1, [hopperEntry('early', 'callback')])).toBe(1);
        expect((await h.hopper.pop(c1, 'd1', 1_000, 3_000))?.entry.leadId).toBe('early');
      });

      it('hands each lead to exactly one of many concurrent poppers', async () => {
        const n = 300;
        await h.hopper.add(
          c1,
          Array.from({ length: n }, (_, i) => hopperEntry(`${i}`, i % 3 === 0 ? 'recycle' : 'new')),
        );
        const got: string[] = [];
        await Promise.all(
          Array.from({ length: 20 }, async (_, w) => {
            for (;;) {
              const l = await h.hopper.pop(c1, `w${w}`, 30_000, 1_000);
              if (!l) return;
              got.push(l.entry.leadId);
            }
          }),
        );
        expect(got).toHaveLength(n);
        expect(new Set(got).size).toBe(n);
      });

      it('refuses entries of another campaign', async () => {
        await expect(
          h.hopper.add(c1, [hopperEntry('1', 'new', { campaignId: c2 })]),
        ).rejects.toBeInstanceOf(ValidationError);
        expect(await h.hopper.size(c1)).toBe(0);
      });

      it('keeps campaigns apart and clears one without touching another', async () => {
        await h.hopper.add(c1, [hopperEntry('1')]);
        await h.hopper.add(c2, [hopperEntry('1', 'new', { campaignId: c2 })]);
        await h.hopper.clear(c1);
        expect(await h.hopper.size(c1)).toBe(0);
        expect(await h.hopper.size(c2)).toBe(1);
        expect((await h.hopper.pop(c2, 'd', 1, 1))?.entry.campaignId).toBe('c2');
      });
    });
  });
}
