import { describe, expect, it } from 'vitest';
import type { AgentId, CampaignId } from '@ringside/protocol';
import { ManualClock } from '../../ports/clock.js';
import { MemoryStateStore } from '../../ports/fakes/memory-state-store.js';
import { TelephonyError } from '../../ports/telephony-errors.js';
import { AgentSessionService } from '../agents/agent-session.js';
import {
  agentOfEndpoint,
  phoneDialString,
  phoneFailureOf,
  PhoneUnreachableError,
} from './agent-phone.js';

describe('agentOfEndpoint', () => {
  const users = [
    { id: '1', username: 'alice', active: true, sipEndpoint: null },
    { id: '2', username: 'bob', active: false, sipEndpoint: null },
    { id: '3', username: 'carol', active: true, sipEndpoint: 'PJSIP/desk7' },
  ];
  const repo = {
    findByUsername: async (u: string) => users.find((x) => x.username === u) ?? null,
    list: async (f: { active: boolean }) => users.filter((x) => x.active === f.active),
  };

  it('finds the active, logged-in user by username or by sip_endpoint; nobody otherwise', async () => {
    const store = new MemoryStateStore();
    const sessions = new AgentSessionService({
      store,
      log: { record: async () => undefined },
      clock: new ManualClock(1_000),
    });
    const resolve = agentOfEndpoint(repo, store);
    expect(await resolve('alice')).toBeNull(); // not logged in
    for (const id of ['1', '2', '3'])
      await sessions.apply(id as AgentId, { type: 'login', campaignId: '1' as CampaignId }, 'a');
    expect(await resolve('alice')).toBe('1');
    expect(await resolve('PJSIP/alice')).toBe('1');
    expect(await resolve('bob')).toBeNull(); // inactive
    expect(await resolve('desk7')).toBe('3');
    expect(await resolve('nobody')).toBeNull();
  });
});

describe('phoneDialString', () => {
  it('dials users.sip_endpoint when set (any Tech/resource as is, a bare name as PJSIP/<name>), else PJSIP/<username>', () => {
    const u = (sipEndpoint: string | null) => phoneDialString({ username: 'agent7', sipEndpoint });
    expect(u(null)).toBe('PJSIP/agent7');
    expect(u('  ')).toBe('PJSIP/agent7');
    expect(u('PJSIP/desk-104')).toBe('PJSIP/desk-104');
    expect(u('PJSIP/104@pbx')).toBe('PJSIP/104@pbx');
    expect(u('Local/104@phones')).toBe('Local/104@phones');
    expect(u('desk-104')).toBe('PJSIP/desk-104');
    // A SIP URI is no dial string without an endpoint.
    expect(u('sip:104@pbx.example.com')).toBeNull();
  });
});

describe('phoneFailureOf', () => {
  it('tells a phone Asterisk does not know from one that does not answer, rejects, or an unreachable server', () => {
    const e = (status: number, msg = '') => new TelephonyError(status, msg, 'channels.originate');
    expect(phoneFailureOf(e(500, 'Allocation failed'))).toBe('no_such_phone');
    expect(phoneFailureOf(e(400, 'Invalid endpoint'))).toBe('no_such_phone');
    expect(phoneFailureOf(e(422))).toBe('no_answer');
    expect(phoneFailureOf(e(409))).toBe('no_answer');
    expect(phoneFailureOf(e(404))).toBe('rejected');
    expect(phoneFailureOf(e(0, 'connect ECONNREFUSED'))).toBe('unreachable');
    expect(phoneFailureOf(new Error('x'))).toBe('failed');
    const err = new PhoneUnreachableError('no_such_phone');
    expect(err.httpStatus).toBe(409);
    expect(err.code).toBe('PHONE_UNREACHABLE');
    expect(err.message).toContain('Allocation failed');
  });
});
