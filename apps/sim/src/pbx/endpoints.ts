/**
 * PJSIP endpoints and the simulated phones behind them: those given at start, those ARI's dynamic
 * configuration writes and deletes (dynamic-config.ts keeps the objects themselves), their
 * codecs, registration (PeerStatusChange, ContactStatusChange), a phone dialing in to log its
 * agent in, and ARI's /endpoints resource.
 */
import {
  BROWSER_OFFER,
  DEFAULT_ALLOW,
  DESK_PHONE_OFFER,
  applyAllow,
  negotiate,
  type Codec,
} from './codecs.js';
import { hex8, msg, type AriReply, type PbxCore, type SimEndpointSpec } from './core.js';
import { SimPhone, type EndpointJson } from './model.js';
import type { Channels } from './channels.js';

export class Endpoints {
  constructor(
    private readonly core: PbxCore,
    private readonly channels: Channels,
  ) {}

  /** The endpoints given at start (EngineOptions.endpoints): never deleted. */
  defineFixed(specs: ReadonlyArray<SimEndpointSpec>): void {
    for (const spec of specs) {
      const phone = this.defineEndpoint(spec.id, {
        allow: spec.allow ?? DEFAULT_ALLOW,
        offers: spec.offers ?? (spec.webrtc ? BROWSER_OFFER : DESK_PHONE_OFFER),
        context: spec.context,
      });
      phone.qualify = spec.qualify ?? false;
      phone.fixed = true;
      phone.registered = spec.registered ?? true;
    }
  }

  /**
   * Creates or updates a PJSIP endpoint (a new one is not registered). Existing channels keep
   * their codec; new calls negotiate with the new lists.
   */
  defineEndpoint(
    id: string,
    o: { allow?: ReadonlyArray<Codec>; offers?: ReadonlyArray<Codec>; context?: string },
  ): SimPhone {
    let phone = this.core.phones.get(id);
    if (!phone) {
      phone = new SimPhone(
        id,
        o.context ?? 'agents',
        o.allow ?? DEFAULT_ALLOW,
        o.offers ?? DESK_PHONE_OFFER,
      );
      this.core.phones.set(id, phone);
      return phone;
    }
    if (o.allow) phone.allow = [...o.allow];
    if (o.offers) phone.offers = [...o.offers];
    return phone;
  }

  /**
   * ARI's dynamic configuration wrote res_pjsip endpoint `id` (attributes as now stored): the
   * endpoint exists, with the codecs of its disallow/allow and, with webrtc=yes, a browser
   * behind it.
   */
  endpointConfigured(id: string, attributes: ReadonlyMap<string, string>): SimPhone {
    const allow = applyAllow([], attributes.get('disallow'), attributes.get('allow'));
    const webrtc = /^(yes|true|on|1)$/i.test(attributes.get('webrtc') ?? '');
    const phone = this.defineEndpoint(id, {
      allow: allow.length ? allow : DEFAULT_ALLOW,
      offers: webrtc ? BROWSER_OFFER : undefined,
      context: attributes.get('context'),
    });
    phone.dynamic = true;
    return phone;
  }

  /** ARI's dynamic configuration deleted endpoint `id`: gone unless it was given at start. */
  endpointDeleted(id: string): void {
    const phone = this.core.phones.get(id);
    if (!phone || phone.fixed) return;
    if (phone.registered) this.registerPhone(id, false);
    for (const ch of [...phone.channels]) this.channels.phoneHangsUp(ch);
    this.core.phones.delete(id);
  }

  /** Each endpoint with its codecs and state (control API). */
  listEndpoints(): Array<Record<string, unknown>> {
    return [...this.core.phones.values()].map((p) => ({
      ...p.json(),
      allow: [...p.allow],
      offers: [...p.offers],
      negotiated: negotiate(p.allow, p.offers),
    }));
  }

  /** A phone registers: PeerStatusChange then ContactStatusChange, as chan_pjsip reports it. */
  registerPhone(endpoint: string, registered: boolean): boolean {
    const phone = this.core.phones.get(endpoint);
    if (!phone) return false;
    if (phone.registered === registered) return true;
    phone.registered = registered;
    const contact = (status: string, rtt: string) => ({
      uri: phone.contactUri,
      contact_status: status,
      aor: endpoint,
      roundtrip_usec: rtt,
    });
    const peerStatus = (endpointJson: EndpointJson, status: string) =>
      this.core.emit(
        'PeerStatusChange',
        { endpoint: endpointJson, peer: { peer_status: status } },
        {},
      );
    if (registered && phone.qualify) {
      // The contact is added before the first OPTIONS ping has answered: endpoint offline.
      this.core.emit(
        'ContactStatusChange',
        {
          endpoint: { ...phone.json(), state: 'offline' },
          contact_info: contact('NonQualified', '0'),
        },
        {},
      );
      const online = phone.json();
      peerStatus(online, 'Reachable');
      this.core.emit(
        'ContactStatusChange',
        { endpoint: online, contact_info: contact('Reachable', '8590') },
        {},
      );
      return true;
    }
    const ep = phone.json();
    peerStatus(ep, registered ? 'Reachable' : 'Unreachable');
    this.core.emit(
      'ContactStatusChange',
      { endpoint: ep, contact_info: contact(registered ? 'NonQualified' : 'Removed', '0') },
      {},
    );
    // The phone's calls stay up when its contact goes, as on Asterisk (webrtc-opus-refused: the
    // browser's contact is Removed while its leg stays in the bridge until Ringside hangs it up).
    return true;
  }

  /**
   * The agent's phone dials `login` in context `agents` (Answer, then Stasis(<app>,agent,<ep>)),
   * as the WebRTC phone does in the webrtc-agent-leg trace. Returns the channel id.
   */
  phoneLogin(endpoint: string, channelId?: string): { channelId?: string; error?: string } {
    const core = this.core;
    const phone = core.phones.get(endpoint);
    if (!phone) return { error: 'unknown endpoint' };
    if (!phone.registered) return { error: 'endpoint not registered' };
    // No codec in common: Asterisk answers the INVITE 488 Not Acceptable Here, no channel.
    const codec = negotiate(phone.allow, phone.offers);
    if (!codec) return { error: 'no codec in common (488 Not Acceptable Here)' };
    if (channelId && core.channels.has(channelId)) return { error: 'channel id in use' };
    const id = channelId || core.uniqueId();
    const ch = core.newChannel(
      id,
      `PJSIP/${endpoint}-${hex8(core.serial('pjsip'))}`,
      'phone',
      'Ring',
      { context: 'agents', exten: 'login', priority: 1 },
      [],
    );
    ch.caller = { name: '', number: endpoint };
    ch.protocolId = `sim${id.replace('.', '')}${endpoint}`;
    ch.phone = phone;
    ch.codec = codec;
    phone.channels.add(ch);
    ch.touch();
    core.varset(ch, 'SIPDOMAIN', '127.0.0.1');
    core.exec(ch, { app_name: 'Answer', app_data: '' });
    core.setState(ch, 'Up');
    core.after(ch, 30, () => {
      const app = core.opts.dialplanApp;
      const args = ['agent', endpoint];
      core.exec(ch, { priority: 2, app_name: 'Stasis', app_data: [app, ...args].join(',') });
      if (!this.channels.enterStasis(ch, app, args, true)) this.channels.dialplanEnds(ch);
    });
    return { channelId: id };
  }

  // ---------------------------------------------------------------- REST: /endpoints

  ariListEndpoints(tech?: string): AriReply {
    if (tech !== undefined && tech.toUpperCase() !== 'PJSIP') {
      return msg(404, `No Endpoints found - invalid tech ${tech}`);
    }
    const list: EndpointJson[] = [...this.core.phones.values()].map((ph) => ph.json());
    return { status: 200, body: list };
  }

  ariGetEndpoint(tech: string, resource: string): AriReply {
    const phone = tech.toUpperCase() === 'PJSIP' ? this.core.phones.get(resource) : undefined;
    return phone ? { status: 200, body: phone.json() } : msg(404, 'Endpoint not found');
  }
}
