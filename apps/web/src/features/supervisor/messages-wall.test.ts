import { describe, expect, it } from 'vitest';
import { emptyTalk } from '../agent/messages-model.js';
import { talkMessageOf } from '../talk/fixtures.test-helper.js';
import {
  chooseTarget,
  messagesFor,
  targetKey,
  targetOfKey,
  wallSnapshot,
} from './messages-wall.js';

const m = talkMessageOf;

describe('the wall talk', () => {
  const talk = {
    ...emptyTalk,
    messages: [
      m('1', {}),
      m('2', { fromUserId: '7', fromRole: 'agent', to: { kind: 'supervisors' } }),
      m('3', { to: { kind: 'team', teamId: '4' }, agentId: null }),
      m('4', { to: { kind: 'campaign', campaignId: '9' } as never, agentId: null }),
      m('5', { agentId: '8' as never, to: { kind: 'agent', agentId: '8' } as never }),
    ],
  };

  it('shows an agent its thread both ways, a team or campaign what went to it', () => {
    expect(messagesFor(talk, { kind: 'agent', agentId: '7' } as never).map((x) => x.id)).toEqual([
      '1',
      '2',
    ]);
    expect(messagesFor(talk, { kind: 'team', teamId: '4' }).map((x) => x.id)).toEqual(['3']);
    expect(
      messagesFor(talk, { kind: 'campaign', campaignId: '9' } as never).map((x) => x.id),
    ).toEqual(['4']);
    expect(messagesFor(talk, null)).toHaveLength(5);
  });

  it('round-trips the composer choice through the select value', () => {
    for (const t of [
      { kind: 'agent', agentId: '7' },
      { kind: 'team', teamId: '4' },
      { kind: 'campaign', campaignId: '9' },
    ] as const) {
      expect(targetOfKey(targetKey(t as never))).toEqual(t);
    }
    expect(targetOfKey('')).toBeNull();
  });

  it('a row choosing an agent asks the panel to open', () => {
    const before = wallSnapshot().openRequest;
    chooseTarget({ kind: 'agent', agentId: '7' } as never);
    expect(wallSnapshot()).toMatchObject({
      target: { kind: 'agent', agentId: '7' },
      openRequest: before + 1,
    });
    chooseTarget({ kind: 'team', teamId: '4' }, false);
    expect(wallSnapshot().openRequest).toBe(before + 1);
  });
});

describe("the wall's row model keeps raised hands", () => {
  it('from the snapshot and talk.hand events, onto the agent row', async () => {
    const { applyEvent, applySnapshot, emptyDashboard, rows } = await import('./model.js');
    const agent = {
      agentId: '7',
      state: 'READY',
      sinceMs: 1,
      campaignId: null,
      callId: null,
      pauseCode: null,
    };
    let s = applySnapshot(emptyDashboard, {
      scope: 'supervisor',
      reason: 'subscribe',
      agent: null,
      agents: [agent],
      calls: [],
      talk: { messages: [], hands: [{ agentId: '7', raisedAtMs: 42 }] },
    } as never);
    const q = { campaignId: null, teamId: null, sort: 'name', descending: false } as const;
    const roster = { agents: [], campaigns: [] };
    expect(rows(s, roster, q)[0]?.handRaisedAtMs).toBe(42);
    s = applyEvent(s, {
      type: 'talk.hand',
      agentId: '7',
      raised: false,
      by: 'supervisor',
      userId: '1',
      atMs: 50,
    } as never);
    expect(rows(s, roster, q)[0]?.handRaisedAtMs).toBeNull();
  });
});
