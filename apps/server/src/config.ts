import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * The only reader of process.env (STYLE.md). Every setting is validated at start-up; a bad or
 * missing value stops the program with one line naming the variable and what is wrong.
 */
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.join(' or ')}//`,
  );

const port = z.coerce.number().int().min(1).max(65535);
/** docker-compose passes an unset variable as "": read it as unset. */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default(
    'postgres://postgres@127.0.0.1:5432/ringside',
  ),
  /**
   * Where the reports read (docs/reports.md, "Reading from a replica"): a PostgreSQL replica of
   * DATABASE_URL. Unset: the primary. Every report route and CSV export, the lead history and
   * the roster's counts read there; everything else (the real-time path, every write) stays on
   * DATABASE_URL.
   */
  REPORTS_DATABASE_URL: z.preprocess(unsetIfEmpty, url(['postgres:', 'postgresql:']).optional()),
  /** When REPORTS_DATABASE_URL cannot answer, let the primary answer (marked) instead of a 503. */
  REPORTS_FALLBACK_TO_PRIMARY: bool.default(false),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /**
   * Seed nodes of a Redis Cluster, `host:port` comma separated (docs/scaling.md). Set: every role
   * connects to the cluster (REDIS_URL then gives only credentials and TLS); unset: to REDIS_URL.
   */
  REDIS_CLUSTER_NODES: z.preprocess(unsetIfEmpty, z.string().optional()),
  /**
   * Sentinels watching a primary and its replicas, `host:port` comma separated, with the name of
   * the primary they watch (REDIS_SENTINEL_NAME, default `mymaster`; docs/scaling.md).
   */
  REDIS_SENTINELS: z.preprocess(unsetIfEmpty, z.string().optional()),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .default('mymaster'),
  /** Prefix of every Redis key, so that several installations (or tests) can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, 'must be 1-32 of a-z 0-9 _ -')
    .default('rs'),
  /**
   * One or more Asterisk ARI base URLs, comma separated (http://host:8088/ari). Unset: `all`
   * starts the simulated PBX on loopback and uses it.
   */
  ARI_URL: z.string().optional(),
  ARI_USER: z.string().min(1).default('ringside'),
  ARI_PASSWORD: z.string().min(1).default('ringside'),
  ARI_APP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('dialer'),
  /**
   * How a lead's number becomes an ARI endpoint: {e164} is +15551230001, {digits} 15551230001.
   * Default: the trunk on a real Asterisk, the simulated customers on the simulated PBX.
   */
  ARI_DIAL_TEMPLATE: z
    .string()
    .refine(
      (v) => v.includes('{e164}') || v.includes('{digits}'),
      'must contain {e164} or {digits}',
    )
    .optional(),
  /** Most concurrent calls placed on one Asterisk server. */
  ARI_MAX_CALLS: z.coerce.number().int().min(1).max(10000).default(200),
  /**
   * Several ARI_URL servers (a fleet): the dial string of the trunk from one server to another
   * (docs/telephony.md, "Asterisk fleet"); {exten} the extension, {to} the target server's place
   * in ARI_URL counting from 1, {from} the calling server's.
   */
  FLEET_TRUNK_DIAL: z
    .string()
    .regex(/\{exten\}/, 'must contain {exten}')
    .default('PJSIP/{exten}@fleet-{to}'),
  /** A fleet server unreachable this long is lost: its agents are re-homed, ms. */
  FLEET_REHOME_AFTER_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /**
   * The SIP WebSocket of each ARI_URL server, comma separated in the same order, for agents homed
   * there (a fleet). Default: SIP_WSS_URL for the first, wss://<its host>:8089/ws for the others.
   */
  SIP_WSS_URLS: z.preprocess(unsetIfEmpty, z.string().optional()),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: port.default(8080),
  SIM_PBX_PORT: port.default(8088),
  /**
   * Signs session tokens (>= 32 characters, not a known public value). Unset: a random one is
   * generated at the first start and kept in PostgreSQL (server_secrets), shared by every api
   * process; `npm run session:rotate` replaces it (docs/security.md).
   */
  SESSION_SECRET: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .min(32, 'must be at least 32 characters')
      .refine((v) => !isWeakSecret(v), 'is a known or low-variety value; use a random one')
      .optional(),
  ),
  /**
   * Whose address a request comes from (Fastify trustProxy): unset/false, the TCP peer; a hop
   * count (1: one proxy in front); true, any X-Forwarded-For; or comma-separated proxy addresses
   * or CIDRs whose X-Forwarded-For is believed.
   */
  TRUST_PROXY: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .refine(
        (v) => parseTrustProxy(v) !== undefined,
        'must be true, false, a hop count, or comma-separated addresses/CIDRs',
      )
      .optional(),
  ),
  COOKIE_SECURE: bool.default(false),
  DEMO: bool.default(false),
  /**
   * The SIP WebSocket the agents' browser phones connect to (Asterisk's http.conf TLS server,
   * path /ws). Default wss://<host of the first ARI_URL>:8089/ws.
   */
  SIP_WSS_URL: z.preprocess(unsetIfEmpty, url(['wss:', 'ws:']).optional()),
  /** Domain of the agents' SIP URIs (sip:<username>@<domain>). Default the first ARI_URL host. */
  SIP_DOMAIN: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,253}$/, 'must be a host name or IPv4 address')
      .optional(),
  ),
  /** STUN/TURN servers for the browser phones, comma separated (stun:host:3478). Default none. */
  ICE_SERVERS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .refine(
        (v) =>
          v
            .split(',')
            .map((s) => s.trim())
            .every((s) => /^(stun|stuns|turn|turns):[^\s,]+$/.test(s)),
        'must be comma-separated stun:, stuns:, turn: or turns: URLs',
      )
      .optional(),
  ),
  /**
   * Shared secret of the TURN server's REST API (coturn `use-auth-secret`, `static-auth-secret`):
   * each softphone account then carries its own time-limited TURN credentials for the turn: and
   * turns: URLs of ICE_SERVERS. Exclusive with TURN_USERNAME/TURN_CREDENTIAL.
   */
  TURN_SECRET: z.preprocess(
    unsetIfEmpty,
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  /** How long TURN_SECRET credentials stay valid, seconds (default 12 h: a shift). */
  TURN_TTL_S: z.coerce.number().int().min(300).max(604_800).default(43_200),
  /** Fixed TURN credentials (a TURN server with one static user), instead of TURN_SECRET. */
  TURN_USERNAME: z.preprocess(unsetIfEmpty, z.string().max(256).optional()),
  TURN_CREDENTIAL: z.preprocess(unsetIfEmpty, z.string().max(256).optional()),
  /**
   * The /metrics listener of the ari-worker, dialer and scheduler roles (docs/metrics.md); the
   * api role (and `all`) serves /metrics on its HTTP port instead. Port 0: no listener.
   */
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /**
   * Where Asterisk fetches voicemail messages (res_http_media_cache): the api's base URL as
   * Asterisk reaches it. Unset: http://HTTP_HOST:HTTP_PORT (docs/recording.md).
   */
  VM_MEDIA_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** When set, /metrics wants `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise). */
  METRICS_TOKEN: z.preprocess(
    unsetIfEmpty,
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  /** Admins must sign in with a second factor (docs/security.md, "Two-factor sign-in"). */
  REQUIRE_ADMIN_2FA: bool.default(true),
  /** Encrypts the stored TOTP secrets (AES-256-GCM); unset: stored unencrypted. */
  TWO_FACTOR_KEY: z.preprocess(
    unsetIfEmpty,
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  /**
   * Where finished call recordings are kept (docs/recording.md, "Storage and retention"):
   * file:///dir, or s3://bucket/prefix?endpoint=http://host:port&region=r. Default
   * file://<working directory>/data/recordings.
   */
  RECORDINGS_URL: z.preprocess(unsetIfEmpty, url(['file:', 's3:']).optional()),
  /**
   * The recordings' AES-256 keys, `id:<base64 of 32 bytes>` comma separated: the first encrypts,
   * all decrypt. Unset: one generated key kept in PostgreSQL (server_secrets), for a demo.
   */
  RECORDINGS_KEYS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(
        /^\s*[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=\s*(,\s*[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=\s*)*$/,
        'must be id:<base64 of 32 bytes>, comma separated',
      )
      .optional(),
  ),
  /** Credentials of an s3:// RECORDINGS_URL. */
  AWS_ACCESS_KEY_ID: z.preprocess(unsetIfEmpty, z.string().max(128).optional()),
  AWS_SECRET_ACCESS_KEY: z.preprocess(unsetIfEmpty, z.string().max(128).optional()),
  AWS_SESSION_TOKEN: z.preprocess(unsetIfEmpty, z.string().max(4096).optional()),
});

export type Role = 'api' | 'ari-worker' | 'dialer' | 'scheduler' | 'all';
export const ROLES: ReadonlyArray<Role> = ['api', 'ari-worker', 'dialer', 'scheduler', 'all'];

export interface AriServerConfig {
  /** Stable id of the Asterisk server, derived from its host and port. */
  id: string;
  baseUrl: string;
  user: string;
  password: string;
  app: string;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: string;
  databaseUrl: string;
  /**
   * REPORTS_DATABASE_URL (null: reports read the primary) and REPORTS_FALLBACK_TO_PRIMARY (the
   * primary answers, marked, when the replica cannot; false: a 503).
   */
  reports: { databaseUrl: string | null; fallbackToPrimary: boolean };
  redisUrl: string;
  redisPrefix: string;
  /** REDIS_CLUSTER_NODES: the cluster's seed nodes; null: no cluster (adapters/redis/connect.ts). */
  redisClusterNodes: RedisNodeAddress[] | null;
  /** REDIS_SENTINELS and REDIS_SENTINEL_NAME; null: no Sentinel. */
  redisSentinels: { nodes: RedisNodeAddress[]; name: string } | null;
  /** Empty when the simulated PBX is to be used. */
  ari: AriServerConfig[];
  ariApp: string;
  ariUser: string;
  ariPassword: string;
  /** Endpoint template for customer numbers ({e164} or {digits}). */
  ariDialTemplate: string;
  /** ARI_DIAL_TEMPLATE was set (else ariDialTemplate is the default for the PBX kind). */
  ariDialTemplateSet: boolean;
  ariMaxCallsPerServer: number;
  /** Several Asterisk servers (docs/telephony.md, "Asterisk fleet"). */
  fleet: FleetConfig;
  http: { host: string; port: number };
  simPbxPort: number;
  /** SESSION_SECRET; null: the api uses the one generated in PostgreSQL (roles/session-secret.ts). */
  sessionSecret: string | null;
  /** Fastify trustProxy (TRUST_PROXY): false, true, a hop count or trusted proxy addresses. */
  trustProxy: TrustProxy;
  cookieSecure: boolean;
  /** REQUIRE_ADMIN_2FA (default true) and TWO_FACTOR_KEY (null: secrets stored unencrypted). */
  twoFactor: { requireForAdmins: boolean; encryptionKey: string | null };
  demo: boolean;
  /** The agents' WebRTC phones on a real Asterisk; null on the simulated PBX (no SIP there). */
  sip: SipConfig | null;
  /** Prometheus metrics: the roles' own listener (port 0: none) and the optional bearer token. */
  metrics: { host: string; port: number; token: string | null };
  /** VM_MEDIA_URL: the base URL Asterisk fetches voicemail messages from (no trailing slash). */
  vmMediaUrl: string;
  /** Call recordings' storage (RECORDINGS_URL, RECORDINGS_KEYS, AWS_* for s3://). */
  recordings: RecordingsConfig;
}

/** Where recordings are stored and the keys that encrypt them (docs/recording.md). */
export interface RecordingsConfig {
  /** file:///... or s3://bucket/prefix?endpoint=...&region=... */
  url: string;
  /** RECORDINGS_KEYS as given; null: the generated key in PostgreSQL. */
  keys: string | null;
  s3Credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string | null;
  } | null;
}

/** The Asterisk fleet's settings (FLEET_*, SIP_WSS_URLS). */
export interface FleetConfig {
  /** FLEET_TRUNK_DIAL. */
  trunkDial: string;
  /** FLEET_REHOME_AFTER_MS. */
  rehomeAfterMs: number;
  /** Each server's SIP WebSocket and domain for the browser phones homed on it, by server id. */
  sip: Record<string, { wsUri: string; domain: string }>;
}

/** What a browser softphone needs besides its account (services/telephony/sip-accounts.ts). */
export interface SipConfig {
  /** wss:// URL of Asterisk's SIP WebSocket (SIP_WSS_URL). */
  wsUri: string;
  /** Domain of the agents' SIP URIs (SIP_DOMAIN). */
  domain: string;
  /** STUN/TURN URLs for ICE (ICE_SERVERS); empty: host candidates only. */
  iceServers: string[];
  /** Credentials for the turn:/turns: URLs of iceServers; absent: they are used without any. */
  turn?: TurnAuth;
}

/**
 * How the browsers authenticate to TURN: `rest`, time-limited credentials derived per account from
 * a secret shared with the TURN server (TURN_SECRET), or one `static` user (TURN_USERNAME).
 */
export type TurnAuth =
  | { kind: 'rest'; secret: string; ttlS: number }
  | { kind: 'static'; username: string; credential: string };

/** Builds the typed configuration from an environment; throws ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue ? String(issue.path[0] ?? '?') : '?';
    const shown = env[name] === undefined ? 'is missing' : `is invalid (${issue?.message ?? ''})`;
    throw new ConfigError(`configuration: ${name} ${shown}`);
  }
  const e = parsed.data;
  if (e.REPORTS_FALLBACK_TO_PRIMARY && e.REPORTS_DATABASE_URL === undefined) {
    throw new ConfigError(
      'configuration: REPORTS_FALLBACK_TO_PRIMARY is invalid (only with REPORTS_DATABASE_URL)',
    );
  }
  const ari: AriServerConfig[] = [];
  for (const raw of (e.ARI_URL ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new ConfigError(`configuration: ARI_URL is invalid (${raw} is not a URL)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new ConfigError(
        'configuration: ARI_URL is invalid (must start with http:// or https://)',
      );
    }
    ari.push({
      id: `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`,
      baseUrl: raw.replace(/\/+$/, ''),
      user: e.ARI_USER,
      password: e.ARI_PASSWORD,
      app: e.ARI_APP,
    });
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    reports: {
      databaseUrl: e.REPORTS_DATABASE_URL ?? null,
      fallbackToPrimary: e.REPORTS_FALLBACK_TO_PRIMARY,
    },
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    redisClusterNodes: redisNodes('REDIS_CLUSTER_NODES', e.REDIS_CLUSTER_NODES),
    redisSentinels: e.REDIS_SENTINELS
      ? {
          nodes: redisNodes('REDIS_SENTINELS', e.REDIS_SENTINELS) ?? [],
          name: e.REDIS_SENTINEL_NAME,
        }
      : null,
    ari,
    ariApp: e.ARI_APP,
    ariUser: e.ARI_USER,
    ariPassword: e.ARI_PASSWORD,
    ariDialTemplate:
      e.ARI_DIAL_TEMPLATE ?? (ari.length ? 'PJSIP/{e164}@trunk' : 'Local/{digits}@sim-customers'),
    ariDialTemplateSet: e.ARI_DIAL_TEMPLATE !== undefined,
    ariMaxCallsPerServer: e.ARI_MAX_CALLS,
    fleet: fleetConfig(e, ari),
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    simPbxPort: e.SIM_PBX_PORT,
    sessionSecret: e.SESSION_SECRET ?? null,
    trustProxy: e.TRUST_PROXY === undefined ? false : (parseTrustProxy(e.TRUST_PROXY) ?? false),
    cookieSecure: e.COOKIE_SECURE,
    twoFactor: { requireForAdmins: e.REQUIRE_ADMIN_2FA, encryptionKey: e.TWO_FACTOR_KEY ?? null },
    demo: e.DEMO,
    sip: sipConfig(e, ari[0]),
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT, token: e.METRICS_TOKEN ?? null },
    vmMediaUrl: (
      e.VM_MEDIA_URL ??
      `http://${e.HTTP_HOST === '0.0.0.0' ? '127.0.0.1' : e.HTTP_HOST}:${e.HTTP_PORT}`
    ).replace(/\/+$/, ''),
    recordings: {
      url: e.RECORDINGS_URL ?? pathToFileURL(resolve('data/recordings')).href,
      keys: e.RECORDINGS_KEYS ?? null,
      s3Credentials:
        e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
          ? {
              accessKeyId: e.AWS_ACCESS_KEY_ID,
              secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
              sessionToken: e.AWS_SESSION_TOKEN ?? null,
            }
          : null,
    },
  };
}

/** The fleet's settings; each server's SIP WebSocket and domain (the first's: SIP_WSS_URL). */
function fleetConfig(
  e: Pick<
    z.infer<typeof EnvSchema>,
    'FLEET_TRUNK_DIAL' | 'FLEET_REHOME_AFTER_MS' | 'SIP_WSS_URLS' | 'SIP_WSS_URL' | 'SIP_DOMAIN'
  >,
  ari: AriServerConfig[],
): FleetConfig {
  const urls = (e.SIP_WSS_URLS ?? '').split(',').map((s) => s.trim());
  const sip: FleetConfig['sip'] = {};
  ari.forEach((s, i) => {
    const host = new URL(s.baseUrl).hostname;
    const given = urls[i] ?? '';
    if (given) {
      let u: URL;
      try {
        u = new URL(given);
      } catch {
        throw new ConfigError(`configuration: SIP_WSS_URLS is invalid (${given} is not a URL)`);
      }
      if (u.protocol !== 'wss:' && u.protocol !== 'ws:')
        throw new ConfigError('configuration: SIP_WSS_URLS is invalid (each must be wss://)');
    }
    sip[s.id] = {
      wsUri: given || (i === 0 ? e.SIP_WSS_URL : undefined) || `wss://${host}:8089/ws`,
      domain: (i === 0 ? e.SIP_DOMAIN : undefined) ?? host,
    };
  });
  return { trunkDial: e.FLEET_TRUNK_DIAL, rehomeAfterMs: e.FLEET_REHOME_AFTER_MS, sip };
}

/** The SIP settings of the browser phones, defaulted from the first ARI server's host. */
function sipConfig(
  e: Pick<
    z.infer<typeof EnvSchema>,
    | 'SIP_WSS_URL'
    | 'SIP_DOMAIN'
    | 'ICE_SERVERS'
    | 'TURN_SECRET'
    | 'TURN_TTL_S'
    | 'TURN_USERNAME'
    | 'TURN_CREDENTIAL'
  >,
  first: AriServerConfig | undefined,
): SipConfig | null {
  const iceServers = (e.ICE_SERVERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const turn = turnAuth(e, iceServers);
  if (!first) return null;
  const host = new URL(first.baseUrl).hostname;
  return {
    wsUri: e.SIP_WSS_URL ?? `wss://${host}:8089/ws`,
    domain: e.SIP_DOMAIN ?? host,
    iceServers,
    ...(turn ? { turn } : {}),
  };
}

/** TURN credentials from the environment, checked against each other and against ICE_SERVERS. */
function turnAuth(
  e: Pick<
    z.infer<typeof EnvSchema>,
    'TURN_SECRET' | 'TURN_TTL_S' | 'TURN_USERNAME' | 'TURN_CREDENTIAL'
  >,
  iceServers: string[],
): TurnAuth | null {
  const fail = (name: string, why: string): never => {
    throw new ConfigError(`configuration: ${name} is invalid (${why})`);
  };
  if (e.TURN_SECRET !== undefined && (e.TURN_USERNAME ?? e.TURN_CREDENTIAL) !== undefined)
    fail('TURN_SECRET', 'set it or TURN_USERNAME/TURN_CREDENTIAL, not both');
  if ((e.TURN_USERNAME === undefined) !== (e.TURN_CREDENTIAL === undefined))
    fail(
      e.TURN_USERNAME === undefined ? 'TURN_USERNAME' : 'TURN_CREDENTIAL',
      'TURN_USERNAME and TURN_CREDENTIAL go together',
    );
  const name = e.TURN_SECRET !== undefined ? 'TURN_SECRET' : 'TURN_USERNAME';
  const auth: TurnAuth | null =
    e.TURN_SECRET !== undefined
      ? { kind: 'rest', secret: e.TURN_SECRET, ttlS: e.TURN_TTL_S }
      : e.TURN_USERNAME !== undefined && e.TURN_CREDENTIAL !== undefined
        ? { kind: 'static', username: e.TURN_USERNAME, credential: e.TURN_CREDENTIAL }
        : null;
  if (auth && !iceServers.some(isTurnUrl))
    fail(name, 'ICE_SERVERS has no turn: or turns: URL for it to apply to');
  return auth;
}

/** Fastify's trustProxy: which X-Forwarded-* headers are believed. */
export type TrustProxy = boolean | number | string[];

/** TRUST_PROXY as Fastify takes it; undefined when it is not a valid value. */
export function parseTrustProxy(v: string): TrustProxy | undefined {
  const t = v.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false' || t === '0') return false;
  if (/^[1-9][0-9]?$/.test(t)) return Number(t);
  const list = t
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const addr = /^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)(?:\/[0-9]{1,3})?$/;
  if (list.length === 0 || !list.every((a) => addr.test(a))) return undefined;
  return list;
}

/**
 * Secrets that must never sign sessions: the public default of earlier versions, and values
 * with too few distinct characters to be random ('aaaa...', '0123...' repeated).
 */
export const PUBLIC_DEV_SESSION_SECRET = 'dev-only-secret-change-me-0123456789abcdef';
export function isWeakSecret(v: string): boolean {
  return v === PUBLIC_DEV_SESSION_SECRET || v.startsWith('dev-only') || new Set(v).size < 10;
}

/** A turn: or turns: URL (credentials apply to those, not to STUN). */
export function isTurnUrl(url: string): boolean {
  return /^turns?:/.test(url);
}

/** One Redis node of REDIS_CLUSTER_NODES or REDIS_SENTINELS. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** `host:port,host:port` of REDIS_CLUSTER_NODES / REDIS_SENTINELS; undefined: null. */
function redisNodes(name: string, raw: string | undefined): RedisNodeAddress[] | null {
  if (raw === undefined) return null;
  const nodes: RedisNodeAddress[] = [];
  for (const part of raw.split(',').map((p) => p.trim())) {
    const m = /^\[?([A-Za-z0-9.:-]+?)\]?:(\d{1,5})$/.exec(part);
    const port = m ? Number(m[2]) : 0;
    if (!m?.[1] || port < 1 || port > 65535)
      throw new ConfigError(`configuration: ${name} is invalid ("${part}" is not host:port)`);
    nodes.push({ host: m[1], port });
  }
  return nodes;
}
