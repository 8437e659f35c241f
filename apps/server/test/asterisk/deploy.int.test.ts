import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  WEBRTC_AGENT_AOR,
  WEBRTC_AGENT_AUTH,
  WEBRTC_AGENT_ENDPOINT,
} from '../../src/services/telephony/sip-accounts.js';
import { simAgentPhone } from '../../src/adapters/postgres/demo-seed.js';
import { loadTrace, repoRoot, traceFiles } from './trace-helpers.js';

const deployDir = path.join(repoRoot, 'deploy');
const asteriskDir = path.join(deployDir, 'asterisk');

interface ConfSection {
  name: string;
  /** `(!)` template, or the templates it inherits from. */
  options: string;
  entries: Array<[string, string]>;
}

/** Reads an Asterisk .conf file: sections, `key = value` and `exten =>` / `same =>` lines. */
function readConf(file: string): ConfSection[] {
  const sections: ConfSection[] = [];
  let cur: ConfSection | null = null;
  for (const raw of readFileSync(path.join(asteriskDir, file), 'utf8').split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    if (!line) continue;
    const s = /^\[([^\]]+)\](?:\(([^)]*)\))?$/.exec(line);
    if (s) {
      cur = { name: s[1] ?? '', options: s[2] ?? '', entries: [] };
      sections.push(cur);
      continue;
    }
    const kv = /^([\w.-]+)\s*=>?\s*(.*)$/.exec(line);
    if (!kv || !cur) throw new Error(`${file}: cannot read line "${raw}"`);
    cur.entries.push([kv[1] ?? '', kv[2] ?? '']);
  }
  return sections;
}

function section(file: string, name: string, options?: string): ConfSection {
  const s = readConf(file).find(
    (x) => x.name === name && (options === undefined || x.options === options),
  );
  if (!s) throw new Error(`${file}: no [${name}]`);
  return s;
}

function value(s: ConfSection, key: string): string | undefined {
  return s.entries.find(([k]) => k === key)?.[1];
}

/** The dialplan of one extension as [priority, app, data], numbering `n` as Asterisk does. */
function dialplan(context: string, exten: string): Array<[number, string, string]> {
  const out: Array<[number, string, string]> = [];
  let inExten = false;
  let prio = 0;
  for (const [k, v] of section('extensions.conf', context).entries) {
    if (k === 'exten') {
      const [ext, p, ...rest] = v.split(',');
      inExten = ext === exten;
      if (!inExten) continue;
      prio = Number(p);
      out.push([prio, ...splitApp(rest.join(','))]);
    } else if (k === 'same' && inExten) {
      const [p, ...rest] = v.split(',');
      if (!p?.startsWith('n')) throw new Error(`unexpected priority ${p}`);
      prio += 1;
      out.push([prio, ...splitApp(rest.join(','))]);
    }
  }
  return out;
}

function splitApp(s: string): [string, string] {
  const m = /^(\w+)\((.*)\)$/.exec(s);
  return m ? [m[1] ?? '', m[2] ?? ''] : [s, ''];
}

describe('deploy/docker-compose.yml', () => {
  const text = readFileSync(path.join(deployDir, 'docker-compose.yml'), 'utf8');
  const compose = parseYaml(text, { merge: true }) as {
    services: Record<
      string,
      {
        image?: string;
        command?: string[];
        environment?: Record<string, string>;
        build?: { context: string; dockerfile: string };
        volumes?: string[];
      }
    >;
  };

  it('has PostgreSQL, Redis, Asterisk and every app role', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'ari-worker',
      'asterisk',
      'dialer',
      'grafana',
      'postgres',
      'prometheus',
      'redis',
      'scheduler',
    ]);
    for (const role of ['api', 'ari-worker', 'dialer', 'scheduler']) {
      const svc = compose.services[role];
      expect(svc?.command).toEqual([role]);
      for (const v of ['DATABASE_URL', 'REDIS_URL', 'ARI_URL', 'ARI_PASSWORD', 'SESSION_SECRET']) {
        expect(svc?.environment?.[v], `${role} ${v}`).toBeTruthy();
      }
    }
  });

  it('builds from files that exist and mounts the shipped Asterisk configuration', () => {
    const build = compose.services.api?.build;
    expect(build).toBeDefined();
    expect(existsSync(path.resolve(deployDir, build?.context ?? '', build?.dockerfile ?? ''))).toBe(
      true,
    );
    const mounts = compose.services.asterisk?.volumes ?? [];
    expect(mounts).toContain('./asterisk:/etc/asterisk-ringside:ro');
    expect(existsSync(path.join(asteriskDir, 'start.sh'))).toBe(true);
  });

  it('every variable it reads is documented in .env.example', () => {
    const documented = new Set(
      readFileSync(path.join(repoRoot, '.env.example'), 'utf8')
        .split('\n')
        .map((l) => /^([A-Z_][A-Z0-9_]*)=/.exec(l)?.[1])
        .filter((v): v is string => Boolean(v)),
    );
    const used = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1] ?? '');
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((v) => !documented.has(v))).toEqual([]);
  });

  it('is accepted by `docker compose config` where the compose plugin exists', () => {
    let hasCompose = true;
    try {
      execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    } catch {
      hasCompose = false;
    }
    // Without the plugin (as on the CI machine) the YAML checks above are the whole check.
    if (hasCompose) {
      execFileSync(
        'docker',
        ['compose', '-f', path.join(deployDir, 'docker-compose.yml'), 'config', '-q'],
        {
          env: {
            ...process.env,
            POSTGRES_PASSWORD: 'x',
            ARI_PASSWORD: 'x',
            SESSION_SECRET: 'x'.repeat(32),
            GRAFANA_ADMIN_PASSWORD: 'x',
          },
          stdio: 'pipe',
        },
      );
    }
    expect(typeof hasCompose).toBe('boolean');
  });
});

describe('deploy/asterisk configuration', () => {
  it('every file reads as Asterisk configuration', () => {
    for (const f of [
      'http.conf',
      'ari.conf',
      'pjsip.conf',
      'extensions.conf',
      'modules.conf',
      'rtp.conf',
      'sorcery.conf',
      'amd.conf',
      'musiconhold.conf',
    ]) {
      expect(readConf(f).length, f).toBeGreaterThan(0);
    }
  });

  it('ships what a bare Asterisk needs beside modules.conf: amd.conf (app_amd is required and does not load without it) and the default music-on-hold class', () => {
    expect(value(section('amd.conf', 'general'), 'total_analysis_time')).toMatch(/^\d+$/);
    const moh = section('musiconhold.conf', 'default');
    expect(value(moh, 'mode')).toBe('files');
    expect(value(moh, 'directory')).toBe('moh');
  });

  it('http.conf serves ARI and TLS for WSS', () => {
    const g = section('http.conf', 'general');
    expect(value(g, 'enabled')).toBe('yes');
    expect(value(g, 'tlsenable')).toBe('yes');
    expect(value(g, 'tlsbindaddr')).toMatch(/:8089$/);
  });

  it('ari.conf enables ARI with a read-write user', () => {
    expect(value(section('ari.conf', 'general'), 'enabled')).toBe('yes');
    const user = section('ari.conf', 'ringside');
    expect(value(user, 'type')).toBe('user');
    expect(value(user, 'read_only')).toBe('no');
  });

  it('pjsip.conf has a WSS transport, a trunk template and a WebRTC agent template with DTLS and ICE', () => {
    expect(value(section('pjsip.conf', 'transport-wss'), 'protocol')).toBe('wss');
    expect(value(section('pjsip.conf', 'trunk-endpoint', '!'), 'type')).toBe('endpoint');
    const agent = section('pjsip.conf', 'webrtc-agent', '!');
    expect(value(agent, 'transport')).toBe('transport-wss');
    expect(value(agent, 'context')).toBe('agents');
    expect(value(agent, 'media_encryption')).toBe('dtls');
    expect(value(agent, 'ice_support')).toBe('yes');
    expect(value(agent, 'dtls_auto_generate_cert')).toBe('yes');
  });

  it('sorcery.conf reads endpoints, auths and aors from pjsip.conf, then a writable astdb', () => {
    const pjsip = section('sorcery.conf', 'res_pjsip');
    for (const type of ['endpoint', 'auth', 'aor']) {
      expect(
        pjsip.entries.filter(([k]) => k === type).map(([, v]) => v),
        type,
      ).toEqual([`config,pjsip.conf,criteria=type=${type}`, `astdb,ps_${type}`]);
    }
    // Only those three: transports and the rest keep res_pjsip's default (pjsip.conf).
    expect(new Set(pjsip.entries.map(([k]) => k))).toEqual(new Set(['endpoint', 'auth', 'aor']));
  });

  it("the softphone accounts Ringside writes over ARI carry the webrtc-agent template's options", () => {
    const fields = (name: string) =>
      section('pjsip.conf', name, '!')
        .entries.filter(([k]) => k !== 'type')
        .map(([attribute, v]) => ({ attribute, value: v }));
    expect([...WEBRTC_AGENT_ENDPOINT]).toEqual(fields('webrtc-agent'));
    expect([...WEBRTC_AGENT_AUTH]).toEqual(fields('webrtc-agent-auth'));
    expect([...WEBRTC_AGENT_AOR]).toEqual(fields('webrtc-agent-aor'));
  });

  it('the static example phone inherits the templates and is named like no demo user', () => {
    const name = 'example-phone';
    expect(value(section('pjsip.conf', name, 'webrtc-agent'), 'aors')).toBe(name);
    expect(value(section('pjsip.conf', name, 'webrtc-agent-auth'), 'username')).toBe(name);
    expect(section('pjsip.conf', name, 'webrtc-agent-aor').entries).toEqual([]);
    // An endpoint in pjsip.conf is read-only to Ringside: one named like a demo user (agent1...)
    // makes that user's browser phone fail to register (403 on writing its account).
    const demoUsers = [
      'admin',
      'supervisor',
      ...Array.from({ length: 6 }, (_, i) => `agent${i + 1}`),
    ];
    const names = new Set(readConf('pjsip.conf').map((x) => x.name));
    for (const u of demoUsers) expect(names.has(u), u).toBe(false);
  });

  it('the browser phones offer G.711 first, and not Opus (Asterisk cannot translate it without codec_opus)', () => {
    const allow = value(section('pjsip.conf', 'webrtc-agent', '!'), 'allow');
    expect(allow?.split(',')[0]).toBe('ulaw');
    expect(allow).not.toContain('opus');
    expect(value(section('pjsip.conf', 'trunk-endpoint', '!'), 'allow')).toBe('ulaw,alaw');
  });

  it("sim-agent-phones (the demo bots' lines on a real Asterisk): any username answers and stays up", () => {
    const lines = section('extensions.conf', 'sim-agent-phones').entries;
    expect(lines[0]).toEqual(['exten', '_[a-z0-9].,1,NoOp(sim agent phone ${EXTEN})']);
    const steps = dialplan('sim-agent-phones', '_[a-z0-9].').map(([, app, data]) => [app, data]);
    // Answers at once, may "speak" (PlayTones, heard by the real-telephony tests), stays up.
    expect(steps[1]).toEqual(['Answer', '']);
    expect(steps.map(([app]) => app).filter((a) => a !== 'PlayTones')).toEqual([
      'NoOp',
      'Answer',
      'Wait',
      'Hangup',
    ]);
    expect(steps.find(([app]) => app === 'Wait')?.[1]).toBe('36000');
    // The demo's dial string for a bot's phone names this context.
    expect(simAgentPhone('agent2')).toBe('Local/agent2@sim-agent-phones');
  });

  it('modules.conf requires ARI, Stasis, AMD and PJSIP', () => {
    const required = section('modules.conf', 'modules')
      .entries.filter(([k]) => k === 'require')
      .map(([, v]) => v);
    for (const m of [
      'res_ari.so',
      'app_stasis.so',
      'app_amd.so',
      'chan_pjsip.so',
      'res_http_websocket.so',
      'res_sorcery_config.so',
      'res_sorcery_astdb.so',
    ]) {
      expect(required).toContain(m);
    }
  });

  it('dialer-outbound runs AMD and hands the channel to Stasis with the verdict', () => {
    expect(dialplan('dialer-outbound', 's').slice(0, 3)).toEqual([
      [1, 'NoOp', 'dialer outbound'],
      [2, 'AMD', ''],
      [3, 'Stasis', 'dialer,amd,${AMDSTATUS},${AMDCAUSE}'],
    ]);
  });

  it('agents: login answers and hands the phone to Stasis with its endpoint', () => {
    const login = dialplan('agents', 'login');
    expect(login[0]).toEqual([1, 'Answer', '']);
    expect(login.filter(([, app]) => app === 'Stasis')).toEqual([
      [3, 'Stasis', 'dialer,agent,${CHANNEL(endpoint)}'],
    ]);
  });

  it('agents: a login while the Stasis app is not registered waits and tries again, for a bounded time', () => {
    // Seen on the real Asterisk: a browser phone re-registers and dials back within a second of
    // an Asterisk restart, before Ringside's ARI worker is subscribed again; Stasis fails at once
    // ("Stasis app 'dialer' doesn't exist", STASISSTATUS=FAILED) and a plain Hangup() after it
    // left the agent without a line until they clicked.
    const apps = dialplan('agents', 'login').map(([p, app, data]) => `${p} ${app}(${data})`);
    expect(apps).toEqual([
      '1 Answer()',
      '2 Set(LOGIN_TRIES=0)',
      '3 Stasis(dialer,agent,${CHANNEL(endpoint)})',
      '4 GotoIf($["${STASISSTATUS}" != "FAILED"]?done)',
      '5 Set(LOGIN_TRIES=$[${LOGIN_TRIES} + 1])',
      '6 GotoIf($[${LOGIN_TRIES} > 30]?done)',
      '7 Wait(1)',
      '8 Goto(enter)',
      '9 Hangup()',
    ]);
  });

  it('sim-customers and agents run the same applications at the same priorities as the recorded traces', () => {
    const sim = new Map<number, [string, string]>(
      dialplan('sim-customers', '_X.').map(([p, app, data]) => [p, [app, data]]),
    );
    const agent = new Map<number, [string, string]>(
      dialplan('agents', 'agent').map(([p, app, data]) => [p, [app, data]]),
    );
    let compared = 0;
    for (const file of traceFiles()) {
      for (const line of loadTrace(file)) {
        if (line.dir !== 'event' || line.event.type !== 'ChannelDialplan') continue;
        // AppDial2 is the originated half of a Local channel, not a dialplan application.
        if (line.event.dialplan_app === 'AppDial2') continue;
        const d = line.event.channel.dialplan;
        const table =
          d.context === 'sim-customers'
            ? sim
            : d.context === 'agents' && d.exten === 'agent'
              ? agent
              : null;
        if (!table) continue;
        const ours = table.get(d.priority);
        expect(ours?.[0], `${file} ${d.context} priority ${d.priority}`).toBe(
          line.event.dialplan_app,
        );
        // Data with expressions is shown evaluated in the trace; literal data must match exactly.
        if (ours && !/[$]/.test(ours[1])) expect(ours[1]).toBe(line.event.dialplan_app_data);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });
});
