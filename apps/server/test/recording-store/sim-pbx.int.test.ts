/**
 * The mover against the simulated PBX: two segments of a call (the customer transferred from one
 * agent's bridge to another's) recorded by the sim's ARI bridge recordings as real WAV files,
 * moved through the real ARI client into the vault, then gone from the PBX.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeWav, ManualScheduler, startSimPbx, type SimPbx } from '@ringside/sim';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { AriEventStream } from '../../src/adapters/asterisk/ari-events.js';
import { createVault, PgRecordingRows, VaultKeyring } from '../../src/adapters/storage/index.js';
import { ManualClock } from '../../src/ports/clock.js';
import { MemoryEventBus } from '../../src/ports/fakes/memory-event-bus.js';
import { isAriNotFound } from '../../src/ports/telephony-errors.js';
import { storedSegmentsOverAri } from '../../src/roles/scheduler.js';
import { RecordingMover } from '../../src/services/recordings/store/mover.js';
import { parseWav, wavDurationMs } from '../../src/services/recordings/store/wav.js';
import { useTestDb } from '../helpers/hooks.js';

const db = useTestDb('rec_store_sim');
let pbx: SimPbx;
let client: AriRestClient;
let stream: AriEventStream;
let dir: string;
const scheduler = new ManualScheduler();

beforeAll(async () => {
  pbx = await startSimPbx({
    port: 4576,
    scheduler,
    defaultProfile: { humanRingMs: 1000, humanTalkMs: 3_600_000 },
  });
  client = new AriRestClient({ baseUrl: pbx.ariUrl, user: 'ringside', password: 'ringside' });
  // Channels enter the Stasis application only while it is connected.
  let up = false;
  stream = new AriEventStream({
    baseUrl: pbx.ariUrl,
    user: 'ringside',
    password: 'ringside',
    app: 'dialer',
    logger: pino({ level: 'silent' }),
    consumedTypes: new Set(['RecordingFinished']),
    onEvent: () => undefined,
    onUp: () => void (up = true),
  });
  stream.start();
  const end = Date.now() + 5000;
  while (!up && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  dir = await mkdtemp(join(tmpdir(), 'ringside-sim-store-'));
});
afterAll(async () => {
  await stream?.stop();
  client?.close();
  await pbx?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('recording mover on the simulated PBX', () => {
  it('moves a transferred call recorded in two bridges into one stored WAV of the bridged time', async () => {
    const callId = `call-${randomBytes(4).toString('hex')}`;
    await client.createBridge('br-a');
    await client.createBridge('br-b');
    for (const ag of ['ag-a', 'ag-b'])
      await client.originate({
        endpoint: 'Local/agent@agents',
        channelId: ag,
        app: 'dialer',
        appArgs: 'agent',
      });
    await client.originate({
      endpoint: 'Local/5551230001@sim-customers',
      channelId: 'cu-1',
      otherChannelId: 'cu-1-2',
      app: 'dialer',
      appArgs: 'customer',
    });
    scheduler.advance(1500);
    await client.addChannel('br-a', ['ag-a', 'cu-1']);
    await client.recordBridge('br-a', { name: `rec-${callId}-1`, format: 'wav', ifExists: 'fail' });
    scheduler.advance(4000);
    await client.stopRecording(`rec-${callId}-1`);
    await client.removeChannel('br-a', ['cu-1']);
    scheduler.advance(0);
    await client.addChannel('br-b', ['ag-b', 'cu-1']);
    await client.recordBridge('br-b', { name: `rec-${callId}-2`, format: 'wav', ifExists: 'fail' });
    scheduler.advance(3000);
    await client.stopRecording(`rec-${callId}-2`);
    scheduler.advance(0);

    const c = await db.pool.query<{ id: string }>(
      `INSERT INTO campaigns (name) VALUES ('sim-rec') RETURNING id::text`,
    );
    const ended = new Date();
    const r = await db.pool.query<{ id: string }>(
      `INSERT INTO recordings (call_id, campaign_id, server_id, state, started_at, ended_at, bridged_ms)
       VALUES ($1, $2, 'sim', 'pending', $3, $3, 7000) RETURNING id::text`,
      [callId, c.rows[0]!.id, ended],
    );
    const id = r.rows[0]!.id;
    for (const [seq, offset] of [
      [1, 0],
      [2, 4000],
    ] as const)
      await db.pool.query(
        `INSERT INTO recording_segments (recording_id, seq, bridge_id, asterisk_name, started_at, offset_ms, state)
         VALUES ($1, $2, $3, $4, $5, $6, 'finished')`,
        [id, seq, seq === 1 ? 'br-a' : 'br-b', `rec-${callId}-${seq}`, ended, offset],
      );
    const first = await client.getStoredRecordingFile(`rec-${callId}-1`);
    const second = await client.getStoredRecordingFile(`rec-${callId}-2`);

    const vault = createVault({
      url: pathToFileURL(join(dir, 'sim')).href,
      keys: new VaultKeyring([{ id: 'k1', key: randomBytes(32) }]),
    });
    const mover = new RecordingMover({
      rows: new PgRecordingRows(db.pool),
      segments: storedSegmentsOverAri(new Map([['sim', client]])),
      vault,
      bus: new MemoryEventBus(),
      clock: new ManualClock(Date.now()),
      logger: pino({ level: 'silent' }),
    });
    expect(await mover.runOnce()).toEqual(['stored']);
    const row = (
      await db.pool.query<{ state: string; duration_ms: number; storage_url: string }>(
        'SELECT state, duration_ms, storage_url FROM recordings WHERE id = $1',
        [id],
      )
    ).rows[0]!;
    expect(row.state).toBe('stored');
    expect(Math.abs(row.duration_ms - 7000)).toBeLessThanOrEqual(500);
    const stored = await vault.readAll(row.storage_url);
    expect(wavDurationMs(parseWav(stored))).toBe(row.duration_ms);
    // The stored audio is the two segments' samples, in order.
    expect(
      parseWav(stored).data.equals(Buffer.concat([parseWav(first).data, parseWav(second).data])),
    ).toBe(true);
    expect(decodeWav(stored).length).toBeGreaterThan(0);
    for (const n of [`rec-${callId}-1`, `rec-${callId}-2`]) {
      const gone = await client.getStoredRecordingFile(n).catch((e: unknown) => e);
      expect(isAriNotFound(gone)).toBe(true);
    }
  });
});
