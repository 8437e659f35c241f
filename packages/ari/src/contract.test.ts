import { describe, expect, it } from 'vitest';
import {
  checkEvent,
  checkRequest,
  checkResponse,
  findOperation,
  formatIssues,
} from './contract.js';
import { parseAriEvent } from './parse-event.js';

const channel = {
  id: 'call-1',
  name: 'Local/5551230001@sim-customers-00000001;1',
  state: 'Up',
  protocol_id: '',
  caller: { name: '', number: '' },
  connected: { name: '', number: '' },
  accountcode: '',
  dialplan: {
    context: 'dialer-outbound',
    exten: 's',
    priority: 3,
    app_name: 'Stasis',
    app_data: 'dialer,amd',
  },
  creationtime: '2026-11-24T20:27:24.272+0000',
  language: 'en',
};
const stasisStart = {
  type: 'StasisStart',
  timestamp: '2026-11-24T20:27:25.000+0000',
  args: ['amd', 'HUMAN', 'HUMAN-801-800'],
  channel,
  asterisk_id: '02:fc:00:00:00:01',
  application: 'dialer',
};

describe('findOperation', () => {
  it('prefers a literal segment over a path parameter', () => {
    expect(findOperation('POST', '/channels/create')?.operation.id).toBe('channels.create');
    expect(findOperation('POST', '/channels/abc')?.operation.id).toBe('channels.originateWithId');
  });
  it('accepts the /ari prefix and extracts path parameters', () => {
    const m = findOperation('POST', '/ari/bridges/b-1/addChannel');
    expect(m?.operation.id).toBe('bridges.addChannel');
    expect(m?.pathParams).toEqual({ bridgeId: 'b-1' });
  });
  it('finds nothing for an unknown path or method', () => {
    expect(findOperation('GET', '/channels/a/b/c/d')).toBeNull();
    expect(findOperation('PATCH', '/channels')).toBeNull();
  });
});

describe('checkRequest', () => {
  it('accepts an originate as the dialer sends it', () => {
    const r = checkRequest('POST', '/channels', {
      endpoint: 'Local/5551230001@sim-customers',
      context: 'dialer-outbound',
      extension: 's',
      priority: '1',
      channelId: 'c1',
      otherChannelId: 'c1-2',
      timeout: '30',
    });
    expect(r.issues).toEqual([]);
    expect(r.subject).toBe('channels.originate');
  });
  it('reports a missing required parameter', () => {
    const r = checkRequest('POST', '/channels', {});
    expect(r.ok).toBe(false);
    expect(r.issues).toContainEqual({
      where: 'query.endpoint',
      message: 'required by channels.originate',
    });
  });
  it('reports an unknown parameter, a wrong type and a value outside the allowable list', () => {
    const r = checkRequest('DELETE', '/channels/c1', { reason: 'bored', channelID: 'x' });
    expect(r.issues.map((i) => i.where).sort()).toEqual(['query.channelID', 'query.reason']);
    const t = checkRequest('POST', '/channels', { endpoint: 'PJSIP/a', timeout: 'soon' });
    expect(t.issues).toEqual([
      { where: 'query.timeout', message: 'must be an integer, got "soon"' },
    ]);
  });
  it('checks each value of a multi-valued parameter and ranges', () => {
    expect(checkRequest('POST', '/channels/c1/play', { media: 'sound:a,sound:b' }).ok).toBe(true);
    expect(
      checkRequest('POST', '/bridges/b1/play', { media: ['sound:a'], skipms: '-1' }).issues,
    ).toEqual([{ where: 'query.skipms', message: 'must be >= 0, got -1' }]);
    expect(checkRequest('GET', '/asterisk/info', { only: 'build,bogus' }).ok).toBe(false);
  });
  it('accepts variables in the body and query parameters given in the body', () => {
    const r = checkRequest('POST', '/channels', undefined, {
      endpoint: 'PJSIP/agent1',
      variables: { CALL_ID: 'c1', X: { value: 'y', report_events: true } },
    });
    expect(r.issues).toEqual([]);
    expect(checkRequest('POST', '/channels/c1/answer', undefined, { x: 1 }).ok).toBe(false);
  });
  it('reads a query string in the path', () => {
    expect(checkRequest('POST', '/bridges/b1/addChannel?channel=c1').ok).toBe(true);
    expect(checkRequest('POST', '/bridges/b1/addChannel?role=x').ok).toBe(false);
  });
});

describe('dynamic configuration (asterisk.updateObject)', () => {
  const path = '/asterisk/config/dynamic/res_pjsip/auth/agent7';
  it('accepts fields as the list of ConfigTuple Asterisk reads', () => {
    const r = checkRequest('PUT', path, undefined, {
      fields: [
        { attribute: 'auth_type', value: 'userpass' },
        { attribute: 'username', value: 'agent7' },
      ],
    });
    expect(r.ok, formatIssues(r)).toBe(true);
    expect(r.subject).toBe('asterisk.updateObject');
  });
  it('rejects fields as an object, a tuple without a value and a value that is not a string', () => {
    expect(checkRequest('PUT', path, undefined, { fields: { username: 'agent7' } }).ok).toBe(false);
    const noValue = checkRequest('PUT', path, undefined, { fields: [{ attribute: 'username' }] });
    expect(noValue.issues.map((i) => i.where)).toEqual(['body.fields[0].value']);
    const num = checkRequest('PUT', path, undefined, {
      fields: [{ attribute: 'max_contacts', value: 1 }],
    });
    expect(num.issues.map((i) => i.where)).toEqual(['body.fields[0].value']);
  });
  it('checks the answers: a ConfigTuple list, 204 for a delete, a message for 404', () => {
    const tuples = [{ attribute: 'username', value: 'agent7' }];
    expect(checkResponse('GET', path, 200, tuples).ok).toBe(true);
    expect(checkResponse('PUT', path, 200, [{ attribute: 'username' }]).ok).toBe(false);
    expect(checkResponse('DELETE', path, 204, undefined).ok).toBe(true);
    expect(
      checkResponse('GET', path, 404, { message: "Object with id 'agent7' not found" }).ok,
    ).toBe(true);
  });
});

describe('checkEvent', () => {
  it('accepts a StasisStart as Asterisk sends it', () => {
    expect(checkEvent(stasisStart).issues).toEqual([]);
  });
  it('reports a missing required field, a bad enum and a bad timestamp inside the channel', () => {
    const bad = {
      ...stasisStart,
      args: undefined,
      timestamp: 'yesterday',
      channel: { ...channel, state: 'Talking' },
    };
    const wheres = checkEvent(bad)
      .issues.map((i) => i.where)
      .sort();
    expect(wheres).toEqual(['event.args', 'event.channel.state', 'event.timestamp']);
  });
  it('reports invented fields unless allowed', () => {
    const extra = { ...stasisStart, callId: 'c1' };
    expect(checkEvent(extra).issues).toEqual([
      { where: 'event.callId', message: 'not a property of StasisStart' },
    ]);
    expect(checkEvent(extra, { allowUnknownProperties: true }).ok).toBe(true);
  });
  it('rejects an unknown event type', () => {
    expect(checkEvent({ type: 'ChannelExploded' }).ok).toBe(false);
  });
});

describe('checkResponse', () => {
  it('checks a 2xx body against the response class and void operations for no body', () => {
    expect(checkResponse('POST', '/channels', 200, channel).ok).toBe(true);
    expect(checkResponse('POST', '/channels', 200, { id: 'x' }).ok).toBe(false);
    expect(checkResponse('GET', '/channels', 200, [channel]).ok).toBe(true);
    expect(checkResponse('POST', '/channels/c1/answer', 204, undefined).ok).toBe(true);
  });
  it('wants a message in an error body', () => {
    expect(checkResponse('GET', '/channels/x', 404, { message: 'Channel not found' }).ok).toBe(
      true,
    );
    expect(checkResponse('GET', '/channels/x', 404, 'nope').ok).toBe(false);
  });
});

describe('parseAriEvent', () => {
  it('returns the typed event when valid', () => {
    const r = parseAriEvent(stasisStart);
    expect(r.ok && r.event.type === 'StasisStart' && r.event.args).toEqual([
      'amd',
      'HUMAN',
      'HUMAN-801-800',
    ]);
  });
  it('keeps unknown fields a newer Asterisk may add', () => {
    const r = parseAriEvent({ ...stasisStart, future: 1 });
    expect(r.ok).toBe(true);
  });
  it('gives a reason that names fields, never values', () => {
    const r = parseAriEvent({
      ...stasisStart,
      channel: { ...channel, caller: { name: 'Ann', number: 5551234 } },
    });
    expect(r).toEqual({
      ok: false,
      type: 'StasisStart',
      reason: 'channel.caller.number: invalid_type',
    });
    expect(parseAriEvent('x')).toEqual({ ok: false, type: null, reason: 'not a JSON object' });
    expect(parseAriEvent({ type: 'Nope' })).toMatchObject({
      ok: false,
      reason: 'unknown event type',
    });
  });
});
