/**
 * The simulated far ends: a Local pair dialed into `sim-customers` or `sim-customers-talking`
 * (deploy/asterisk/extensions.conf) runs the customer's script on ;2 (ring, answer or busy,
 * greeting, talk, hang-up, as customers.ts planned it) and, on ;1, AMD in `dialer-outbound` or
 * the app it was originated into. Also the originate timeout while it rings, and the control
 * API's view of live calls.
 */
import {
  planCustomer,
  planTalkingCustomer,
  TALKING_TALK_MS,
  type CustomerOutcome,
} from './customers.js';
import type { PbxCore } from './core.js';
import type { CustomerCall, SimChannel } from './model.js';
import type { Channels } from './channels.js';
import type { Playbacks } from './playbacks.js';

const HUMAN_GREETING = 'silence/1&hello-world&silence/2';
const MACHINE_GREETING = 'vm-intro&vm-theperson&vm-isunavail&vm-intro';
/** sim-customers-talking's greeting, then its talk: a 1400 Hz tone, 300 ms on, 200 ms off. */
const TALKING_GREETING = 'silence/1&hello&silence/2';
const TALKING_TONE = '1400/300,0/200';
const TALKING_TALK_S = TALKING_TALK_MS / 1000;

/** How the originate that dialed the customer continues once the customer answers. */
export interface CustomerDialOptions {
  /** The dialed number (the Local channel's extension). */
  exten: string;
  /** `sim-customers` (the reference script) or `sim-customers-talking`. */
  context: string;
  /** Originated into this app (with these args), or '' to continue in the dialplan. */
  app: string;
  appArgs: string[];
  /** The originate's `context`: `dialer-outbound` runs AMD first. */
  dialContext: string;
  /** The originate timeout; 0: none. */
  timeoutMs: number;
}

export class CustomerCalls {
  /** Attempts per dialed number, so that each attempt has its own reproducible draw. */
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly core: PbxCore,
    private readonly channels: Channels,
    private readonly playbacks: Playbacks,
  ) {}

  /** ;1 and ;2 exist and ;1 dialed: draws the customer's plan and runs its script. */
  start(one: SimChannel, two: SimChannel, o: CustomerDialOptions): void {
    const attempt = this.attempts.get(o.exten) ?? 0;
    this.attempts.set(o.exten, attempt + 1);
    const talking = o.context === 'sim-customers-talking';
    const plan = talking
      ? planTalkingCustomer(
          500 + TALKING_GREETING.split('&').reduce((sum, m) => sum + this.playbacks.soundMs(m), 0),
        )
      : planCustomer(this.core.scenario, o.exten, attempt);
    this.core.counters.outcomes[plan.outcome]++;
    const call: CustomerCall = {
      id: one.id,
      number: o.exten,
      plan,
      one,
      two,
      startedAtMs: this.core.now(),
      answeredAtMs: null,
      endedAtMs: null,
      phase: 'ringing',
      after: o.app
        ? { kind: 'app', app: o.app, args: o.appArgs }
        : o.dialContext === 'dialer-outbound'
          ? { kind: 'amd' }
          : { kind: 'none' },
      script: talking ? 'talking' : 'reference',
    };
    one.call = call;
    two.call = call;
    this.core.calls.set(call.id, call);
    if (o.timeoutMs > 0)
      one.ringTimer = this.core.after(one, o.timeoutMs, () => this.noAnswer(call));
    if (talking) this.startTalking(call);
    else this.startReference(call);
  }

  /** The customer hangs up (end of the script, or the control API's "hang up now"). */
  customerHangsUp(call: CustomerCall, natural: boolean): void {
    const { one, two, plan } = call;
    const core = this.core;
    if (two.hangingUp || two.destroyed) return;
    const human = plan.outcome === 'human';
    const talking = call.script === 'talking';
    // The reference script's last step is a Playback; the talking one's a Wait.
    if (natural && !talking && plan.hangupMs > plan.greetingMs) {
      core.varset(two, 'PLAYBACKSTATUS', 'SUCCESS');
    }
    const hangupPrio = talking ? 8 : human ? 14 : plan.outcome === 'machine' ? 20 : 23;
    core.exec(two, { priority: hangupPrio, app_name: 'Hangup', app_data: '' });
    two.hangingUp = true;
    core.hangupRequest(two, 16, true);
    if (!one.destroyed && !one.hangingUp) {
      one.hangingUp = true;
      core.hangupRequest(one, 16);
    }
    this.channels.destroy(two, 16);
    if (!one.destroyed) {
      this.channels.leaveStasisHangingUp(one);
      this.channels.destroy(one, 16);
    }
  }

  /** Control API: the customer of this call hangs up now. */
  hangupCustomer(callId: string): boolean {
    const call = this.core.calls.get(callId);
    if (!call) return false;
    this.customerHangsUp(call, false);
    return true;
  }

  /** Forgets every call and attempt (after a reset hung them up). */
  clear(): void {
    this.attempts.clear();
    this.core.calls.clear();
  }

  /** Summary of live customer calls for the control API (no personal data beyond the number). */
  listCalls(): Array<Record<string, unknown>> {
    return [...this.core.calls.values()].map((c) => ({
      channelId: c.one.id,
      otherChannelId: c.two.id,
      number: c.number,
      outcome: c.plan.outcome,
      amdStatus: c.plan.amdStatus,
      phase: c.phase,
      startedAtMs: c.startedAtMs,
      answeredAtMs: c.answeredAtMs,
      bridgeId: c.one.bridge?.id ?? null,
    }));
  }

  /** sim-customers-talking: NoOp, Ringing(), Wait(1), then the answer (webrtc-opus-refused). */
  private startTalking(call: CustomerCall): void {
    const { core } = this;
    const two = call.two;
    core.exec(two, {
      priority: 1,
      app_name: 'NoOp',
      app_data: `talking sim customer ${call.number}`,
    });
    core.exec(two, { priority: 2, app_name: 'Ringing', app_data: '' });
    core.setState(call.one, 'Ringing');
    core.dial(call.one, `${call.number}@sim-customers-talking`, 'RINGING');
    core.exec(two, { priority: 3, app_name: 'Wait', app_data: String(call.plan.ringMs / 1000) });
    core.after(two, call.plan.ringMs, () => this.answers(call));
  }

  /** sim-customers: the last digit picks the branch (GotoIf), then busy, ringing or no answer. */
  private startReference(call: CustomerCall): void {
    const { core } = this;
    const two = call.two;
    const { outcome, ringMs } = call.plan;
    const digit = call.number.slice(-1) || '0';
    core.exec(two, { priority: 1, app_name: 'NoOp', app_data: `sim customer ${call.number}` });
    core.exec(two, { priority: 2, app_name: 'Set', app_data: `D=${digit}` });
    core.varset(two, 'D', digit);
    const branches: CustomerOutcome[] = ['human', 'machine', 'noanswer', 'busy'];
    let prio = 3;
    for (const o of branches) {
      core.exec(two, {
        priority: prio,
        app_name: 'GotoIf',
        app_data: `${o === outcome ? 1 : 0}?${o}`,
      });
      prio++;
      if (o === outcome) break;
    }
    const dialstring = `${call.number}@sim-customers`;
    if (outcome === 'busy' || outcome === 'congestion') {
      const busy = outcome === 'busy';
      core.exec(two, {
        priority: busy ? 24 : 7,
        app_name: busy ? 'Busy' : 'Congestion',
        app_data: '5',
      });
      core.setState(two, 'Busy');
      core.dial(call.one, dialstring, busy ? 'BUSY' : 'CONGESTION');
      core.hangupRequest(two, 0);
      this.channels.destroy(call.one, 0);
      core.hangupRequest(two, 16, true);
      this.channels.destroy(two, busy ? 17 : 34);
      return;
    }
    const ringPrio = outcome === 'human' ? 9 : outcome === 'machine' ? 15 : 21;
    core.exec(two, { priority: ringPrio, app_name: 'Ringing', app_data: '' });
    core.setState(call.one, 'Ringing');
    const waitSecs = outcome === 'noanswer' ? 60 : ringMs / 1000;
    core.exec(two, { priority: ringPrio + 1, app_name: 'Wait', app_data: String(waitSecs) });
    core.dial(call.one, dialstring, 'RINGING');
    if (outcome !== 'noanswer') core.after(two, ringMs, () => this.answers(call));
    // Wait(60) runs out without an originate timeout (timeout=-1): the script hangs up.
    else core.after(two, 60_000, () => this.customerHangsUp(call, false));
  }

  private answers(call: CustomerCall): void {
    const { one, two, plan } = call;
    const { core } = this;
    const human = plan.outcome === 'human';
    const talking = call.script === 'talking';
    const base = talking ? 4 : human ? 11 : 17;
    call.answeredAtMs = core.now();
    call.phase = 'answered';
    core.exec(two, { priority: base, app_name: 'Answer', app_data: '' });
    core.setState(two, 'Up');
    core.setState(one, 'Up');
    core.dial(one, `${call.number}@${two.dialplan.context}`, 'ANSWER');
    core.opts.scheduler.cancel(one.ringTimer);
    one.ringTimer = null;

    // The customer's side of the conversation (the sim-customers dialplan).
    const greetStart = Math.min(500, plan.hangupMs);
    if (plan.hangupMs > greetStart) {
      core.after(two, greetStart, () =>
        core.exec(two, {
          priority: base + 1,
          app_name: 'Playback',
          app_data: talking ? TALKING_GREETING : human ? HUMAN_GREETING : MACHINE_GREETING,
        }),
      );
    }
    if (plan.hangupMs > plan.greetingMs && plan.greetingMs > greetStart) {
      core.after(two, plan.greetingMs, () => {
        core.varset(two, 'PLAYBACKSTATUS', 'SUCCESS');
        if (talking) {
          // PlayTones starts the tone and returns; Wait(300) is the talk.
          core.exec(two, { priority: 6, app_name: 'PlayTones', app_data: TALKING_TONE });
          core.exec(two, { priority: 7, app_name: 'Wait', app_data: String(TALKING_TALK_S) });
          return;
        }
        const restSecs = Math.max(0, Math.round((plan.hangupMs - plan.greetingMs) / 1000));
        core.exec(
          two,
          human
            ? { priority: base + 2, app_name: 'Playback', app_data: `silence/${restSecs}` }
            : { priority: base + 2, app_name: 'Wait', app_data: String(restSecs) },
        );
      });
    }
    core.after(two, plan.hangupMs, () => this.customerHangsUp(call, true));

    // The dialer's side: AMD in dialer-outbound, or straight into the app.
    if (call.after.kind === 'amd') {
      call.phase = 'amd';
      core.exec(one, {
        context: 'dialer-outbound',
        exten: 's',
        priority: 1,
        app_name: 'NoOp',
        app_data: 'dialer outbound',
      });
      core.exec(one, { priority: 2, app_name: 'AMD', app_data: '' });
      if (plan.amdDecisionMs < plan.hangupMs) {
        core.after(one, plan.amdDecisionMs, () => this.amdVerdict(call));
      }
    } else if (call.after.kind === 'app') {
      if (!this.channels.enterStasis(one, call.after.app, call.after.args, false)) {
        this.channels.localPairEnds(one, two);
      }
    } else {
      this.channels.localPairEnds(one, two);
    }
  }

  private amdVerdict(call: CustomerCall): void {
    const { one, plan } = call;
    const app = this.core.opts.dialplanApp;
    this.core.counters.amdVerdicts[plan.amdStatus]++;
    this.core.varset(one, 'AMDSTATUS', plan.amdStatus);
    this.core.varset(one, 'AMDCAUSE', plan.amdCause);
    const args = ['amd', plan.amdStatus, plan.amdCause];
    this.core.exec(one, { priority: 3, app_name: 'Stasis', app_data: [app, ...args].join(',') });
    if (!this.channels.enterStasis(one, app, args, true)) {
      this.channels.localPairEnds(one, call.two);
    }
  }

  /** The originate timeout ran out while ringing: cause 19 on both halves, dialstatus stays. */
  private noAnswer(call: CustomerCall): void {
    const { one, two } = call;
    if (one.state === 'Up') return;
    two.hangingUp = true;
    one.hangingUp = true;
    this.core.hangupRequest(two, 19);
    this.channels.destroy(one, 19);
    this.core.hangupRequest(two, 16, true);
    this.channels.destroy(two, 19);
  }
}
