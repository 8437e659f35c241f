import type { AriEvent } from '@ringside/ari';
import { AGENT_BRIDGE_PREFIX } from '../../domain/bridge-integrity.js';
import type { AgentLegHandler } from '../../ports/telephony.js';

/**
 * How the ARI worker reads events and channel ids: the event types it consumes, the per-call
 * queue an event belongs to, and the ids of agents' bridges (ours, so the agent reads back).
 */

/** Bridge id of an agent's own mixing bridge: the worker reads the agent back from it. */
export function agentBridgeId(agentId: string): string {
  return `${AGENT_BRIDGE_PREFIX}${agentId}`;
}

/**
 * The event types the worker consumes; the rest (ChannelDialplan, ChannelVarset, DeviceStateChanged,
 * ...) change nothing Ringside tracks, see docs/telephony.md.
 */
export const CONSUMED_EVENT_TYPES: ReadonlySet<string> = new Set<AriEvent['type']>([
  'ChannelStateChange',
  'Dial',
  'StasisStart',
  'ChannelEnteredBridge',
  'PlaybackStarted',
  'PlaybackFinished',
  'ChannelDestroyed',
  // Bridge integrity: who leaves an agent's bridge, and whether a hang-up or a move explains it.
  'ChannelLeftBridge',
  'ChannelHangupRequest',
  'StasisEnd',
  'BridgeDestroyed',
  // Recording: a segment Asterisk could not write (services/recordings/call-recorder.ts).
  'RecordingFailed',
  // Talk detection on a customer's channel (the voicemail drop waits for the greeting's end).
  'ChannelTalkingStarted',
  'ChannelTalkingFinished',
]);

/** Events only the call recorder reads (services/recordings/call-recorder.ts). */
export const RECORDER_ONLY_EVENT_TYPES: ReadonlySet<string> = new Set<AriEvent['type']>([
  'RecordingFailed',
]);

/** Events that only feed the bridge tracker (handled at once, in arrival order). */
export const BRIDGE_ONLY_EVENT_TYPES: ReadonlySet<string> = new Set<AriEvent['type']>([
  'ChannelLeftBridge',
  'ChannelHangupRequest',
  'StasisEnd',
  'BridgeDestroyed',
]);

/** Nails the leg up in `agent-<endpoint>` (mixing), created if needed. */
export const defaultAgentLegs: AgentLegHandler = {
  async onAgentLeg(leg, ari) {
    const bridgeId = agentBridgeId(leg.endpoint.replace(/[^A-Za-z0-9_.-]/g, '_'));
    await ari.createBridge(bridgeId, 'mixing');
    await ari.addChannel(bridgeId, leg.channelId);
  },
};

/** The per-call ordering key of an event, or null when it concerns no channel. */
export function keyOf(event: AriEvent): string | null {
  switch (event.type) {
    case 'Dial':
      return event.peer.id;
    case 'PlaybackStarted':
    case 'PlaybackFinished':
      return channelOfTarget(event.playback.target_uri);
    case 'ChannelEnteredBridge':
      return event.channel ? callKey(event.channel.id) : null;
    case 'ChannelStateChange':
    case 'StasisStart':
      // The other half of a Local channel never enters Stasis and its state adds nothing.
      return event.channel.id.endsWith('-2') ? null : event.channel.id;
    case 'ChannelDestroyed':
    case 'ChannelTalkingStarted':
    case 'ChannelTalkingFinished':
      return callKey(event.channel.id);
    default:
      return null;
  }
}

/** Both halves of a Local channel (`<callId>`, `<callId>-2`) share their call's queue. */
export function callKey(channelId: string): string {
  return channelId.endsWith('-2') ? channelId.slice(0, -2) : channelId;
}

export function channelOfTarget(targetUri: string): string | null {
  return targetUri.startsWith('channel:') ? targetUri.slice('channel:'.length) : null;
}
