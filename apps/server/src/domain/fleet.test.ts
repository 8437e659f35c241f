import { describe, expect, it } from 'vitest';
import {
  chooseHandoff,
  chooseHome,
  crossedCallOf,
  newPlacement,
  placeCall,
  rehome,
  type FleetServer,
} from './fleet.js';

const servers = (...s: Array<[string, boolean, number]>): FleetServer[] =>
  s.map(([id, up, capacity]) => ({ id, up, capacity }));

describe('chooseHome', () => {
  it('homes the agent on the server with the fewest homed agents per capacity', () => {
    const s = servers(['a', true, 100], ['b', true, 200]);
    expect(
      chooseHome(
        s,
        new Map([
          ['a', 10],
          ['b', 10],
        ]),
      ),
    ).toBe('b');
    expect(
      chooseHome(
        s,
        new Map([
          ['a', 10],
          ['b', 30],
        ]),
      ),
    ).toBe('a');
  });

  it('breaks ties by the order servers are listed in', () => {
    expect(chooseHome(servers(['a', true, 1], ['b', true, 1]), new Map())).toBe('a');
  });

  it('skips servers that are down or have no capacity; none left gives null', () => {
    const s = servers(['a', false, 100], ['b', true, 0], ['c', true, 10]);
    expect(chooseHome(s, new Map([['c', 500]]))).toBe('c');
    expect(chooseHome(servers(['a', false, 1]), new Map())).toBeNull();
  });
});

describe('rehome', () => {
  it("spreads a lost server's agents over the servers left by capacity", () => {
    const s = servers(['a', false, 100], ['b', true, 100], ['c', true, 300]);
    const ids = Array.from({ length: 8 }, (_, i) => `ag${i}`);
    const moved = rehome(
      ids,
      s,
      new Map([
        ['b', 0],
        ['c', 0],
      ]),
    );
    const per = new Map<string, number>();
    for (const to of moved.values()) per.set(to, (per.get(to) ?? 0) + 1);
    expect(moved.size).toBe(8);
    expect(per.get('a')).toBeUndefined();
    expect(per.get('b')).toBe(2);
    expect(per.get('c')).toBe(6);
  });

  it('leaves everyone unplaced when no server is up', () => {
    expect(rehome(['x'], servers(['a', false, 1]), new Map()).size).toBe(0);
  });
});

describe('placeCall', () => {
  const open = (...ids: string[]) => ids.map((id) => ({ id, open: true }));

  it('places calls in proportion to the ready agents homed on each server, interleaved', () => {
    const st = newPlacement();
    const ready = new Map([
      ['a', 3],
      ['b', 1],
    ]);
    const picks = Array.from({ length: 8 }, () => placeCall(st, open('a', 'b'), ready));
    expect(picks.filter((p) => p === 'a')).toHaveLength(6);
    expect(picks.filter((p) => p === 'b')).toHaveLength(2);
    // Smooth: never more than three a's in a row for a 3:1 split.
    expect(picks.join('')).not.toContain('aaaa');
  });

  it('holds the proportion over many calls for any split', () => {
    const st = newPlacement();
    const ready = new Map([
      ['a', 7],
      ['b', 2],
      ['c', 1],
    ]);
    const n = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const p = placeCall(st, open('a', 'b', 'c'), ready) as string;
      n.set(p, (n.get(p) ?? 0) + 1);
    }
    expect(n.get('a')).toBe(700);
    expect(n.get('b')).toBe(200);
    expect(n.get('c')).toBe(100);
  });

  it('moves the share of a server that closes to the others at once', () => {
    const st = newPlacement();
    const ready = new Map([
      ['a', 1],
      ['b', 1],
    ]);
    placeCall(st, open('a', 'b'), ready);
    const picks = Array.from({ length: 4 }, () =>
      placeCall(
        st,
        [
          { id: 'a', open: false },
          { id: 'b', open: true },
        ],
        ready,
      ),
    );
    expect(picks).toEqual(['b', 'b', 'b', 'b']);
  });

  it('spreads evenly when no ready agent is homed on an open server; null when none is open', () => {
    const st = newPlacement();
    const picks = Array.from({ length: 4 }, () => placeCall(st, open('a', 'b'), new Map()));
    expect(picks.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(placeCall(st, [{ id: 'a', open: false }], new Map())).toBeNull();
  });
});

describe('chooseHandoff', () => {
  it('prefers the longest-ready agent on the same server as the customer', () => {
    const c = [
      { agentId: 'x', homeServerId: 'b' },
      { agentId: 'y', homeServerId: 'a' },
      { agentId: 'z', homeServerId: 'a' },
    ];
    expect(chooseHandoff(c, 'a', 'a')).toEqual({ agentId: 'y', crosses: false, homeServerId: 'a' });
  });

  it('crosses to the longest-ready agent elsewhere when nobody on the server is free', () => {
    const c = [
      { agentId: 'x', homeServerId: 'b' },
      { agentId: 'y', homeServerId: 'c' },
    ];
    expect(chooseHandoff(c, 'a', 'a')).toEqual({ agentId: 'x', crosses: true, homeServerId: 'b' });
  });

  it('counts an agent with no home as on the default server; nobody ready gives null', () => {
    expect(chooseHandoff([{ agentId: 'x', homeServerId: null }], 'a', 'a')?.crosses).toBe(false);
    expect(chooseHandoff([], 'a', 'a')).toBeNull();
  });

  it('passes over agents homed on a server that is down, even on the same server', () => {
    const c = [
      { agentId: 'x', homeServerId: 'b' },
      { agentId: 'y', homeServerId: 'a' },
      { agentId: 'z', homeServerId: 'c' },
    ];
    expect(chooseHandoff(c, 'a', 'a', new Set(['b']))).toEqual({
      agentId: 'y',
      crosses: false,
      homeServerId: 'a',
    });
    expect(chooseHandoff(c, 'a', 'a', new Set(['a', 'b']))?.agentId).toBe('z');
    expect(chooseHandoff(c, 'c', 'a', new Set(['a', 'b', 'c']))).toBeNull();
  });
});

describe('crossedCallOf', () => {
  const dp = (context: string, exten: string) => ({ context, exten });
  it("names the call of a crossing's trunk leg on the agent's server", () => {
    expect(crossedCallOf({ id: 'c1-x', dialplan: dp('default', 's') })).toBe('c1');
  });
  it("names the call of the trunk's inbound channel on the customer's server", () => {
    expect(crossedCallOf({ id: '1765.42', dialplan: dp('fleet-in', 'x-c1') })).toBe('c1');
  });
  it('knows no other channel', () => {
    expect(crossedCallOf({ id: 'c1', dialplan: dp('dialer-outbound', 's') })).toBeNull();
    expect(crossedCallOf({ id: 'c1-2', dialplan: dp('default', 's') })).toBeNull();
    expect(crossedCallOf({ id: '-x' })).toBeNull();
    expect(crossedCallOf({ id: '1765.43', dialplan: dp('fleet-in', 'agent-7') })).toBeNull();
    expect(crossedCallOf({ id: '1765.44', dialplan: dp('agents', 'x-c1') })).toBeNull();
  });
});
