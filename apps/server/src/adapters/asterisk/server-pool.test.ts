import type { CallId } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import { liveCall } from '../../ports/fakes/conformance/fixtures.js';
import { MemoryStateStore } from '../../ports/fakes/memory-state-store.js';
import type { LiveCall } from '../../ports/state-store.js';
import { AriRestClient } from './ari-client.js';
import { ServerPool } from './server-pool.js';
import { TelephonyHealth } from './telephony-health.js';

const client = new AriRestClient({
  baseUrl: 'http://x/ari',
  user: 'u',
  password: 'p',
  fetch: (async () => new Response(null, { status: 204 })) as typeof fetch,
});

function call(id: string, serverId: string): LiveCall {
  return liveCall(id, { serverId, stage: 'RINGING', originatedAtMs: 0, ringingAtMs: 1 });
}

describe('ServerPool', () => {
  it('places each call on the least-loaded server that is up and below its capacity', () => {
    const pool = new ServerPool(
      [
        { id: 'a', client, maxCalls: 2 },
        { id: 'b', client, maxCalls: 4 },
      ],
      new MemoryStateStore(),
    );
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = pool.pick();
      if (!s) break;
      picks.push(s.id);
      pool.acquire(s.id);
    }
    expect(picks.sort()).toEqual(['a', 'a', 'b', 'b', 'b', 'b']);
    expect(pool.pick()).toBeNull();
    pool.release('a');
    expect(pool.pick()?.id).toBe('a');
    pool.setUp('a', false);
    expect(pool.pick()).toBeNull();
  });

  it('recounts load from the live calls in the state store', async () => {
    const store = new MemoryStateStore();
    for (const [id, server] of [
      ['c1', 'a'],
      ['c2', 'a'],
      ['c3', 'b'],
    ] as const) {
      await store.putCall(call(id, server), {
        type: 'call.ringing',
        callId: id as CallId,
        atMs: 1,
      });
    }
    const pool = new ServerPool(
      [
        { id: 'a', client, maxCalls: 2 },
        { id: 'b', client, maxCalls: 2 },
      ],
      store,
    );
    await pool.refresh();
    expect(pool.loads().map((l) => [l.id, l.load])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(pool.pick()?.id).toBe('b');
  });
});

describe('TelephonyHealth', () => {
  it('is up only when every known server is up, and reports changes once', () => {
    const h = new TelephonyHealth();
    expect(h.allUp()).toBe(false);
    expect(h.set('a', true, 'connected', 1)).toBe(true);
    expect(h.set('a', true, 'connected', 2)).toBe(false);
    h.apply({
      type: 'telephony.status',
      serverId: 'b',
      up: false,
      reason: 'cannot connect',
      atMs: 3,
    });
    expect(h.allUp()).toBe(false);
    expect(h.snapshot()).toEqual([
      { serverId: 'a', up: true, reason: 'connected', sinceMs: 1 },
      { serverId: 'b', up: false, reason: 'cannot connect', sinceMs: 3 },
    ]);
  });
});
