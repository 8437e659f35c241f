/**
 * The trunk between two Asterisk servers of a fleet (deploy/asterisk/pjsip-fleet.conf), between
 * two simulated PBXes in one process: `PJSIP/<exten>@<trunk>` originated on one PBX makes a
 * channel there and, one `latencyMs` later, an inbound channel on the other PBX in context
 * `fleet-in`, which runs `Stasis(<app>,fleet,<exten>)` unanswered (state Ring), as the real
 * dialplan does; when the app answers it (ARI answer), the answer reaches the caller one
 * `latencyMs` later (the originated channel goes Up and enters its app). A hang-up on either
 * side reaches the other one `latencyMs` later, as a BYE would. A PBX taken away (`halt`: killed,
 * no BYE) stops sending audio: each of the other PBX's channels on the trunk is hung up after
 * the link's `rtpTimeoutMs`, as Asterisk's `rtp_timeout` on the fleet endpoint does
 * (deploy/asterisk/pjsip-fleet.conf; `rtp_keepalive` keeps a live but silent call above it).
 */
import { hex8, msg, type AriReply, type PbxCore } from './core.js';
import type { Channels } from './channels.js';
import type { SimChannel } from './model.js';

/**
 * Extensions the `fleet-in` context takes (deploy/asterisk/extensions.conf `_[x].`: a literal x,
 * then anything; Ringside dials x-<callId>).
 */
const FLEET_EXTEN = /^x-.+$/;

/**
 * Hang-up cause of a channel Asterisk ends for want of RTP (res_pjsip_sdp_rtp's timeout sets
 * AST_CAUSE_REQUESTED_CHAN_UNAVAIL).
 */
export const RTP_TIMEOUT_CAUSE = 44;

interface TrunkLink {
  far: Trunks;
  /** The far PBX's name for the endpoint back to us (its channels' names). */
  farEndpoint: string;
  latencyMs: number;
  /** No audio from the far PBX this long hangs up our channel on the trunk, ms (null: never). */
  rtpTimeoutMs: number | null;
}

/** A channel of ours on a trunk, and the PBX at the other end. */
interface TrunkLeg {
  far: Trunks;
  rtpTimeoutMs: number | null;
}

export interface TrunkOriginate {
  id: string;
  exten: string;
  app: string;
  appArgs: string[];
  apps: string[];
}

export class Trunks {
  private readonly links = new Map<string, TrunkLink>();
  /** Our live channels on trunks (an unlinked trunk's calls keep going). */
  private readonly legs = new Map<SimChannel, TrunkLeg>();

  constructor(
    private readonly core: PbxCore,
    private readonly channels: Channels,
  ) {}

  /** `endpoint` on this PBX reaches `far`, which knows us as `farEndpoint`. */
  link(
    endpoint: string,
    far: Trunks,
    farEndpoint: string,
    latencyMs: number,
    rtpTimeoutMs: number | null = null,
  ): void {
    this.links.set(endpoint, { far, farEndpoint, latencyMs, rtpTimeoutMs });
  }

  /**
   * This PBX is taken away (killed): it sends no BYE and no audio any more. Each other PBX
   * with a channel on a trunk to it hangs that channel up after the trunk's RTP timeout.
   */
  halt(): void {
    const fars = new Set<Trunks>([...this.links.values()].map((l) => l.far));
    for (const [ch, leg] of this.legs) {
      fars.add(leg.far);
      ch.farHangup = null;
      ch.farAnswer = null;
    }
    this.legs.clear();
    for (const far of fars) far.peerGone(this);
  }

  /** `peer` died: our channels on trunks to it hear nothing more and time out (no BYE to send). */
  private peerGone(peer: Trunks): void {
    for (const [ch, leg] of this.legs) {
      if (leg.far !== peer) continue;
      this.legs.delete(ch);
      if (ch.destroyed || ch.hangingUp) continue;
      ch.farHangup = null;
      ch.farAnswer = null;
      if (leg.rtpTimeoutMs === null) continue;
      this.core.after(ch, leg.rtpTimeoutMs, () => this.remoteHangup(ch, RTP_TIMEOUT_CAUSE));
    }
  }

  private track(ch: SimChannel, link: TrunkLink): void {
    for (const [c] of this.legs) if (c.destroyed) this.legs.delete(c);
    this.legs.set(ch, { far: link.far, rtpTimeoutMs: link.rtpTimeoutMs });
  }

  unlink(endpoint: string): void {
    this.links.delete(endpoint);
  }

  has(endpoint: string): boolean {
    return this.links.has(endpoint);
  }

  /** POST /channels with endpoint `PJSIP/<exten>@<trunk>`. */
  originate(trunk: string, o: TrunkOriginate): AriReply {
    const link = this.links.get(trunk);
    if (!link) return msg(500, 'Allocation failed');
    const core = this.core;
    const ch = core.newChannel(
      o.id,
      `PJSIP/${trunk}-${hex8(core.serial('pjsip'))}`,
      'trunk',
      'Down',
      { context: 'default', exten: 's', priority: 1 },
      o.apps,
    );
    ch.outgoing = true;
    this.track(ch, link);
    core.exec(ch, { app_name: 'AppDial2', app_data: '(Outgoing Line)' });
    const dialstring = `${o.exten}@${trunk}`;
    core.dial(ch, dialstring, '');
    ch.farHangup = null;
    core.after(ch, link.latencyMs, () => {
      const inbound = link.far.inbound(
        link.farEndpoint,
        o.exten,
        link.latencyMs,
        (cause) => this.remoteHangup(ch, cause),
        () => {
          // The 200 OK: the far side's app answered the inbound channel.
          if (ch.destroyed || ch.hangingUp || ch.state === 'Up') return;
          core.setState(ch, 'Up');
          core.dial(ch, dialstring, 'ANSWER');
          const ok = o.app ? this.channels.enterStasis(ch, o.app, o.appArgs, false) : false;
          if (!ok) this.channels.dialplanEnds(ch);
        },
      );
      if (!inbound) {
        // The far end has no such extension or no app: 404 -> cause 1 (unallocated).
        core.after(ch, link.latencyMs, () => this.remoteHangup(ch, 1));
        return;
      }
      ch.farHangup = inbound;
      core.setState(ch, 'Ringing');
      core.dial(ch, dialstring, 'RINGING');
    });
    return { status: 200, body: ch.json() };
  }

  /**
   * An INVITE from the far PBX for `exten`: a channel in `fleet-in` that enters the app
   * unanswered (no Answer() in fleet-in: Asterisk's Answer() waits up to 500 ms for the caller's
   * first audio frame; the app answers it once it is in its bridge). Returns how to hang it
   * up from the far side (null: refused); reports its own hang-up to `farGone` and its answer by
   * the app to `farAnswered`, each one latency later.
   */
  private inbound(
    endpoint: string,
    exten: string,
    latencyMs: number,
    farGone: (cause: number) => void,
    farAnswered: () => void,
  ): ((cause: number) => void) | null {
    const core = this.core;
    const app = core.opts.dialplanApp;
    const link = this.links.get(endpoint);
    if (!link || !FLEET_EXTEN.test(exten) || !core.opts.isAppRegistered(app)) return null;
    const ch = core.newChannel(
      core.uniqueId(),
      `PJSIP/${endpoint}-${hex8(core.serial('pjsip'))}`,
      'trunk',
      'Ring',
      { context: 'fleet-in', exten, priority: 1 },
      [],
    );
    this.track(ch, link);
    ch.farHangup = (cause) => core.opts.scheduler.after(latencyMs, () => farGone(cause));
    ch.farAnswer = () => core.opts.scheduler.after(latencyMs, farAnswered);
    core.exec(ch, { app_name: 'Stasis', app_data: `${app},fleet,${exten}` });
    if (!this.channels.enterStasis(ch, app, ['fleet', exten], true)) {
      this.channels.dialplanEnds(ch);
      return null;
    }
    return (cause) => core.opts.scheduler.after(latencyMs, () => this.remoteHangup(ch, cause));
  }

  /** The far side hung up (a BYE arrived): this side's channel goes too. */
  private remoteHangup(ch: SimChannel, cause: number): void {
    if (ch.destroyed || ch.hangingUp) return;
    ch.farHangup = null;
    ch.hangingUp = true;
    this.core.hangupRequest(ch, cause);
    this.channels.leaveStasisHangingUp(ch);
    this.channels.destroy(ch, cause);
  }
}
