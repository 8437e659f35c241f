import WebSocket from 'ws';
import {
  ApiClient,
  ApiError,
  gatewayUrl,
  initialPanel,
  RealtimeClient,
  reduce,
  socketLike,
  stateOf,
  type PanelEffect,
  type PanelInput,
  type PanelState,
  type SocketLike,
} from '@ringside/web/core';

/**
 * A bot agent: signs in through the same HTTP API and WebSocket gateway a browser uses (Bearer
 * token instead of the cookie), runs the same client state machine as the agent panel
 * (apps/web/src/core/panel/), and handles calls like a person would: ready, take the call,
 * talk, hang up (or wait for the customer to), submit a disposition, ready again.
 */

export interface BotAgentOptions {
  /** http://127.0.0.1:8080 */
  baseUrl: string;
  username: string;
  password: string;
  campaignId: string;
  /** Talk time before the bot hangs up (ms). Default 8,000. */
  talkMs?: number;
  /** Time spent in wrap-up before the disposition is submitted (ms). Default 2,000. */
  wrapMs?: number;
  /** 'agent': the bot hangs up after talkMs; 'customer': it waits for the customer to. */
  hangup?: 'agent' | 'customer';
  /** Disposition codes to pick from (uniformly). Default ['SALE', 'NI', 'NQ']. */
  dispositions?: string[];
  /** Random in [0, 1) for talk-time jitter and disposition choice. Default Math.random. */
  random?: () => number;
  /** Called for notable steps (for the CLI's output); never given phone numbers or names. */
  onLog?: (msg: string, fields: Record<string, unknown>) => void;
  /** Injected for tests: the HTTP client's fetch and the WebSocket factory. */
  fetchFn?: typeof fetch;
  createSocket?: (url: string, token: string) => SocketLike;
}

export interface BotStats {
  calls: number;
  hangups: number;
  customerHangups: number;
  dispositions: number;
  errors: number;
}

/** The `ws` package's WebSocket with an Authorization header, as the realtime client's socket. */
export function nodeSocket(url: string, token: string): SocketLike {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  const s = socketLike(ws);
  ws.on('open', () => s.onopen?.({}));
  ws.on('message', (data: Buffer) => s.onmessage?.({ data: data.toString('utf8') }));
  ws.on('close', (code: number, reason: Buffer) =>
    s.onclose?.({ code, reason: reason.toString('utf8') }),
  );
  ws.on('error', (err) => s.onerror?.(err));
  return s;
}

export class BotAgent {
  readonly api: ApiClient;
  private realtime: RealtimeClient | null = null;
  private state: PanelState = initialPanel;
  private stopping = false;
  /** Per call, the step already scheduled (so a repeated event does not schedule it twice). */
  private scheduled = new Map<string, ReturnType<typeof setTimeout>>();
  private readyTimer: ReturnType<typeof setTimeout> | null = null;
  private phoneTimer: ReturnType<typeof setTimeout> | null = null;
  private phoneDown: string | null = null;
  private busy = false;
  /** Times the bot went ready since its last call: the system keeps pausing it (no phone leg...). */
  private readiesWithoutCall = 0;
  readonly stats: BotStats = {
    calls: 0,
    hangups: 0,
    customerHangups: 0,
    dispositions: 0,
    errors: 0,
  };

  constructor(private readonly opts: BotAgentOptions) {
    this.api = new ApiClient({
      baseUrl: opts.baseUrl,
      ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}),
    });
  }

  get panel(): PanelState {
    return this.state;
  }

  private log(msg: string, fields: Record<string, unknown> = {}): void {
    this.opts.onLog?.(msg, { bot: this.opts.username, ...fields });
  }

  /** Signs in, logs in to the campaign, brings the phone leg up and goes ready. */
  async start(): Promise<void> {
    const login = await this.api.login(this.opts.username, this.opts.password);
    this.api.setToken(login.token);
    const session = await this.api.session();
    if (session.agent && session.agent.campaignId !== this.opts.campaignId) {
      await this.api.sessionLogout().catch(() => undefined);
    }
    if (!session.agent || session.agent.campaignId !== this.opts.campaignId) {
      this.dispatch({
        type: 'session',
        agent: (await this.api.sessionLogin(this.opts.campaignId)).agent,
      });
    } else {
      this.dispatch({ type: 'session', agent: session.agent });
    }
    await this.connectPhone(0);
    const connected = new Promise<void>((resolve) => {
      this.realtime = new RealtimeClient({
        url: gatewayUrl(this.opts.baseUrl),
        createSocket: (url) => (this.opts.createSocket ?? nodeSocket)(url, login.token),
        handlers: {
          onSnapshot: (data) => {
            this.dispatch({ type: 'snapshot', data });
            resolve();
          },
          onEvent: (data) => this.dispatch({ type: 'event', event: data.event }),
          onStatus: (status) => this.dispatch({ type: 'conn', status }),
          onServerError: (data) => this.log('server error', { code: data.code }),
        },
      });
      this.realtime.start();
    });
    await connected;
    this.log('logged in', { campaignId: this.opts.campaignId });
    this.react();
  }

  /** Why the bot's phone is not connected (it does not go ready meanwhile); null: connected. */
  get phoneProblem(): string | null {
    return this.phoneDown;
  }

  /**
   * Brings the bot's phone leg up. A phone that cannot be reached (no such endpoint, no answer)
   * stops neither this bot nor any other: the bot stays logged in, paused, says why once per
   * attempt, and tries again (1 s doubling to 60 s) until the phone answers or it is stopped.
   */
  private async connectPhone(attempt: number): Promise<void> {
    try {
      const r = await this.api.phoneConnect();
      if (r.leg === 'down') {
        // A real Asterisk and a browser phone: only a browser can bring that line up.
        throw new Error(
          'no line: this user has a browser phone; give the bot an external phone ' +
            '(phone type sip, SIP endpoint e.g. Local/<username>@sim-agent-phones)',
        );
      }
      if (this.phoneDown !== null) this.log('phone connected', { attempts: attempt + 1 });
      this.phoneDown = null;
    } catch (err) {
      // A server whose agent legs are set up at session login needs no call here.
      if (err instanceof ApiError && err.status === 404) {
        this.phoneDown = null;
        return;
      }
      this.phoneDown = err instanceof Error ? err.message : String(err);
      this.stats.errors++;
      const retryInMs = Math.min(60_000, 1_000 * 2 ** attempt);
      this.log('phone not connected', { error: this.phoneDown, retryInMs });
      if (this.stopping) return;
      this.phoneTimer = setTimeout(() => {
        this.phoneTimer = null;
        if (this.stopping) return;
        void this.connectPhone(attempt + 1).then(() => this.react());
      }, retryInMs);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.phoneTimer) clearTimeout(this.phoneTimer);
    for (const t of this.scheduled.values()) clearTimeout(t);
    this.scheduled.clear();
    if (this.readyTimer) clearTimeout(this.readyTimer);
    const st = stateOf(this.state);
    if (st === 'INCALL' && this.state.call)
      await this.api.hangup(this.state.call.callId).catch(() => undefined);
    if (this.state.dispositionDue) {
      await this.api
        .dispose({ callId: this.state.dispositionDue, code: this.pickDisposition() })
        .catch(() => undefined);
    }
    await this.api.sessionLogout().catch(() => undefined);
    await this.api.phoneDisconnect().catch(() => undefined);
    this.realtime?.stop();
  }

  private dispatch(input: PanelInput): void {
    const r = reduce(this.state, input);
    this.state = r.state;
    for (const e of r.effects) this.runEffect(e);
    if (input.type !== 'conn') this.react();
  }

  private runEffect(e: PanelEffect): void {
    // Bots do not read the lead: the screen pop is for people. The call is read so that the
    // panel state has its lead id, as in the browser.
    if (e.type === 'load_call') {
      this.api
        .getCall(e.callId)
        .then((r) => this.dispatch({ type: 'call_loaded', call: r.call }))
        .catch(() => undefined);
    }
  }

  private jitter(ms: number): number {
    const r = (this.opts.random ?? Math.random)();
    return Math.round(ms * (0.75 + 0.5 * r));
  }

  private pickDisposition(): string {
    const codes = this.opts.dispositions ?? ['SALE', 'NI', 'NQ'];
    const r = (this.opts.random ?? Math.random)();
    return codes[Math.min(codes.length - 1, Math.floor(r * codes.length))] ?? 'NI';
  }

  private once(key: string, ms: number, fn: () => Promise<void>): void {
    if (this.scheduled.has(key) || this.stopping) return;
    this.scheduled.set(
      key,
      setTimeout(() => {
        fn()
          .catch((err: unknown) => {
            this.stats.errors++;
            this.log('step failed', {
              step: key,
              error: err instanceof Error ? err.message : String(err),
            });
          })
          .finally(() => {
            // Keep the key for a while so late duplicates of the same event do nothing.
            setTimeout(() => this.scheduled.delete(key), 60_000).unref();
          });
      }, ms),
    );
  }

  /** Decides the next step from the panel state; called after every change. */
  private react(): void {
    if (this.stopping || this.state.conn !== 'live') return;
    const s = this.state;
    const st = stateOf(s);
    const call = s.call;
    if (st === 'INCALL' && call && call.endedAtMs === null) {
      this.once(`talk:${call.callId}`, 0, async () => {
        this.stats.calls++;
        this.readiesWithoutCall = 0;
        this.log('call connected', { callId: call.callId });
      });
      if ((this.opts.hangup ?? 'agent') === 'agent') {
        this.once(`hangup:${call.callId}`, this.jitter(this.opts.talkMs ?? 8000), async () => {
          if (this.state.call?.callId !== call.callId || stateOf(this.state) !== 'INCALL') return;
          this.dispatch({ type: 'hangup_requested', callId: call.callId });
          await this.api.hangup(call.callId);
          this.stats.hangups++;
        });
      }
    }
    const due = s.dispositionDue;
    if (due) {
      if (st === 'DEAD') {
        this.once(`dead:${due}`, 0, async () => {
          this.stats.customerHangups++;
        });
      }
      this.once(`dispose:${due}`, this.jitter(this.opts.wrapMs ?? 2000), async () => {
        if (this.state.dispositionDue !== due) return;
        const code = this.pickDisposition();
        const r = await this.api.dispose({ callId: due, code });
        this.stats.dispositions++;
        this.dispatch({ type: 'disposed', callId: due });
        this.dispatch({ type: 'session', agent: r.agent });
        this.log('disposed', { callId: due, code });
      });
      return;
    }
    // Without a phone the bot would only be offered calls it cannot take: it waits for one.
    if (this.phoneDown !== null) return;
    if ((st === 'PAUSED' || st === 'WRAPUP') && !this.readyTimer && !this.busy) {
      // Paused after a disposition, at login, or by the system: go ready again shortly; if the
      // system keeps pausing the bot without a call, back off (200 ms doubling to 10 s).
      const delayMs = Math.min(10_000, 200 * 2 ** Math.max(0, this.readiesWithoutCall - 1));
      this.readyTimer = setTimeout(() => {
        this.readyTimer = null;
        if (this.stopping) return;
        const now = stateOf(this.state);
        if ((now !== 'PAUSED' && now !== 'WRAPUP') || this.state.dispositionDue) return;
        this.busy = true;
        this.readiesWithoutCall++;
        this.api
          .ready()
          .then((r) => this.dispatch({ type: 'session', agent: r.agent }))
          .catch((err: unknown) => {
            this.stats.errors++;
            this.log('ready refused', { error: err instanceof Error ? err.message : String(err) });
          })
          .finally(() => {
            this.busy = false;
            this.react();
          });
      }, delayMs);
    }
  }
}
