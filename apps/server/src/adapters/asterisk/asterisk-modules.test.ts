import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRestClient } from './ari-client.js';
import {
  AsteriskModules,
  assessModules,
  checkModulesAtStart,
  phoneCodecs,
  REQUIRED_MODULES,
  type ModulesAri,
} from './asterisk-modules.js';
import { TelephonyHealth } from './telephony-health.js';

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(l) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

const running = (names: string[]) =>
  names.map((n) => ({ name: `${n}.so`, description: n, use_count: 0, status: 'Running' }));
const ALL = REQUIRED_MODULES.map((m) => m.name);
const server = { id: 'ast1', baseUrl: 'http://127.0.0.1:8088/ari' };

describe('assessModules', () => {
  it('finds nothing missing when every needed module runs, and offers G.711 only without codec_opus', () => {
    const r = assessModules('ast1', running(ALL), 5);
    expect(r).toMatchObject({ checked: true, missing: [], opus: false, fault: null });
    expect(r.codecs).toEqual(['ulaw', 'alaw']);
  });

  it('names the missing modules; a module not running counts as missing; names with or without .so', () => {
    const mods = running(ALL.filter((n) => n !== 'res_stasis_snoop' && n !== 'codec_alaw'));
    mods.push({ name: 'codec_alaw', description: '', use_count: 0, status: 'Not Running' });
    const r = assessModules('ast1', mods, 5);
    expect(r.missing).toEqual(['res_stasis_snoop', 'codec_alaw']);
    expect(
      assessModules(
        'ast1',
        ALL.map((name) => ({ name, status: 'Running' })),
        5,
      ).missing,
    ).toEqual([]);
  });

  it('offers Opus, after G.711, only when codec_opus runs', () => {
    expect(assessModules('ast1', running([...ALL, 'codec_opus']), 5).codecs).toEqual([
      'ulaw',
      'alaw',
      'opus',
    ]);
    const stopped = [
      ...running(ALL),
      { name: 'codec_opus.so', description: '', use_count: 0, status: 'Not Running' },
    ];
    expect(assessModules('ast1', stopped, 5).opus).toBe(false);
    expect(phoneCodecs(false)).toEqual(['ulaw', 'alaw']);
  });
});

describe('AsteriskModules', () => {
  const fixed = (mods: string[]): ModulesAri & { calls: number } => {
    const ari = {
      calls: 0,
      listModules: () => {
        ari.calls++;
        return Promise.resolve(running(mods));
      },
    };
    return ari;
  };

  it('checks once per server for every role of the process and says in ONE line what is missing', async () => {
    const { logger, lines } = capturedLogger();
    const m = new AsteriskModules(() => 7);
    const ari = fixed(ALL.filter((n) => n !== 'app_amd' && n !== 'bridge_softmix'));
    const [a, b] = await Promise.all([m.check(server, ari, logger), m.check(server, ari, logger)]);
    await m.check(server, ari, logger);
    expect(ari.calls).toBe(1);
    expect(a).toBe(b);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe(40);
    expect(String(lines[0]?.msg)).toContain('app_amd (answering-machine detection)');
    expect(String(lines[0]?.msg)).toContain('bridge_softmix');
    expect(lines[0]?.missing).toEqual(['app_amd', 'bridge_softmix']);
    expect(await m.codecsFor('ast1')).toEqual(['ulaw', 'alaw']);
  });

  it('logs again on a re-check only when the answer changed', async () => {
    const { logger, lines } = capturedLogger();
    const m = new AsteriskModules();
    let mods = ALL;
    const ari: ModulesAri = { listModules: () => Promise.resolve(running(mods)) };
    await m.check(server, ari, logger);
    await m.recheck('ast1', logger);
    expect(lines).toHaveLength(1);
    mods = [...ALL, 'codec_opus'];
    await m.recheck('ast1', logger);
    expect(lines).toHaveLength(2);
    expect(await m.codecsFor('ast1')).toEqual(['ulaw', 'alaw', 'opus']);
    expect(m.recheck('other', logger)).toBeNull();
  });

  it('G.711 alone for a server never checked', async () => {
    expect(await new AsteriskModules().codecsFor('nowhere')).toEqual(['ulaw', 'alaw']);
  });
});

describe('faults: one line naming the cause, no password, nothing thrown', () => {
  let srv: http.Server;
  let port = 0;
  beforeAll(async () => {
    srv = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== `Basic ${Buffer.from('ringside:right').toString('base64')}`)
        res.writeHead(401).end(JSON.stringify({ message: 'Authentication required' }));
      else res.end(JSON.stringify(running(ALL)));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    port = (srv.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => srv.close(() => r())));

  it('wrong ARI credentials', async () => {
    const { logger, lines } = capturedLogger();
    const baseUrl = `http://127.0.0.1:${port}/ari`;
    const c = new AriRestClient({ baseUrl, user: 'ringside', password: 's3cret-wrong' });
    const r = await new AsteriskModules().check({ id: 'ast1', baseUrl }, c, logger);
    c.close();
    expect(r.checked).toBe(false);
    expect(r.codecs).toEqual(['ulaw', 'alaw']);
    expect(lines).toHaveLength(1);
    expect(String(lines[0]?.msg)).toMatch(/refused Ringside's user and password \(401\)/);
    expect(String(lines[0]?.msg)).toContain('ARI_USER and ARI_PASSWORD');
    expect(JSON.stringify(lines)).not.toContain('s3cret-wrong');
  });

  it('right credentials: a line saying all is there', async () => {
    const { logger, lines } = capturedLogger();
    const baseUrl = `http://127.0.0.1:${port}/ari`;
    const c = new AriRestClient({ baseUrl, user: 'ringside', password: 'right' });
    const r = await new AsteriskModules().check({ id: 'ast1', baseUrl }, c, logger);
    c.close();
    expect(r).toMatchObject({ checked: true, missing: [] });
    expect(lines).toHaveLength(1);
    expect(String(lines[0]?.msg)).toContain('phones are offered ulaw,alaw');
  });

  it('an unreachable ARI URL', async () => {
    const { logger, lines } = capturedLogger();
    // A port nothing listens on: close a server and reuse its port.
    const tmp = http.createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    const dead = (tmp.address() as AddressInfo).port;
    await new Promise<void>((r) => tmp.close(() => r()));
    const baseUrl = `http://user:pw-in-url@127.0.0.1:${dead}/ari`;
    const c = new AriRestClient({ baseUrl, user: 'ringside', password: 'x' });
    const r = await new AsteriskModules().check({ id: 'ast1', baseUrl }, c, logger);
    c.close();
    expect(r.fault).toMatch(/^ARI unreachable at http:\/\/127\.0\.0\.1:\d+\/ari \(.*ECONNREFUSED/);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe(50);
    expect(JSON.stringify(lines)).not.toContain('pw-in-url');
  });
});

describe('checkModulesAtStart', () => {
  it('does not wait for the answer, and checks again when a server comes back up', async () => {
    const { logger } = capturedLogger();
    const modules = new AsteriskModules();
    const health = new TelephonyHealth();
    let calls = 0;
    const client = (): ModulesAri => ({
      listModules: () => {
        calls++;
        return Promise.resolve(running(calls > 1 ? [...ALL, 'codec_opus'] : ALL));
      },
    });
    const cfg = [{ ...server, user: 'u', password: 'p' }];
    checkModulesAtStart(cfg, logger, { modules, health, client });
    checkModulesAtStart(cfg, logger, { modules, health, client });
    expect(await modules.codecsFor('ast1')).toEqual(['ulaw', 'alaw']);
    expect(calls).toBe(1);
    health.set('ast1', true, 'connected', 1);
    expect(calls).toBe(1); // first connection: the start-up check stands
    health.set('ast1', false, 'closed', 2);
    health.set('ast1', true, 'connected', 3);
    expect(await modules.codecsFor('ast1')).toEqual(['ulaw', 'alaw', 'opus']);
    expect(calls).toBe(2);
  });
});
