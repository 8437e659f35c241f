/**
 * Records what a real Asterisk sends on ARI as a trace (the format of ../shared/ari/traces and
 * apps/server/test/asterisk/traces: one JSON line per event, with its time in ms from the first).
 *
 *   ARI_URL=http://127.0.0.1:8088/ari tsx apps/server/test/asterisk/record-trace.ts out.jsonl [seconds]
 *
 * It listens as its own ARI application with subscribeAll, so it sees every channel, bridge and
 * endpoint without taking events away from Ringside's application; each event's `application` is
 * rewritten to ARI_APP (what Ringside would have received). Stops after `seconds` (default 60) or
 * on SIGINT. Run it beside a test of the real-telephony suite to capture a new behaviour.
 */
import { createWriteStream } from 'node:fs';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';

const [out, secondsArg] = process.argv.slice(2);
if (!out) {
  console.error('usage: record-trace.ts <out.jsonl> [seconds]');
  process.exit(2);
}
const server = loadConfig().ari[0];
if (!server) {
  console.error('record-trace: ARI_URL is not set');
  process.exit(2);
}
const url = new URL(`${server.baseUrl.replace(/^http/, 'ws')}/events`);
url.searchParams.set('app', 'ringside-trace-recorder');
url.searchParams.set('subscribeAll', 'true');
url.searchParams.set('api_key', `${server.user}:${server.password}`);
const file = createWriteStream(out);
const ws = new WebSocket(url);
let t0 = -1;
ws.on('message', (data: Buffer) => {
  const event = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
  if ('application' in event) event.application = server.app;
  const now = Date.now();
  if (t0 < 0) t0 = now;
  file.write(`${JSON.stringify({ tMs: now - t0, dir: 'event', event })}\n`);
});
ws.on('open', () => console.error(`record-trace: recording to ${out}`));
ws.on('error', (err) => {
  console.error(`record-trace: ${err.message}`);
  process.exit(1);
});
const stop = () => {
  ws.close();
  file.end(() => process.exit(0));
};
setTimeout(stop, Number(secondsArg ?? 60) * 1000);
process.on('SIGINT', stop);
