/**
 * Channels after their creation: entering and leaving Stasis, hang-ups in Asterisk's order (Local
 * halves, snoops that outlive their own hang-up), destruction, and ARI's /channels operations
 * other than originate (originate.ts): hang-up, answer and the other actions, continue,
 * variables, snoop.
 */
import { msg, hex8, type AriReply, type Params, type PbxCore } from './core.js';
import { SimChannel } from './model.js';
import type { Bridges } from './bridges.js';
import type { Playbacks } from './playbacks.js';

const CAUSE_TXT: Record<number, string> = {
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  28: 'Invalid number format (addr incomplete)',
  31: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  58: 'Bearer capability not available',
  127: 'Interworking, unspecified',
};

/** DELETE /channels/{id}?reason=... -> Q.850 cause, as Asterisk 22 maps them. */
const HANGUP_REASONS: Record<string, number> = {
  normal: 16,
  busy: 17,
  congestion: 34,
  no_answer: 19,
  timeout: 19,
  rejected: 21,
  unallocated: 1,
  normal_unspecified: 31,
  number_incomplete: 28,
  codec_mismatch: 58,
  interworking: 127,
  failure: 38,
  answered_elsewhere: 26,
};

/** ARI's softhangup flag for an explicit hangup request (AST_SOFTHANGUP_EXPLICIT). */
const SOFT_EXPLICIT = 32;

export class Channels {
  constructor(
    private readonly core: PbxCore,
    private readonly bridges: Bridges,
    private readonly playbacks: Playbacks,
  ) {}

  // ---------------------------------------------------------------- lifecycle

  destroy(ch: SimChannel, cause: number): void {
    if (ch.destroyed) return;
    const core = this.core;
    ch.destroyed = true;
    ch.hangingUp = true;
    for (const t of ch.timers) core.opts.scheduler.cancel(t);
    ch.timers.length = 0;
    for (const pb of [...ch.playbacks]) this.playbacks.finish(pb);
    if (ch.bridge) this.bridges.leave(ch);
    // Asterisk shows the dial application again on a destroyed outgoing channel.
    ch.dialplan = ch.outgoing
      ? { ...ch.dialplan, app_name: 'AppDial2', app_data: '(Outgoing Line)' }
      : { ...ch.dialplan, app_name: '', app_data: '' };
    ch.touch();
    core.channels.delete(ch.id);
    core.counters.channelsDestroyed++;
    core.counters.hangupCauses[String(cause)] =
      (core.counters.hangupCauses[String(cause)] ?? 0) + 1;
    core.chanEvent('ChannelDestroyed', ch, { cause, cause_txt: CAUSE_TXT[cause] ?? 'Unknown' });
    if (ch.call && ch.call.one === ch) {
      ch.call.phase = 'ended';
      ch.call.endedAtMs = core.now();
      core.calls.delete(ch.call.id);
    }
    if (ch.phone) ch.phone.channels.delete(ch);
    if (ch.farHangup) {
      const far = ch.farHangup;
      ch.farHangup = null;
      far(cause);
    }
    if (ch.snoopTarget) ch.snoopTarget.snoops.delete(ch);
    // Snoop channels outlive their own hang-up until the channel they spy on goes.
    for (const snoop of [...ch.snoops]) {
      if (snoop.zombie) this.destroy(snoop, 16);
      else this.hangupSnoop(snoop, 16, false);
    }
  }

  enterStasis(ch: SimChannel, app: string, args: string[], viaDialplan: boolean): boolean {
    ch.dialplan = {
      ...ch.dialplan,
      app_name: 'Stasis',
      app_data: [app, ...args].join(','),
    };
    ch.touch();
    if (!this.core.opts.isAppRegistered(app)) {
      // Stasis() of an app nobody registered fails; the dialplan ends and the channel hangs up.
      this.core.varset(ch, 'STASISSTATUS', 'FAILED');
      return false;
    }
    ch.apps.add(app);
    this.core.varset(ch, 'STASISSTATUS', '');
    ch.stasis = { app, args, viaDialplan };
    this.core.counters.stasisStarts++;
    this.core.chanEvent('StasisStart', ch, { args });
    if (ch.call && ch.call.one === ch) ch.call.phase = 'stasis';
    return true;
  }

  leaveStasis(ch: SimChannel): void {
    if (!ch.stasis) return;
    if (ch.bridge) this.bridges.leave(ch);
    ch.stasis = null;
    this.core.chanEvent('StasisEnd', ch);
    this.core.varset(ch, 'STASISSTATUS', 'SUCCESS');
  }

  /** ARI hang-up (softhangup explicit) and everything that follows from it. */
  hangup(ch: SimChannel, cause: number): void {
    if (ch.hangingUp || ch.destroyed) return;
    const core = this.core;
    ch.hangingUp = true;
    core.hangupRequest(ch, SOFT_EXPLICIT, true);
    const wasBridged = ch.bridge !== null;
    this.leaveStasisHangingUp(ch);
    if (ch.role === 'snoop') {
      ch.zombie = true;
      if (ch.snoopTarget?.destroyed !== false) this.destroy(ch, cause);
      return;
    }
    const peer = ch.peer;
    if (!peer || peer.destroyed) {
      this.destroy(ch, cause);
      return;
    }
    if (ch.half === 1 && ch.state !== 'Up') {
      // Cancelled while still ringing.
      core.dial(ch, `${ch.dialplan.exten}@${ch.dialplan.context}`, 'CANCEL');
    }
    peer.hangingUp = true;
    core.hangupRequest(peer, 16);
    this.leaveStasisHangingUp(peer);
    const peerInPlayback = peer.dialplan.app_name === 'Playback';
    const tearPeer = () => {
      if (peerInPlayback) core.varset(peer, 'PLAYBACKSTATUS', 'SUCCESS');
      core.hangupRequest(peer, 16, true);
      this.destroy(peer, cause);
    };
    // A bridged customer's far half goes first; otherwise the hung-up half does (traces).
    if (ch.role === 'customer' && wasBridged) {
      tearPeer();
      this.destroy(ch, cause);
    } else {
      this.destroy(ch, cause);
      tearPeer();
    }
  }

  /**
   * A hanging-up channel leaves its app; one that entered through the dialplan's Stasis() gets
   * the dialplan's own soft hang-up request after its StasisEnd.
   */
  leaveStasisHangingUp(ch: SimChannel): void {
    const via = ch.stasis?.viaDialplan ?? false;
    this.leaveStasis(ch);
    if (via) this.core.hangupRequest(ch, 16, true);
  }

  hangupSnoop(snoop: SimChannel, cause: number, explicit: boolean): void {
    if (snoop.hangingUp || snoop.destroyed) return;
    snoop.hangingUp = true;
    this.core.hangupRequest(snoop, explicit ? SOFT_EXPLICIT : cause, explicit);
    this.leaveStasis(snoop);
    this.destroy(snoop, cause);
  }

  /** The channel's dialplan ran out (nothing left, or Stasis failed): it hangs up normally. */
  dialplanEnds(ch: SimChannel): void {
    ch.hangingUp = true;
    this.core.hangupRequest(ch, 16, true);
    this.destroy(ch, 16);
  }

  /** A Local pair whose ;1 has nowhere to go: ;1 hangs up, then its ;2 half. */
  localPairEnds(one: SimChannel, two: SimChannel): void {
    one.hangingUp = true;
    two.hangingUp = true;
    this.core.hangupRequest(one, 16, true);
    this.core.hangupRequest(two, 16);
    this.destroy(one, 16);
    this.core.hangupRequest(two, 16, true);
    this.destroy(two, 16);
  }

  /** The phone hangs up its own leg (the agent closes the softphone). */
  phoneHangsUp(ch: SimChannel): void {
    if (ch.hangingUp || ch.destroyed) return;
    ch.hangingUp = true;
    this.core.hangupRequest(ch, 16);
    this.leaveStasisHangingUp(ch);
    this.destroy(ch, 16);
  }

  /** Channels with their negotiated codec and bridge (control API). */
  listChannels(): Array<Record<string, unknown>> {
    return [...this.core.channels.values()].map((c) => ({
      id: c.id,
      name: c.name,
      state: c.state,
      codec: c.codec,
      bridgeId: c.bridge?.id ?? null,
    }));
  }

  // ---------------------------------------------------------------- REST: /channels

  ariListChannels(): AriReply {
    return { status: 200, body: [...this.core.channels.values()].map((c) => c.json()) };
  }

  ariGetChannel(id: string): AriReply {
    const ch = this.core.channels.get(id);
    return ch ? { status: 200, body: ch.json() } : msg(404, 'Channel not found');
  }

  ariHangup(id: string, p: Params): AriReply {
    const ch = this.core.channels.get(id);
    if (!ch) return msg(404, 'Channel not found');
    let cause: number;
    if (p.reason_code) {
      cause = Number(p.reason_code);
      if (!Number.isInteger(cause)) return msg(400, 'Invalid reason for hangup provided');
    } else if (!p.reason) {
      cause = 16;
    } else {
      const c = HANGUP_REASONS[p.reason];
      if (c === undefined) return msg(400, 'Invalid reason for hangup provided');
      cause = c;
    }
    this.hangup(ch, cause);
    return { status: 204 };
  }

  /** answer, ring, ringStop, hold, unhold, mute, unmute, dtmf, moh, silence: Stasis + state checks. */
  ariChannelAction(id: string, action: string, p: Params): AriReply {
    const ch = this.core.stasisChannel(id, true);
    if (!(ch instanceof SimChannel)) return ch;
    switch (action) {
      case 'answer':
        if (ch.state !== 'Up') this.core.setState(ch, 'Up');
        if (ch.farAnswer) {
          const far = ch.farAnswer;
          ch.farAnswer = null;
          far();
        }
        break;
      // hold/unhold only indicate towards the device: Asterisk sends no ChannelHold for an
      // application-initiated hold (ChannelHold reports a hold received from the far end).
      case 'mute':
      case 'unmute': {
        const dir = p.direction ?? 'both';
        if (!['in', 'out', 'both'].includes(dir)) return msg(400, 'Invalid direction specified');
        break;
      }
      case 'dtmf':
        if (!p.dtmf) return msg(400, 'DTMF is required');
        break;
      default:
        break;
    }
    return { status: 204 };
  }

  ariContinue(id: string, p: Params): AriReply {
    const ch = this.core.stasisChannel(id, true);
    if (!(ch instanceof SimChannel)) return ch;
    const context = p.context || ch.dialplan.context;
    const exten = p.extension || (p.context ? 's' : ch.dialplan.exten);
    const priority = p.priority
      ? Number(p.priority)
      : !p.context && !p.extension
        ? ch.dialplan.priority + 1
        : 1;
    this.leaveStasis(ch);
    // The simulated dialplan has nothing there: the channel runs off the end and hangs up.
    this.core.exec(ch, { context, exten, priority, app_name: '', app_data: '' });
    const call = ch.call;
    if (call && ch === call.one) {
      this.localPairEnds(call.one, call.two);
    } else {
      const peer = ch.peer;
      this.dialplanEnds(ch);
      if (peer && !peer.destroyed) this.dialplanEnds(peer);
    }
    return { status: 204 };
  }

  ariGetVar(id: string, p: Params): AriReply {
    const variable = p.variable ?? '';
    if (!variable) return msg(400, 'Variable name is required');
    const ch = this.core.channels.get(id);
    if (!ch) return msg(404, 'Provided channel was not found');
    if (variable.endsWith(')')) {
      const fn = readFunction(ch, variable);
      if (fn === null) return msg(500, 'Unable to read provided function');
      return { status: 200, body: { value: fn } };
    }
    const value = ch.vars.get(variable);
    if (value === undefined) return msg(404, 'Provided variable was not found');
    return { status: 200, body: { value } };
  }

  ariSetVar(id: string, p: Params): AriReply {
    const variable = p.variable ?? '';
    if (!variable) return msg(400, 'Variable name is required');
    const ch = this.core.stasisChannel(id, false);
    if (!(ch instanceof SimChannel)) return ch;
    this.core.varset(ch, variable, p.value ?? '');
    return { status: 204 };
  }

  ariSnoop(id: string, p: Params, pathSnoopId?: string): AriReply {
    const dirs = ['none', 'both', 'out', 'in'];
    const spy = p.spy || 'none';
    const whisper = p.whisper || 'none';
    if (!dirs.includes(spy)) return msg(400, 'Invalid direction specified for spy');
    if (!dirs.includes(whisper)) return msg(400, 'Invalid direction specified for whisper');
    if (spy === 'none' && whisper === 'none') {
      return msg(400, 'Direction must be specified for at least spy or whisper');
    }
    if (!p.app) return msg(400, 'Application name is required');
    const core = this.core;
    const target = core.channels.get(id);
    if (!target || target.hangingUp) return msg(404, 'Provided channel was not found');
    const snoopId = pathSnoopId || p.snoopId || core.uniqueId();
    if (core.channels.has(snoopId)) return msg(500, 'Snoop channel could not be created');
    const snoop = core.newChannel(
      snoopId,
      `Snoop/${target.id}-${hex8(core.serial('snoop'))}`,
      'snoop',
      'Up',
      { context: 'default', exten: 's', priority: 1 },
      [p.app],
    );
    snoop.snoopTarget = target;
    target.snoops.add(snoop);
    const reply: AriReply = { status: 200, body: snoop.json() };
    // Attaching the audiohook makes the bridge re-evaluate its peers (seen in the traces).
    if (target.bridge) this.bridges.updatePeers(target.bridge, true);
    const args = p.appArgs ? p.appArgs.split(',') : [];
    core.exec(snoop, { app_name: 'Stasis', app_data: [p.app, ...args].join(',') });
    if (!this.enterStasis(snoop, p.app, args, false)) this.hangupSnoop(snoop, 16, false);
    return reply;
  }
}

/** A dialplan function ARI can read (`CALLERID(num)`, `CHANNEL(audionativeformat)`), or null. */
function readFunction(ch: SimChannel, expr: string): string | null {
  const m = /^([A-Z_]+)\(([^)]*)\)$/i.exec(expr);
  if (!m) return null;
  const fn = (m[1] ?? '').toUpperCase();
  const arg = (m[2] ?? '').toLowerCase();
  if (fn === 'CALLERID') {
    if (arg === 'num' || arg === 'number') return ch.caller.number;
    if (arg === 'name') return ch.caller.name;
    if (arg === 'all') return `"${ch.caller.name}" <${ch.caller.number}>`;
  }
  if (fn === 'CHANNEL') {
    if (arg === 'name') return ch.name;
    if (arg === 'uniqueid') return ch.id;
    if (arg === 'state') return ch.state;
    if (arg === 'endpoint' && ch.phone) return ch.phone.endpoint;
    if (arg === 'audionativeformat') return `(${ch.codec})`;
    if (arg === 'audioreadformat' || arg === 'audiowriteformat') return ch.codec;
  }
  return null;
}
