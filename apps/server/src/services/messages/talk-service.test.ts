import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { AgentId, DomainEvent, RaisedHand } from '@ringside/protocol';
import type { AuditEntry, AuditLog } from '../../ports/audit.js';
import { ManualClock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type { HandRegistry, NewTalkMessage, TalkStore } from '../../ports/messages.js';
import { storedTalkMessage } from '../../ports/talk-stored.js';
import { TalkService } from './talk-service.js';

/** The talk service's rules against small in-memory ports (the real adapters: talk.int.test.ts). */
function world() {
  const stored: NewTalkMessage[] = [];
  const lookups: string[] = [];
  const events: DomainEvent[] = [];
  const audits: AuditEntry[] = [];
  const hands = new Map<string, number>();
  const counts = new Map<string, number>();
  const store: TalkStore = {
    insert: async (m) => {
      stored.push(m);
      return storedTalkMessage(m, String(stored.length), 'x');
    },
    recentForAgent: async () => [],
    recentAll: async () => [],
    markReadByAgent: async () => 1,
    markReadBySupervisor: async () => 0,
    teamAgents: async (id) => (lookups.push(`team:${id}`), id === '3' ? ['7' as AgentId] : null),
    isAgent: async (id) => (lookups.push(`agent:${id}`), id === '7'),
    campaignExists: async (id) => (lookups.push(`campaign:${id}`), true),
  };
  const registry: HandRegistry = {
    raise: async (id, at) => (hands.has(id) ? false : (hands.set(id, at), true)),
    lower: async (id) => hands.delete(id),
    list: async (): Promise<RaisedHand[]> =>
      [...hands].map(([agentId, raisedAtMs]) => ({ agentId: agentId as AgentId, raisedAtMs })),
  };
  const bus = {
    publish: async (e: DomainEvent) => (events.push(e), {}) as never,
    subscribe: async () => ({ close: async () => undefined }),
  } as EventBus;
  const audit: AuditLog = { record: async (e) => void audits.push(e), list: async () => [] };
  const clock = new ManualClock(1_000_000);
  const talk = new TalkService({
    store,
    hands: registry,
    limiter: {
      take: async (key, limit, windowMs, now) => {
        const k = `${key}:${Math.floor(now / windowMs)}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
        return (counts.get(k) ?? 0) <= limit;
      },
    },
    bus,
    audit,
    clock,
    logger: pino({ level: 'silent' }),
    campaignAgents: async () => ['7' as AgentId, '8' as AgentId],
    limits: { messagesPerWindow: 2, handsPerWindow: 2, windowMs: 10_000 },
  });
  return { talk, stored, lookups, events, audits, clock };
}

const agent = { id: '7', role: 'agent' as const };
const sup = { id: '1', role: 'supervisor' as const };

describe('TalkService', () => {
  it('an agent writes to the supervisors only, as its own thread', async () => {
    const w = world();
    await w.talk.send(agent, { to: { kind: 'supervisors' }, text: ' hi ' });
    expect(w.stored[0]).toMatchObject({ threadAgentId: '7', recipients: ['7'], text: 'hi' });
    await expect(
      w.talk.send(agent, { to: { kind: 'agent', agentId: '8' as AgentId }, text: 'x' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(w.audits.map((a) => [a.action, a.target])).toEqual([['talk.send', 'agent:7']]);
  });

  it('counts the rate before looking anything up, and refuses past the limit', async () => {
    const w = world();
    const to = { kind: 'agent' as const, agentId: '9' as AgentId };
    await expect(w.talk.send(sup, { to, text: 'a' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(w.talk.send(sup, { to, text: 'b' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(w.talk.send(sup, { to, text: 'c' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(w.lookups).toEqual(['agent:9', 'agent:9']);
    w.clock.advance(10_000);
    await w.talk.send(sup, { to: { kind: 'team', teamId: '3' }, text: 'team' });
    expect(w.events[0]).toMatchObject({ type: 'talk.message', recipients: ['7'] });
  });

  it('a campaign message goes to the agents logged in to it', async () => {
    const w = world();
    await w.talk.send(sup, {
      to: { kind: 'campaign', campaignId: '2' as never },
      text: 'offer',
      clientRef: 'c1',
    });
    expect(w.events[0]).toMatchObject({ recipients: ['7', '8'], clientRef: 'c1' });
    expect(w.stored[0]?.threadAgentId).toBeNull();
  });

  it('hands: only the agent raises its own; a supervisor acknowledges; changes publish once', async () => {
    const w = world();
    await expect(w.talk.hand(sup, { raised: true, agentId: '7' as AgentId })).rejects.toMatchObject(
      { code: 'FORBIDDEN' },
    );
    await expect(
      w.talk.hand(agent, { raised: true, agentId: '8' as AgentId }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await w.talk.hand(agent, { raised: true })).toBe(true);
    expect(await w.talk.hand(agent, { raised: true })).toBe(false);
    expect(await w.talk.hand(sup, { raised: false, agentId: '7' as AgentId })).toBe(true);
    await w.talk.agentLeft('7' as AgentId); // already down: nothing
    expect(w.events.map((e) => e.type === 'talk.hand' && [e.raised, e.by])).toEqual([
      [true, 'agent'],
      [false, 'supervisor'],
    ]);
    expect(w.audits.map((a) => a.action)).toEqual(['talk.hand_raise', 'talk.hand_ack']);
  });

  it('a supervisor marking a thread read must name the agent', async () => {
    const w = world();
    await expect(w.talk.read(sup, { upToId: '5' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await w.talk.read(agent, { upToId: '5' });
    expect(w.events[0]).toMatchObject({ type: 'talk.read', agentId: '7', by: 'agent' });
  });
});
