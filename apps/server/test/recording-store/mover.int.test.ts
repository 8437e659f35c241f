import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { RecordingBacklog, RecordingChanged } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/adapters/postgres/pool.js';
import {
  createVault,
  PgRecordingRows,
  VaultKeyring,
  type EncryptedVault,
} from '../../src/adapters/storage/index.js';
import { ManualClock } from '../../src/ports/clock.js';
import { MemoryEventBus } from '../../src/ports/fakes/memory-event-bus.js';
import { storedSegmentsOverAri } from '../../src/roles/scheduler.js';
import { rekeyAll } from '../../src/adapters/storage/rekey.js';
import { NO_STORE_METRICS, RecordingMover } from '../../src/services/recordings/store/mover.js';
import { RetentionPurge } from '../../src/services/recordings/store/retention.js';
import { makeWav, parseWav } from '../../src/services/recordings/store/wav.js';
import { TEST_DATABASE_URL } from '../helpers/db.js';
import { useTestDb } from '../helpers/hooks.js';
import { startFakeAri, type FakeAri } from './fake-ari.js';
import { S3RVER_CREDENTIALS, startLocalS3, type LocalS3 } from './s3-server.js';

const db = useTestDb('rec_store');
const logger = pino({ level: 'silent' });
const SERVER = 'pbx1:8088';
const DAY = 86_400_000;
let ari: FakeAri;
let s3: LocalS3;
let dir: string;
let campaignId: string;
let listId: string;
const keys = new VaultKeyring([{ id: 'k1', key: randomBytes(32) }]);

beforeAll(async () => {
  ari = await startFakeAri(4572);
  s3 = await startLocalS3(4570);
  dir = await mkdtemp(join(tmpdir(), 'ringside-mover-'));
  const c = await db.pool.query<{ id: string }>(
    `INSERT INTO campaigns (name, recording_retention_days) VALUES ('rec', 30) RETURNING id::text`,
  );
  campaignId = c.rows[0]!.id;
  const l = await db.pool.query<{ id: string }>(
    'INSERT INTO lists (campaign_id, name) VALUES ($1, $2) RETURNING id::text',
    [campaignId, 'l'],
  );
  listId = l.rows[0]!.id;
});
afterAll(async () => {
  await ari.close();
  await s3.dispose();
  await rm(dir, { recursive: true, force: true });
});

let seq = 0;
async function lead(): Promise<string> {
  seq += 1;
  const r = await db.pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone) VALUES ($1, $2) RETURNING id::text`,
    [listId, `+1555${String(1_000_000 + seq).slice(1)}`],
  );
  return r.rows[0]!.id;
}

/** A pending recording of the segments' lengths (ms), their WAVs on the fake Asterisk. */
async function pending(
  segmentsMs: number[],
  o: {
    bridgedMs?: number | null;
    leadId?: string | null;
    endedAtMs?: number;
    onAsterisk?: boolean;
  } = {},
) {
  seq += 1;
  const callId = `call-${seq}-${randomBytes(3).toString('hex')}`;
  const endedAt = new Date(o.endedAtMs ?? Date.now() - 1000);
  const total = segmentsMs.reduce((a, b) => a + b, 0);
  const r = await db.pool.query<{ id: string }>(
    `INSERT INTO recordings (call_id, campaign_id, lead_id, server_id, state, started_at, ended_at, bridged_ms)
     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7) RETURNING id::text`,
    [
      callId,
      campaignId,
      o.leadId === undefined ? await lead() : o.leadId,
      SERVER,
      new Date(endedAt.getTime() - total),
      endedAt,
      o.bridgedMs === undefined ? total : o.bridgedMs,
    ],
  );
  const id = r.rows[0]!.id;
  const wavs: Buffer[] = [];
  let offset = 0;
  for (const [i, ms] of segmentsMs.entries()) {
    const name = `rec-${callId}-${i + 1}`;
    const wav = makeWav(ms, 8000, 300 + 100 * i);
    wavs.push(wav);
    if (o.onAsterisk !== false) ari.files.set(name, wav);
    await db.pool.query(
      `INSERT INTO recording_segments (recording_id, seq, bridge_id, asterisk_name, started_at, ended_at, offset_ms, duration_ms, state)
       VALUES ($1, $2, 'b1', $3, $4, $4, $5, $6, 'finished')`,
      [id, i + 1, name, endedAt, offset, ms],
    );
    offset += ms;
  }
  return { id, callId, names: segmentsMs.map((_, i) => `rec-${callId}-${i + 1}`), wavs };
}

async function row(id: string) {
  const r = await db.pool.query<{
    state: string;
    storage_url: string | null;
    size_bytes: string | null;
    duration_ms: number | null;
    key_id: string | null;
    attempts: number;
    last_error: string | null;
    next_attempt_at: Date | null;
    purge_after: Date | null;
    ended_at: Date;
    purged_at: Date | null;
  }>('SELECT * FROM recordings WHERE id = $1', [id]);
  return r.rows[0]!;
}

function mover(vault: EncryptedVault, bus: MemoryEventBus, clock: ManualClock, pool = db.pool) {
  return new RecordingMover({
    rows: new PgRecordingRows(pool),
    segments: storedSegmentsOverAri(new Map([[SERVER, ari.client]])),
    vault,
    bus,
    clock,
    logger,
  });
}

const changes = (bus: MemoryEventBus, id: string) =>
  bus
    .events()
    .filter((e): e is RecordingChanged => e.type === 'recording.changed' && e.recordingId === id);
const backlogs = (bus: MemoryEventBus) =>
  bus.events().filter((e): e is RecordingBacklog => e.type === 'recording.backlog');

/** The samples of the stored file: the segments' samples in order. */
function samplesOf(wavs: Buffer[]): Buffer {
  return Buffer.concat(wavs.map((w) => parseWav(w).data));
}

/**
 * Every pending recording of the shared schema is moved before the next test makes its own, so
 * each test sees only what it made.
 */
async function drain(): Promise<void> {
  await db.pool.query(`UPDATE recordings SET state = 'failed' WHERE state = 'pending'`);
}

describe('recording mover', () => {
  it('moves a finished call: joins the segments, encrypts, marks stored, then deletes them from Asterisk', async () => {
    await drain();
    const vault = createVault({ url: pathToFileURL(join(dir, 'happy')).href, keys });
    const bus = new MemoryEventBus();
    const clock = new ManualClock(Date.now());
    const rec = await pending([3000, 2000]);
    expect(await mover(vault, bus, clock).runOnce()).toEqual(['stored']);
    const r = await row(rec.id);
    expect(r.state).toBe('stored');
    expect(r.duration_ms).toBe(5000);
    expect(r.key_id).toBe('k1');
    expect(r.attempts).toBe(1);
    expect(r.purge_after?.getTime()).toBe(r.ended_at.getTime() + 30 * DAY);
    expect(r.storage_url).toMatch(new RegExp(`/rec-${rec.id}\\.wav$`));
    expect(r.storage_url).not.toContain(rec.callId);
    const plain = await vault.readAll(r.storage_url!);
    expect(Number(r.size_bytes)).toBeGreaterThan(plain.length);
    expect(parseWav(plain).data.equals(samplesOf(rec.wavs))).toBe(true);
    for (const n of rec.names) expect(ari.files.has(n)).toBe(false);
    const segs = await db.pool.query(
      'SELECT state FROM recording_segments WHERE recording_id = $1',
      [rec.id],
    );
    expect(segs.rows.map((s: { state: string }) => s.state)).toEqual(['moved', 'moved']);
    expect(changes(bus, rec.id).map((e) => [e.state, e.error])).toEqual([['stored', null]]);
    expect(backlogs(bus).at(-1)).toMatchObject({ pending: 0, storageOk: true });
  });

  it('keeps the files on Asterisk while local storage refuses writes, retries with back-off, then stores', async () => {
    await drain();
    const root = join(dir, 'down-local');
    await writeFile(root, 'a file where the directory should be');
    const vault = createVault({ url: pathToFileURL(root).href, keys });
    const bus = new MemoryEventBus();
    const clock = new ManualClock(Date.now());
    const m = mover(vault, bus, clock);
    const rec = await pending([4000]);
    expect(await m.runOnce()).toEqual(['retry']);
    let r = await row(rec.id);
    expect(r.state).toBe('pending');
    expect(r.attempts).toBe(1);
    expect(r.last_error).toMatch(/^storage_unavailable:STORAGE_UNAVAILABLE/);
    expect(r.next_attempt_at!.getTime()).toBe(clock.nowMs() + 5_000);
    expect(ari.files.has(rec.names[0]!)).toBe(true);
    expect(backlogs(bus).at(-1)).toMatchObject({ pending: 1, storageOk: false });
    // Not due yet: nothing is tried.
    expect(await m.runOnce()).toEqual([]);
    clock.advance(5_000);
    expect(await m.runOnce()).toEqual(['retry']);
    r = await row(rec.id);
    expect(r.attempts).toBe(2);
    expect(r.next_attempt_at!.getTime()).toBe(clock.nowMs() + 10_000);
    // Pending after an error is told once, not per attempt.
    expect(changes(bus, rec.id).map((e) => e.state)).toEqual(['pending']);
    // Storage back.
    await rm(root);
    clock.advance(10_000);
    expect(await m.runOnce()).toEqual(['stored']);
    r = await row(rec.id);
    expect(r.state).toBe('stored');
    expect(r.attempts).toBe(3);
    expect(parseWav(await vault.readAll(r.storage_url!)).data.equals(samplesOf(rec.wavs))).toBe(
      true,
    );
    expect(ari.files.has(rec.names[0]!)).toBe(false);
    expect(changes(bus, rec.id).map((e) => e.state)).toEqual(['pending', 'stored']);
    expect(backlogs(bus).at(-1)).toMatchObject({ pending: 0, storageOk: true, lastError: null });
  });

  it('keeps the files on Asterisk while S3 is down, then stores them there', async () => {
    await drain();
    const vault = createVault({ url: s3.url('calls'), keys, s3Credentials: S3RVER_CREDENTIALS });
    const bus = new MemoryEventBus();
    const clock = new ManualClock(Date.now());
    const m = mover(vault, bus, clock);
    const recs = [await pending([1000]), await pending([2000, 500])];
    await s3.stop();
    try {
      expect(await m.runOnce()).toEqual(['retry', 'retry']);
      for (const rec of recs) for (const n of rec.names) expect(ari.files.has(n)).toBe(true);
    } finally {
      await s3.start();
    }
    clock.advance(5_000);
    expect(await m.runOnce()).toEqual(['stored', 'stored']);
    for (const rec of recs) {
      const r = await row(rec.id);
      expect(r.storage_url).toMatch(/^s3:\/\/rec\/calls\//);
      expect(parseWav(await vault.readAll(r.storage_url!)).data.equals(samplesOf(rec.wavs))).toBe(
        true,
      );
      for (const n of rec.names) expect(ari.files.has(n)).toBe(false);
    }
    vault.close();
  });

  it('marks a recording failed when Asterisk has no file for it, and does not retry', async () => {
    await drain();
    const vault = createVault({ url: pathToFileURL(join(dir, 'missing')).href, keys });
    const bus = new MemoryEventBus();
    const clock = new ManualClock(Date.now());
    const rec = await pending([1000], { onAsterisk: false });
    expect(await mover(vault, bus, clock).runOnce()).toEqual(['failed']);
    const r = await row(rec.id);
    expect([r.state, r.last_error, r.storage_url]).toEqual([
      'failed',
      'asterisk_no_file:seg1',
      null,
    ]);
    expect(changes(bus, rec.id).map((e) => [e.state, e.error])).toEqual([
      ['failed', 'asterisk_no_file:seg1'],
    ]);
    clock.advance(DAY);
    expect(await mover(vault, bus, clock).runOnce()).toEqual([]);
  });

  it('stores and flags a file whose length is not the bridged time (mismatch)', async () => {
    await drain();
    const vault = createVault({ url: pathToFileURL(join(dir, 'mismatch')).href, keys });
    const bus = new MemoryEventBus();
    const clock = new ManualClock(Date.now());
    const ok = await pending([2000], { bridgedMs: 2400 });
    const off = await pending([2000], { bridgedMs: 2600 });
    expect(await mover(vault, bus, clock).runOnce()).toEqual(['stored', 'mismatch']);
    expect((await row(ok.id)).state).toBe('stored');
    const r = await row(off.id);
    expect(r.state).toBe('mismatch');
    expect(r.last_error).toBe('length_mismatch:file=2000ms,bridged=2600ms');
    expect(r.storage_url).not.toBeNull();
    expect(changes(bus, off.id).map((e) => e.state)).toEqual(['mismatch']);
  });

  it('still stores the recording of a lead deleted after the call', async () => {
    await drain();
    const vault = createVault({ url: pathToFileURL(join(dir, 'deleted-lead')).href, keys });
    const leadId = await lead();
    const rec = await pending([1500], { leadId });
    await db.pool.query('DELETE FROM leads WHERE id = $1', [leadId]);
    expect(await mover(vault, new MemoryEventBus(), new ManualClock(Date.now())).runOnce()).toEqual(
      ['stored'],
    );
    expect((await row(rec.id)).state).toBe('stored');
  });

  it('two movers (two processes) move each recording exactly once', async () => {
    await drain();
    const vault = createVault({ url: pathToFileURL(join(dir, 'two')).href, keys });
    const recs = [];
    for (let i = 0; i < 12; i++) recs.push(await pending([800, 400]));
    const other = createPool(TEST_DATABASE_URL, { schema: db.schema, max: 4 });
    try {
      const bus = new MemoryEventBus();
      const clock = new ManualClock(Date.now());
      const [a, b] = await Promise.all([
        mover(vault, bus, clock).runOnce(),
        mover(vault, bus, clock, other).runOnce(),
      ]);
      expect([...a, ...b].sort()).toEqual(Array(12).fill('stored'));
      for (const rec of recs) {
        expect((await row(rec.id)).attempts).toBe(1);
        expect(changes(bus, rec.id).map((e) => e.state)).toEqual(['stored']);
        for (const n of rec.names) expect(ari.fetches.get(n)).toBe(1);
      }
    } finally {
      await other.end();
    }
  });
});

describe('retention purge', () => {
  it('deletes files past purge_after unless the recording or its lead is on hold; audits each', async () => {
    await drain();
    const vault = createVault({ url: pathToFileURL(join(dir, 'purge')).href, keys });
    const bus = new MemoryEventBus();
    const clock = new ManualClock(Date.now());
    const heldLead = await lead();
    const goneLead = await lead();
    const plain = await pending([500], { endedAtMs: Date.now() - 40 * DAY });
    const recHeld = await pending([500], { endedAtMs: Date.now() - 40 * DAY });
    const leadHeld = await pending([500], { endedAtMs: Date.now() - 40 * DAY, leadId: heldLead });
    const orphan = await pending([500], { endedAtMs: Date.now() - 40 * DAY, leadId: goneLead });
    const young = await pending([500], { endedAtMs: Date.now() - 10 * DAY });
    expect(await mover(vault, bus, clock).runOnce()).toEqual(Array(5).fill('stored'));
    const rows = new PgRecordingRows(db.pool);
    expect(await rows.setRecordingHold(recHeld.id, true)).toBe(true);
    expect(await rows.setLeadHold(heldLead, true)).toBe(true);
    expect(await rows.setLeadHold('999999999', true)).toBe(false);
    await db.pool.query('DELETE FROM leads WHERE id = $1', [goneLead]);
    const urls = new Map<string, string>();
    for (const r of [plain, recHeld, leadHeld, orphan, young])
      urls.set(r.id, (await row(r.id)).storage_url!);

    const purge = new RetentionPurge({ rows, vault, bus, clock, logger });
    const purged = await purge.runOnce();
    expect(purged.map((p) => p.id).sort()).toEqual([plain.id, orphan.id].sort());
    for (const r of [plain, orphan]) {
      const x = await row(r.id);
      expect(x.state).toBe('purged');
      expect(x.purged_at?.getTime()).toBe(clock.nowMs());
      await expect(vault.plainSize(urls.get(r.id)!)).rejects.toThrow(/not found/);
      expect(changes(bus, r.id).map((e) => e.state)).toEqual(['stored', 'purged']);
      const audit = await db.pool.query<{ action: string; detail: { callId: string } }>(
        'SELECT action, detail FROM audit_log WHERE target = $1',
        [`recording:${r.id}`],
      );
      expect(audit.rows.map((a) => [a.action, a.detail.callId])).toEqual([
        ['recording.purge', r.callId],
      ]);
    }
    for (const r of [recHeld, leadHeld, young]) {
      expect((await row(r.id)).state).toBe('stored');
      expect(await vault.plainSize(urls.get(r.id)!)).toBeGreaterThan(0);
    }
    // Holds lifted: purged on the next run; the young one waits for its day.
    await rows.setRecordingHold(recHeld.id, false);
    await rows.setLeadHold(heldLead, false);
    expect((await purge.runOnce()).map((p) => p.id).sort()).toEqual(
      [recHeld.id, leadHeld.id].sort(),
    );
    expect((await row(young.id)).state).toBe('stored');
    clock.advance(21 * DAY);
    expect((await purge.runOnce()).map((p) => p.id)).toEqual([young.id]);
  });

  it('a file the storage refuses to delete is logged and kept; the others due are purged', async () => {
    await drain();
    const vault = createVault({ url: pathToFileURL(join(dir, 'purge-refused')).href, keys });
    const bus = new MemoryEventBus();
    const clock = new ManualClock(Date.now());
    // The stuck one is the oldest, first in the purge's order.
    const stuck = await pending([500], { endedAtMs: Date.now() - 60 * DAY });
    const due = [
      await pending([500], { endedAtMs: Date.now() - 40 * DAY }),
      await pending([500], { endedAtMs: Date.now() - 41 * DAY }),
    ];
    expect(await mover(vault, bus, clock).runOnce()).toEqual(Array(3).fill('stored'));
    const stuckUrl = (await row(stuck.id)).storage_url!;
    let refuse = true;
    const refusing = {
      delete: async (url: string) => {
        if (refuse && url === stuckUrl) throw new Error('storage refused the delete (EACCES)');
        await vault.delete(url);
      },
    };
    const failures: unknown[] = [];
    const metrics = { ...NO_STORE_METRICS, purgeFailed: () => failures.push(1) };
    const warned: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => warned.push(l) });
    const rows = new PgRecordingRows(db.pool);
    const purge = new RetentionPurge({ rows, vault: refusing, bus, clock, logger: log, metrics });

    const purged = await purge.runOnce();
    expect(purged.map((p) => p.id).sort()).toEqual(due.map((d) => d.id).sort());
    expect((await row(stuck.id)).state).toBe('stored');
    expect(await vault.plainSize(stuckUrl)).toBeGreaterThan(0);
    expect(changes(bus, stuck.id).map((e) => e.state)).toEqual(['stored']);
    expect(failures).toHaveLength(1);
    expect(warned).toHaveLength(1);
    const line = JSON.parse(warned[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ recordingId: stuck.id, callId: stuck.callId });
    expect(JSON.stringify(line)).not.toContain(stuckUrl);
    const audit = await db.pool.query('SELECT 1 FROM audit_log WHERE target = $1', [
      `recording:${stuck.id}`,
    ]);
    expect(audit.rowCount).toBe(0);

    // The storage takes it again: the next pass purges it.
    refuse = false;
    expect((await purge.runOnce()).map((p) => p.id)).toEqual([stuck.id]);
    expect((await row(stuck.id)).state).toBe('purged');
  });
});

describe('key rotation (npm run recordings:rekey)', () => {
  it('re-encrypts stored recordings with the new first key; then the old key can go', async () => {
    await drain();
    // Only this test's recordings are stored (the earlier tests' used other keys).
    await db.pool.query(
      `UPDATE recordings SET state = 'purged' WHERE state IN ('stored', 'mismatch')`,
    );
    const url = pathToFileURL(join(dir, 'rekey')).href;
    const k1 = { id: 'old1', key: randomBytes(32) };
    const k2 = { id: 'new2', key: randomBytes(32) };
    const oldVault = createVault({ url, keys: new VaultKeyring([k1]) });
    const recs = [await pending([700]), await pending([900])];
    expect(
      await mover(oldVault, new MemoryEventBus(), new ManualClock(Date.now())).runOnce(),
    ).toEqual(['stored', 'stored']);
    const rows = new PgRecordingRows(db.pool);
    const both = createVault({ url, keys: new VaultKeyring([k2, k1]) });
    expect(await rekeyAll(rows, both, { dryRun: true })).toEqual({
      keyId: 'new2',
      done: 2,
      failed: 0,
    });
    expect((await row(recs[0]!.id)).key_id).toBe('old1');
    expect(await rekeyAll(rows, both, { batch: 1 })).toEqual({ keyId: 'new2', done: 2, failed: 0 });
    expect(await rekeyAll(rows, both)).toEqual({ keyId: 'new2', done: 0, failed: 0 });
    const onlyNew = createVault({ url, keys: new VaultKeyring([k2]) });
    for (const rec of recs) {
      const r = await row(rec.id);
      expect(r.key_id).toBe('new2');
      expect(Number(r.size_bytes)).toBe((await onlyNew.blobs.read(r.storage_url!, 0, 1e7)).length);
      expect(parseWav(await onlyNew.readAll(r.storage_url!)).data.equals(samplesOf(rec.wavs))).toBe(
        true,
      );
    }
  });
});
