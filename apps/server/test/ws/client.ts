import WebSocket from 'ws';
import type { ServerMessage } from '@ringside/protocol';

/** A test WebSocket client that records every server message and waits for matches. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  private waiters: Array<() => void> = [];
  private clientSeq = 1;
  closed = false;
  closeCode: number | null = null;

  private pinger: NodeJS.Timeout | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as ServerMessage);
      for (const w of this.waiters) w();
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      this.stopPinging();
      for (const w of this.waiters) w();
    });
  }

  /** Application heartbeat, as a browser sends it; `pingMs` null: a silent client. */
  static connect(
    url: string,
    token: string | null,
    opts: { pingMs?: number | null; cookie?: boolean; origin?: string } = {},
  ): Promise<TestClient> {
    const pingMs = opts.pingMs === undefined ? 100 : opts.pingMs;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (token && opts.cookie) headers.cookie = `rs_session=${token}`;
      else if (token) headers.authorization = `Bearer ${token}`;
      const ws = new WebSocket(url, { headers, ...(opts.origin ? { origin: opts.origin } : {}) });
      const c = new TestClient(ws);
      ws.once('open', () => {
        if (pingMs !== null) c.pinger = setInterval(() => c.send('ping', {}), pingMs);
        resolve(c);
      });
      ws.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode })),
      );
      ws.once('error', reject);
    });
  }

  send(type: string, data: unknown = {}): number {
    const seq = this.clientSeq++;
    this.ws.send(JSON.stringify({ v: 1, type, seq, tsMs: Date.now(), data }));
    return seq;
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Resolves with the first recorded message (from index `from`) that matches. */
  async waitFor<T extends ServerMessage>(
    pred: (m: ServerMessage) => m is T,
    opts?: { from?: number; timeoutMs?: number },
  ): Promise<T>;
  async waitFor(
    pred: (m: ServerMessage) => boolean,
    opts?: { from?: number; timeoutMs?: number },
  ): Promise<ServerMessage>;
  async waitFor(
    pred: (m: ServerMessage) => boolean,
    { from = 0, timeoutMs = 3000 }: { from?: number; timeoutMs?: number } = {},
  ): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.slice(from).find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out; got ${JSON.stringify(this.messages.slice(from)).slice(0, 1500)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  stopPinging(): void {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
  }

  close(): void {
    this.stopPinging();
    this.ws.close();
  }
}

export const isType =
  <T extends ServerMessage['type']>(type: T) =>
  (m: ServerMessage): m is Extract<ServerMessage, { type: T }> =>
    m.type === type;
