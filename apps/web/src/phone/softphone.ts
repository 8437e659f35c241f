import { UA, WebSocketInterface } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { RTCSessionEvent } from 'jssip/lib/UA';
import type { PhoneInput } from './phone-state.js';

/**
 * The WebRTC softphone (JsSIP): registers over WSS and dials the login extension, which the
 * PBX answers and hands to the Stasis app; the dialer nails that leg into the agent's own bridge
 * (see ../shared/ari/traces/webrtc-agent-leg.jsonl), and it stays up between calls, so customers
 * are bridged in with no ringing. Hanging up a customer never touches this leg: that goes
 * through the API. Status changes are reported as PhoneInput for phone-state.ts.
 */

export interface SipAccount {
  /** wss://pbx.example:8089/ws */
  wsUri: string;
  /** sip:agent1@pbx.example */
  uri: string;
  password: string;
  loginExten: string;
  iceServers: RTCIceServer[];
}

export interface SoftphoneOptions {
  account: SipAccount;
  onInput(i: PhoneInput): void;
  /** The <audio> element that plays the customer. */
  audio: HTMLAudioElement;
  nowMs?: () => number;
  /**
   * How long to keep gathering ICE candidates after the first one (ms). JsSIP otherwise waits
   * for gathering to complete, which with unreachable STUN servers takes up to 40 s; on a LAN or
   * loopback the first candidates are the ones that matter. Default 150.
   */
  iceGatherAfterFirstMs?: number;
  /**
   * Answer calls that arrive at this phone (the phone-test page's callee). The agent panel
   * leaves it off: its leg is always the one it dialed.
   */
  answerIncoming?: boolean;
  /** Dial the login extension as soon as registered (the panel's line). Default true. */
  dialOnRegister?: boolean;
}

export class Softphone {
  private ua: UA | null = null;
  private session: RTCSession | null = null;
  private stream: MediaStream | null = null;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: SoftphoneOptions) {
    this.now = opts.nowMs ?? (() => performance.now());
  }

  /** Asks for the microphone, then registers and brings the line up. */
  async start(): Promise<void> {
    this.stopped = false;
    const { onInput } = this.opts;
    onInput({ type: 'mic_requested' });
    try {
      this.stream ??= await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    } catch (err) {
      onInput({ type: 'mic_error', name: err instanceof Error ? err.name : 'Error' });
      return;
    }
    onInput({ type: 'mic_ok' });
    this.startUa();
  }

  private startUa(): void {
    const { account, onInput } = this.opts;
    this.ua?.stop();
    const ua = new UA({
      sockets: [new WebSocketInterface(account.wsUri)],
      uri: account.uri,
      password: account.password,
      register: true,
      register_expires: 300,
      session_timers: false,
      connection_recovery_min_interval: 1,
      connection_recovery_max_interval: 10,
    });
    this.ua = ua;
    ua.on('connecting', (e) => onInput({ type: 'ws_connecting', attempt: e.attempts }));
    ua.on('connected', () => onInput({ type: 'ws_connected' }));
    ua.on('disconnected', () => {
      if (!this.stopped) onInput({ type: 'ws_disconnected' });
    });
    ua.on('registered', () => {
      onInput({ type: 'registered' });
      if (!this.session && this.opts.dialOnRegister !== false) this.connectLeg();
    });
    ua.on('unregistered', () => {
      if (!this.stopped) onInput({ type: 'unregistered' });
    });
    ua.on('newRTCSession', (e: RTCSessionEvent) => {
      if (e.originator !== 'remote') return;
      const stream = this.stream;
      if (!this.opts.answerIncoming || this.session || !stream) {
        e.session.terminate({ status_code: 486 });
        return;
      }
      onInput({ type: 'leg_connecting', atMs: this.now() });
      this.watch(e.session);
      e.session.answer({
        mediaStream: stream,
        pcConfig: { iceServers: account.iceServers },
      });
    });
    ua.on('registrationFailed', (e) =>
      onInput({ type: 'registration_failed', cause: String(e.cause ?? 'unknown') }),
    );
    ua.start();
  }

  /** Dials the login extension: the agent's leg into its own bridge. */
  connectLeg(): void {
    const ua = this.ua;
    const stream = this.stream;
    if (!ua || !stream || this.session) return;
    const { account, onInput } = this.opts;
    const domain = account.uri.replace(/^sips?:[^@]*@/, '');
    const startedAt = this.now();
    onInput({ type: 'leg_connecting', atMs: startedAt });
    const session = ua.call(`sip:${account.loginExten}@${domain}`, {
      mediaStream: stream,
      pcConfig: { iceServers: account.iceServers },
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
    });
    this.watch(session);
  }

  /** Follows a session: ICE gathering cut short, remote audio played, status reported. */
  private watch(session: RTCSession): void {
    const { onInput, audio } = this.opts;
    this.session = session;
    let gatherTimer: ReturnType<typeof setTimeout> | null = null;
    session.on('icecandidate', (e) => {
      if (gatherTimer) return;
      gatherTimer = setTimeout(() => e.ready(), this.opts.iceGatherAfterFirstMs ?? 150);
    });
    const onPc = (pc: RTCPeerConnection) => {
      pc.addEventListener('track', (t) => {
        const [remote] = t.streams;
        if (remote) {
          audio.srcObject = remote;
          void audio.play().catch(() => undefined);
        }
      });
      pc.addEventListener('iceconnectionstatechange', () => {
        if (pc.iceConnectionState === 'failed') onInput({ type: 'ice_failed' });
      });
    };
    if (session.connection) onPc(session.connection);
    else session.on('peerconnection', (e) => onPc(e.peerconnection));
    session.on('confirmed', () => onInput({ type: 'leg_up', atMs: this.now() }));
    const gone = (cause: string) => {
      if (gatherTimer) clearTimeout(gatherTimer);
      if (this.session === session) this.session = null;
      if (!this.stopped) onInput({ type: 'leg_down', cause });
    };
    session.on('ended', (e) => gone(String(e.cause)));
    session.on('failed', (e) => gone(String(e.cause)));
  }

  /** Mutes the agent's microphone on the leg (the customer stops hearing the agent). */
  setMuted(on: boolean): void {
    if (!this.session) return;
    if (on) this.session.mute({ audio: true });
    else this.session.unmute({ audio: true });
  }

  register(): void {
    this.ua?.register();
  }

  /** Drops the transport and starts again (after a network loss, or on the agent's request). */
  reconnect(): void {
    this.session?.terminate();
    this.session = null;
    if (!this.stream) {
      void this.start();
      return;
    }
    this.startUa();
  }

  /** The leg's RTCPeerConnection (tests read its stats). */
  get peerConnection(): RTCPeerConnection | null {
    return this.session?.connection ?? null;
  }

  stop(): void {
    this.stopped = true;
    try {
      this.session?.terminate();
    } catch {
      // already ended
    }
    this.session = null;
    this.ua?.stop();
    this.ua = null;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
  }
}
