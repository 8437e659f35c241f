import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoicemailMessage, VoicemailView } from '@ringside/protocol';
import { buildApp } from '../../src/http/app.js';
import { wavDurationMs } from '../../src/services/voicemail/convert.js';
import { PgVoicemailStore } from '../../src/adapters/postgres/voicemail.js';
import { injectLogin } from '../helpers/admin-app.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';

/**
 * Voicemail messages through the HTTP API on the real PostgreSQL: a WAV (44.1 kHz stereo) and an
 * MP3, both made with sox/ffmpeg here, are converted to 8 kHz 16-bit mono WAV of the same
 * length; a text file, an empty body and a message over 120 s are refused with a clear error and
 * nothing is kept; the admin previews a message, chooses it for the campaign (its media URI
 * becomes the campaign's machine message), and Asterisk's fetch of /media/vm/<token>.wav
 * answers the same bytes without a session.
 */

const MEDIA_BASE = 'http://127.0.0.1:8080';
let h: Harness;
let app: FastifyInstance;
let admin = '';
let agent = '';
let dir: string;

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 200 });
  app = await buildApp({ ...h.deps, voicemail: new PgVoicemailStore(h.db.pool, MEDIA_BASE) });
  await app.ready();
  admin = await injectLogin(app, 'admin');
  agent = await injectLogin(app, 'agent1');
  if (!admin || !agent) throw new Error('test users did not sign in');
  dir = mkdtempSync(join(tmpdir(), 'vm-upload-'));
}, 30_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function upload(body: Buffer | string, name: string, token = admin) {
  return app.inject({
    method: 'POST',
    url: `/api/campaigns/${h.campaignId}/voicemail/messages?name=${encodeURIComponent(name)}`,
    headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
    payload: body,
  });
}

async function messageCount(): Promise<number> {
  const r = await h.db.pool.query(`SELECT 1 FROM vm_messages WHERE campaign_id = $1`, [
    h.campaignId,
  ]);
  return r.rowCount ?? 0;
}

function sox(file: string, ...synth: string[]): Buffer {
  execFileSync('sox', ['-n', ...synth.slice(0, 6), join(dir, file), ...synth.slice(6)]);
  return readFileSync(join(dir, file));
}

describe('voicemail message upload', () => {
  let wavMessage: VoicemailMessage;

  it('converts a 44.1 kHz stereo WAV to 8 kHz 16-bit mono of the same length', async () => {
    const wav = sox('in.wav', '-r', '44100', '-b', '16', '-c', '2', 'synth', '3', 'sine', '440');
    const r = await upload(wav, 'Hello WAV');
    expect(r.statusCode).toBe(201);
    wavMessage = r.json<VoicemailMessage>();
    expect(wavMessage).toMatchObject({ name: 'Hello WAV', sourceFormat: 'wav' });
    expect(Math.abs(wavMessage.durationMs - 3_000)).toBeLessThan(50);
    // The admin's preview: the converted audio.
    const p = await app.inject({
      method: 'GET',
      url: `/api/campaigns/${h.campaignId}/voicemail/messages/${wavMessage.id}/audio`,
      headers: bearer(admin),
    });
    expect(p.statusCode).toBe(200);
    expect(p.headers['content-type']).toBe('audio/wav');
    const out = p.rawPayload;
    expect(out.readUInt16LE(22)).toBe(1); // mono
    expect(out.readUInt32LE(24)).toBe(8000);
    expect(out.readUInt16LE(34)).toBe(16);
    expect(Math.abs((wavDurationMs(out) ?? 0) - 3_000)).toBeLessThan(50);
  });

  it('converts an MP3', async () => {
    const src = join(dir, 'src.wav');
    execFileSync('sox', ['-n', '-r', '22050', '-c', '1', src, 'synth', '2.5', 'sine', '300']);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, '-f', 'mp3', join(dir, 'in.mp3')]);
    const r = await upload(readFileSync(join(dir, 'in.mp3')), 'Hello MP3');
    expect(r.statusCode).toBe(201);
    const m = r.json<VoicemailMessage>();
    expect(m.sourceFormat).toBe('mp3');
    // MP3 frames pad the end a little.
    expect(m.durationMs).toBeGreaterThan(2_400);
    expect(m.durationMs).toBeLessThan(2_700);
  });

  it('refuses a text file, an empty body and a message over 120 s, keeping nothing', async () => {
    const before = await messageCount();
    const text = await upload('name,phone\nAda,+12125550100\n', 'Not audio');
    expect(text.statusCode).toBe(400);
    expect(text.json<{ error: { message: string } }>().error.message).toBe(
      'file: not a WAV or MP3 file',
    );
    const empty = await upload(Buffer.alloc(0), 'Empty');
    expect(empty.statusCode).toBe(400);
    // A WAV header over garbage: ffmpeg cannot read it.
    const bad = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEjunk'), Buffer.alloc(64, 7)]);
    const damaged = await upload(bad, 'Damaged');
    expect(damaged.statusCode).toBe(400);
    expect(damaged.json<{ error: { message: string } }>().error.message).toMatch(/^file: /);
    const long = sox(
      'long.wav',
      '-r',
      '8000',
      '-b',
      '16',
      '-c',
      '1',
      'synth',
      '121',
      'sine',
      '440',
    );
    const tooLong = await upload(long, 'Too long');
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json<{ error: { message: string } }>().error.message).toMatch(
      /^file: too long \(121\.0 s; at most 120 s\)$/,
    );
    expect(await messageCount()).toBe(before);
  });

  it('is for admins only', async () => {
    const wav = sox('a.wav', '-r', '8000', '-b', '16', '-c', '1', 'synth', '1', 'sine', '440');
    const r = await upload(wav, 'Agent', agent);
    expect(r.statusCode).toBe(403);
  });

  it('chooses the message for the campaign and serves it to Asterisk by its media token', async () => {
    const r = await app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}/voicemail`,
      headers: bearer(admin),
      payload: {
        messageId: wavMessage.id,
        wait: 'greeting_end',
        maxWaitS: 20,
        noBeepAction: 'hangup',
      },
    });
    expect(r.statusCode).toBe(200);
    const view = r.json<VoicemailView>();
    expect(view.settings).toMatchObject({
      messageId: wavMessage.id,
      wait: 'greeting_end',
      maxWaitS: 20,
      noBeepAction: 'hangup',
    });
    expect(view.messages.map((m) => m.name)).toEqual(['Hello MP3', 'Hello WAV']);
    const c = await h.db.pool.query<{ machine_message_audio: string }>(
      `SELECT machine_message_audio FROM campaigns WHERE id = $1`,
      [h.campaignId],
    );
    const uri = c.rows[0]!.machine_message_audio;
    expect(uri).toMatch(/^sound:http:\/\/127\.0\.0\.1:8080\/media\/vm\/[0-9a-f]{32}\.wav$/);
    const fetched = await app.inject({
      method: 'GET',
      url: uri.slice(`sound:${MEDIA_BASE}`.length),
    });
    expect(fetched.statusCode).toBe(200);
    expect(fetched.headers['content-type']).toBe('audio/wav');
    expect(Math.abs((wavDurationMs(fetched.rawPayload) ?? 0) - 3_000)).toBeLessThan(50);
    const unknown = await app.inject({ method: 'GET', url: `/media/vm/${'0'.repeat(32)}.wav` });
    expect(unknown.statusCode).toBe(404);
    // A message of another campaign (or none) cannot be chosen.
    const wrong = await app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}/voicemail`,
      headers: bearer(admin),
      payload: { messageId: '999999' },
    });
    expect(wrong.statusCode).toBe(400);
    const bounds = await app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}/voicemail`,
      headers: bearer(admin),
      payload: { maxWaitS: 500 },
    });
    expect(bounds.statusCode).toBe(400);
  });
});
