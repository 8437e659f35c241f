/**
 * The events WebSocket /ari/events: which app each socket owns (a newer connection replaces an
 * older one, with ApplicationReplaced), which events each app sees (all with subscribeAll, else
 * those of its channels and bridges), and the outages the control API simulates.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ariTimestamp, type AriEventOut, type EventScope } from './core.js';
import type { SimScheduler } from './scheduler.js';

interface AppSocket {
  ws: WebSocket;
  /** The TCP socket under the WebSocket, corked while one burst of events is written. */
  raw: Duplex;
  corked: boolean;
  apps: string[];
  subscribeAll: boolean;
}

export interface EventSocketsOptions {
  scheduler: SimScheduler;
  /** `asterisk_id` of ApplicationReplaced. */
  asteriskId: string;
  /** The ARI credentials check (basic auth or api_key). */
  authorized: (req: http.IncomingMessage, url: URL) => boolean;
}

export class EventSockets {
  private readonly sockets = new Set<AppSocket>();
  /** App name -> the socket that currently owns it (a newer connection replaces an older one). */
  private readonly appOwners = new Map<string, AppSocket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private down = false;

  constructor(private readonly o: EventSocketsOptions) {}

  /** An app has a connected socket (Stasis() of any other app fails). */
  hasApp(name: string): boolean {
    return this.appOwners.has(name);
  }

  /** The apps with a connected socket. */
  appNames(): string[] {
    return [...this.appOwners.keys()];
  }

  /** Sends an engine event to every app that may see it. */
  deliver(ev: AriEventOut, scope: EventScope): void {
    if (this.appOwners.size === 0) return;
    // Serialise once; the per-app `application` field is spliced onto the end.
    const body = JSON.stringify(ev).slice(0, -1);
    for (const [name, s] of this.appOwners) {
      if (!s.subscribeAll && !inScope(name, scope)) continue;
      if (s.ws.readyState !== s.ws.OPEN) continue;
      // One originate or hang-up emits a burst of events: write them with one syscall.
      if (!s.corked) {
        s.corked = true;
        s.raw.cork();
        process.nextTick(() => {
          s.corked = false;
          s.raw.uncork();
        });
      }
      s.ws.send(`${body},"application":${JSON.stringify(name)}}`);
    }
  }

  /** Cuts every events WebSocket (calls go on). */
  drop(): void {
    for (const s of this.sockets) s.ws.terminate();
  }

  /** true: cuts every socket and refuses new ones (503) until called with false. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) this.drop();
  }

  close(): void {
    this.drop();
    this.wss.close();
  }

  /** The HTTP server's `upgrade` handler. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname !== '/ari/events') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    if (this.down) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
      return;
    }
    if (!this.o.authorized(req, url)) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="Asterisk REST Interface"\r\n\r\n',
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, socket, url));
  }

  private open(ws: WebSocket, raw: Duplex, url: URL): void {
    const apps = (url.searchParams.get('app') ?? '').split(',').filter(Boolean);
    if (apps.length === 0) {
      ws.send(JSON.stringify({ type: 'MissingParams', params: ['app'] }));
      ws.close();
      return;
    }
    const sub = url.searchParams.get('subscribeAll');
    const s: AppSocket = {
      ws,
      raw,
      corked: false,
      apps,
      subscribeAll: sub === 'true' || sub === '1',
    };
    this.sockets.add(s);
    for (const name of apps) {
      const old = this.appOwners.get(name);
      if (old && old !== s && old.ws.readyState === old.ws.OPEN) {
        old.ws.send(
          JSON.stringify({
            type: 'ApplicationReplaced',
            timestamp: ariTimestamp(this.o.scheduler.nowMs()),
            application: name,
            asterisk_id: this.o.asteriskId,
          }),
        );
      }
      this.appOwners.set(name, s);
    }
    ws.on('close', () => {
      this.sockets.delete(s);
      for (const name of s.apps) if (this.appOwners.get(name) === s) this.appOwners.delete(name);
    });
    ws.on('error', () => ws.terminate());
  }
}

function inScope(name: string, scope: EventScope): boolean {
  if (scope.bridge?.apps.has(name)) return true;
  return (scope.channels ?? []).some((c) => c.apps.has(name));
}
