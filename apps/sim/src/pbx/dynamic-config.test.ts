import { describe, expect, it } from 'vitest';
import { checkRequest, checkResponse, formatIssues } from '@ringside/ari';
import { SimDynamicConfig } from './dynamic-config.js';

const base = '/asterisk/config/dynamic';

/** Sends one request through the store and checks request and answer against the description. */
function send(cfg: SimDynamicConfig, method: string, path: string, body?: unknown) {
  const req = checkRequest(method, `${base}/${path}`, undefined, body);
  expect(req.ok, formatIssues(req)).toBe(true);
  const reply = cfg.handle(method, path.split('/'), body === undefined ? '' : JSON.stringify(body));
  const res = checkResponse(method, `${base}/${path}`, reply.status, reply.body);
  expect(res.ok, formatIssues(res)).toBe(true);
  return reply;
}

describe('simulated dynamic configuration', () => {
  it('creates an object, returns its ConfigTuple list, updates named attributes, deletes it', () => {
    const cfg = new SimDynamicConfig();
    const created = send(cfg, 'PUT', 'res_pjsip/auth/agent7', {
      fields: [
        { attribute: 'auth_type', value: 'userpass' },
        { attribute: 'username', value: 'agent7' },
        { attribute: 'password', value: 'one' },
      ],
    });
    expect(created.status).toBe(200);
    const updated = send(cfg, 'PUT', 'res_pjsip/auth/agent7', {
      fields: [{ attribute: 'password', value: 'two' }],
    });
    expect(updated.body).toEqual([
      { attribute: 'auth_type', value: 'userpass' },
      { attribute: 'username', value: 'agent7' },
      { attribute: 'password', value: 'two' },
    ]);
    expect(send(cfg, 'GET', 'res_pjsip/auth/agent7').body).toEqual(updated.body);
    expect(send(cfg, 'DELETE', 'res_pjsip/auth/agent7').status).toBe(204);
    expect(cfg.object('res_pjsip', 'auth', 'agent7')).toBeNull();
  });

  it('answers 404 for an unknown class, type or object, as Asterisk words it', () => {
    const cfg = new SimDynamicConfig();
    expect(send(cfg, 'GET', 'res_nope/auth/a').body).toEqual({
      message: "configClass 'res_nope' not found",
    });
    expect(send(cfg, 'PUT', 'res_pjsip/nope/a', { fields: [] }).body).toEqual({
      message: "objectType 'nope' not found",
    });
    expect(send(cfg, 'GET', 'res_pjsip/aor/a')).toEqual({
      status: 404,
      body: { message: "Object with id 'a' not found" },
    });
    expect(send(cfg, 'DELETE', 'res_pjsip/aor/a').status).toBe(404);
  });

  it('refuses an unknown attribute or a non-string value (400) and changes nothing', () => {
    const cfg = new SimDynamicConfig();
    send(cfg, 'PUT', 'res_pjsip/aor/a', { fields: [{ attribute: 'max_contacts', value: '1' }] });
    const bad = send(cfg, 'PUT', 'res_pjsip/aor/a', {
      fields: [
        { attribute: 'max_contacts', value: '2' },
        { attribute: 'max_contact', value: '1' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(cfg.object('res_pjsip', 'aor', 'a')).toEqual([
      { attribute: 'max_contacts', value: '1' },
    ]);
    // An update needs fields; a creation does not.
    expect(send(cfg, 'PUT', 'res_pjsip/aor/a', {}).status).toBe(400);
    expect(send(cfg, 'PUT', 'res_pjsip/aor/b', {}).status).toBe(200);
    const raw = cfg.handle('PUT', ['res_pjsip', 'aor', 'c'], '{"fields":[{"attribute":"x"}]}');
    expect(raw.status).toBe(400);
  });

  it('reads objects of the static configuration but refuses to change or delete them (403)', () => {
    const cfg = new SimDynamicConfig([
      {
        configClass: 'res_pjsip',
        objectType: 'auth',
        id: 'agent1',
        fields: [{ attribute: 'username', value: 'agent1' }],
      },
    ]);
    expect(send(cfg, 'GET', 'res_pjsip/auth/agent1').status).toBe(200);
    const put = send(cfg, 'PUT', 'res_pjsip/auth/agent1', {
      fields: [{ attribute: 'password', value: 'x' }],
    });
    expect(put).toEqual({
      status: 403,
      body: { message: "Cannot update sorcery objects of type 'auth'" },
    });
    expect(send(cfg, 'DELETE', 'res_pjsip/auth/agent1').status).toBe(403);
    expect(cfg.object('res_pjsip', 'auth', 'agent1')).toEqual([
      { attribute: 'username', value: 'agent1' },
    ]);
  });
});
