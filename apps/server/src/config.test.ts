import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';

describe('loadConfig', () => {
  it('uses localhost defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/ringside');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.http.port).toBe(8080);
    expect(c.ari).toEqual([]);
  });

  it('names the variable and the problem in one line when a value is bad', () => {
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(
      /^configuration: HTTP_PORT is invalid/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL is invalid/);
  });

  it('has no public default session secret: unset means generated and kept in PostgreSQL', () => {
    expect(loadConfig({}).sessionSecret).toBeNull();
    expect(loadConfig({ NODE_ENV: 'production' }).sessionSecret).toBeNull();
    expect(loadConfig({ SESSION_SECRET: '' }).sessionSecret).toBeNull();
    const strong = 'q8Zr3vN1xK5pL0wT7yH2mB9cF4dG6jS_';
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: strong }).sessionSecret).toBe(
      strong,
    );
  });

  it('refuses to start with a weak session secret, in production and elsewhere', () => {
    for (const NODE_ENV of ['production', 'development']) {
      for (const SESSION_SECRET of [
        'dev-only-secret-change-me-0123456789abcdef',
        'short-but-random-9f8a',
        'x'.repeat(40),
        'abcabcabcabcabcabcabcabcabcabcabcabc',
      ]) {
        expect(() => loadConfig({ NODE_ENV, SESSION_SECRET })).toThrow(
          /^configuration: SESSION_SECRET is invalid/,
        );
      }
    }
  });

  it('reads TRUST_PROXY as Fastify trustProxy: off by default, hops, true or addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1' }).trustProxy).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      '::1',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.example.com' })).toThrow(
      /TRUST_PROXY is invalid/,
    );
  });

  it('parses several Asterisk servers from ARI_URL', () => {
    const c = loadConfig({ ARI_URL: 'http://pbx1:8088/ari, http://pbx2:8088/ari/' });
    expect(c.ari.map((s) => s.id)).toEqual(['pbx1:8088', 'pbx2:8088']);
    expect(c.ari[1]?.baseUrl).toBe('http://pbx2:8088/ari');
  });

  it('refuses an ARI_URL that is not http(s)', () => {
    expect(() => loadConfig({ ARI_URL: 'ws://pbx:8088' })).toThrow(/ARI_URL is invalid/);
  });
});

describe('loadConfig: the browser phones on a real Asterisk', () => {
  it('derives the SIP WebSocket and domain from the first ARI server; none on the simulated PBX', () => {
    expect(loadConfig({}).sip).toBeNull();
    const c = loadConfig({ ARI_URL: 'http://pbx1.example.com:8088/ari,http://pbx2:8088/ari' });
    expect(c.sip).toEqual({
      wsUri: 'wss://pbx1.example.com:8089/ws',
      domain: 'pbx1.example.com',
      iceServers: [],
    });
  });

  it('takes SIP_WSS_URL, SIP_DOMAIN and ICE_SERVERS; an empty value counts as unset', () => {
    const c = loadConfig({
      ARI_URL: 'http://asterisk:8088/ari',
      SIP_WSS_URL: 'wss://pbx.example.com/ws',
      SIP_DOMAIN: 'example.com',
      ICE_SERVERS: 'stun:stun.example.com:3478, turns:turn.example.com:5349?transport=tcp',
    });
    expect(c.sip).toEqual({
      wsUri: 'wss://pbx.example.com/ws',
      domain: 'example.com',
      iceServers: ['stun:stun.example.com:3478', 'turns:turn.example.com:5349?transport=tcp'],
    });
    const empty = loadConfig({
      ARI_URL: 'http://asterisk:8088/ari',
      SIP_WSS_URL: '',
      ICE_SERVERS: '',
    });
    expect(empty.sip?.wsUri).toBe('wss://asterisk:8089/ws');
    expect(empty.sip?.iceServers).toEqual([]);
  });

  it('takes TURN credentials: a REST API secret (12 h by default) or a static user', () => {
    const base = {
      ARI_URL: 'http://asterisk:8088/ari',
      ICE_SERVERS: 'stun:stun.example.com:3478,turns:turn.example.com:5349',
    };
    expect(loadConfig({ ...base, TURN_SECRET: 'a-secret-of-16-chars+' }).sip?.turn).toEqual({
      kind: 'rest',
      secret: 'a-secret-of-16-chars+',
      ttlS: 43_200,
    });
    expect(
      loadConfig({ ...base, TURN_SECRET: 'a-secret-of-16-chars+', TURN_TTL_S: '3600' }).sip?.turn,
    ).toMatchObject({ ttlS: 3600 });
    expect(
      loadConfig({ ...base, TURN_USERNAME: 'ringside', TURN_CREDENTIAL: 'pw' }).sip?.turn,
    ).toEqual({ kind: 'static', username: 'ringside', credential: 'pw' });
    expect(loadConfig({ ...base, TURN_SECRET: '' }).sip).not.toHaveProperty('turn');
  });

  it('refuses TURN settings that contradict each other or have no TURN URL to apply to', () => {
    const base = { ARI_URL: 'http://asterisk:8088/ari', ICE_SERVERS: 'turn:turn.example.com' };
    expect(() =>
      loadConfig({ ...base, TURN_SECRET: 'a-secret-of-16-chars+', TURN_USERNAME: 'u' }),
    ).toThrow(/TURN_SECRET is invalid \(set it or TURN_USERNAME\/TURN_CREDENTIAL, not both\)/);
    expect(() => loadConfig({ ...base, TURN_USERNAME: 'u' })).toThrow(
      /TURN_CREDENTIAL is invalid \(TURN_USERNAME and TURN_CREDENTIAL go together\)/,
    );
    expect(() => loadConfig({ ...base, TURN_SECRET: 'short' })).toThrow(
      /TURN_SECRET is invalid \(must be at least 16 characters\)/,
    );
    expect(() => loadConfig({ ...base, TURN_TTL_S: '10' })).toThrow(/TURN_TTL_S is invalid/);
    expect(() =>
      loadConfig({
        ARI_URL: 'http://asterisk:8088/ari',
        ICE_SERVERS: 'stun:stun.example.com:3478',
        TURN_SECRET: 'a-secret-of-16-chars+',
      }),
    ).toThrow(
      /TURN_SECRET is invalid \(ICE_SERVERS has no turn: or turns: URL for it to apply to\)/,
    );
  });

  it('refuses a SIP_WSS_URL that is not ws(s), a bad SIP_DOMAIN and ICE_SERVERS that are not STUN/TURN', () => {
    expect(() => loadConfig({ SIP_WSS_URL: 'https://pbx/ws' })).toThrow(/SIP_WSS_URL is invalid/);
    expect(() => loadConfig({ SIP_DOMAIN: 'pbx example' })).toThrow(/SIP_DOMAIN is invalid/);
    expect(() => loadConfig({ ICE_SERVERS: 'stun:a:3478,http://b' })).toThrow(
      /ICE_SERVERS is invalid \(must be comma-separated stun:/,
    );
  });
});

describe('loadConfig: metrics', () => {
  it('defaults to a loopback listener on 9464 with no token, and port 0 turns it off', () => {
    expect(loadConfig({}).metrics).toEqual({ host: '127.0.0.1', port: 9464, token: null });
    expect(loadConfig({ METRICS_PORT: '0' }).metrics.port).toBe(0);
    expect(loadConfig({ METRICS_TOKEN: '' }).metrics.token).toBeNull();
    expect(loadConfig({ METRICS_TOKEN: 'a-metrics-token-0123' }).metrics.token).toBe(
      'a-metrics-token-0123',
    );
  });

  it('names METRICS_PORT and METRICS_TOKEN when they are bad', () => {
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT is invalid/);
    expect(() => loadConfig({ METRICS_PORT: 'abc' })).toThrow(/METRICS_PORT is invalid/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(
      /METRICS_TOKEN is invalid \(must be at least 16 characters\)/,
    );
  });
});
