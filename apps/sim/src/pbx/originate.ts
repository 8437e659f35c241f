/**
 * ARI's originate (POST /channels): its parameter checks, a Local pair into one of the dialplan
 * contexts the simulator has (customers: customer-calls.ts; agent legs and bot agent phones
 * here), or a PJSIP channel to a simulated phone that rings, negotiates a codec and auto-answers.
 */
import { negotiate } from './codecs.js';
import { allocFailed, hex8, msg, type AriReply, type Params, type PbxCore } from './core.js';
import type { ChannelRole, SimChannel, SimPhone } from './model.js';
import type { Channels } from './channels.js';
import type { CustomerCalls } from './customer-calls.js';
import type { Endpoints } from './endpoints.js';
import type { Trunks } from './trunks.js';

/** sim-agent-phones: the bot agent's "voice", a 440 Hz tone, and its Wait(36000). */
const AGENT_PHONE_TONE = '440/300,0/200';

/**
 * The dialplan contexts a `Local/<exten>@<context>` can be dialed into (deploy/asterisk/
 * extensions.conf), with the extensions each matches: `_X.` is two digits or more,
 * `_[a-z0-9].` two characters or more starting with a lower-case letter or digit. Any other
 * Local channel answers 500 "Allocation failed", as an unknown context does on Asterisk.
 */
const LOCAL_CONTEXTS: Record<string, RegExp> = {
  'sim-customers': /^.+$/,
  'sim-customers-talking': /^[0-9]{2,}$/,
  agents: /^.+$/,
  'sim-agent-phones': /^[a-z0-9].+$/,
};

const PRESENTATION = {
  caller_presentation: 0,
  caller_presentation_txt: 'Presentation Allowed, Not Screened',
};

type CallerId = { name: string; number: string };

/** What both kinds of originate take from the request. */
interface OriginateCommon {
  id: string;
  app: string;
  appArgs: string[];
  cid: CallerId | null;
  variables: Record<string, string> | undefined;
  timeoutMs: number;
  apps: string[];
}

/** Parses a callerId like `"Ringside" <5550000000>` the way ast_callerid_parse does. */
export function parseCallerId(raw: string): CallerId {
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(raw);
  if (m) return { name: (m[1] ?? m[2] ?? '').trim(), number: (m[3] ?? '').trim() };
  const s = raw.trim().replace(/^"|"$/g, '');
  return /^[0-9+*#()\-\s.]+$/.test(s)
    ? { name: '', number: s.replace(/[()\-\s.]/g, '') }
    : { name: s, number: '' };
}

export class Originator {
  constructor(
    private readonly core: PbxCore,
    private readonly channels: Channels,
    private readonly customers: CustomerCalls,
    private readonly endpoints: Endpoints,
    private readonly trunks: Trunks,
  ) {}

  ariOriginate(p: Params, variables: Record<string, string> | undefined): AriReply {
    const r = this.originate(p, variables);
    if (r.status === 200) this.core.counters.originations++;
    else this.core.counters.originateErrors++;
    return r;
  }

  private originate(p: Params, variables: Record<string, string> | undefined): AriReply {
    const endpoint = p.endpoint ?? '';
    if (!endpoint) return msg(400, 'Endpoint must be specified');
    if (p.originator && p.formats) {
      return msg(400, "Originator and formats can't both be specified");
    }
    const slash = endpoint.indexOf('/');
    const tech = slash > 0 ? endpoint.slice(0, slash) : '';
    const resource = slash > 0 ? endpoint.slice(slash + 1) : '';
    if (!tech || !resource) return msg(400, 'Invalid endpoint specified');
    const app = p.app ?? '';
    if (!app && !p.extension) return msg(400, 'Application or extension must be specified');
    for (const id of [p.channelId, p.otherChannelId]) {
      if (id && this.core.channels.has(id)) {
        return msg(409, 'Channel with given unique ID already exists');
      }
    }
    const timeoutSecs = p.timeout === undefined || p.timeout === '' ? 30 : Number(p.timeout);
    const common: Omit<OriginateCommon, 'id'> = {
      app,
      appArgs: p.appArgs ? p.appArgs.split(',') : [],
      cid: p.callerId ? parseCallerId(p.callerId) : null,
      variables,
      timeoutMs: timeoutSecs === -1 ? 0 : timeoutSecs > 0 ? timeoutSecs * 1000 : 30_000,
      apps: app ? [app] : [],
    };

    if (tech.toLowerCase() === 'local') {
      const at = resource.indexOf('@');
      const exten = at >= 0 ? resource.slice(0, at) : resource;
      const context = at >= 0 ? (resource.slice(at + 1).split('/')[0] ?? '') : 'default';
      const extens = Object.hasOwn(LOCAL_CONTEXTS, context) ? LOCAL_CONTEXTS[context] : undefined;
      if (!extens?.test(exten)) return allocFailed;
      return this.originateLocal({
        ...common,
        exten,
        context,
        id: p.channelId || this.core.uniqueId(),
        otherId: p.otherChannelId || this.core.uniqueId(),
        dialContext: p.context || 'default',
      });
    }
    if (tech.toUpperCase() === 'PJSIP') {
      // PJSIP/<endpoint> (PJSIP/<endpoint>/<uri> dials a given contact of the endpoint).
      const name = resource.split('/')[0] ?? '';
      // PJSIP/<exten>@<endpoint>: to a trunk of the fleet (trunks.ts).
      const at = name.indexOf('@');
      if (at > 0 && this.trunks.has(name.slice(at + 1))) {
        return this.trunks.originate(name.slice(at + 1), {
          ...common,
          exten: name.slice(0, at),
          id: p.channelId || this.core.uniqueId(),
        });
      }
      let phone = this.core.phones.get(name);
      if (!phone && this.core.opts.anyEndpoint && /^[A-Za-z0-9_.-]+$/.test(name)) {
        phone = this.endpoints.defineEndpoint(name, {});
        phone.registered = true;
      }
      // An unknown endpoint, or one with no contact (not registered): chan_pjsip creates no
      // channel and ARI answers 500 "Allocation failed".
      if (!phone || !phone.registered) return allocFailed;
      return this.originatePhone(phone, { ...common, id: p.channelId || this.core.uniqueId() });
    }
    return allocFailed;
  }

  private originateLocal(
    o: OriginateCommon & { exten: string; context: string; otherId: string; dialContext: string },
  ): AriReply {
    const core = this.core;
    const base = `Local/${o.exten}@${o.context}-${hex8(core.serial('local'))}`;
    const role: ChannelRole =
      o.context === 'agents' || o.context === 'sim-agent-phones' ? 'agent-local' : 'customer';
    const dp = { context: o.context, exten: o.exten, priority: 1 };
    const one = core.newChannel(o.id, `${base};1`, role, 'Down', dp, o.apps);
    const two = core.newChannel(o.otherId, `${base};2`, role, 'Ring', dp, o.apps);
    one.half = 1;
    two.half = 2;
    one.peer = two;
    two.peer = one;
    one.outgoing = true;
    core.exec(one, { app_name: 'AppDial2', app_data: '(Outgoing Line)' });
    if (o.cid && (o.cid.name || o.cid.number)) {
      one.caller = { ...o.cid };
      one.touch();
      core.chanEvent('ChannelCallerId', one, PRESENTATION);
      one.connected = { ...o.cid };
      one.touch();
      core.chanEvent('ChannelConnectedLine', one);
      this.showCallerId(two, o.cid);
    }
    const reply = this.setVariables(one, o.variables);
    core.dial(one, `${o.exten}@${o.context}`, '');
    if (role === 'agent-local') {
      this.agentLegAnswers(one, two, o);
    } else {
      this.customers.start(one, two, o);
    }
    return reply;
  }

  /**
   * The agents context: Answer(), Wait(3600); sim-agent-phones: NoOp, Answer(), PlayTones,
   * Wait(36000). The leg stays up until hung up (the simulator never runs the Wait out).
   */
  private agentLegAnswers(
    one: SimChannel,
    two: SimChannel,
    o: { exten: string; context: string; app: string; appArgs: string[] },
  ): void {
    const core = this.core;
    const botPhone = o.context === 'sim-agent-phones';
    if (botPhone) {
      core.exec(two, { app_name: 'NoOp', app_data: `sim agent phone ${o.exten}` });
    }
    core.exec(two, { priority: botPhone ? 2 : 1, app_name: 'Answer', app_data: '' });
    core.setState(two, 'Up');
    core.setState(one, 'Up');
    core.dial(one, `${o.exten}@${o.context}`, 'ANSWER');
    // Answer() of a ringing channel waits 500 ms for media before the next step (traces).
    core.after(two, 500, () => {
      if (!botPhone) {
        core.exec(two, { priority: 2, app_name: 'Wait', app_data: '3600' });
        return;
      }
      core.exec(two, { priority: 3, app_name: 'PlayTones', app_data: AGENT_PHONE_TONE });
      core.exec(two, { priority: 4, app_name: 'Wait', app_data: '36000' });
    });
    if (!o.app || !this.channels.enterStasis(one, o.app, o.appArgs, false)) {
      this.channels.localPairEnds(one, two);
    }
  }

  private originatePhone(phone: SimPhone, o: OriginateCommon): AriReply {
    const core = this.core;
    const ch = core.newChannel(
      o.id,
      `PJSIP/${phone.endpoint}-${hex8(core.serial('pjsip'))}`,
      'phone',
      'Down',
      { context: phone.context, exten: 's', priority: 1 },
      o.apps,
    );
    ch.outgoing = true;
    ch.phone = phone;
    ch.protocolId = `sim-${ch.id}`;
    const codec = negotiate(phone.allow, phone.offers);
    if (codec) ch.codec = codec;
    phone.channels.add(ch);
    core.exec(ch, { app_name: 'AppDial2', app_data: '(Outgoing Line)' });
    if (o.cid && (o.cid.name || o.cid.number)) this.showCallerId(ch, o.cid);
    const reply = this.setVariables(ch, o.variables);
    const dialstring = phone.endpoint;
    core.dial(ch, dialstring, '');
    core.setState(ch, 'Ringing');
    core.dial(ch, dialstring, 'RINGING');
    if (!codec) {
      // The phone shares no codec with the endpoint's allow list: it refuses the INVITE (488
      // Not Acceptable Here), which Asterisk maps to cause 58.
      core.after(ch, core.opts.phoneAnswerMs, () => {
        ch.hangingUp = true;
        core.dial(ch, dialstring, 'CHANUNAVAIL');
        core.hangupRequest(ch, 58);
        this.channels.destroy(ch, 58);
      });
      return reply;
    }
    // The simulated phone auto-answers (the web panel's softphone is the phone in production).
    core.after(ch, core.opts.phoneAnswerMs, () => {
      core.setState(ch, 'Up');
      core.dial(ch, dialstring, 'ANSWER');
      const ok = o.app ? this.channels.enterStasis(ch, o.app, o.appArgs, false) : false;
      if (!ok) this.channels.dialplanEnds(ch);
    });
    return reply;
  }

  /** Caller id and connected line both set, then one event for each (as chan_local's ;2 does). */
  private showCallerId(ch: SimChannel, cid: CallerId): void {
    ch.caller = { ...cid };
    ch.connected = { ...cid };
    ch.touch();
    this.core.chanEvent('ChannelCallerId', ch, PRESENTATION);
    this.core.chanEvent('ChannelConnectedLine', ch);
  }

  /** The originate's `variables` on the channel; returns the 200 answer (the channel as now). */
  private setVariables(ch: SimChannel, variables: Record<string, string> | undefined): AriReply {
    for (const [k, v] of Object.entries(variables ?? {})) this.core.varset(ch, k, v);
    return { status: 200, body: ch.json() };
  }
}
