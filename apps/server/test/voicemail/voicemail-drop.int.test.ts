import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AgentId,
  BusEnvelope,
  CallVoicemail,
  CampaignId,
  E164,
  LeadId,
  ListId,
} from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLogRepository } from '../../src/adapters/postgres/agent-log.js';
import type { HopperEntry } from '../../src/ports/hopper.js';
import type { RunningDialer } from '../../src/roles/dialer.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { PgVoicemailStore } from '../../src/adapters/postgres/voicemail.js';
import { reviewRecordingName } from '../../src/services/voicemail/amd-review.js';
import { wavDurationMs } from '../../src/services/voicemail/convert.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createCampaignWithList } from '../helpers/dialer.js';
import { startDialerRig, type DialerRig } from '../helpers/dialer-rig.js';
import { SIM_CAMPAIGN } from '../helpers/sim-campaign.js';
import { startBots, type RunningBots } from '../dialer/bots.js';

/**
 * The voicemail drop on the simulated PBX, through the real dialer and ARI worker roles: two
 * machines (last digit 5). One greets for 9.5 s: the dialer sets TALK_DETECT at the verdict,
 * waits for ChannelTalkingFinished, plays the campaign's message (a 4 s WAV made with sox,
 * fetched by the sim over HTTP like res_http_media_cache) to its end: VM_LEFT. The other greets
 * for 40 s against a 15 s limit: VM_NO_BEEP (left anyway). Both are AMD review samples (share
 * 100 %): a recordings row with reason amd_review and the file on the sim.
 */
const SPEED = 10;
const EPOCH = Date.UTC(2026, 10, 24, 17, 0, 0);
const MESSAGE_S = 4;
const SHORT_GREETING = '+12125550005' as E164;
const LONG_GREETING = '+12015550005' as E164;

let db: TestDb;
let rig: DialerRig;
let dialer: RunningDialer;
let bots: RunningBots;
let media: http.Server;
let campaignId: CampaignId;
let listId: ListId;
let dir: string;
const voicemail: CallVoicemail[] = [];
const talking: string[] = [];
let leadIds: Record<string, LeadId> = {};

async function until(what: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

beforeAll(async () => {
  db = await createTestDb('vm_drop');
  rig = await startDialerRig(db.pool, {
    label: 'vm_drop',
    speed: SPEED,
    epochMs: EPOCH,
    simSeed: 3,
    phones: 1,
  });
  dir = mkdtempSync(join(tmpdir(), 'vm-drop-'));
  const wav = join(dir, 'message.wav');
  execFileSync('sox', [
    '-n',
    '-r',
    '8000',
    '-b',
    '16',
    '-c',
    '1',
    wav,
    'synth',
    `${MESSAGE_S}`,
    'sine',
    '440',
  ]);

  // Asterisk (here the sim) fetches the message from the api's media route; this test serves
  // the same bytes from the same store on a port of its own.
  const store = new PgVoicemailStore(db.pool, 'http://unused');
  media = http.createServer((req, res) => {
    const token = /^\/media\/vm\/([0-9a-f]{32})\.wav$/.exec(req.url ?? '')?.[1];
    void (token ? store.audioByToken(token) : Promise.resolve(null)).then((audio) => {
      if (!audio) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'audio/wav' }).end(audio);
    });
  });
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  (rig.config as { vmMediaUrl: string }).vmMediaUrl = base;

  const created = await createCampaignWithList(db.pool, {
    ...SIM_CAMPAIGN,
    name: 'vm drop',
    dialMethod: 'progressive',
  });
  campaignId = created.campaignId;
  listId = created.listId;
  const message = await new PgVoicemailStore(db.pool, base).addMessage({
    campaignId,
    name: 'hello',
    sourceFormat: 'wav',
    durationMs: MESSAGE_S * 1000,
    audio: readFileSync(wav),
    createdBy: null,
  });
  await new PgVoicemailStore(db.pool, base).update(campaignId, {
    messageId: message.id,
    wait: 'greeting_end',
    maxWaitS: 15,
    noBeepAction: 'leave',
    amdReviewPct: 100,
  });
  await db.pool.query(`UPDATE campaigns SET machine_action = 'message' WHERE id = $1`, [
    campaignId,
  ]);
  // The long greeting: 40 s of it, and the machine waits 60 s before it hangs up.
  rig.sim.setScenario({
    rules: [{ prefix: '1201', profile: { machineGreetingMs: 40_000, machineHangupMs: 60_000 } }],
  });
  const leads = await db.pool.query<{ id: string; phone: string }>(
    `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key, tz_source)
     SELECT $1, p, 'America/New_York', ARRAY['America/New_York'], 'America/New_York', 'manual'
       FROM unnest($2::text[]) p RETURNING id, phone`,
    [listId, [SHORT_GREETING, LONG_GREETING]],
  );
  leadIds = Object.fromEntries(leads.rows.map((r) => [r.phone, r.id as LeadId]));
  const user = await db.pool.query<{ id: string }>(
    `INSERT INTO users (username, display_name, role, password_hash)
     VALUES ('vmbot', 'VM bot', 'agent', 'x') RETURNING id`,
  );

  rig.supervisor.start();
  dialer = await rig.startDialer('vm-dialer', () => undefined);
  const sub = await rig.bus.subscribe({
    from: 'latest',
    onEvent: (env: BusEnvelope) => {
      const e = env.event;
      if (e.type === 'call.voicemail') voicemail.push(e);
      if (e.type === 'call.talking') talking.push(`${e.callId}:${e.talking}`);
    },
  });
  const sessions = new AgentSessionService({
    store: rig.store,
    log: new AgentLogRepository(db.pool),
    clock: rig.clock,
    logger: rig.logger,
  });
  bots = await startBots({
    ...rig,
    sessions,
    pool: db.pool,
    seed: 1,
    agents: [{ agentId: user.rows[0]!.id as AgentId, campaignId }],
  });
  const entries: HopperEntry[] = leads.rows.map((r) => ({
    leadId: r.id as LeadId,
    listId,
    campaignId,
    phone: r.phone as E164,
    timeZones: ['America/New_York'],
    priority: 'new',
    attempts: 0,
    windowClosesAtMs: rig.clock.nowMs() + 12 * 3600_000,
  }));
  await db.pool.query(`UPDATE leads SET hopper_at = now() WHERE list_id = $1`, [listId]);
  await rig.hopper.add(campaignId, entries);
  await db.pool.query(`UPDATE campaigns SET active = true WHERE id = $1`, [campaignId]);
  await rig.bus.publish({
    type: 'campaign.settings_changed',
    campaignId,
    fields: ['active'],
    change: 'updated',
    userId: '1',
    by: 'admin',
    active: true,
    dialMethod: 'progressive',
    dialLevel: 1,
    atMs: rig.clock.nowMs(),
  });
  // Both calls end (about 30 s and 25 s of virtual time each, one after the other).
  await until(
    async () =>
      (
        await db.pool.query(
          `SELECT 1 FROM call_log WHERE campaign_id = $1 AND ended_at IS NOT NULL`,
          [campaignId],
        )
      ).rowCount === 2,
    40_000,
  );
  // The lead writes and the review rows land after the end.
  await until(
    async () =>
      (
        await db.pool.query(`SELECT 1 FROM leads WHERE list_id = $1 AND status LIKE 'VM_%'`, [
          listId,
        ])
      ).rowCount === 2,
    5_000,
  );
  await sub.close();
}, 90_000);

afterAll(async () => {
  await dialer?.stop();
  await bots?.close();
  await rig?.supervisor.stop();
  await rig?.sim.stop();
  rig?.redis.disconnect();
  await new Promise((r) => media?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

async function callOf(phone: E164) {
  const r = await db.pool.query<{
    id: string;
    outcome: string;
    vm_outcome: string | null;
    answered_at: Date;
    ended_at: Date;
  }>(`SELECT id, outcome, vm_outcome, answered_at, ended_at FROM call_log WHERE lead_id = $1`, [
    leadIds[phone],
  ]);
  expect(r.rows).toHaveLength(1);
  return r.rows[0]!;
}

async function leadStatus(phone: E164): Promise<string | null> {
  const r = await db.pool.query<{ status: string | null }>(
    `SELECT status FROM leads WHERE id = $1`,
    [leadIds[phone]],
  );
  return r.rows[0]?.status ?? null;
}

describe('voicemail drop on the simulated PBX', () => {
  it('waits for the greeting to end, plays the message to its end: VM_LEFT in call_log and the lead', async () => {
    const call = await callOf(SHORT_GREETING);
    expect(call.outcome).toBe('MACHINE');
    expect(call.vm_outcome).toBe('VM_LEFT');
    expect(await leadStatus(SHORT_GREETING)).toBe('VM_LEFT');
    // Talk detection was heard: started during the greeting, finished after it.
    expect(talking).toContain(`${call.id}:true`);
    expect(talking).toContain(`${call.id}:false`);
    const e = voicemail.filter((v) => v.callId === call.id);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ outcome: 'VM_LEFT', played: true, campaignId });
    // The greeting (9.5 s from the answer, the verdict at ~2 s) ended, then 1.5 s of silence.
    expect(e[0]!.waitedMs).toBeGreaterThan(7_000);
    expect(e[0]!.waitedMs).toBeLessThan(12_000);
    // We hung up after the message, long before the machine's own 30 s.
    const talkMs = call.ended_at.getTime() - call.answered_at.getTime();
    expect(talkMs).toBeGreaterThan(2_000 + 7_000 + MESSAGE_S * 1000 - 1_000);
    expect(talkMs).toBeLessThan(25_000);
  });

  it('a greeting longer than the limit is VM_NO_BEEP (the message left anyway)', async () => {
    const call = await callOf(LONG_GREETING);
    expect(call.vm_outcome).toBe('VM_NO_BEEP');
    expect(await leadStatus(LONG_GREETING)).toBe('VM_NO_BEEP');
    const e = voicemail.filter((v) => v.callId === call.id);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ outcome: 'VM_NO_BEEP', played: true });
    // Played after the 15 s limit, not after the 40 s greeting.
    expect(e[0]!.waitedMs).toBeGreaterThanOrEqual(15_000);
    expect(e[0]!.waitedMs).toBeLessThan(18_000);
  });

  it('keeps each sampled MACHINE verdict for the AMD review: a pending amd_review recording and its file on the sim', async () => {
    const r = await db.pool.query<{
      call_id: string;
      state: string;
      reason: string;
      bridged_ms: number | null;
      asterisk_name: string;
      seg_state: string;
    }>(
      `SELECT r.call_id, r.state, r.reason, r.bridged_ms, s.asterisk_name, s.state AS seg_state
         FROM recordings r JOIN recording_segments s ON s.recording_id = r.id
        WHERE r.campaign_id = $1 ORDER BY r.id`,
      [campaignId],
    );
    expect(r.rows).toHaveLength(2);
    for (const row of r.rows) {
      expect(row.reason).toBe('amd_review');
      expect(row.state).toBe('pending');
      expect(row.seg_state).toBe('finished');
      expect(row.asterisk_name).toBe(reviewRecordingName(row.call_id));
      // From the verdict to the hang-up: the rest of the greeting and the message.
      expect(row.bridged_ms).toBeGreaterThan(MESSAGE_S * 1000);
      const file = join(rig.sim.recordingsDir, `${row.asterisk_name}.wav`);
      expect(existsSync(file)).toBe(true);
      // The storage mover's check: the file's length within 0.5 s of bridged_ms.
      const fileMs = wavDurationMs(readFileSync(file)) ?? 0;
      console.log(`review ${row.call_id}: file ${fileMs} ms, bridged_ms ${row.bridged_ms}`);
      expect(Math.abs(fileMs - (row.bridged_ms ?? 0))).toBeLessThan(500);
    }
  });
});
