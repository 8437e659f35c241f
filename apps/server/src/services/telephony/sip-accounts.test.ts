import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ConfigTuple } from '@ringside/ari';
import { TelephonyError } from '../../ports/telephony-errors.js';
import { ConflictError } from '../../errors.js';
import {
  SIP_PASSWORD_BYTES,
  SipAccountService,
  newSipPassword,
  sipEndpointId,
  softphoneAccount,
  turnCredentials,
  webrtcAgentObjects,
  WEBRTC_AGENT_ENDPOINT,
} from './sip-accounts.js';
import type { DynamicConfigAri } from '../../ports/telephony.js';

const settings = {
  wsUri: 'wss://pbx.example.com:8089/ws',
  domain: 'pbx.example.com',
  iceServers: ['stun:stun.example.com:3478'],
};

const value = (fields: ConfigTuple[], attribute: string) =>
  fields.filter((f) => f.attribute === attribute).map((f) => f.value);

describe('webrtcAgentObjects', () => {
  it('writes auth, aor, then the endpoint naming both, with the webrtc-agent template options', () => {
    const objs = webrtcAgentObjects('agent7', 'secret-1');
    expect(objs.map((o) => `${o.objectType}/${o.id}`)).toEqual([
      'auth/agent7',
      'aor/agent7',
      'endpoint/agent7',
    ]);
    const [auth, aor, endpoint] = objs.map((o) => o.fields);
    expect(auth).toEqual([
      { attribute: 'auth_type', value: 'userpass' },
      { attribute: 'username', value: 'agent7' },
      { attribute: 'password', value: 'secret-1' },
    ]);
    expect(value(aor ?? [], 'max_contacts')).toEqual(['1']);
    expect(value(aor ?? [], 'remove_existing')).toEqual(['yes']);
    const ep = endpoint ?? [];
    for (const [k, v] of [
      ['webrtc', 'yes'],
      ['context', 'agents'],
      ['transport', 'transport-wss'],
      ['media_encryption', 'dtls'],
      ['dtls_auto_generate_cert', 'yes'],
      ['ice_support', 'yes'],
      ['auth', 'agent7'],
      ['aors', 'agent7'],
    ] as const) {
      expect(value(ep, k), k).toEqual([v]);
    }
    // The password is in the auth only.
    expect(JSON.stringify([aor, endpoint])).not.toContain('secret-1');
  });

  it('allows G.711 first (ulaw, alaw) and no Opus by default; Opus only appended when given', () => {
    const allow = (codecs?: string[]) =>
      value(webrtcAgentObjects('agent7', 'pw', codecs)[2]?.fields ?? [], 'allow');
    expect(allow()).toEqual(['ulaw,alaw']);
    expect(allow([])).toEqual(['ulaw,alaw']);
    expect(allow(['ulaw', 'alaw', 'opus'])).toEqual(['ulaw,alaw,opus']);
    expect(value([...WEBRTC_AGENT_ENDPOINT], 'allow')).toEqual(['ulaw,alaw']);
  });
});

describe('sipEndpointId', () => {
  it('is the username; anything a username cannot be is refused', () => {
    expect(sipEndpointId('agent7')).toBe('agent7');
    for (const bad of ['a', 'Agent7', 'a b', 'a/b', 'a@b', '', 'x'.repeat(65)]) {
      expect(() => sipEndpointId(bad), bad).toThrow(TypeError);
    }
  });
});

describe('newSipPassword', () => {
  it('is 24 base64url characters (144 random bits) taken from the random source', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 18, maxLength: 18 }), (bytes) => {
        const pw = newSipPassword((n) => {
          expect(n).toBe(SIP_PASSWORD_BYTES);
          return Buffer.from(bytes);
        });
        expect(pw).toMatch(/^[A-Za-z0-9_-]{24}$/);
        expect(Buffer.from(pw, 'base64url')).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('differs every time from the real source', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => newSipPassword()));
    expect(seen.size).toBe(1000);
  });
});

describe('softphoneAccount', () => {
  it('names the user at the SIP domain, the login extension and the ICE servers', () => {
    expect(softphoneAccount(settings, 'agent7', 'pw', 0)).toEqual({
      wsUri: 'wss://pbx.example.com:8089/ws',
      uri: 'sip:agent7@pbx.example.com',
      password: 'pw',
      loginExten: 'login',
      iceServers: [{ urls: 'stun:stun.example.com:3478' }],
    });
  });

  const withTurn = {
    ...settings,
    iceServers: [
      'stun:stun.example.com:3478',
      'turn:turn.example.com:3478',
      'turns:turn.example.com:5349?transport=tcp',
    ],
  };
  const NOW = 1_790_000_000_123;

  it('gives the TURN URLs time-limited credentials derived from the shared secret (TURN REST API)', () => {
    const turn = { kind: 'rest' as const, secret: 'a-secret-shared-with-coturn', ttlS: 43_200 };
    const ice = softphoneAccount({ ...withTurn, turn }, 'agent7', 'pw', NOW).iceServers;
    const username = `${1_790_000_000 + 43_200}:agent7`;
    expect(ice).toEqual([
      { urls: 'stun:stun.example.com:3478' },
      {
        urls: ['turn:turn.example.com:3478', 'turns:turn.example.com:5349?transport=tcp'],
        username,
        // What coturn computes to check it (use-auth-secret): base64 HMAC-SHA1 of the username.
        credential: createHmac('sha1', 'a-secret-shared-with-coturn')
          .update(username)
          .digest('base64'),
      },
    ]);
    // Another agent, or the same one later, gets other credentials; the secret never leaves.
    expect(turnCredentials(turn, 'agent8', NOW)).not.toEqual(turnCredentials(turn, 'agent7', NOW));
    expect(turnCredentials(turn, 'agent7', NOW + 60_000).username).toBe(
      `${1_790_000_060 + 43_200}:agent7`,
    );
    expect(JSON.stringify(ice)).not.toContain('a-secret-shared-with-coturn');
  });

  it('gives the TURN URLs a static user when configured so, and STUN URLs no credentials', () => {
    const turn = { kind: 'static' as const, username: 'ringside', credential: 'pw2' };
    expect(softphoneAccount({ ...withTurn, turn }, 'agent7', 'pw', NOW).iceServers).toEqual([
      { urls: 'stun:stun.example.com:3478' },
      {
        urls: ['turn:turn.example.com:3478', 'turns:turn.example.com:5349?transport=tcp'],
        username: 'ringside',
        credential: 'pw2',
      },
    ]);
    // Without credentials configured, every URL is passed as given.
    expect(softphoneAccount(withTurn, 'agent7', 'pw', NOW).iceServers).toEqual(
      withTurn.iceServers.map((urls) => ({ urls })),
    );
  });
});

/** A fake of the ARI port: records the writes, fails where told. */
function fakeAri(fail?: (objectType: string) => TelephonyError | null): DynamicConfigAri & {
  puts: Array<{ objectType: string; id: string; fields: ReadonlyArray<ConfigTuple> }>;
  deletes: string[];
} {
  const puts: Array<{ objectType: string; id: string; fields: ReadonlyArray<ConfigTuple> }> = [];
  const deletes: string[] = [];
  return {
    puts,
    deletes,
    async putConfigObject(_c, objectType, id, fields) {
      await Promise.resolve();
      const err = fail?.(objectType);
      if (err) throw err;
      puts.push({ objectType, id, fields });
      return fields;
    },
    async deleteConfigObject(_c, objectType, id) {
      await Promise.resolve();
      deletes.push(`${objectType}/${id}`);
      if (objectType === 'aor') throw new TelephonyError(404, 'gone', 'asterisk.deleteObject');
    },
  };
}

function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

describe('SipAccountService', () => {
  const user = { id: '7', username: 'agent7' };

  it('writes a fresh password on every request and returns it, never logging it', async () => {
    const ari = fakeAri();
    const { logger, lines } = capturedLogger();
    const svc = new SipAccountService({ ari, settings, logger });
    const first = await svc.account(user);
    const second = await svc.account(user);
    expect(second.password).not.toBe(first.password);
    expect(ari.puts).toHaveLength(6);
    const authPasswords = ari.puts
      .filter((p) => p.objectType === 'auth')
      .map((p) => value([...p.fields], 'password')[0]);
    expect(authPasswords).toEqual([first.password, second.password]);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(first.password);
    expect(lines.join('')).not.toContain(second.password);
  });

  it('writes the endpoint with the codecs it is given (Opus where Asterisk runs codec_opus)', async () => {
    const ari = fakeAri();
    const svc = new SipAccountService({
      ari,
      settings,
      logger: pino({ level: 'silent' }),
      codecs: () => Promise.resolve(['ulaw', 'alaw', 'opus']),
    });
    await svc.account(user);
    const endpoint = ari.puts.find((p) => p.objectType === 'endpoint');
    expect(value([...(endpoint?.fields ?? [])], 'allow')).toEqual(['ulaw,alaw,opus']);
    // A failing codec source leaves the template's G.711.
    const ari2 = fakeAri();
    await new SipAccountService({
      ari: ari2,
      settings,
      logger: pino({ level: 'silent' }),
      codecs: () => Promise.reject(new Error('ari down')),
    }).account(user);
    const ep2 = ari2.puts.find((p) => p.objectType === 'endpoint');
    expect(value([...(ep2?.fields ?? [])], 'allow')).toEqual(['ulaw,alaw']);
  });

  it('runs two requests of one user one after the other: the last answer holds the live password', async () => {
    const ari = fakeAri();
    let n = 0;
    const svc = new SipAccountService({
      ari,
      settings,
      logger: pino({ level: 'silent' }),
      newPassword: () => `pw${++n}`,
    });
    const [a, b] = await Promise.all([svc.account(user), svc.account(user)]);
    expect([a.password, b.password]).toEqual(['pw1', 'pw2']);
    expect(
      ari.puts.map((p) => `${p.objectType}:${value([...p.fields], 'password')[0] ?? ''}`),
    ).toEqual(['auth:pw1', 'aor:', 'endpoint:', 'auth:pw2', 'aor:', 'endpoint:']);
  });

  it('turns a 403 (static endpoint, or no writable backend) into a conflict that says why', async () => {
    const ari = fakeAri((t) =>
      t === 'auth'
        ? new TelephonyError(403, "Cannot update sorcery objects of type 'auth'", 'x')
        : null,
    );
    const svc = new SipAccountService({ ari, settings, logger: pino({ level: 'silent' }) });
    const err = await svc.account(user).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/pjsip\.conf.*sorcery\.conf/);
    expect(ari.puts).toEqual([]);
    // Other ARI failures pass through unchanged (503/502 mapping of TelephonyError).
    const down = new SipAccountService({
      ari: fakeAri(() => new TelephonyError(0, 'no response', 'x')),
      settings,
      logger: pino({ level: 'silent' }),
    });
    await expect(down.account(user)).rejects.toBeInstanceOf(TelephonyError);
  });

  it('remove deletes endpoint, aor and auth, and takes one already gone in its stride', async () => {
    const ari = fakeAri();
    const svc = new SipAccountService({ ari, settings, logger: pino({ level: 'silent' }) });
    await svc.remove(user);
    expect(ari.deletes).toEqual(['endpoint/agent7', 'aor/agent7', 'auth/agent7']);
  });
});
