import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ServerMessage, TalkMessage } from '@ringside/protocol';
import { buildApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import { createTalkService } from '../../src/roles/api-talk.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';
import { isType, TestClient } from '../ws/client.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Agent and supervisor talk through two api processes on one event bus (two apps, each with its
 * own gateway, on the same Redis prefix and PostgreSQL schema): a message sent on A reaches the
 * agent connected to B, hands raised on B show on A, and both are stored, audited and limited.
 */

let h: Harness;
let apps: FastifyInstance[] = [];
let urlA: string;
let urlB: string;
let tokens: Record<'supervisor' | 'agent' | 'agent2' | 'admin', string>;
let agent1: string;
let agent2: string;
let teamId: string;
const open: TestClient[] = [];

async function listen(deps: AppDeps): Promise<string> {
  const app = await buildApp(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return `ws://127.0.0.1:${addr.port}/ws`;
}

beforeAll(async () => {
  h = await createHarness({ wsHeartbeatMs: 200, wsAgentLossMs: 60_000 });
  const talk = () =>
    createTalkService({
      pool: h.db.pool,
      redis: h.redis,
      prefix: h.keys.prefix,
      store: h.store,
      bus: h.bus,
      audit: h.deps.audit,
      clock: h.deps.clock,
      logger: h.deps.logger,
      limits: { messagesPerWindow: 6, handsPerWindow: 6, windowMs: 60_000 },
    });
  // Two api processes: each its own app, gateway and talk service; shared Redis and PostgreSQL.
  urlA = await listen({ ...h.deps, talk: talk() });
  urlB = await listen({ ...h.deps, talk: talk() });
  tokens = {
    supervisor: await h.login('super'),
    admin: await h.login('admin'),
    agent: await h.login('agent1'),
    agent2: await h.login('agent2'),
  };
  agent1 = h.users.agent.id;
  agent2 = h.users.agent2.id;
  const t = await h.db.pool.query<{ id: string }>(
    "INSERT INTO teams (name) VALUES ('Blue') RETURNING id::text AS id",
  );
  teamId = t.rows[0]?.id ?? '';
  await h.db.pool.query('UPDATE users SET team_id = $1 WHERE id = ANY($2::bigint[])', [
    teamId,
    [agent1, agent2],
  ]);
});
afterAll(async () => {
  for (const c of open) c.close();
  for (const a of apps) await a.close();
  apps = [];
  await h?.close();
});

async function subscribed(url: string, token: string): Promise<TestClient> {
  const c = await TestClient.connect(url, token);
  open.push(c);
  c.send('subscribe', {});
  await c.waitFor(isType('snapshot'));
  return c;
}

const talkEvent =
  (type: 'talk.message' | 'talk.read' | 'talk.hand', pred: (e: never) => boolean = () => true) =>
  (m: ServerMessage): boolean =>
    m.type === 'event' && m.data.event.type === type && pred(m.data.event as never);

const messageWith = (text: string) =>
  talkEvent('talk.message', (e: { message: TalkMessage }) => e.message.text === text);

const errorFor = (seq: number) => (m: ServerMessage) =>
  m.type === 'error' && m.data.replyTo === seq;

async function auditActions(target: string): Promise<string[]> {
  return (await h.deps.audit.list({ target })).map((a) => a.action);
}

describe('messages across api processes', () => {
  it('a supervisor on process A reaches an agent on process B, and only that agent', async () => {
    const sup = await subscribed(urlA, tokens.supervisor);
    const a1 = await subscribed(urlB, tokens.agent);
    const a2 = await subscribed(urlB, tokens.agent2);
    sup.send('talk.send', {
      to: { kind: 'agent', agentId: agent1 },
      text: '  Please take a short break after this call  ',
      clientRef: 'r1',
    });
    const got = await a1.waitFor(messageWith('Please take a short break after this call'));
    expect(got).toMatchObject({
      data: {
        stream: 'system',
        event: {
          message: {
            fromUserId: h.users.supervisor.id,
            fromName: 'super',
            fromRole: 'supervisor',
            to: { kind: 'agent', agentId: agent1 },
            agentId: agent1,
            readAtMs: null,
          },
          recipients: [agent1],
        },
      },
    });
    // The writer sees its own message come back with its reference.
    const echo = await sup.waitFor(messageWith('Please take a short break after this call'));
    expect(echo).toMatchObject({ data: { event: { clientRef: 'r1' } } });
    // agent2 (same process B) gets nothing of it.
    await new Promise((r) => setTimeout(r, 150));
    expect(a2.messages.some(messageWith('Please take a short break after this call'))).toBe(false);

    const row = await h.db.pool.query<{ body: string; to_kind: string; thread: string }>(
      'SELECT body, to_kind, thread_agent_id::text AS thread FROM talk_messages',
    );
    expect(row.rows).toEqual([
      { body: 'Please take a short break after this call', to_kind: 'agent', thread: agent1 },
    ]);
    expect(await auditActions(`agent:${agent1}`)).toContain('talk.send');
  });

  it('an agent reconnecting gets its recent thread in the snapshot, and reading it tells supervisors', async () => {
    const sup = await subscribed(urlA, tokens.supervisor);
    const a1 = await subscribed(urlB, tokens.agent);
    const snap = a1.messages.find(isType('snapshot'));
    const thread = snap?.data.talk?.messages ?? [];
    expect(thread.map((m) => m.text)).toContain('Please take a short break after this call');
    const last = thread[thread.length - 1];
    if (!last) throw new Error('no message');
    expect(last.readAtMs).toBeNull();
    // The supervisor's snapshot has it too.
    const supSnap = sup.messages.find(isType('snapshot'));
    expect(supSnap?.data.talk?.messages.map((m) => m.id)).toContain(last.id);

    a1.send('talk.read', { upToId: last.id });
    const read = await sup.waitFor(talkEvent('talk.read'));
    expect(read).toMatchObject({
      data: { event: { agentId: agent1, by: 'agent', readerId: agent1, upToId: last.id } },
    });
    const again = await subscribed(urlA, tokens.agent);
    const reread = again.messages.find(isType('snapshot'))?.data.talk?.messages ?? [];
    expect(reread.find((m) => m.id === last.id)?.readAtMs).toEqual(expect.any(Number));
  });

  it('an agent writes to the supervisors only; its message reaches every supervisor process', async () => {
    const supA = await subscribed(urlA, tokens.supervisor);
    const adminB = await subscribed(urlB, tokens.admin);
    const a1 = await subscribed(urlB, tokens.agent);
    a1.send('talk.send', { to: { kind: 'supervisors' }, text: 'Customer asks for a manager' });
    for (const c of [supA, adminB, a1]) {
      const e = await c.waitFor(messageWith('Customer asks for a manager'));
      expect(e).toMatchObject({
        data: { event: { message: { agentId: agent1, to: { kind: 'supervisors' } } } },
      });
    }
    const id = (
      (await supA.waitFor(messageWith('Customer asks for a manager'))) as {
        data: { event: { message: TalkMessage } };
      }
    ).data.event.message.id;
    // A supervisor reads the agent's thread: the agent's panel hears of it.
    supA.send('talk.read', { upToId: id, agentId: agent1 });
    await a1.waitFor(talkEvent('talk.read', (e: { by: string }) => e.by === 'supervisor'));

    // Anything else from an agent is refused, with a clear error naming the message.
    const seq = a1.send('talk.send', { to: { kind: 'agent', agentId: agent2 }, text: 'hi' });
    const err = await a1.waitFor(errorFor(seq));
    expect(err).toMatchObject({ data: { code: 'FORBIDDEN', replyTo: seq } });
    const seq2 = a1.send('talk.send', { to: { kind: 'team', teamId }, text: 'hi all' });
    expect(await a1.waitFor(errorFor(seq2))).toMatchObject({ data: { code: 'FORBIDDEN' } });
    // A supervisor does not write to "the supervisors".
    const seq3 = supA.send('talk.send', { to: { kind: 'supervisors' }, text: 'x' });
    expect(await supA.waitFor(errorFor(seq3))).toMatchObject({ data: { code: 'FORBIDDEN' } });
  });

  it('a team message reaches every agent of the team, on whichever process', async () => {
    const sup = await subscribed(urlA, tokens.supervisor);
    const a1 = await subscribed(urlA, tokens.agent);
    const a2 = await subscribed(urlB, tokens.agent2);
    sup.send('talk.send', { to: { kind: 'team', teamId }, text: 'Team huddle at 3' });
    for (const c of [a1, a2]) {
      const e = await c.waitFor(messageWith('Team huddle at 3'));
      expect(e).toMatchObject({
        data: { event: { message: { to: { kind: 'team', teamId }, agentId: null } } },
      });
    }
    const seq = sup.send('talk.send', { to: { kind: 'team', teamId: '999999' }, text: 'x' });
    expect(await sup.waitFor(errorFor(seq))).toMatchObject({ data: { code: 'NOT_FOUND' } });
  });

  it('a campaign message reaches the agents logged in to the campaign only', async () => {
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/login',
      headers: bearer(tokens.agent2),
      payload: { campaignId: h.campaignId },
    });
    expect(login.statusCode).toBe(200);
    const sup = await subscribed(urlB, tokens.supervisor);
    const a1 = await subscribed(urlA, tokens.agent);
    const a2 = await subscribed(urlA, tokens.agent2);
    sup.send('talk.send', {
      to: { kind: 'campaign', campaignId: h.campaignId },
      text: 'Spring offer ends today',
    });
    await a2.waitFor(messageWith('Spring offer ends today'));
    await sup.waitFor(messageWith('Spring offer ends today'));
    await new Promise((r) => setTimeout(r, 150));
    expect(a1.messages.some(messageWith('Spring offer ends today'))).toBe(false);
  });
});

describe('bad messages get a clear error and lose nothing', () => {
  it('refuses too long, empty and control-character text, keeps the socket working', async () => {
    const sup = await subscribed(urlA, tokens.supervisor);
    const to = { kind: 'agent', agentId: agent1 };
    const long = sup.send('talk.send', { to, text: 'x'.repeat(501) });
    const e1 = await sup.waitFor(errorFor(long));
    expect(e1).toMatchObject({ data: { code: 'VALIDATION' } });
    expect(JSON.stringify(e1)).toContain('at most 500 characters');
    const empty = sup.send('talk.send', { to, text: '   ' });
    expect(await sup.waitFor(errorFor(empty))).toMatchObject({ data: { code: 'VALIDATION' } });
    const ctl = sup.send('talk.send', { to, text: 'bell\u0007' });
    expect(await sup.waitFor(errorFor(ctl))).toMatchObject({ data: { code: 'VALIDATION' } });
    const extra = sup.send('talk.send', { to, text: 'x', html: '<b>x</b>' });
    expect(await sup.waitFor(errorFor(extra))).toMatchObject({ data: { code: 'VALIDATION' } });
    // The connection goes on: a ping is answered, and a good message after them is delivered
    // as the plain text it is (markup is text, never HTML).
    const ping = sup.send('ping', { nonce: 'still-here' });
    await sup.waitFor((m) => m.type === 'pong' && m.data.replyTo === ping);
    const a1 = await subscribed(urlB, tokens.agent);
    sup.send('talk.send', { to, text: '<img src=x onerror=alert(1)> 500 chars max' });
    await a1.waitFor(messageWith('<img src=x onerror=alert(1)> 500 chars max'));
  });

  it('limits the rate per user across both processes', async () => {
    const admA = await subscribed(urlA, tokens.admin);
    const admB = await subscribed(urlB, tokens.admin);
    const to = { kind: 'agent', agentId: agent2 };
    const seqs: Array<[TestClient, number]> = [];
    for (let i = 0; i < 8; i++) {
      const c = i % 2 === 0 ? admA : admB;
      seqs.push([c, c.send('talk.send', { to, text: `burst ${i}` })]);
    }
    await admA.waitFor(messageWith('burst 0'));
    // Until each of the eight has its outcome (stored, or refused with an error), however long the
    // two processes take on a busy machine; then exactly two must be the refused ones.
    const isRefused = ([c, s]: [TestClient, number]) => c.messages.some(errorFor(s));
    const storedCount = async () =>
      (await h.db.pool.query("SELECT 1 FROM talk_messages WHERE body LIKE 'burst %'")).rowCount;
    await waitFor(
      'every burst message stored or refused',
      async () => seqs.filter(isRefused).length + ((await storedCount()) ?? 0) >= seqs.length,
    );
    const refused = seqs.filter(isRefused);
    expect(refused.length).toBe(2);
    const err = refused[0] && refused[0][0].messages.find(errorFor(refused[0][1]));
    expect(err).toMatchObject({ data: { code: 'RATE_LIMITED' } });
    expect(await storedCount()).toBe(6);
  });
});

describe('raise hand', () => {
  it('an agent on B raises its hand, the wall on A sees it, a supervisor acknowledges it', async () => {
    const sup = await subscribed(urlA, tokens.supervisor);
    const a1 = await subscribed(urlB, tokens.agent);
    a1.send('talk.hand', { raised: true });
    const up = await sup.waitFor(talkEvent('talk.hand', (e: { raised: boolean }) => e.raised));
    expect(up).toMatchObject({ data: { event: { agentId: agent1, by: 'agent', raised: true } } });
    await a1.waitFor(talkEvent('talk.hand', (e: { raised: boolean }) => e.raised));
    // Raising it again changes nothing and publishes nothing.
    a1.send('talk.hand', { raised: true });
    // A new wall gets the raised hand in its snapshot.
    const wall = await subscribed(urlB, tokens.admin);
    expect(wall.messages.find(isType('snapshot'))?.data.talk?.hands).toEqual([
      { agentId: agent1, raisedAtMs: expect.any(Number) },
    ]);
    const own = await subscribed(urlA, tokens.agent);
    expect(own.messages.find(isType('snapshot'))?.data.talk?.hands).toHaveLength(1);
    const other = await subscribed(urlA, tokens.agent2);
    expect(other.messages.find(isType('snapshot'))?.data.talk?.hands).toEqual([]);

    // Nobody but the agent raises it; an agent lowers only its own.
    const s1 = sup.send('talk.hand', { raised: true, agentId: agent2 });
    expect(await sup.waitFor(errorFor(s1))).toMatchObject({ data: { code: 'FORBIDDEN' } });
    const s2 = other.send('talk.hand', { raised: false, agentId: agent1 });
    expect(await other.waitFor(errorFor(s2))).toMatchObject({ data: { code: 'FORBIDDEN' } });

    sup.send('talk.hand', { raised: false, agentId: agent1 });
    const down = await a1.waitFor(talkEvent('talk.hand', (e: { raised: boolean }) => !e.raised));
    expect(down).toMatchObject({
      data: { event: { by: 'supervisor', userId: h.users.supervisor.id } },
    });
    await new Promise((r) => setTimeout(r, 150));
    const ups = sup.messages.filter(talkEvent('talk.hand', (e: { raised: boolean }) => e.raised));
    expect(ups).toHaveLength(1);
    expect(await auditActions(`agent:${agent1}`)).toEqual(
      expect.arrayContaining(['talk.hand_raise', 'talk.hand_ack']),
    );
  });

  it('the agent lowers its own hand, and logging out lowers it too', async () => {
    const sup = await subscribed(urlB, tokens.supervisor);
    const a2 = await subscribed(urlA, tokens.agent2);
    a2.send('talk.hand', { raised: true });
    await sup.waitFor(talkEvent('talk.hand', (e: { raised: boolean }) => e.raised));
    a2.send('talk.hand', { raised: false });
    await sup.waitFor(
      talkEvent('talk.hand', (e: { raised: boolean; by: string }) => !e.raised && e.by === 'agent'),
    );
    const from = sup.messages.length;
    a2.send('talk.hand', { raised: true });
    await sup.waitFor(
      talkEvent('talk.hand', (e: { raised: boolean }) => e.raised),
      { from },
    );
    const out = await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/logout',
      headers: bearer(tokens.agent2),
    });
    expect(out.statusCode).toBe(200);
    await sup.waitFor(
      talkEvent(
        'talk.hand',
        (e: { raised: boolean; by: string }) => !e.raised && e.by === 'system',
      ),
      { from },
    );
    // Both api processes saw the logout; the hand went down once.
    await new Promise((r) => setTimeout(r, 200));
    const downs = sup.messages
      .slice(from)
      .filter(talkEvent('talk.hand', (e: { by: string }) => e.by === 'system'));
    expect(downs).toHaveLength(1);
  });
});
