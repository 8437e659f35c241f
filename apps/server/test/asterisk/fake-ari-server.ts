import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A minimal ARI endpoint for fault tests of the client and worker: GET /ari/channels and
 * /ari/bridges from what the test sets, /ari/asterisk/ping, 204 for anything else, and the events
 * WebSocket with basic auth. It can drop its clients, stop answering pings, and restart on the
 * same port. (The full simulated PBX lives in apps/sim.)
 */
export class FakeAriServer {
  channels: Array<Record<string, unknown>> = [];
  readonly requests: Array<{ method: string; url: string }> = [];
  readonly upgrades: Array<{ url: string; authorization: string | undefined }> = [];
  private server: http.Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly sockets = new Set<WebSocket>();
  private answerPings = true;
  port = 0;

  constructor(private readonly auth = { user: 'ringside', password: 'ringside' }) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/ari`;
  }

  get clients(): number {
    return this.sockets.size;
  }

  async start(port = this.port): Promise<void> {
    const expected = `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString('base64')}`;
    this.server = http.createServer((req, res) => {
      this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '' });
      if (req.headers.authorization !== expected) {
        res.writeHead(401).end(JSON.stringify({ message: 'Authentication required' }));
        return;
      }
      const path = (req.url ?? '').split('?')[0];
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && path === '/ari/channels') res.end(JSON.stringify(this.channels));
      else if (req.method === 'GET' && path === '/ari/bridges') res.end('[]');
      else if (req.method === 'GET' && path === '/ari/asterisk/ping')
        res.end(
          JSON.stringify({
            asterisk_id: 'x',
            ping: 'pong',
            timestamp: '2026-01-01T00:00:00.000+0000',
          }),
        );
      else res.writeHead(204).end();
    });
    this.wss = new WebSocketServer({ noServer: true, autoPong: false });
    this.server.on('upgrade', (req, socket, head) => {
      this.upgrades.push({ url: req.url ?? '', authorization: req.headers.authorization });
      if (req.headers.authorization !== expected) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.wss?.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.add(ws);
        ws.on('ping', (data) => {
          if (this.answerPings) ws.pong(data);
        });
        ws.on('close', () => this.sockets.delete(ws));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Sends a raw message (object as JSON, or a string as is) to every connected client. */
  send(message: unknown): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    for (const s of this.sockets) s.send(text);
  }

  /** Stops answering pings while keeping the TCP connection open (a half-dead link). */
  silence(): void {
    this.answerPings = false;
  }

  dropClients(): void {
    for (const s of this.sockets) s.terminate();
  }

  async stop(): Promise<void> {
    this.answerPings = true;
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.wss?.close(() => resolve()) ?? resolve());
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.server = null;
  }
}

/** A channel snapshot as ARI returns it. */
export function channelJson(
  id: string,
  state = 'Up',
  name = `Local/1@sim-customers-00000001;1`,
): Record<string, unknown> {
  return {
    id,
    name,
    state,
    protocol_id: '',
    caller: { name: '', number: '' },
    connected: { name: '', number: '' },
    accountcode: '',
    dialplan: { context: 'dialer-outbound', exten: 's', priority: 1, app_name: '', app_data: '' },
    creationtime: '2026-11-24T20:27:24.272+0000',
    language: 'en',
  };
}

export function eventJson(type: string, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    type,
    timestamp: '2026-11-24T20:27:24.272+0000',
    application: 'dialer',
    asterisk_id: 'x',
    ...fields,
  };
}

/** Polls until `cond` holds or `timeoutMs` passes. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 3_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
