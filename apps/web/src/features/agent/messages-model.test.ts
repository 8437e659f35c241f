import { describe, expect, it } from 'vitest';
import type { DomainEvent, SnapshotData, TalkMessage } from '@ringside/protocol';
import {
  announce,
  applyTalkEvent,
  compareIds,
  describeRecipient,
  emptyTalk,
  talkFromSnapshot,
  threadOf,
  unreadForAgent,
  unreadFromAgents,
} from './messages-model.js';
import { talkMessageOf } from '../talk/fixtures.test-helper.js';

const msg = talkMessageOf;

const snap = (messages: TalkMessage[], hands: Array<{ agentId: string; raisedAtMs: number }>) =>
  ({
    scope: 'agent',
    reason: 'subscribe',
    agent: null,
    agents: [],
    calls: [],
    talk: { messages, hands },
  }) as unknown as SnapshotData;

const ev = (e: object) => e as DomainEvent;

describe('talk state', () => {
  it('orders ids numerically, not as text', () => {
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('10', '10')).toBe(0);
  });

  it('takes the snapshot sorted, and keeps what it had when a snapshot carries no talk', () => {
    const s = talkFromSnapshot(
      emptyTalk,
      snap([msg('10'), msg('9')], [{ agentId: '7', raisedAtMs: 5 }]),
    );
    expect(s.messages.map((m) => m.id)).toEqual(['9', '10']);
    expect(s.hands.get('7')).toBe(5);
    const older = { ...snap([], []), talk: undefined } as SnapshotData;
    expect(talkFromSnapshot(s, older)).toBe(s);
  });

  it('adds a pushed message once, even when it comes twice (snapshot and event)', () => {
    let s = talkFromSnapshot(emptyTalk, snap([msg('1')], []));
    const e = ev({
      type: 'talk.message',
      message: msg('2'),
      recipients: ['7'],
      clientRef: null,
      atMs: 1,
    });
    s = applyTalkEvent(applyTalkEvent(s, e), e);
    expect(s.messages.map((m) => m.id)).toEqual(['1', '2']);
  });

  it('an agent reading marks what it got up to the id, not its own messages', () => {
    let s = talkFromSnapshot(
      emptyTalk,
      snap(
        [
          msg('1'),
          msg('2', { fromUserId: '7', fromRole: 'agent', to: { kind: 'supervisors' } }),
          msg('3', { to: { kind: 'team', teamId: '4' }, agentId: null }),
          msg('4'),
        ],
        [],
      ),
    );
    expect(unreadForAgent(s, '7').map((m) => m.id)).toEqual(['1', '3', '4']);
    s = applyTalkEvent(
      s,
      ev({ type: 'talk.read', agentId: '7', by: 'agent', readerId: '7', upToId: '3', atMs: 50 }),
    );
    expect(unreadForAgent(s, '7').map((m) => m.id)).toEqual(['4']);
    expect(s.messages.find((m) => m.id === '2')?.readAtMs).toBeNull();
  });

  it("a supervisor reading marks the agent's messages of that thread only", () => {
    let s = talkFromSnapshot(
      emptyTalk,
      snap(
        [
          msg('1', { fromUserId: '7', fromRole: 'agent', to: { kind: 'supervisors' } }),
          msg('2', {
            fromUserId: '8',
            fromRole: 'agent',
            to: { kind: 'supervisors' },
            agentId: '8' as TalkMessage['agentId'],
          }),
        ],
        [],
      ),
    );
    expect(unreadFromAgents(s)).toEqual(
      new Map([
        ['7', 1],
        ['8', 1],
      ]),
    );
    s = applyTalkEvent(
      s,
      ev({
        type: 'talk.read',
        agentId: '7',
        by: 'supervisor',
        readerId: '1',
        upToId: '9',
        atMs: 5,
      }),
    );
    expect(unreadFromAgents(s)).toEqual(new Map([['8', 1]]));
    expect(threadOf(s, '8').map((m) => m.id)).toEqual(['2']);
  });

  it('raises and lowers hands', () => {
    let s = applyTalkEvent(
      emptyTalk,
      ev({ type: 'talk.hand', agentId: '7', raised: true, by: 'agent', userId: '7', atMs: 9 }),
    );
    expect(s.hands.get('7')).toBe(9);
    s = applyTalkEvent(
      s,
      ev({
        type: 'talk.hand',
        agentId: '7',
        raised: false,
        by: 'supervisor',
        userId: '1',
        atMs: 10,
      }),
    );
    expect(s.hands.size).toBe(0);
  });

  it("describes recipients and announces only others' messages", () => {
    expect(describeRecipient({ kind: 'team', teamId: '3' })).toBe('team 3');
    expect(describeRecipient({ kind: 'supervisors' })).toBe('the supervisors');
    expect(
      describeRecipient({ kind: 'campaign', campaignId: '2' } as never, {
        campaign: () => 'Spring',
      }),
    ).toBe('campaign Spring');
    expect(announce(msg('1'), '7')).toBe('New message from Sue: m1');
    expect(announce(msg('1'), '1')).toBeNull();
  });
});
