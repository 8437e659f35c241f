import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AriEvent } from '@ringside/ari';

import { loadTrace as readTrace } from '@ringside/ari/traces';

export { ariSharedDir, ariTracesDir as tracesDir, traceFiles } from '@ringside/ari/traces';
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export type TraceLine =
  | {
      tMs: number;
      dir: 'request';
      method: string;
      path: string;
      query: Record<string, string>;
      body?: unknown;
    }
  | { tMs: number; dir: 'response'; method: string; path: string; status: number; body: unknown }
  | { tMs: number; dir: 'event'; event: AriEvent };

export function loadTrace(file: string): TraceLine[] {
  return readTrace<TraceLine>(file);
}

/** Ringside's own traces of real-Asterisk behaviours (traces/README.md), replayed in CI. */
export const projectTracesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'traces');

/** The project's trace files (*.jsonl), sorted by name. */
export function projectTraceFiles(): string[] {
  return readdirSync(projectTracesDir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
}

/** One of the project's traces, parsed. */
export function loadProjectTrace(file: string): TraceLine[] {
  return readFileSync(path.join(projectTracesDir, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceLine);
}

/** One request the client sent through a fake fetch. */
export interface SentRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/**
 * A fetch that records what the client sends and answers with `respond` (status and JSON body;
 * status 0 rejects as a network failure would).
 */
export function fakeFetch(
  respond: (req: SentRequest) => { status: number; body: unknown },
  sent: SentRequest[] = [],
): typeof fetch {
  const f = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
    );
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const req: SentRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname.replace(/^\/ari/, ''),
      query,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    sent.push(req);
    const r = respond(req);
    if (r.status === 0) throw new TypeError('fetch failed');
    const text = r.body === null || r.body === undefined ? null : JSON.stringify(r.body);
    return new Response(r.status === 204 ? null : text, {
      status: r.status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return f as typeof fetch;
}
