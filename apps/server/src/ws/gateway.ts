import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { WS_PROTOCOL_VERSION } from '@ringside/protocol';
import type {
  AgentId,
  BusEnvelope,
  CallId,
  CampaignId,
  DomainEvent,
  RecordingChanged,
  ServerMessageType,
  SnapshotData,
  WsErrorData,
} from '@ringside/protocol';
import { agentIdOf, type SessionUser } from '../http/auth.js';
import type { AppDeps } from '../http/deps.js';
import { agentView, callView } from '../http/views.js';
import type { Subscription } from '../ports/event-bus.js';
import { ANY_ROLE } from '../http/routes/common.js';
import { foreignOrigin, ownOrigin } from '../http/security.js';
import { SESSION_COOKIE } from '../http/session.js';
import { ForbiddenError } from '../errors.js';
import { AgentPresenceTracker, PRESENCE_DEFAULTS } from '../services/agents/presence.js';
import { liveRecordingChanged } from '../services/recordings/live-view.js';
import { parseClientMessage } from './client-message.js';
import { eventAgent, eventCall, eventCampaign, remember, silentToAgent } from './routing.js';
import { createTalkGateway, talkAgents } from './talk.js';

/**
 * The WebSocket gateway (`GET /ws`): one event-bus subscription per api process, fanned out to
 * the connected browsers and bot agents. Agents get their own agent and call events;
 * supervisors and admins get everything (optionally one campaign). Protocol: packages/protocol
 * src/ws.ts and docs/api.md. Transport only: an agent whose sockets are gone is the agents
 * service's matter (services/agents/presence.ts), told of every socket and heartbeat here.
 */

/** A client that reads slower than this many buffered bytes is dropped (it reconnects, re-snapshots). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Events whose bus-to-socket delay is kept for stats(). */
const LAG_SAMPLES = 10_000;

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

export function createGateway(deps: AppDeps): Gateway {
  const { clock, stateStore, eventBus, logger } = deps;
  const heartbeatMs = deps.config.wsHeartbeatMs ?? PRESENCE_DEFAULTS.heartbeatMs;
  const lossMs = deps.config.wsAgentLossMs ?? PRESENCE_DEFAULTS.agentLossMs;
  const log = logger.child({ component: 'ws-gateway' });
  const talk = createTalkGateway(deps.talk, log);
  // This process's sockets are its own: so is the tracker of the agents on them.
  const presence = new AgentPresenceTracker({
    store: stateStore,
    sessions: deps.agentSessions,
    ...(deps.presence ? { presence: deps.presence } : {}),
    clock,
    logger: log,
    heartbeatMs,
    lossMs,
    lossPauseCode: deps.config.wsLossPauseCode ?? PRESENCE_DEFAULTS.lossPauseCode,
  });

  const conns = new Set<Conn>();
  /** Supervisor and admin connections: they see every event, so they are kept apart. */
  const watchers = new Set<Conn>();
  /** The sockets of each agent on this process, for routing its events. */
  const agentConns = new Map<AgentId, Set<Conn>>();
  /** callId -> the agent it belongs to, learned from events and snapshots. */
  const callOwner = new Map<CallId, AgentId>();
  /** callId -> campaign, for supervisors' campaign filter. */
  const callCampaign = new Map<CallId, CampaignId>();
  /** Agents a supervisor is monitoring (learned from events), so a call's end can end it. */
  const monitored = new Map<AgentId, CallId>();
  const lags = new Float64Array(LAG_SAMPLES);
  let lagCount = 0;
  const stats: Omit<GatewayStats, 'lagP50Ms' | 'lagP99Ms' | 'heartbeatPauses'> = {
    connections: 0,
    subscribed: 0,
    eventsIn: 0,
    messagesOut: 0,
    snapshots: 0,
    gaps: 0,
  };
  let subscription: Subscription | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let sweepTimer: NodeJS.Timeout | null = null;
  let sweeping = false;

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
    const talkPart = talk.snapshot(conn.user);
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
        ...(await talkPart),
        ...(await recordingsPart(calls.map((c) => c.callId))),
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
      ...(await talkPart),
      ...(await recordingsPart(calls.map((c) => c.callId))),
    };
  }

  /** The live calls' recordings (docs/recording.md); nothing when unknown or unreadable. */
  async function recordingsPart(
    callIds: readonly string[],
  ): Promise<{ recordings?: RecordingChanged[] }> {
    const live = deps.liveRecordings;
    if (!live || callIds.length === 0) return {};
    try {
      const now = clock.nowMs();
      const recs = await Promise.all(callIds.map((id) => live.get(id as CallId)));
      return {
        recordings: recs.flatMap((r) => (r ? [liveRecordingChanged(r, now)] : [])),
      };
    } catch (err) {
      log.warn({ err }, 'live recordings not read for a snapshot');
      return {};
    }
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
      for (const c of agentConns.get(agentId) ?? []) deliver(c, e, agentId, callId, data);
    }
    for (const c of watchers) deliver(c, e, agentId, callId, data);
    for (const a of talkAgents(e))
      for (const c of agentConns.get(a) ?? []) deliver(c, e, a, callId, data);
    talk.observe(e);
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

  function handleMessage(conn: Conn, raw: Buffer, isBinary: boolean): void {
    conn.lastSeenMs = clock.nowMs();
    if (conn.agentId) presence.heard(conn.agentId, conn.lastSeenMs);
    const parsed = parseClientMessage(raw, isBinary);
    if (!parsed.ok) {
      sendError(conn, parsed.error);
      return;
    }
    const msg = parsed.msg;
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
      case 'talk.send':
      case 'talk.read':
      case 'talk.hand':
        talk.handle(conn, conn.user, msg, (err) => sendError(conn, err));
        return;
    }
  }

  function onClose(conn: Conn): void {
    if (!conns.delete(conn)) return;
    watchers.delete(conn);
    stats.connections--;
    if (conn.subscribed) stats.subscribed--;
    if (!conn.agentId) return;
    const mine = agentConns.get(conn.agentId);
    if (!mine?.delete(conn)) return;
    if (mine.size === 0) agentConns.delete(conn.agentId);
    presence.disconnected(conn.agentId, conn.lastSeenMs);
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
      await presence.sweep();
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
      let mine = agentConns.get(conn.agentId);
      if (!mine) {
        mine = new Set();
        agentConns.set(conn.agentId, mine);
      }
      mine.add(conn);
      presence.connected(conn.agentId, conn.lastSeenMs);
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
    stats: () => ({
      ...stats,
      heartbeatPauses: presence.pauses,
      lagP50Ms: lagPercentile(50),
      lagP99Ms: lagPercentile(99),
    }),
    sweep,
  };
}
