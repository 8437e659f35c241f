import type { Module } from '@ringside/ari';
import type { TelephonyStatusResponse } from '@ringside/protocol';
import type { Logger } from '../../logger.js';
import { AriRestClient, type AriConnection } from './ari-client.js';
import { AriError } from './ari-error.js';
import { telephonyHealth, type TelephonyHealth } from './telephony-health.js';

/** A module Ringside needs from Asterisk, and what stops working without it. */
export interface RequiredModule {
  /** Without ".so" (GET /asterisk/modules names them either way). */
  name: string;
  usedFor: string;
}

/**
 * Every module Ringside uses that ARI's module list can show, derived from what the code calls:
 * ARI resources (channels, bridges, playbacks, events, dynamic configuration), Stasis and its
 * snoop/playback/answer helpers, the dialplan's AMD and Stasis(), PJSIP with the WebSocket
 * transport for browser phones and astdb for their accounts, the bridge technologies of agent
 * (mixing) and waiting (holding) bridges, music on hold, the G.711 translators and WAV prompts.
 * deploy/asterisk/modules.conf requires the most vital of them; this list says at start-up which
 * are missing on an Asterisk configured otherwise. Modules that one of these cannot load without
 * (res_stasis_answer for res_ari_channels, res_pjsip_session for chan_pjsip) are not repeated.
 */
export const REQUIRED_MODULES: ReadonlyArray<RequiredModule> = [
  { name: 'res_ari', usedFor: 'ARI' },
  { name: 'res_ari_channels', usedFor: 'calls' },
  { name: 'res_ari_bridges', usedFor: 'bridges' },
  { name: 'res_ari_events', usedFor: 'events' },
  { name: 'res_ari_playbacks', usedFor: 'prompts' },
  { name: 'res_ari_asterisk', usedFor: 'phone accounts' },
  { name: 'res_http_websocket', usedFor: 'events, browser phones' },
  { name: 'res_stasis', usedFor: 'Stasis' },
  { name: 'res_stasis_playback', usedFor: 'safe-harbor and machine messages' },
  { name: 'res_stasis_snoop', usedFor: 'listen, whisper, barge' },
  { name: 'app_stasis', usedFor: 'dialplan Stasis()' },
  { name: 'app_amd', usedFor: 'answering-machine detection' },
  { name: 'res_pjsip', usedFor: 'SIP' },
  { name: 'chan_pjsip', usedFor: 'SIP calls' },
  { name: 'res_pjsip_transport_websocket', usedFor: 'browser phones' },
  { name: 'res_sorcery_astdb', usedFor: 'browser phone accounts' },
  { name: 'res_rtp_asterisk', usedFor: 'audio' },
  { name: 'bridge_simple', usedFor: 'two-party bridges' },
  { name: 'bridge_softmix', usedFor: 'agent bridges, monitoring' },
  { name: 'bridge_holding', usedFor: 'waiting customers' },
  { name: 'res_musiconhold', usedFor: 'hold' },
  { name: 'codec_ulaw', usedFor: 'G.711 u-law' },
  { name: 'codec_alaw', usedFor: 'G.711 a-law' },
  { name: 'format_wav', usedFor: 'prompts' },
];

/** The separately distributed Opus translator: Opus is offered to phones only when it runs. */
export const OPUS_MODULE = 'codec_opus';

/** G.711 first: every Asterisk translates it, and the trunk template allows ulaw,alaw too. */
export const G711_CODECS: readonly string[] = ['ulaw', 'alaw'];

/** The codecs agents' browser phones are offered: G.711, then Opus when it can be translated. */
export function phoneCodecs(opus: boolean): string[] {
  return opus ? [...G711_CODECS, 'opus'] : [...G711_CODECS];
}

/** One Asterisk server's modules as Ringside last checked them. */
export interface AsteriskModulesReport {
  serverId: string;
  /** False when the list could not be read (`fault` says why). */
  checked: boolean;
  /** Required modules not running (names without .so). */
  missing: string[];
  /** A running Opus translator was seen. */
  opus: boolean;
  /** The browser phones' allow list, in order. */
  codecs: string[];
  /** Why the check could not run: safe to show (no password), names the cause. */
  fault: string | null;
  atMs: number;
}

/** res_ari.so -> res_ari */
export function moduleName(name: string): string {
  return name.replace(/\.so$/, '');
}

/** What a module list means for Ringside (pure). */
export function assessModules(
  serverId: string,
  modules: ReadonlyArray<Pick<Module, 'name' | 'status'>>,
  atMs: number,
): AsteriskModulesReport {
  // Only a running module counts ("Not Running", "Declined" and so on do not).
  const running = new Set(
    modules.filter((m) => /^running$/i.test(m.status)).map((m) => moduleName(m.name)),
  );
  const missing = REQUIRED_MODULES.filter((m) => !running.has(m.name)).map((m) => m.name);
  const opus = running.has(OPUS_MODULE);
  return { serverId, checked: true, missing, opus, codecs: phoneCodecs(opus), fault: null, atMs };
}

/** The address without user or password (for a log line). */
function safeUrl(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'the configured ARI_URL';
  }
}

/** One sentence naming why ARI could not be asked (wrong credentials, unreachable, other). */
export function explainAriFault(err: unknown, baseUrl: string): string {
  const url = safeUrl(baseUrl);
  if (err instanceof AriError) {
    if (err.status === 401) {
      return (
        `ARI at ${url} refused Ringside's user and password (401): ` +
        'ARI_USER and ARI_PASSWORD must match a user in ari.conf'
      );
    }
    if (err.status === 0) {
      return (
        `ARI unreachable at ${url} (${err.message}): is Asterisk running, ` +
        'is ARI_URL right, and does http.conf enable its HTTP server?'
      );
    }
    if (err.status === 404) {
      return (
        `ARI at ${url} has no /asterisk/modules (404): ARI_URL must end in /ari, ` +
        'and res_ari_asterisk must be loaded'
      );
    }
    return `ARI at ${url} answered ${err.status} (${err.message}) to the module list`;
  }
  return `ARI at ${url} could not be asked for its modules (${err instanceof Error ? err.message : String(err)})`;
}

export interface ModulesServer {
  id: string;
  baseUrl: string;
}

export interface ModulesAri {
  listModules(): Promise<ReadonlyArray<Pick<Module, 'name' | 'status'>>>;
}

/**
 * The module check of every Asterisk server this process talks to. Each role that uses ARI asks
 * `check()` at start-up; one check runs per server and process (the others share its answer), and
 * it says in ONE log line what is missing, or why it could not look (wrong credentials,
 * unreachable URL). Nothing stops: Ringside goes on, and features that need a missing module fail
 * when used. `recheck()` runs it again (telephony back up: a restarted Asterisk may have other
 * modules); a line is logged again only when the answer changed.
 */
export class AsteriskModules {
  private readonly reports = new Map<string, AsteriskModulesReport>();
  private readonly running = new Map<string, Promise<AsteriskModulesReport>>();
  private readonly clients = new Map<string, { server: ModulesServer; ari: ModulesAri }>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** The server's report, checking it first unless a check ran or runs already. */
  check(server: ModulesServer, ari: ModulesAri, logger: Logger): Promise<AsteriskModulesReport> {
    if (!this.clients.has(server.id)) this.clients.set(server.id, { server, ari });
    const known = this.reports.get(server.id);
    if (known) return Promise.resolve(known);
    return this.run(server, ari, logger);
  }

  /** Checks the server again (with the client `check` was given); no-op for an unknown server. */
  recheck(serverId: string, logger: Logger): Promise<AsteriskModulesReport> | null {
    const c = this.clients.get(serverId);
    return c ? this.run(c.server, c.ari, logger) : null;
  }

  /** The last report of the server (null: never checked). */
  report(serverId: string): AsteriskModulesReport | null {
    return this.reports.get(serverId) ?? null;
  }

  /**
   * The browser phones' codecs on the server: waits for a check under way; G.711 alone when the
   * server was never checked or could not be.
   */
  async codecsFor(serverId: string): Promise<string[]> {
    const r = (await this.running.get(serverId)?.catch(() => null)) ?? this.reports.get(serverId);
    return r?.codecs ?? phoneCodecs(false);
  }

  snapshot(): AsteriskModulesReport[] {
    return [...this.reports.values()].sort((a, b) => a.serverId.localeCompare(b.serverId));
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.reports.clear();
    this.running.clear();
    this.clients.clear();
  }

  private run(
    server: ModulesServer,
    ari: ModulesAri,
    logger: Logger,
  ): Promise<AsteriskModulesReport> {
    const inFlight = this.running.get(server.id);
    if (inFlight) return inFlight;
    const p = (async () => {
      let report: AsteriskModulesReport;
      try {
        report = assessModules(server.id, await ari.listModules(), this.nowMs());
      } catch (err) {
        report = {
          serverId: server.id,
          checked: false,
          missing: [],
          opus: false,
          codecs: phoneCodecs(false),
          fault: explainAriFault(err, server.baseUrl),
          atMs: this.nowMs(),
        };
      }
      const prev = this.reports.get(server.id);
      this.reports.set(server.id, report);
      if (!prev || !sameOutcome(prev, report)) logReport(report, logger);
      return report;
    })().finally(() => this.running.delete(server.id));
    this.running.set(server.id, p);
    return p;
  }
}

function sameOutcome(a: AsteriskModulesReport, b: AsteriskModulesReport): boolean {
  return (
    a.checked === b.checked &&
    a.fault === b.fault &&
    a.opus === b.opus &&
    a.missing.join(',') === b.missing.join(',')
  );
}

function logReport(r: AsteriskModulesReport, logger: Logger): void {
  const fields = { serverId: r.serverId, codecs: r.codecs, opus: r.opus };
  if (r.fault) {
    logger.error({ ...fields }, `asterisk module check failed: ${r.fault}`);
  } else if (r.missing.length > 0) {
    const named = r.missing.map((name) => {
      const m = REQUIRED_MODULES.find((x) => x.name === name);
      return m ? `${name} (${m.usedFor})` : name;
    });
    logger.warn(
      { ...fields, missing: r.missing },
      `asterisk lacks modules Ringside needs: ${named.join(', ')}; ` +
        'features using them fail until they are loaded',
    );
  } else {
    logger.info(
      fields,
      `asterisk has every module Ringside needs; phones are offered ${r.codecs.join(',')}`,
    );
  }
}

/** The process-wide instance every role shares. */
export const asteriskModules = new AsteriskModules();

/** Per health tracker, the module trackers already re-checking on its changes. */
const watched = new WeakMap<TelephonyHealth, WeakSet<AsteriskModules>>();

/**
 * A role's start-up check (api, ari-worker, dialer): asks each server for its modules without
 * waiting (the role starts whatever the answer), once per process; and checks again whenever a
 * server comes back after being down (an Asterisk restarted with other modules, or ARI reachable
 * at last after a fault at start-up).
 */
export function checkModulesAtStart(
  servers: ReadonlyArray<ModulesServer & AriConnection>,
  logger: Logger,
  opts: {
    modules?: AsteriskModules;
    health?: TelephonyHealth;
    client?: (s: ModulesServer & AriConnection) => ModulesAri;
  } = {},
): void {
  const modules = opts.modules ?? asteriskModules;
  const health = opts.health ?? telephonyHealth;
  for (const s of servers) {
    const ari = (opts.client ?? ((c) => new AriRestClient(c)))(s);
    void modules.check(s, ari, logger);
  }
  const seen = watched.get(health) ?? new WeakSet<AsteriskModules>();
  watched.set(health, seen);
  if (seen.has(modules)) return;
  seen.add(modules);
  health.onChange((status, prev) => {
    if (status.up && prev && !prev.up) void modules.recheck(status.serverId, logger);
  });
}

/**
 * The telephony status the supervisor and /health show: per configured server, up or down (and
 * why), the module check and the phones' codecs; the codecs of the first server (where agents'
 * legs live) for the whole. A server not checked yet offers G.711 only.
 */
export function telephonyDetails(
  serverIds: readonly string[],
  health: TelephonyHealth = telephonyHealth,
  modules: AsteriskModules = asteriskModules,
): TelephonyStatusResponse {
  const statuses = new Map(health.snapshot().map((s) => [s.serverId, s]));
  const servers = serverIds.map((serverId) => {
    const st = statuses.get(serverId);
    const r = modules.report(serverId);
    return {
      serverId,
      up: st?.up ?? false,
      reason: st?.reason ?? 'not connected yet',
      sinceMs: st?.sinceMs ?? null,
      missingModules: r?.missing ?? [],
      checkFault: r?.fault ?? null,
      codecs: r?.codecs ?? phoneCodecs(false),
      opusOffered: r?.opus ?? false,
    };
  });
  const first = servers[0];
  return {
    servers,
    codecs: first?.codecs ?? phoneCodecs(false),
    opusOffered: first?.opusOffered ?? false,
  };
}
