/**
 * Bridges: mixing and holding, channels entering and leaving (BRIDGEPEER, connected line), the
 * ejection of a channel no translator can join (Asterisk 22.10.1, webrtc-opus-refused), music on
 * hold, and ARI's /bridges resource.
 */
import { canTranslate } from './codecs.js';
import { ariTimestamp, msg, type AriReply, type Params, type PbxCore } from './core.js';
import { SimBridge, type SimChannel } from './model.js';
import type { Playbacks } from './playbacks.js';

export class Bridges {
  constructor(
    private readonly core: PbxCore,
    private readonly playbacks: Playbacks,
  ) {}

  join(b: SimBridge, ch: SimChannel, inhibitConnectedLine: boolean): void {
    if (ch.bridge === b) return;
    if (ch.bridge) this.leave(ch);
    b.channels.push(ch);
    ch.bridge = b;
    if (ch.stasis) b.apps.add(ch.stasis.app);
    this.memberEvent('ChannelEnteredBridge', b, ch);
    if (b.type !== 'mixing' || b.channels.length < 2) return;
    const stranger = b.channels.find(
      (o) => o !== ch && !canTranslate(ch.codec, o.codec, this.core.modules),
    );
    if (stranger) {
      // Asterisk 22.10.1 (traces/webrtc-opus-refused.jsonl): the bridge takes the newcomer in
      // (BRIDGEPEER on each member, BRIDGEPVTCALLID towards a PJSIP peer), logs `WARNING
      // channel.c: No path to translate from <newcomer> to <member>` and ejects the newcomer in
      // the same millisecond, leaving every BRIDGEPEER as it was; the members' connected line
      // then names the newcomer. It stays in its Stasis app, unbridged.
      this.updatePeers(b, false);
      this.core.warn(`No path to translate from ${ch.name} to ${stranger.name}`);
      this.core.counters.codecEjections++;
      b.channels.splice(b.channels.indexOf(ch), 1);
      ch.bridge = null;
      this.memberEvent('ChannelLeftBridge', b, ch);
      if (inhibitConnectedLine || b.channels.length !== 1) return;
      this.connect(b.channels[0] as SimChannel, ch);
      return;
    }
    this.updatePeers(b, false);
    if (inhibitConnectedLine || b.channels.length !== 2) return;
    const [a, c] = b.channels as [SimChannel, SimChannel];
    // The newcomer's connected line first, then the one already there (as in the traces).
    this.connect(c, a);
    this.connect(a, c);
  }

  /** BRIDGEPEER (and BRIDGEPVTCALLID towards a PJSIP peer) of every member, when it changes. */
  updatePeers(b: SimBridge, force: boolean): void {
    if (b.type !== 'mixing') return;
    for (const ch of b.channels) {
      const others = b.channels.filter((o) => o !== ch);
      const value = others.map((o) => o.name).join(',');
      if (force || ch.vars.get('BRIDGEPEER') !== value) this.core.varset(ch, 'BRIDGEPEER', value);
      const pjsipPeer = others.length === 1 && others[0]?.role === 'phone' ? others[0] : null;
      if (pjsipPeer && !force) this.core.varset(ch, 'BRIDGEPVTCALLID', pjsipPeer.protocolId);
    }
  }

  leave(ch: SimChannel): void {
    const b = ch.bridge;
    if (!b) return;
    const i = b.channels.indexOf(ch);
    if (i >= 0) b.channels.splice(i, 1);
    ch.bridge = null;
    if (ch.vars.get('BRIDGEPEER')) this.core.varset(ch, 'BRIDGEPEER', '');
    if (ch.vars.get('BRIDGEPVTCALLID')) this.core.varset(ch, 'BRIDGEPVTCALLID', '');
    this.memberEvent('ChannelLeftBridge', b, ch);
  }

  destroy(b: SimBridge): void {
    for (const ch of [...b.channels]) this.leave(ch);
    for (const pb of [...b.playbacks]) this.playbacks.finish(pb);
    this.core.bridges.delete(b.id);
    this.core.emit('BridgeDestroyed', { bridge: b.json() }, { bridge: b });
  }

  // ---------------------------------------------------------------- REST: /bridges

  ariListBridges(): AriReply {
    return { status: 200, body: [...this.core.bridges.values()].map((b) => b.json()) };
  }

  ariGetBridge(id: string): AriReply {
    const b = this.core.bridges.get(id);
    return b ? { status: 200, body: b.json() } : msg(404, 'Bridge not found');
  }

  ariCreateBridge(p: Params, pathId?: string): AriReply {
    const id = pathId || p.bridgeId || `${this.core.uniqueId()}-br`;
    const existing = this.core.bridges.get(id);
    if (existing) {
      if (pathId) return { status: 200, body: existing.json() };
      return msg(409, 'Bridge with the same bridgeId already exists');
    }
    const types = (p.type || 'mixing').split(',').map((s) => s.trim());
    const type = types.includes('holding') ? 'holding' : 'mixing';
    const b = new SimBridge(id, p.name ?? '', type, ariTimestamp(this.core.now()));
    this.core.bridges.set(id, b);
    this.core.counters.bridgesCreated++;
    const reply: AriReply = { status: 200, body: b.json() };
    this.core.emit('BridgeCreated', { bridge: b.json() }, { bridge: b });
    return reply;
  }

  ariDestroyBridge(id: string): AriReply {
    const b = this.core.bridges.get(id);
    if (!b) return msg(404, 'Bridge not found');
    this.destroy(b);
    return { status: 204 };
  }

  ariAddChannel(id: string, p: Params): AriReply {
    const t = this.target(id, p.channel);
    if (!('list' in t)) return t;
    const inhibit = p.inhibitConnectedLineUpdates === 'true';
    for (const ch of t.list) this.join(t.bridge, ch, inhibit);
    return { status: 204 };
  }

  ariRemoveChannel(id: string, p: Params): AriReply {
    const t = this.target(id, p.channel);
    if (!('list' in t)) return t;
    if (t.list.some((ch) => ch.bridge !== t.bridge)) return msg(422, 'Channel not in this bridge');
    for (const ch of t.list) this.leave(ch);
    return { status: 204 };
  }

  ariBridgeMoh(id: string, start: boolean, p: Params): AriReply {
    const b = this.core.bridges.get(id);
    if (!b) return msg(404, 'Bridge not found');
    if (start) {
      b.mohClass = p.mohClass || 'default';
    } else {
      if (b.mohClass === null) return msg(409, "Bridge isn't playing music");
      b.mohClass = null;
    }
    return { status: 204 };
  }

  /**
   * The bridge of add/removeChannel and its `channel` parameter's channels (each live and in
   * Stasis), or ARI's error answer.
   */
  private target(
    id: string,
    raw: string | undefined,
  ): { bridge: SimBridge; list: SimChannel[] } | AriReply {
    const bridge = this.core.bridges.get(id);
    if (!bridge) return msg(404, 'Bridge not found');
    const ids = (raw ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length === 0) return msg(400, 'Missing parameter channel');
    const list: SimChannel[] = [];
    for (const cid of ids) {
      const ch = this.core.channels.get(cid);
      if (!ch || ch.hangingUp) return msg(400, 'Channel not found');
      if (!ch.stasis) return msg(422, 'Channel not in Stasis application');
      list.push(ch);
    }
    return { bridge, list };
  }

  private memberEvent(type: string, b: SimBridge, ch: SimChannel): void {
    this.core.emit(type, { bridge: b.json(), channel: ch.json() }, { channels: [ch], bridge: b });
  }

  /** `self`'s connected line names `other`'s caller, with ChannelConnectedLine if it changed. */
  private connect(self: SimChannel, other: SimChannel): void {
    if (
      self.connected.name === other.caller.name &&
      self.connected.number === other.caller.number
    ) {
      return;
    }
    self.connected = { ...other.caller };
    self.touch();
    this.core.chanEvent('ChannelConnectedLine', self);
  }
}
