import type { AgentId, CallId, DomainEvent, RecordingChanged } from '@ringside/protocol';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { ServerPool } from '../../src/adapters/asterisk/server-pool.js';
import { TelephonyHealth } from '../../src/adapters/asterisk/telephony-health.js';
import { createAuditLog } from '../../src/adapters/postgres/audit.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { createLeadsRepo } from '../../src/adapters/postgres/leads.js';
import { createRecordingCallsRepo } from '../../src/adapters/postgres/recording-calls.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisLiveRecordings } from '../../src/adapters/redis/live-recordings.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import type { AriServerConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { NewCampaign } from '../../src/ports/campaigns.js';
import { systemClock } from '../../src/ports/clock.js';
import type { RecordingCallsRepo } from '../../src/ports/recording-calls.js';
import { AriServerSupervisor } from '../../src/roles/ari-server.js';
import { CallRecorder } from '../../src/services/recordings/call-recorder.js';
import { recordingLookups } from '../../src/services/recordings/lookups.js';
import { RecordingControl } from '../../src/services/recordings/call-recording-control.js';
import { CallOriginator } from '../../src/services/telephony/ari-worker-originator.js';
import { agentBridgeId } from '../../src/services/telephony/ari-worker-events.js';
import { MemoryCallLog, agentPhone, customerCall } from '../asterisk/telephony-rig.js';

/**
 * The recording call flow on an ARI server (the simulated PBX here, the real Asterisk in
 * real-recording.asterisk.test.ts): the production ari-worker supervisor with its call recorder,
 * the api's RecordingControl, PostgreSQL for the rows and Redis for live state and events, and a
 * stand-in dialer that bridges each human answer to the agent the test named.
 */
export interface RecordingRig {
  client: AriRestClient;
  store: RedisStateStore;
  bus: RedisEventBus;
  repo: RecordingCallsRepo;
  control: RecordingControl;
  recorder: CallRecorder;
  sup: AriServerSupervisor;
  /** Every recording.changed seen, in order. */
  changes: RecordingChanged[];
  /** Every event of a call, in order. */
  eventsOf(callId: string): DomainEvent[];
  /** A campaign with this recording policy; its id. */
  campaign(settings: Partial<NewCampaign>): Promise<string>;
  /** An agent READY in `campaignId` with its own mixing bridge and a phone leg in it. */
  agent(agentId: string, campaignId: string): Promise<{ agentId: AgentId; bridgeId: string }>;
  /** Places a human call (last digit 1) that the stand-in dialer bridges to `agentId`. */
  call(callId: string, campaignId: string, agentId: string): Promise<void>;
  /** Resolves once the call is bridged (call.bridged seen). */
  bridged(callId: string, timeoutMs?: number): Promise<void>;
  /** Resolves once the recorder has finished the call (pending or failed published). */
  finished(callId: string, timeoutMs?: number): Promise<RecordingChanged>;
  close(): Promise<void>;
}

export async function startRecordingRig(o: {
  pool: pg.Pool;
  redis: Redis;
  prefix: string;
  server: AriServerConfig;
  /** Consent notice that never ends in time (ms), for the recorder (default 60,000). */
  consentTimeoutMs?: number;
  /** How customers are dialed (default Local/{digits}@sim-customers). */
  dialTemplate?: string;
  /** The agents' phones (default Local/agent@agents: answers and stays up, silent). */
  agentPhoneEndpoint?: (agentId: string) => string;
}): Promise<RecordingRig> {
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const store = new RedisStateStore(o.redis, { prefix: o.prefix, clock: systemClock });
  const bus = new RedisEventBus(o.redis, { prefix: o.prefix, clock: systemClock, logger });
  const db = createDb(o.pool);
  const campaigns = createCampaignsRepo(db);
  const leads = createLeadsRepo(db);
  const repo = createRecordingCallsRepo(db);
  const lookups = recordingLookups(campaigns, leads);
  const live = new RedisLiveRecordings(o.redis, o.prefix);
  const client = new AriRestClient(o.server);
  const recorder = new CallRecorder({
    serverId: o.server.id,
    ari: client,
    calls: store,
    live,
    repo,
    policyOf: lookups.policyOf,
    leadOf: lookups.leadOf,
    bus,
    clock: systemClock,
    logger,
    ...(o.consentTimeoutMs ? { consentTimeoutMs: o.consentTimeoutMs } : {}),
  });
  const control = new RecordingControl({
    ariOf: (id) => (id === o.server.id ? client : null),
    store,
    live,
    repo,
    settingsOf: lookups.settingsOf,
    leadOf: lookups.leadOf,
    audit: createAuditLog(o.pool),
    bus,
    clock: systemClock,
    logger,
  });
  const callLog = new MemoryCallLog();
  const sup = new AriServerSupervisor({
    server: o.server,
    client,
    store,
    bus,
    callLog,
    clock: systemClock,
    logger,
    health: new TelephonyHealth(),
    recorder,
    // Each test agent's phone leg is `leg-<agentId>` and joins that agent's bridge.
    agentLegs: {
      onAgentLeg: (leg, ari) =>
        ari.addChannel(agentBridgeId(leg.channelId.replace(/^leg-/, '')), leg.channelId),
    },
  });
  sup.start();
  const deadline = Date.now() + 10_000;
  while (!sup.stream.isUp) {
    if (Date.now() > deadline) throw new Error(`cannot reach ARI at ${o.server.baseUrl}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const originator = new CallOriginator({
    pool: new ServerPool([{ id: o.server.id, client, maxCalls: 100 }], store),
    store,
    callLog,
    clock: systemClock,
    logger,
    dialTemplate: o.dialTemplate ?? 'Local/{digits}@sim-customers',
  });

  const changes: RecordingChanged[] = [];
  const events = new Map<string, DomainEvent[]>();
  const target = new Map<string, string>();
  const waiters: Array<() => void> = [];
  const sub = await bus.subscribe({
    from: 'start',
    onEvent: async ({ event }) => {
      if (event.type === 'recording.changed') changes.push(event);
      if ('callId' in event && event.callId) {
        const list = events.get(event.callId) ?? [];
        list.push(event);
        events.set(event.callId, list);
        // The stand-in dialer: a human answer goes to the agent the test named.
        if (event.type === 'call.amd') {
          const agent = target.get(event.callId);
          if (event.result === 'MACHINE' || !agent) await client.hangup(event.callId);
          else await client.addChannel(agentBridgeId(agent), event.callId);
        }
      }
      for (const w of waiters.splice(0)) w();
    },
  });
  const wait = async <T>(what: string, get: () => T | undefined, ms: number): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = get();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`${what}: not in time`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  const agents: string[] = [];

  return {
    client,
    store,
    bus,
    repo,
    control,
    recorder,
    sup,
    changes,
    eventsOf: (id) => events.get(id) ?? [],
    campaign: async (settings) =>
      (
        await campaigns.create({
          ...settings,
          name: settings.name ?? `rec-${Math.random().toString(36).slice(2, 10)}`,
        })
      ).id,
    async agent(agentId, campaignId) {
      const bridgeId = agentBridgeId(agentId);
      await client.createBridge(bridgeId, 'mixing');
      const id = agentId as AgentId;
      await store.transitionAgent(
        {
          agentId: id,
          state: 'READY',
          sinceMs: Date.now(),
          campaignId: campaignId as never,
          callId: null,
          pauseCode: null,
          bridgeId,
          legChannelId: `leg-${agentId}`,
        },
        null,
        {
          type: 'agent.state_changed',
          agentId: id,
          campaignId: campaignId as never,
          from: 'LOGGED_OUT',
          to: 'READY',
          pauseCode: null,
          callId: null,
          reason: 'test',
          sinceMs: Date.now(),
          atMs: Date.now(),
        },
      );
      if (o.agentPhoneEndpoint) {
        await client.originate({
          endpoint: o.agentPhoneEndpoint(agentId),
          channelId: `leg-${agentId}`,
          otherChannelId: `leg-${agentId}-2`,
          app: o.server.app,
          appArgs: 'agent',
        });
      } else {
        await agentPhone(client, o.server.app, `leg-${agentId}`);
      }
      agents.push(agentId);
      return { agentId: id, bridgeId };
    },
    async call(callId, campaignId, agentId) {
      target.set(callId, agentId);
      const r = await originator.originate(
        customerCall(callId, '+15551230001', { campaignId, leadId: '1' }),
      );
      if (!r.ok) throw r.error;
    },
    async bridged(callId, ms = 20_000) {
      await wait(
        `${callId} bridged`,
        () => (events.get(callId)?.some((e) => e.type === 'call.bridged') ? true : undefined),
        ms,
      );
    },
    async finished(callId, ms = 20_000) {
      return wait(
        `${callId} recording finished`,
        () =>
          changes.find(
            (c) => c.callId === callId && (c.state === 'pending' || c.state === 'failed'),
          ),
        ms,
      );
    },
    async close() {
      await sub.close();
      for (const a of agents) {
        await client.hangup(`leg-${a}`).catch(() => undefined);
        await client.destroyBridge(agentBridgeId(a)).catch(() => undefined);
      }
      await sup.stop();
    },
  };
}

/** Where each party speaks in a WAV (8 kHz, 16-bit mono): RMS of each 100 ms window. */
export function windowsRms(samples: Int16Array, windowMs = 100): number[] {
  const n = (8000 * windowMs) / 1000;
  const out: number[] = [];
  for (let i = 0; i + n <= samples.length; i += n) {
    let sum = 0;
    for (let j = i; j < i + n; j++) sum += (samples[j] as number) ** 2;
    out.push(Math.sqrt(sum / n));
  }
  return out;
}

/** The samples of a WAV file (PCM 16-bit): the data chunk, found by its id. */
export function wavSamples(file: Buffer): Int16Array {
  let off = 12;
  while (off + 8 <= file.length) {
    const id = file.toString('ascii', off, off + 4);
    const size = file.readUInt32LE(off + 4);
    if (id === 'data') {
      const data = file.subarray(off + 8, off + 8 + size);
      return new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    }
    off += 8 + size + (size % 2);
  }
  throw new Error('no data chunk in the WAV');
}

export type { CallId };
