import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import pino from 'pino';
import { createQualityRepo } from '../../src/adapters/postgres/quality.js';
import { createRecordingsReadRepo } from '../../src/adapters/postgres/recordings-read.js';
import type { RecordingVault, StoredObject } from '../../src/ports/recording-vault.js';
import {
  createVault,
  VaultKeyring,
  type EncryptedVault,
} from '../../src/adapters/storage/index.js';
import type { AmdAudit } from '../../src/ports/dialer.js';
import { RecordingPlayer } from '../../src/services/recordings/play/player.js';
import { systemClock } from '../../src/ports/clock.js';
import { QualityService } from '../../src/services/quality/quality-service.js';
import type { Harness } from '../http/harness.js';

/**
 * The real vault (adapters/storage: AES-256-GCM chunks) on a fresh local directory, counting the
 * reads the player makes. dispose() removes the directory.
 */
export class TestVault implements RecordingVault {
  reads = 0;
  private constructor(
    private readonly inner: EncryptedVault,
    private readonly dir: string,
  ) {}

  static async open(): Promise<TestVault> {
    const dir = await mkdtemp(join(tmpdir(), 'ringside-play-'));
    const keys = new VaultKeyring([{ id: 'k1', key: randomBytes(32) }]);
    return new TestVault(createVault({ url: pathToFileURL(dir).href, keys }), dir);
  }
  put(key: string, plain: Buffer): Promise<StoredObject> {
    return this.inner.put(key, plain);
  }
  plainSize(url: string): Promise<number> {
    return this.inner.plainSize(url);
  }
  readRange(url: string, start: number, endInclusive: number): Promise<Readable> {
    this.reads++;
    return this.inner.readRange(url, start, endInclusive);
  }
  delete(url: string): Promise<void> {
    return this.inner.delete(url);
  }
  check(): Promise<void> {
    return this.inner.check();
  }
  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A PCM WAV (8 kHz mono 16-bit) of `ms` milliseconds: a tone, or silence between from/to ms. */
export function toneWav(
  ms: number,
  silent: { fromMs: number; toMs: number } | null = null,
): Buffer {
  const frames = Math.round((ms * 8000) / 1000);
  const data = Buffer.alloc(frames * 2);
  for (let i = 0; i < frames; i++) {
    const t = (i * 1000) / 8000;
    const quiet = silent && t >= silent.fromMs && t < silent.toMs;
    data.writeInt16LE(
      quiet ? 0 : Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / 8000)),
      i * 2,
    );
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

export interface SeedRecording {
  campaignId: string;
  leadId?: string | null;
  /** The agents of its segments, in order (a transfer: two). */
  agents: string[];
  /** Where each segment starts in the file, ms (default: one a second). */
  offsetsMs?: number[];
  state?: 'recording' | 'pending' | 'stored' | 'failed' | 'mismatch' | 'purged';
  reason?: 'policy' | 'sampled' | 'on_demand' | 'amd_review';
  /** The WAV to store (stored / mismatch); default a 2 s tone. */
  wav?: Buffer;
  startedAtMs?: number;
  marks?: { kind: 'pause' | 'resume' | 'transfer'; offsetMs: number }[];
}

let calls = 0;

/** Inserts a recording with its segments and marks (and its file when stored); its id and call. */
export async function seedRecording(
  h: { db: { pool: pg.Pool } },
  vault: RecordingVault,
  r: SeedRecording,
): Promise<{ id: string; callId: string; url: string | null }> {
  const callId = `rec-call-${process.pid}-${++calls}`;
  const state = r.state ?? 'stored';
  const startedAt = new Date(r.startedAtMs ?? Date.now() - 3_600_000 + calls * 1000);
  let url: string | null = null;
  let size: number | null = null;
  if (state === 'stored' || state === 'mismatch') {
    const obj = await vault.put(`test/${callId}.wav`, r.wav ?? toneWav(2000));
    url = obj.url;
    size = obj.plainBytes;
  }
  const ins = await h.db.pool.query<{ id: string }>(
    `INSERT INTO recordings (call_id, campaign_id, lead_id, server_id, state, reason, started_at,
       ended_at, bridged_ms, duration_ms, storage_url, format, size_bytes, key_id, last_error)
     VALUES ($1, $2, $3, 'pbx-a', $4, $5, $6, $6::timestamptz + interval '2 seconds', 2000, 2000,
       $7, $8, $9, $10, $11)
     RETURNING id::text AS id`,
    [
      callId,
      r.campaignId,
      r.leadId ?? null,
      state,
      r.reason ?? 'policy',
      startedAt,
      url,
      url ? 'wav' : null,
      size,
      url ? 'k1' : null,
      state === 'failed' ? 'NO_FILE' : null,
    ],
  );
  const id = ins.rows[0]?.id ?? '';
  let seq = 0;
  for (const agent of r.agents) {
    seq++;
    await h.db.pool.query(
      `INSERT INTO recording_segments (recording_id, seq, agent_id, bridge_id, asterisk_name,
         started_at, offset_ms, duration_ms, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1000, 'moved')`,
      [
        id,
        seq,
        agent,
        `br-${callId}-${seq}`,
        `rec-${callId}-${seq}`,
        startedAt,
        r.offsetsMs?.[seq - 1] ?? (seq - 1) * 1000,
      ],
    );
  }
  for (const m of r.marks ?? [])
    await h.db.pool.query(
      `INSERT INTO recording_marks (recording_id, kind, at, offset_ms, source)
       VALUES ($1, $2, $3, $4, 'agent')`,
      [id, m.kind, new Date(startedAt.getTime() + m.offsetMs), m.offsetMs],
    );
  return { id, callId, url };
}

/** A second campaign (the harness has one), with agents allowed to hear their calls or not. */
export async function addCampaign(
  h: Harness,
  name: string,
  agentsHearOwn: boolean,
): Promise<string> {
  const c = await h.db.pool.query<{ id: string }>(
    `INSERT INTO campaigns (name, agents_hear_own_recordings) VALUES ($1, $2) RETURNING id::text AS id`,
    [name, agentsHearOwn],
  );
  return c.rows[0]?.id ?? '';
}

/** Wires the player and the quality service on the harness's database and the given vault. */
export function wirePlayer(
  h: Harness,
  vault: RecordingVault | null,
  amdAudit: Pick<AmdAudit, 'pending' | 'mark'> | null = null,
): { player: RecordingPlayer; quality: QualityService } {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const recordings = createRecordingsReadRepo(h.db.pool);
  const player = new RecordingPlayer({ repo: recordings, vault, audit: h.deps.audit, logger });
  const quality = new QualityService({
    repo: createQualityRepo(h.db.pool),
    recordings,
    player,
    audit: h.deps.audit,
    amdAudit,
    bus: h.bus,
    clock: systemClock,
    logger,
  });
  h.deps.recordingPlay = player;
  h.deps.quality = quality;
  return { player, quality };
}
