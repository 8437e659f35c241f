import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import {
  CLIENT_MESSAGE_TYPES,
  ClientMessage,
  WS_MAX_CLIENT_MESSAGE_BYTES,
  WS_PROTOCOL_VERSION,
} from '@ringside/protocol';
import type {
  AgentId,
  BusEnvelope,
  CallId,
  CampaignId,
  ClientMessageType,
  DomainEvent,
  ServerMessageType,
  SnapshotData,
  WsErrorData,
} from '@ringside/protocol';
import { agentIdOf, type SessionUser } from '../http/auth.js';
import type { AppDeps } from '../http/deps.js';
import { fromZod, mapError } from '../http/errors.js';
import { agentView, callView } from '../http/views.js';
import type { Subscription } from '../ports/event-bus.js';
import { ANY_ROLE } from '../http/routes/common.js';
import { foreignOrigin, ownOrigin } from '../http/security.js';
import { SESSION_COOKIE } from '../http/session.js';
import { ForbiddenError } from '../errors.js';

/**
 * The WebSocket gateway (`GET /ws`): one event-bus subscription per api process, fanned out to
 * the connected browsers and bot agents. Agents get their own agent and call events;
 * supervisors and admins get everything (optionally one campaign). Protocol: packages/protocol
 * src/ws.ts and docs/api.md.
 */

/** Defaults (ms). */
export const WS_DEFAULTS = {
  heartbeatMs: 10_000,
  agentLossMs: 30_000,
  lossPauseCode: 'SYSTEM',
} as const;

/** The reason recorded when the gateway pauses an agent whose socket and heartbeat are gone. */
export const HEARTBEAT_LOST_REASON = 'system:heartbeat-lost';

/** A client that reads slower than this many buffered bytes is dropped (it reconnects, re-snapshots). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Events whose bus-to-socket delay is kept for stats(). */
const LAG_SAMPLES = 10_000;

/** Calls remembered for routing events to their agent; oldest forgotten beyond this. */
const MAX_TRACKED_CALLS = 200_000;

interface Conn {
  socket: WebSocket;
  user: SessionUser;
  /** Set for agents: whose events this connection receives. */
  agentId: AgentId | null;
  subscribed: boolean;
  campaignFilter: CampaignId | null;
  /** Next outgoing seq. */
  seq: number;
  lastSeenMs: number;
  /** While a snapshot is being built, events wait here so none is lost or sent before it. */
  pending: string[] | null;
  /** A re-snapshot was requested while one was being built. */
  resnapshot: boolean;
}

interface TrackedAgent {
  conns: Set<Conn>;
  /** Last time the presence was refreshed (ms), to refresh at most twice per heartbeat. */
  touchedAtMs: number;
  /** When the agent's last socket went away (or went silent); null while connected. */
  lostSinceMs: number | null;
}

export interface GatewayStats {
  /**
   * Delay from an event's publication (its envelope's tsMs) to the gateway having written it to
   * the sockets, over the last LAG_SAMPLES events (ms); null before any event.
   */
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  connections: number;
  subscribed: number;
  eventsIn: number;
  messagesOut: number;
  snapshots: number;
  gaps: number;
  heartbeatPauses: number;
}

export interface Gateway {
  register(app: FastifyInstance): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): GatewayStats;
  /** Runs the liveness sweep now (tests; normally on a timer). */
  sweep(): Promise<void>;
}

/** Agents, calls and campaigns an event concerns, for routing. */
function eventAgent(e: DomainEvent): AgentId | null {
  switch (e.type) {
    case 'agent.state_changed':
    case 'call.bridged':
    case 'agent.monitor.started':
    case 'agent.monitor.ended':
      return e.agentId;
    case 'call.originated':
    case 'call.ended':
      return e.agentId;
    default:
      return null;
  }
}

/**
 * Monitoring events the agent must not see: a supervisor listening is silent (common practice in
 * contact centres, and the point of quality monitoring); whisper and barge are heard, so shown.
 */
function silentToAgent(e: DomainEvent): boolean {
  return (
    (e.type === 'agent.monitor.started' || e.type === 'agent.monitor.ended') && e.mode === 'listen'
  );
}

function eventCall(e: DomainEvent): CallId | null {
  return 'callId' in e && e.callId ? e.callId : null;
}

function eventCampaign(e: DomainEvent): CampaignId | null {
  return 'campaignId' in e ? e.campaignId : null;
}

export function createGateway(deps: AppDeps): Gateway {
  const { clock, stateStore, eventBus, logger } = deps;
  const heartbeatMs = deps.config.wsHeartbeatMs ?? WS_DEFAULTS.heartbeatMs;
  const lossMs = deps.config.wsAgentLossMs ?? WS_DEFAULTS.agentLossMs;
  const lossPauseCode = deps.config.wsLossPauseCode ?? WS_DEFAULTS.lossPauseCode;
  const log = logger.child({ component: 'ws-gateway' });

  const conns = new Set<Conn>();
  /** Supervisor and admin connections: they see every event, so they are kept apart. */
  const watchers = new Set<Conn>();
  const agentConns = new Map<AgentId, TrackedAgent>();
  /** callId -> the agent it belongs to, learned from events and snapshots. */
  const callOwner = new Map<CallId, AgentId>();
  /** callId -> campaign, for supervisors' campaign filter. */
  const callCampaign = new Map<CallId, CampaignId>();
  /** Agents a supervisor is monitoring (learned from events), so a call's end can end it. */
  const monitored = new Map<AgentId, CallId>();
  const lags = new Float64Array(LAG_SAMPLES);
  let lagCount = 0;
  const stats: Omit<GatewayStats, 'lagP50Ms' | 'lagP99Ms'> = {
    connections: 0,
    subscribed: 0,
    eventsIn: 0,
    messagesOut: 0,
    snapshots: 0,
    gaps: 0,
    heartbeatPauses: 0,
  };
  let subscription: Subscription | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let sweepTimer: NodeJS.Timeout | null = null;
  let sweeping = false;

  function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_TRACKED_CALLS) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
  }

  /** Sends pre-serialised `data` JSON in an envelope; one stringify per event, not per client. */
  function sendRaw(conn: Conn, type: ServerMessageType, dataJson: string): void {
    if (conn.socket.readyState !== conn.socket.OPEN) return;
    if (conn.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      log.warn({ userId: conn.user.id }, 'client too slow; closing');
      conn.socket.close(1013, 'too slow');
      return;
    }
    const seq = conn.seq++;
    conn.socket.send(
      `{"v":${WS_PROTOCOL_VERSION},"type":"${type}","seq":${seq},"tsMs":${clock.nowMs()},"data":${dataJson}}`,
    );
    stats.messagesOut++;
  }

  function sendError(conn: Conn, data: WsErrorData): void {
    sendRaw(conn, 'error', JSON.stringify(data));
  }

  async function buildSnapshot(conn: Conn, reason: SnapshotData['reason']): Promise<SnapshotData> {
    if (conn.agentId) {
      const [agent, active] = await Promise.all([
        stateStore.getAgent(conn.agentId),
        deps.supervisor?.activeMonitor(conn.agentId) ?? null,
      ]);
      const calls = [];
      if (agent?.callId) {
        remember(callOwner, agent.callId, conn.agentId);
        const call = await stateStore.getCall(agent.callId);
        if (call) calls.push(callView(call));
      }
      let monitor = active;
      if (monitor && monitor.callId !== agent?.callId) {
        // Left over from a call whose end no api process saw: end it now.
        void endMonitor(conn.agentId, monitor.callId);
        monitor = null;
      }
      return {
        scope: 'agent',
        reason,
        agent: agent ? agentView(agent) : null,
        agents: [],
        calls,
        monitor: monitor && !silentToAgent(monitor) ? monitor : null,
      };
    }
    const filter = conn.campaignFilter ?? undefined;
    const [agents, calls, campaigns] = await Promise.all([
      stateStore.listAgents(filter),
      stateStore.listCalls(filter),
      // The campaign header's dialer status: Redis, one HGETALL (not SQL); [] when unavailable.
      deps.campaignLive?.listLive(clock.nowMs(), undefined, filter).catch((err: unknown) => {
        log.warn({ err }, 'dialer statuses not read for a snapshot');
        return [];
      }) ?? [],
    ]);
    for (const c of calls) {
      remember(callCampaign, c.callId, c.campaignId);
      if (c.agentId) remember(callOwner, c.callId, c.agentId);
    }
    return {
      scope: 'supervisor',
      reason,
      agent: null,
      agents: agents.map(agentView),
      calls: calls.map(callView),
      campaigns,
    };
  }

  /** Sends a fresh snapshot, then the events that arrived while it was being built. */
  async function snapshot(conn: Conn, reason: SnapshotData['reason']): Promise<void> {
    if (conn.pending) {
      conn.resnapshot = true;
      return;
    }
    conn.pending = [];
    try {
      let why = reason;
      // A gap seen while building means the state read may predate it: read again (bounded, so
      // a storm of gaps cannot keep a client waiting; the last read is then sent as it is).
      for (let attempt = 1; ; attempt++) {
        conn.resnapshot = false;
        const data = await buildSnapshot(conn, why);
        if (!conn.resnapshot || attempt >= 3) {
          sendRaw(conn, 'snapshot', JSON.stringify(data));
          stats.snapshots++;
          break;
        }
        why = 'gap';
      }
      // Events buffered during the build: each may or may not be in the snapshot; events carry
      // their target state, so applying one twice is harmless.
      const queued = conn.pending;
      conn.pending = null;
      for (const msg of queued) sendRaw(conn, 'event', msg);
    } catch (err) {
      conn.pending = null;
      log.error({ err, userId: conn.user.id }, 'snapshot failed');
      sendError(conn, {
        code: 'INTERNAL',
        message: 'snapshot failed; subscribe again',
        replyTo: null,
      });
    }
  }

  function wants(conn: Conn, e: DomainEvent, agentId: AgentId | null, callId: CallId | null) {
    if (!conn.subscribed) return false;
    if (conn.agentId) return agentId === conn.agentId;
    if (!conn.campaignFilter) return true;
    const campaign = eventCampaign(e) ?? (callId ? callCampaign.get(callId) : undefined);
    // Events of no campaign (telephony status) go to every supervisor.
    return campaign === undefined || campaign === null || campaign === conn.campaignFilter;
  }

  function onEvent(env: BusEnvelope): void {
    stats.eventsIn++;
    deps.observeEvent?.(env);
    const e = env.event;
    const callId = eventCall(e);
    let agentId = eventAgent(e);
    if (callId) {
      const campaign = eventCampaign(e);
      if (campaign) remember(callCampaign, callId, campaign);
      if (agentId) remember(callOwner, callId, agentId);
      else agentId = callOwner.get(callId) ?? null;
    }
    // A silent monitoring goes to supervisors only, never to the monitored agent.
    if (silentToAgent(e)) agentId = null;
    trackMonitoring(e, agentId);
    const data = JSON.stringify({ stream: env.stream, busSeq: env.seq, event: e });
    if (agentId) {
      const tracked = agentConns.get(agentId);
      if (tracked) {
        for (const c of tracked.conns) deliver(c, e, agentId, callId, data);
      }
    }
    for (const c of watchers) deliver(c, e, agentId, callId, data);
    if (e.type === 'call.ended') {
      callOwner.delete(e.callId);
      callCampaign.delete(e.callId);
    }
    const lagMs = clock.nowMs() - env.tsMs;
    lags[lagCount++ % LAG_SAMPLES] = lagMs;
    deps.metrics?.wsPush(lagMs);
  }

  /** Ends a monitoring whose call or session is over (one api process publishes the end). */
  function endMonitor(agentId: AgentId, callId: CallId | null): Promise<void> {
    monitored.delete(agentId);
    return (deps.supervisor?.callOver(agentId, callId) ?? Promise.resolve()).catch((err: unknown) =>
      log.warn({ err, agentId }, 'monitoring not ended'),
    );
  }

  function trackMonitoring(e: DomainEvent, agentId: AgentId | null): void {
    switch (e.type) {
      case 'agent.monitor.started':
        monitored.set(e.agentId, e.callId);
        return;
      case 'agent.monitor.ended':
        monitored.delete(e.agentId);
        return;
      case 'call.ended':
        if (agentId && monitored.get(agentId) === e.callId) void endMonitor(agentId, e.callId);
        return;
      case 'agent.state_changed':
        if (e.to === 'LOGGED_OUT' && monitored.has(e.agentId)) void endMonitor(e.agentId, null);
        return;
      default:
        return;
    }
  }

  function lagPercentile(p: number): number | null {
    const n = Math.min(lagCount, LAG_SAMPLES);
    if (n === 0) return null;
    const sorted = lags.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)] ?? null;
  }

  function deliver(
    conn: Conn,
    e: DomainEvent,
    agentId: AgentId | null,
    callId: CallId | null,
    data: string,
  ): void {
    if (!wants(conn, e, agentId, callId)) return;
    if (conn.pending) conn.pending.push(data);
    else sendRaw(conn, 'event', data);
  }

  function onGap(stream: string, expectedSeq: number, gotSeq: number): void {
    stats.gaps++;
    log.warn({ stream, expectedSeq, gotSeq }, 'event bus gap; re-snapshotting clients');
    for (const c of conns) if (c.subscribed) void snapshot(c, 'gap');
  }

  /** Shares the agent's liveness with other api processes (when a presence store is wired). */
  function touchPresence(conn: Conn): void {
    if (!deps.presence || !conn.agentId) return;
    const t = agentConns.get(conn.agentId);
    if (!t || conn.lastSeenMs - t.touchedAtMs < heartbeatMs / 2) return;
    t.touchedAtMs = conn.lastSeenMs;
    deps.presence
      .touch(conn.agentId, lossMs)
      .catch((err: unknown) => log.warn({ err }, 'presence update failed'));
  }

  function handleMessage(conn: Conn, raw: Buffer, isBinary: boolean): void {
    conn.lastSeenMs = clock.nowMs();
    touchPresence(conn);
    if (raw.length > WS_MAX_CLIENT_MESSAGE_BYTES) {
      sendError(conn, {
        code: 'TOO_LARGE',
        message: `message of ${raw.length} bytes refused; the limit is ${WS_MAX_CLIENT_MESSAGE_BYTES}`,
        replyTo: null,
      });
      return;
    }
    if (isBinary) {
      sendError(conn, { code: 'BAD_JSON', message: 'send JSON text frames', replyTo: null });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      sendError(conn, { code: 'BAD_JSON', message: 'message is not JSON', replyTo: null });
      return;
    }
    const obj = typeof json === 'object' && json !== null && !Array.isArray(json) ? json : null;
    const seqRaw = obj ? (obj as { seq?: unknown }).seq : undefined;
    const replyTo = typeof seqRaw === 'number' && Number.isInteger(seqRaw) ? seqRaw : null;
    const type = obj ? (obj as { type?: unknown }).type : undefined;
    if (typeof type !== 'string') {
      sendError(conn, {
        code: 'VALIDATION',
        message: 'type: must be a string',
        issues: [{ path: 'type', message: 'must be a string' }],
        replyTo,
      });
      return;
    }
    if (!CLIENT_MESSAGE_TYPES.includes(type as ClientMessageType)) {
      sendError(conn, {
        code: 'UNKNOWN_TYPE',
        message: `unknown message type "${type.slice(0, 64)}"; expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}`,
        replyTo,
      });
      return;
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      const m = mapError(fromZod(parsed.error));
      sendError(conn, {
        code: m.body.error.code,
        message: m.body.error.message,
        issues: m.body.error.issues ?? [],
        replyTo,
      });
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ping':
        sendRaw(conn, 'pong', JSON.stringify({ nonce: msg.data.nonce ?? null, replyTo: msg.seq }));
        return;
      case 'subscribe':
        if (!conn.agentId) conn.campaignFilter = (msg.data.campaignId as CampaignId) ?? null;
        if (!conn.subscribed) stats.subscribed++;
        conn.subscribed = true;
        void snapshot(conn, 'subscribe');
        return;
    }
  }

  function onClose(conn: Conn): void {
    if (!conns.delete(conn)) return;
    watchers.delete(conn);
    stats.connections--;
    if (conn.subscribed) stats.subscribed--;
    if (!conn.agentId) return;
    const tracked = agentConns.get(conn.agentId);
    if (!tracked) return;
    tracked.conns.delete(conn);
    if (tracked.conns.size === 0) {
      // The heartbeat was alive until its last message; the loss clock starts from then.
      tracked.lostSinceMs = Math.min(clock.nowMs(), conn.lastSeenMs + heartbeatMs);
    }
  }

  /** 'elsewhere': the agent is alive on another api process; look again after another loss time. */
  async function pauseLostAgent(agentId: AgentId): Promise<'done' | 'elsewhere'> {
    const status = await stateStore.getAgent(agentId);
    // Only a READY agent could be offered a call; one in a call or wrap-up keeps its state.
    if (status?.state !== 'READY') return 'done';
    if (deps.presence && (await deps.presence.isPresent(agentId))) return 'elsewhere';
    await deps.agentSessions.pause(agentId, lossPauseCode, HEARTBEAT_LOST_REASON);
    stats.heartbeatPauses++;
    log.info({ agentId }, 'agent paused: socket and heartbeat lost');
    return 'done';
  }

  async function sweep(): Promise<void> {
    if (sweeping) return;
    sweeping = true;
    try {
      const now = clock.nowMs();
      for (const c of conns) {
        if (now - c.lastSeenMs > lossMs) {
          log.info({ userId: c.user.id }, 'client heartbeat lost; closing socket');
          c.socket.terminate();
          onClose(c);
        }
      }
      for (const [agentId, t] of agentConns) {
        if (t.conns.size > 0 || t.lostSinceMs === null) continue;
        if (now - t.lostSinceMs < lossMs) continue;
        try {
          if ((await pauseLostAgent(agentId)) === 'elsewhere') {
            t.lostSinceMs = clock.nowMs();
            continue;
          }
          // Reconnected here while the state was being read: keep watching that socket.
          if (t.conns.size === 0) agentConns.delete(agentId);
        } catch (err) {
          if (t.conns.size === 0) agentConns.delete(agentId);
          // The agent may have moved on (IllegalTransition) or Redis failed; log, do not retry.
          log.warn({ err, agentId }, 'could not pause lost agent');
        }
      }
    } finally {
      sweeping = false;
    }
  }

  function onConnect(socket: WebSocket, user: SessionUser): void {
    const conn: Conn = {
      socket,
      user,
      agentId: user.role === 'agent' ? agentIdOf(user) : null,
      subscribed: false,
      campaignFilter: null,
      seq: 1,
      lastSeenMs: clock.nowMs(),
      pending: null,
      resnapshot: false,
    };
    conns.add(conn);
    stats.connections++;
    if (!conn.agentId) watchers.add(conn);
    if (conn.agentId) {
      let t = agentConns.get(conn.agentId);
      if (!t) {
        t = { conns: new Set(), lostSinceMs: null, touchedAtMs: 0 };
        agentConns.set(conn.agentId, t);
      }
      t.conns.add(conn);
      t.lostSinceMs = null;
      touchPresence(conn);
    }
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        handleMessage(conn, data, isBinary);
      } catch (err) {
        log.error({ err }, 'ws message handling failed');
        sendError(conn, { code: 'INTERNAL', message: 'internal error', replyTo: null });
      }
    });
    socket.on('close', () => onClose(conn));
    socket.on('error', (err) => log.debug({ err }, 'ws socket error'));
    sendRaw(conn, 'heartbeat', JSON.stringify({ intervalMs: heartbeatMs }));
  }

  return {
    register(app) {
      app.route({
        method: 'GET',
        url: '/ws',
        // Checked by the app's onRequest hook BEFORE the upgrade: no session, no socket (401).
        config: { auth: ANY_ROLE },
        schema: { hide: true },
        // A browser's cookie rides along on a WebSocket opened by any page; SameSite=Strict stops
        // other sites in current browsers, and this stops them everywhere: a cookie-authenticated
        // upgrade must come from a page of this host.
        // Scheme included: a page on http://host may not open the socket of https://host.
        preValidation: async (req) => {
          if (!req.headers.origin || !req.cookies[SESSION_COOKIE]) return;
          const foreign = foreignOrigin(req);
          if (foreign !== null) {
            throw new ForbiddenError(
              `cross-origin WebSocket refused: Origin ${foreign} is not ${ownOrigin(req)}`,
            );
          }
        },
        handler: async (_req, reply) =>
          reply.code(426).send({ error: { code: 'UPGRADE_REQUIRED', message: 'use WebSocket' } }),
        wsHandler: (socket, req) => {
          if (!req.user) {
            socket.close(1008, 'unauthenticated');
            return;
          }
          onConnect(socket, req.user);
        },
      });
    },
    async start() {
      subscription = await eventBus.subscribe({
        from: 'latest',
        onEvent,
        onGap,
        onError: (err, env) =>
          log.error({ err, stream: env?.stream, seq: env?.seq }, 'gateway event handling failed'),
      });
      heartbeatTimer = setInterval(() => {
        const data = JSON.stringify({ intervalMs: heartbeatMs });
        for (const c of conns) sendRaw(c, 'heartbeat', data);
      }, heartbeatMs);
      sweepTimer = setInterval(() => void sweep(), Math.max(50, Math.min(heartbeatMs, lossMs / 4)));
      heartbeatTimer.unref();
      sweepTimer.unref();
    },
    async stop() {
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      heartbeatTimer = sweepTimer = null;
      await subscription?.close();
      subscription = null;
      for (const c of conns) c.socket.close(1001, 'server shutting down');
    },
    stats: () => ({ ...stats, lagP50Ms: lagPercentile(50), lagP99Ms: lagPercentile(99) }),
    sweep,
  };
}
