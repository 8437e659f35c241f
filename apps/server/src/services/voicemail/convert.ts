import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { errorKind, ValidationError } from '../../errors.js';

/**
 * An uploaded voicemail message (WAV or MP3) converted to what Asterisk plays without
 * transcoding: 8 kHz, 16-bit, mono PCM WAV (format_wav). ffmpeg from Debian does the decoding
 * and resampling; a file it cannot read, or that is not a WAV or MP3 by its first bytes, is
 * refused with a clear error and nothing is kept.
 */

/** Largest upload accepted, bytes (an MP3 of 120 s at 320 kb/s is under 5 MB; a WAV 44.1 kHz stereo 21 MB). */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
/** Longest message, ms. */
export const MAX_MESSAGE_MS = 120_000;
/** ffmpeg gets this long to convert one file, ms. */
const CONVERT_TIMEOUT_MS = 30_000;

export class PayloadTooLargeError extends errorKind('PAYLOAD_TOO_LARGE', 413) {}

export interface ConvertedMessage {
  sourceFormat: 'wav' | 'mp3';
  /** 8 kHz 16-bit mono WAV. */
  wav: Buffer;
  durationMs: number;
}

/** The upload's format by its first bytes; null when it is neither WAV nor MP3. */
export function sniffFormat(b: Buffer): 'wav' | 'mp3' | null {
  if (
    b.length >= 12 &&
    b.toString('ascii', 0, 4) === 'RIFF' &&
    b.toString('ascii', 8, 12) === 'WAVE'
  )
    return 'wav';
  if (b.length >= 3 && b.toString('ascii', 0, 3) === 'ID3') return 'mp3';
  // An MPEG audio frame header: 11 sync bits, layer III.
  if (
    b.length >= 2 &&
    b[0] === 0xff &&
    ((b[1] ?? 0) & 0xe0) === 0xe0 &&
    ((b[1] ?? 0) & 0x06) === 0x02
  )
    return 'mp3';
  return null;
}

/**
 * Length of a PCM WAV's audio, ms, from its header (fmt byte rate, data chunk size); null when
 * the bytes are not a PCM WAV this can read.
 */
export function wavDurationMs(b: Buffer): number | null {
  if (sniffFormat(b) !== 'wav') return null;
  let off = 12;
  let byteRate = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ' && off + 16 <= b.length) byteRate = b.readUInt32LE(off + 16);
    if (id === 'data') {
      if (byteRate <= 0) return null;
      const bytes = Math.min(size, b.length - off - 8);
      return Math.round((bytes * 1000) / byteRate);
    }
    off += 8 + size + (size % 2);
  }
  return null;
}

/** Reads a request body, refusing it past `limit` bytes. */
export async function readUpload(input: Readable, limit = MAX_UPLOAD_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of input) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += b.length;
    if (total > limit) {
      input.destroy();
      throw new PayloadTooLargeError(
        `file: too big (over ${Math.round(limit / (1024 * 1024))} MB); send a shorter message`,
      );
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function run(cmd: string, args: string[]): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: CONVERT_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (err, _o, e) =>
      resolve({ ok: !err, stderr: String(e ?? '') }),
    );
  });
}

const invalid = (message: string) =>
  new ValidationError(`file: ${message}`, [{ path: 'file', message }]);

/** Converts an uploaded WAV or MP3 to 8 kHz 16-bit mono WAV, or throws a ValidationError. */
export async function convertMessage(input: Buffer): Promise<ConvertedMessage> {
  if (input.length === 0) throw invalid('empty: send a WAV or MP3 file');
  const sourceFormat = sniffFormat(input);
  if (!sourceFormat) throw invalid('not a WAV or MP3 file');
  const dir = await mkdtemp(join(tmpdir(), 'ringside-vm-'));
  try {
    const src = join(dir, `in.${sourceFormat}`);
    const out = join(dir, 'out.wav');
    await writeFile(src, input);
    const r = await run('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-f',
      sourceFormat,
      '-i',
      src,
      '-map_metadata',
      '-1',
      '-ac',
      '1',
      '-ar',
      '8000',
      '-c:a',
      'pcm_s16le',
      '-f',
      'wav',
      '-bitexact',
      out,
    ]);
    if (!r.ok)
      throw invalid(`not readable audio (${sourceFormat}): the file is damaged or not audio`);
    const wav = await readFile(out);
    const durationMs = wavDurationMs(wav);
    if (durationMs === null || durationMs <= 0) throw invalid('holds no audio');
    if (durationMs > MAX_MESSAGE_MS)
      throw invalid(
        `too long (${(durationMs / 1000).toFixed(1)} s; at most ${MAX_MESSAGE_MS / 1000} s)`,
      );
    return { sourceFormat, wav, durationMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
