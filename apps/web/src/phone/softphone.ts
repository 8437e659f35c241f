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
   * How long ICE may stay checking, or disconnected during the call, before the audio path of a
   * leg this phone dialed is reported failed and the leg ended (ms). Chromium itself declares ICE failed only after
   * about 30 s, or never when no candidate pair works at all. Default 8000.
   */
  iceFailAfterMs?: number;
  /**
   * Answer calls that arrive at this phone (the phone-test page's callee, a stand-in for the
   * PBX): a new call replaces the one in progress, as the PBX answers every login call. The
   * agent panel leaves it off: its leg is always the one it dialed.
   */
  answerIncoming?: boolean;
  /** Dial the login extension as soon as registered (the panel's line). Default true. */
  dialOnRegister?: boolean;
}

/** Whether a leg's audio path is up (ICE connected or completed). */
function mediaFlowing(pc: RTCPeerConnection | null | undefined): boolean {
  const ice = pc?.iceConnectionState;
  return ice === 'connected' || ice === 'completed';
}

/** host:port of a wss:// URL, as the panel names the phone server. */
function serverOf(wsUri: string): string {
  try {
    return new URL(wsUri).host;
  } catch {
    return wsUri;
  }
}

export class Softphone {
  private ua: UA | null = null;
  private session: RTCSession | null = null;
  private stream: MediaStream | null = null;
  private stopped = false;
  /** The SIP WebSocket opened at least once since this phone started. */
  private everConnected = false;
  /** The SIP WebSocket dropped while a leg was up (cleared when a leg is confirmed). */
  private transportDroppedDuringLeg = false;
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
    // A replaced UA (reconnect) still reports its un-REGISTER and disconnection: not ours.
    const current = () => this.ua === ua && !this.stopped;
    ua.on('connecting', (e) => {
      if (current()) onInput({ type: 'ws_connecting', attempt: e.attempts });
    });
    ua.on('connected', () => {
      this.everConnected = true;
      if (current()) onInput({ type: 'ws_connected' });
    });
    ua.on('disconnected', () => {
      if (!current()) return;
      if (this.session) this.transportDroppedDuringLeg = true;
      onInput({
        type: 'ws_disconnected',
        server: serverOf(account.wsUri),
        everConnected: this.everConnected,
      });
    });
    ua.on('registered', () => {
      if (!current()) return;
      onInput({ type: 'registered' });
      // The leg's media does not go through the SIP WebSocket: a line that survived a lost
      // connection or registration is still up, and says so again. A line whose media stopped
      // meanwhile (the phone server restarted: its channel is gone) is dialed again at once,
      // rather than waiting for ICE to give up and the agent to click.
      const dials = this.opts.dialOnRegister !== false;
      if (this.session?.isEstablished()) {
        if (dials && !mediaFlowing(this.session.connection)) this.reconnectLeg();
        else onInput({ type: 'leg_up', atMs: this.now() });
      } else if (!this.session && dials) this.connectLeg();
    });
    ua.on('unregistered', () => {
      if (current()) onInput({ type: 'unregistered' });
    });
    ua.on('newRTCSession', (e: RTCSessionEvent) => {
      if (e.originator !== 'remote') return;
      const stream = this.stream;
      if (!this.opts.answerIncoming || !stream) {
        e.session.terminate({ status_code: 486 });
        return;
      }
      this.dropSession();
      onInput({ type: 'leg_connecting', atMs: this.now() });
      this.watch(e.session, false);
      e.session.answer({
        mediaStream: stream,
        pcConfig: { iceServers: account.iceServers },
      });
    });
    ua.on('registrationFailed', (e) => {
      if (current()) onInput({ type: 'registration_failed', cause: String(e.cause ?? 'unknown') });
    });
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
    this.watch(session, true);
  }

  /** Ends the agent's leg and dials it again (the way back from a failed audio path). */
  reconnectLeg(): void {
    this.dropSession();
    this.connectLeg();
  }

  /** Ends the current session without reporting it: the caller reports what comes next. */
  private dropSession(): void {
    const s = this.session;
    this.session = null;
    try {
      s?.terminate();
    } catch {
      // already ended
    }
  }

  /**
   * Follows a session: ICE gathering cut short, remote audio played, status reported. The side
   * that dialed the leg (the agent's phone) watches its audio path; a callee leaves that to it.
   */
  private watch(session: RTCSession, watchIce: boolean): void {
    const { onInput, audio } = this.opts;
    this.session = session;
    let gatherTimer: ReturnType<typeof setTimeout> | null = null;
    let iceTimer: ReturnType<typeof setTimeout> | null = null;
    const clearIce = () => {
      if (iceTimer) clearTimeout(iceTimer);
      iceTimer = null;
    };
    // No media can flow: say so, and end the leg so that "Reconnect line" can dial a new one.
    const iceFailed = () => {
      clearIce();
      if (this.session !== session) return;
      onInput({ type: 'ice_failed' });
      this.dropSession();
      // The SIP connection dropped during this leg and is back (registered): the media died
      // with the phone server (a restart: its channel is gone), so dial a new leg by ourselves.
      // A path that fails without that (a firewall) stays "Audio path failed" for the agent.
      if (this.transportDroppedDuringLeg && this.ua?.isRegistered()) {
        this.transportDroppedDuringLeg = false;
        this.connectLeg();
      }
    };
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
        const ice = pc.iceConnectionState;
        if (!watchIce) return;
        if (ice === 'failed') iceFailed();
        else if (ice === 'checking' || ice === 'disconnected') {
          iceTimer ??= setTimeout(iceFailed, this.opts.iceFailAfterMs ?? 8000);
        } else clearIce();
      });
    };
    if (session.connection) onPc(session.connection);
    else session.on('peerconnection', (e) => onPc(e.peerconnection));
    session.on('confirmed', () => {
      this.transportDroppedDuringLeg = false;
      onInput({ type: 'leg_up', atMs: this.now() });
    });
    const gone = (cause: string) => {
      if (gatherTimer) clearTimeout(gatherTimer);
      clearIce();
      // A session already replaced or dropped on purpose reports nothing.
      if (this.session !== session) return;
      this.session = null;
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
    this.dropSession();
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
    this.dropSession();
    this.ua?.stop();
    this.ua = null;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
  }
}
