/**
 * Drives the simulated PBX through one of the project's traces (traces/README.md), which may hold
 * events only (record-trace.ts records no requests): each step is what made Asterisk send an event
 * — a phone registering or dialing `login`, or an ARI request Ringside sent (create a bridge,
 * originate, add a channel, play, snoop, hang up, destroy a bridge) — at the trace's time. Events
 * that follow from another step (a Dial, a varset, the customer's own script, a channel leaving a
 * bridge that ejects it) need none. With requests in the trace, those are sent instead.
 */
import type { TraceLine } from '@ringside/ari/traces';
import type { SimEndpointSpec } from '@ringside/sim';

/** A trace line whose event, when it has one, is any ARI message (its `type` at least). */
export type TraceEventLine = TraceLine<Record<string, unknown> & { type: string }>;

/**
 * record-trace.ts listens as an application of its own, and Asterisk sends StasisStart and
 * StasisEnd only to the application a channel is in, so a trace it recorded has none. They are put
 * back where Asterisk sends them (every trace recorded as the application itself shows the same
 * place): StasisStart right after the empty `STASISSTATUS` varset that follows the channel's
 * `Stasis(<app>,<args>)` ChannelDialplan, StasisEnd right before its `STASISSTATUS=SUCCESS`.
 * A channel originated straight into the application (`app=`) runs no Stasis() step, so its
 * StasisStart (whose args were in the request) cannot be put back. A trace holding any
 * StasisStart or StasisEnd is returned unchanged.
 */
export function withStasisEvents(lines: TraceEventLine[]): TraceEventLine[] {
  if (lines.some((l) => l.event?.type === 'StasisStart' || l.event?.type === 'StasisEnd')) {
    return lines;
  }
  const out: TraceEventLine[] = [];
  const entering = new Map<string, { app: string; args: string[] }>();
  const inStasis = new Map<string, string>();
  for (const l of lines) {
    const e = l.event;
    const ch = e ? channelOf(e) : undefined;
    if (!e || !ch) {
      out.push(l);
      continue;
    }
    const common = {
      timestamp: e.timestamp,
      channel: e.channel,
      asterisk_id: e.asterisk_id,
    };
    if (e.type === 'ChannelDialplan' && e.dialplan_app === 'Stasis') {
      const [app = '', ...args] = String(e.dialplan_app_data).split(',');
      entering.set(ch.id, { app, args });
    }
    const stasisStatus = e.type === 'ChannelVarset' && e.variable === 'STASISSTATUS';
    const start = entering.get(ch.id);
    if (stasisStatus && e.value === '' && start) {
      entering.delete(ch.id);
      inStasis.set(ch.id, start.app);
      out.push(l, {
        tMs: l.tMs,
        dir: 'event',
        event: { type: 'StasisStart', ...common, args: start.args, application: start.app },
      });
      continue;
    }
    const app = inStasis.get(ch.id);
    if (stasisStatus && e.value !== '' && app !== undefined) {
      inStasis.delete(ch.id);
      out.push({
        tMs: l.tMs,
        dir: 'event',
        event: { type: 'StasisEnd', ...common, application: app },
      });
    }
    out.push(l);
  }
  return out;
}

/** One thing to do to the simulated PBX at `tMs` (after the trace's first line). */
export type ReplayStep =
  | { tMs: number; kind: 'register' | 'unregister'; endpoint: string }
  | { tMs: number; kind: 'login'; endpoint: string; channelId: string }
  | { tMs: number; kind: 'phone-hangup'; endpoint: string }
  | {
      tMs: number;
      kind: 'ari';
      method: string;
      path: string;
      query: Record<string, string>;
      /** JSON body (originate's `variables`). */
      body?: unknown;
      /** The trace's response, when it recorded one. */
      expected?: { status: number; body: unknown };
    };

interface ChannelJson {
  id: string;
  name: string;
  dialplan: { context: string; exten: string; app_name?: string };
}

const channelOf = (e: Record<string, unknown>): ChannelJson | undefined =>
  e.channel as ChannelJson | undefined;
const bridgeOf = (e: Record<string, unknown>): { id: string; bridge_type: string; name: string } =>
  e.bridge as { id: string; bridge_type: string; name: string };

/**
 * A channel that leaves a bridge this soon after entering it was ejected by Asterisk (its own
 * timestamps; 1 ms in webrtc-opus-refused), not removed by a request.
 */
export const EJECTED_WITHIN_MS = 5;

/** `PJSIP/agent1-00000000` -> `agent1`. */
export function pjsipEndpointOf(channelName: string): string | null {
  const m = /^PJSIP\/(.+)-[0-9a-f]{8}$/.exec(channelName);
  return m ? (m[1] ?? null) : null;
}

/** Every PJSIP endpoint the trace names (registrations and channel names). */
export function endpointsIn(lines: TraceEventLine[]): string[] {
  const names = new Set<string>();
  for (const l of lines) {
    const e = l.event;
    if (!e) continue;
    const ep = e.endpoint as { technology?: string; resource?: string } | undefined;
    if (ep?.technology === 'PJSIP' && ep.resource) names.add(ep.resource);
    const ch = channelOf(e);
    const name = ch ? pjsipEndpointOf(ch.name) : null;
    if (name) names.add(name);
  }
  return [...names].sort();
}

/** Endpoints whose phone registers during the trace (they start unregistered). */
export function registeringIn(lines: TraceEventLine[]): Set<string> {
  const out = new Set<string>();
  for (const l of lines) {
    const e = l.event;
    if (e?.type !== 'ContactStatusChange') continue;
    const ep = (e.endpoint as { resource: string }).resource;
    const status = (e.contact_info as { contact_status: string }).contact_status;
    if (status !== 'Removed') out.add(ep);
  }
  return out;
}

/** The default endpoints of a trace without a sidecar: browser phones with `allow`. */
export function defaultEndpoints(
  lines: TraceEventLine[],
  allow: ReadonlyArray<string>,
): SimEndpointSpec[] {
  const registering = registeringIn(lines);
  return endpointsIn(lines).map((id) => ({
    id,
    allow,
    webrtc: true,
    registered: !registering.has(id),
  }));
}

/**
 * What an originate passed that shows in the originated channel's first events: its caller id
 * (ChannelCallerId before the first Dial).
 */
function originateExtras(
  mine: Array<{ e: NonNullable<TraceEventLine['event']> }>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { e } of mine) {
    if (e.type === 'Dial') break;
    if (e.type === 'ChannelCallerId') {
      const c = (e.channel as { caller: { name: string; number: string } }).caller;
      out.callerId = c.name ? `"${c.name}" <${c.number}>` : c.number;
    }
  }
  return out;
}

/** The steps that reproduce an events-only trace (requests, when the trace has any, are used). */
export function replaySteps(lines: TraceEventLine[]): ReplayStep[] {
  const hasRequests = lines.some((l) => l.dir === 'request');
  const steps: ReplayStep[] = [];
  /** Ringside's request putting a channel into a bridge or taking it out. */
  const bridgeChannel = (
    tMs: number,
    bridgeId: string,
    op: 'addChannel' | 'removeChannel',
    channel: string,
  ) =>
    steps.push({
      tMs,
      kind: 'ari',
      method: 'POST',
      path: `/bridges/${bridgeId}/${op}`,
      query: { channel },
    });
  const deleteBridge = (tMs: number, bridgeId: string) =>
    steps.push({ tMs, kind: 'ari', method: 'DELETE', path: `/bridges/${bridgeId}`, query: {} });
  const events = lines
    .map((l, i) => ({ tMs: l.tMs, i, e: l.event }))
    .filter((x): x is { tMs: number; i: number; e: NonNullable<TraceEventLine['event']> } =>
      Boolean(x.e),
    );
  const after = (i: number) => events.filter((x) => x.i > i);
  const ofChannel = (id: string, from: number) =>
    after(from).filter((x) => channelOf(x.e)?.id === id);

  if (hasRequests) {
    lines.forEach((l, i) => {
      if (l.dir !== 'request') return;
      const resp = lines
        .slice(i + 1)
        .find((r) => r.dir === 'response' && r.path === l.path && r.method === l.method);
      steps.push({
        tMs: l.tMs,
        kind: 'ari',
        method: l.method ?? 'GET',
        path: l.path ?? '/',
        query: l.query ?? {},
        expected: resp ? { status: resp.status ?? 0, body: resp.body } : undefined,
      });
    });
  }

  const registered = new Set<string>();
  const hungUp = new Set<string>();
  /** Channels being hung up (any cause): their leaving a bridge follows from it. */
  const hangingUp = new Set<string>();
  const destroyedBridges = new Set<string>();
  for (const { tMs, i, e } of events) {
    const ch = channelOf(e);
    switch (e.type) {
      case 'ContactStatusChange': {
        const ep = (e.endpoint as { resource: string }).resource;
        const removed = (e.contact_info as { contact_status: string }).contact_status === 'Removed';
        if (!removed && !registered.has(ep)) {
          registered.add(ep);
          steps.push({ tMs, kind: 'register', endpoint: ep });
        } else if (removed && registered.has(ep)) {
          registered.delete(ep);
          steps.push({ tMs, kind: 'unregister', endpoint: ep });
        }
        break;
      }
      case 'ChannelCreated': {
        if (!ch) break;
        const ep = pjsipEndpointOf(ch.name);
        // A phone dialing in (the webrtc-agent-leg flow): its channel starts in its own context.
        if (ep && ch.dialplan.exten === 'login') {
          steps.push({ tMs, kind: 'login', endpoint: ep, channelId: ch.id });
          break;
        }
        if (hasRequests) break;
        if (ep) {
          const start = ofChannel(ch.id, i).find((x) => x.e.type === 'StasisStart');
          steps.push({
            tMs,
            kind: 'ari',
            method: 'POST',
            path: '/channels',
            query: {
              endpoint: `PJSIP/${ep}`,
              channelId: ch.id,
              app: String(start?.e.application ?? 'dialer'),
              ...(start ? { appArgs: (start.e.args as string[]).join(',') } : {}),
              ...originateExtras(ofChannel(ch.id, i)),
            },
          });
          break;
        }
        if (ch.name.startsWith('Local/') && ch.name.endsWith(';1')) {
          const base = ch.name.slice(0, -2);
          const two = after(i).find(
            (x) => x.e.type === 'ChannelCreated' && channelOf(x.e)?.name === `${base};2`,
          );
          const mine = ofChannel(ch.id, i);
          const outbound = mine.some(
            (x) =>
              x.e.type === 'ChannelDialplan' &&
              channelOf(x.e)?.dialplan.context === 'dialer-outbound',
          );
          const start = mine.find((x) => x.e.type === 'StasisStart');
          const gone = mine.find((x) => x.e.type === 'ChannelDestroyed');
          const query: Record<string, string> = {
            endpoint: `Local/${ch.dialplan.exten}@${ch.dialplan.context}`,
            channelId: ch.id,
          };
          const two2 = two ? channelOf(two.e) : undefined;
          if (two2) query.otherChannelId = two2.id;
          Object.assign(query, originateExtras(mine));
          if (outbound)
            Object.assign(query, { context: 'dialer-outbound', extension: 's', priority: '1' });
          else {
            query.app = String(start?.e.application ?? 'dialer');
            if (start) query.appArgs = (start.e.args as string[]).join(',');
          }
          // No answer: the originate timeout is when both halves went with cause 19.
          if (gone && gone.e.cause === 19) {
            query.timeout = String(Math.round((gone.tMs - tMs) / 1000));
          }
          steps.push({ tMs, kind: 'ari', method: 'POST', path: '/channels', query });
          break;
        }
        if (ch.name.startsWith('Snoop/')) {
          const target = /^Snoop\/(.+)-[0-9a-f]{8}$/.exec(ch.name)?.[1] ?? '';
          const start = ofChannel(ch.id, i).find((x) => x.e.type === 'StasisStart');
          steps.push({
            tMs,
            kind: 'ari',
            method: 'POST',
            path: `/channels/${target}/snoop`,
            query: {
              snoopId: ch.id,
              spy: 'both',
              app: String(start?.e.application ?? 'dialer'),
              ...(start ? { appArgs: (start.e.args as string[]).join(',') } : {}),
            },
          });
        }
        break;
      }
      case 'BridgeCreated': {
        if (hasRequests) break;
        const b = bridgeOf(e);
        steps.push({
          tMs,
          kind: 'ari',
          method: 'POST',
          path: '/bridges',
          query: { type: b.bridge_type, bridgeId: b.id, ...(b.name ? { name: b.name } : {}) },
        });
        break;
      }
      case 'ChannelEnteredBridge': {
        if (hasRequests || !ch) break;
        const b = bridgeOf(e);
        bridgeChannel(tMs, b.id, 'addChannel', ch.id);
        break;
      }
      case 'ChannelLeftBridge': {
        if (hasRequests || !ch) break;
        const b = bridgeOf(e);
        // Ejected (the bridge could not take it): it left within EJECTED_WITHIN_MS of entering,
        // by Asterisk's timestamps (webrtc-opus-refused: 26.574 then 26.575, with BRIDGEPEER and
        // BRIDGEPVTCALLID set in between), faster than any request of Ringside's: nothing to send.
        const entered = events
          .filter(
            (x) =>
              x.i < i &&
              channelOf(x.e)?.id === ch.id &&
              (x.e.type === 'ChannelEnteredBridge' || x.e.type === 'ChannelLeftBridge'),
          )
          .at(-1);
        const ejected =
          entered?.e.type === 'ChannelEnteredBridge' &&
          bridgeOf(entered.e).id === b.id &&
          Date.parse(String(e.timestamp)) - Date.parse(String(entered.e.timestamp)) <=
            EJECTED_WITHIN_MS;
        if (ejected || hangingUp.has(ch.id) || destroyedBridges.has(b.id)) break;
        const next = ofChannel(ch.id, i)[0];
        // Moved to another bridge: the addChannel there does it.
        if (next?.e.type === 'ChannelEnteredBridge') break;
        const destroyed = after(i).find(
          (x) => x.e.type === 'BridgeDestroyed' && bridgeOf(x.e).id === b.id && x.tMs - tMs <= 5,
        );
        if (destroyed) {
          destroyedBridges.add(b.id);
          deleteBridge(tMs, b.id);
          break;
        }
        bridgeChannel(tMs, b.id, 'removeChannel', ch.id);
        break;
      }
      case 'BridgeDestroyed': {
        if (hasRequests) break;
        const b = bridgeOf(e);
        if (destroyedBridges.has(b.id)) break;
        destroyedBridges.add(b.id);
        deleteBridge(tMs, b.id);
        break;
      }
      case 'ChannelHangupRequest': {
        if (ch) hangingUp.add(ch.id);
        if (!ch || hungUp.has(ch.id)) break;
        if (e.cause === 32 && e.soft === true) {
          hungUp.add(ch.id);
          if (hasRequests) break;
          const gone = ofChannel(ch.id, i).find((x) => x.e.type === 'ChannelDestroyed');
          const cause = Number(gone?.e.cause ?? 16);
          steps.push({
            tMs,
            kind: 'ari',
            method: 'DELETE',
            path: `/channels/${ch.id}`,
            query: cause === 16 ? {} : { reason_code: String(cause) },
          });
          break;
        }
        // A phone hanging up its own leg (not soft: the far end asked).
        const ep = pjsipEndpointOf(ch.name);
        if (ep && e.soft !== true) {
          hungUp.add(ch.id);
          steps.push({ tMs, kind: 'phone-hangup', endpoint: ep });
        }
        break;
      }
      case 'PlaybackStarted': {
        if (hasRequests) break;
        const pb = e.playback as { id: string; media_uri: string; target_uri: string };
        const media = [pb.media_uri];
        for (const x of after(i)) {
          const p = x.e.playback as { id: string; media_uri: string } | undefined;
          if (x.e.type === 'PlaybackContinuing' && p?.id === pb.id) media.push(p.media_uri);
        }
        const [kind, target] = pb.target_uri.split(/:(.*)/s, 2);
        steps.push({
          tMs,
          kind: 'ari',
          method: 'POST',
          path: `/${kind === 'bridge' ? 'bridges' : 'channels'}/${target ?? ''}/play/${pb.id}`,
          query: { media: media.join(',') },
        });
        break;
      }
      default:
        break;
    }
  }
  // Stable: requests recorded in the trace first at equal times (they caused the events).
  return steps.sort((a, b) => a.tMs - b.tMs);
}
