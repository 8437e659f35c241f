import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The ARI traces recorded from a real Asterisk 22 (../shared/ari/traces beside the repository; in
 * CI a copy of shared/ sits next to the clone). Node-only: tests of the client, the worker and the
 * simulated PBX read them through here.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ariSharedDir = path.resolve(repoRoot, '../shared/ari');
export const ariTracesDir = path.join(ariSharedDir, 'traces');

/** The trace files (*.jsonl), sorted by name. */
export function traceFiles(): string[] {
  return readdirSync(ariTracesDir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
}

/** One line of a trace: a request the client sent, the response, or an event; `E` types the event. */
export interface TraceLine<E = unknown> {
  tMs: number;
  dir: 'request' | 'response' | 'event';
  method?: string;
  path?: string;
  query?: Record<string, string>;
  body?: unknown;
  status?: number;
  event?: E;
}

/** One trace's lines, parsed; `T` is the caller's view of a line. */
export function loadTrace<T>(file: string): T[] {
  return readFileSync(path.join(ariTracesDir, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}
