/**
 * The simulated PBX's engine: channels, bridges, playbacks and phones, and the ARI events Asterisk
 * 22 sends for each change, in Asterisk's order (as recorded in ../shared/ari/traces). No I/O:
 * the HTTP/WebSocket shell (server.ts) calls the `ari*` methods and forwards emitted events.
 *
 * This class only composes the resources (index.ts lists which file owns what) and keeps the
 * one API the shell, the tests and the benchmark use.
 */
import { AsteriskInfo } from './asterisk-info.js';
import { Bridges } from './bridges.js';
import { Channels } from './channels.js';
import type { Codec } from './codecs.js';
import {
  emptyCounters,
  PbxCore,
  type AriReply,
  type EngineOptions,
  type EventSink,
  type Params,
  type SimCounters,
} from './core.js';
import { CustomerCalls } from './customer-calls.js';
import type { CustomerScenario } from './customers.js';
import { Endpoints } from './endpoints.js';
import type { CustomerCall, SimBridge, SimChannel, SimPhone, SimPlayback } from './model.js';
import { Originator } from './originate.js';
import { Playbacks } from './playbacks.js';
import { MemoryRecordingStore } from './recording-store.js';
import { Recordings, type SimRecordingInfo } from './recordings.js';
import { TalkDetect } from './talk-detect.js';
import { Trunks } from './trunks.js';

export {
  ariTimestamp,
  type AriEventOut,
  type AriReply,
  type EngineOptions,
  type EventScope,
  type EventSink,
  type Params,
  type SimCounters,
  type SimEndpointSpec,
} from './core.js';
export { parseCallerId } from './originate.js';

export class SimEngine {
  private readonly core: PbxCore;
  private readonly playbackOps: Playbacks;
  private readonly bridgeOps: Bridges;
  private readonly channelOps: Channels;
  private readonly customerCalls: CustomerCalls;
  private readonly endpointOps: Endpoints;
  private readonly originator: Originator;
  /** Trunks to other simulated PBXes of a fleet (linkSimPbxes). */
  readonly trunks: Trunks;
  private readonly asterisk: AsteriskInfo;
  private readonly recordingOps: Recordings;
  private readonly talkDetect: TalkDetect;

  readonly channels: Map<string, SimChannel>;
  readonly bridges: Map<string, SimBridge>;
  readonly playbacks: Map<string, SimPlayback>;
  readonly phones: Map<string, SimPhone>;
  readonly calls: Map<string, CustomerCall>;
  /** Loaded module files (`codec_ulaw.so`); ARI's /asterisk/modules loads and unloads them. */
  readonly modules: Set<string>;
  /** Asterisk's WARNING lines the simulation produces (translation failures), newest last. */
  readonly warnings: string[];

  constructor(opts: EngineOptions) {
    const core = (this.core = new PbxCore(opts));
    this.playbackOps = new Playbacks(core);
    this.bridgeOps = new Bridges(core, this.playbackOps);
    this.channelOps = new Channels(core, this.bridgeOps, this.playbackOps);
    this.customerCalls = new CustomerCalls(core, this.channelOps, this.playbackOps);
    this.endpointOps = new Endpoints(core, this.channelOps);
    this.trunks = new Trunks(core, this.channelOps);
    this.originator = new Originator(
      core,
      this.channelOps,
      this.customerCalls,
      this.endpointOps,
      this.trunks,
    );
    this.asterisk = new AsteriskInfo(core);
    this.recordingOps = new Recordings(core, opts.recordingStore ?? new MemoryRecordingStore());
    this.talkDetect = new TalkDetect(core);
    this.channels = core.channels;
    this.bridges = core.bridges;
    this.playbacks = core.playbacks;
    this.phones = core.phones;
    this.calls = core.calls;
    this.modules = core.modules;
    this.warnings = core.warnings;
    this.endpointOps.defineFixed(opts.endpoints);
  }

  get counters(): SimCounters {
    return this.core.counters;
  }

  set counters(counters: SimCounters) {
    this.core.counters = counters;
  }

  /** The customer scenario of new calls. */
  get scenario(): CustomerScenario {
    return this.core.scenario;
  }

  set scenario(scenario: CustomerScenario) {
    this.core.scenario = scenario;
  }

  get startTimeMs(): number {
    return this.core.startedAtMs;
  }

  now(): number {
    return this.core.now();
  }

  onEvent(sink: EventSink): () => void {
    return this.core.onEvent(sink);
  }

  /** Hangs everything up (with the events a client would see) and clears the counters. */
  reset(scenario?: CustomerScenario): void {
    for (const ch of [...this.channels.values()]) {
      if (!ch.destroyed && !ch.hangingUp) this.channelOps.hangup(ch, 16);
    }
    for (const ch of [...this.channels.values()]) this.channelOps.destroy(ch, 16);
    for (const b of [...this.bridges.values()]) this.bridgeOps.destroy(b);
    this.customerCalls.clear();
    if (scenario) this.core.scenario = scenario;
    this.core.counters = emptyCounters();
  }

  // ------------------------------------------------ REST: /channels (channels.ts, originate.ts)
  readonly ariListChannels = (): AriReply => this.channelOps.ariListChannels();
  readonly ariGetChannel = (id: string): AriReply => this.channelOps.ariGetChannel(id);
  readonly ariOriginate = (p: Params, variables: Record<string, string> | undefined): AriReply =>
    this.originator.ariOriginate(p, variables);
  readonly ariHangup = (id: string, p: Params): AriReply => this.channelOps.ariHangup(id, p);
  /** answer, ring, ringStop, hold, unhold, mute, unmute, dtmf, moh, silence. */
  readonly ariChannelAction = (id: string, action: string, p: Params): AriReply =>
    this.channelOps.ariChannelAction(id, action, p);
  readonly ariContinue = (id: string, p: Params): AriReply => this.channelOps.ariContinue(id, p);
  readonly ariGetVar = (id: string, p: Params): AriReply => this.channelOps.ariGetVar(id, p);
  /** TALK_DETECT(set|remove) attaches or detaches talk detection (talk-detect.ts). */
  readonly ariSetVar = (id: string, p: Params): AriReply =>
    TalkDetect.handles(p.variable ?? '')
      ? this.talkDetect.ariSet(id, p.variable ?? '', p.value ?? '')
      : this.channelOps.ariSetVar(id, p);
  readonly ariSnoop = (id: string, p: Params, pathSnoopId?: string): AriReply =>
    this.channelOps.ariSnoop(id, p, pathSnoopId);
  /** Channels with their negotiated codec and bridge (control API). */
  readonly listChannels = () => this.channelOps.listChannels();

  // ------------------------------------------------ REST: /bridges (bridges.ts)
  readonly ariListBridges = (): AriReply => this.bridgeOps.ariListBridges();
  readonly ariGetBridge = (id: string): AriReply => this.bridgeOps.ariGetBridge(id);
  readonly ariCreateBridge = (p: Params, pathId?: string): AriReply =>
    this.bridgeOps.ariCreateBridge(p, pathId);
  readonly ariDestroyBridge = (id: string): AriReply => this.bridgeOps.ariDestroyBridge(id);
  readonly ariAddChannel = (id: string, p: Params): AriReply => this.bridgeOps.ariAddChannel(id, p);
  readonly ariRemoveChannel = (id: string, p: Params): AriReply =>
    this.bridgeOps.ariRemoveChannel(id, p);
  readonly ariBridgeMoh = (id: string, start: boolean, p: Params): AriReply =>
    this.bridgeOps.ariBridgeMoh(id, start, p);

  // ------------------------------------------------ REST: playbacks (playbacks.ts)
  readonly ariPlay = (
    targetKind: 'channel' | 'bridge',
    targetId: string,
    media: string[],
    p: Params,
    pathPlaybackId?: string,
  ): AriReply => this.playbackOps.ariPlay(targetKind, targetId, media, p, pathPlaybackId);
  readonly ariGetPlayback = (id: string): AriReply => this.playbackOps.ariGetPlayback(id);
  readonly ariStopPlayback = (id: string): AriReply => this.playbackOps.ariStopPlayback(id);

  // ------------------------------------------------ REST: recordings (recordings.ts)
  /** POST /bridges/{id}/record, POST /channels/{id}/record. */
  readonly ariRecord = (targetKind: 'bridge' | 'channel', id: string, p: Params): AriReply =>
    this.recordingOps.ariRecord(targetKind, id, p);
  readonly ariGetLiveRecording = (name: string): AriReply => this.recordingOps.ariGetLive(name);
  /** stop, cancel, pause, unpause, mute, unmute of a live recording. */
  readonly ariRecordingControl = (
    name: string,
    op: 'stop' | 'cancel' | 'pause' | 'unpause' | 'mute' | 'unmute',
  ): AriReply => this.recordingOps.ariControl(name, op);
  readonly ariListStoredRecordings = (): AriReply => this.recordingOps.ariListStored();
  readonly ariGetStoredRecording = (name: string): AriReply => this.recordingOps.ariGetStored(name);
  /** The stored file: a Buffer body with Content-Type audio/wav. */
  readonly ariGetStoredRecordingFile = (name: string): AriReply =>
    this.recordingOps.ariGetStoredFile(name);
  readonly ariDeleteStoredRecording = (name: string): AriReply =>
    this.recordingOps.ariDeleteStored(name);
  readonly ariCopyStoredRecording = (name: string, p: Params): AriReply =>
    this.recordingOps.ariCopyStored(name, p);
  /** Fault injection: the live recording fails (RecordingFailed with `cause`, no file). */
  readonly failRecording = (name: string, cause: string): boolean =>
    this.recordingOps.fail(name, cause);
  /** The live recordings with their recorded time so far (tests, control API). */
  readonly listRecordings = (): SimRecordingInfo[] => this.recordingOps.list();

  // ------------------------------------------------ endpoints and phones (endpoints.ts)
  /** Creates or updates a PJSIP endpoint (a new one is not registered). */
  readonly defineEndpoint = (
    id: string,
    o: { allow?: ReadonlyArray<Codec>; offers?: ReadonlyArray<Codec>; context?: string },
  ): SimPhone => this.endpointOps.defineEndpoint(id, o);
  /** ARI's dynamic configuration wrote res_pjsip endpoint `id` (attributes as now stored). */
  readonly endpointConfigured = (id: string, attributes: ReadonlyMap<string, string>): SimPhone =>
    this.endpointOps.endpointConfigured(id, attributes);
  /** ARI's dynamic configuration deleted endpoint `id`: gone unless it was given at start. */
  readonly endpointDeleted = (id: string): void => this.endpointOps.endpointDeleted(id);
  /** Each endpoint with its codecs and state (control API). */
  readonly listEndpoints = () => this.endpointOps.listEndpoints();
  readonly ariListEndpoints = (tech?: string): AriReply => this.endpointOps.ariListEndpoints(tech);
  readonly ariGetEndpoint = (tech: string, resource: string): AriReply =>
    this.endpointOps.ariGetEndpoint(tech, resource);
  /** A phone registers or unregisters (control API); false for an unknown endpoint. */
  readonly registerPhone = (endpoint: string, registered: boolean): boolean =>
    this.endpointOps.registerPhone(endpoint, registered);
  /** The agent's phone dials `login` (control API). Returns the channel id. */
  readonly phoneLogin = (endpoint: string, channelId?: string) =>
    this.endpointOps.phoneLogin(endpoint, channelId);
  /** The phone hangs up its own leg (the agent closes the softphone). */
  readonly phoneHangsUp = (ch: SimChannel): void => this.channelOps.phoneHangsUp(ch);

  // ------------------------------------------------ customers (customer-calls.ts)
  /** The customer hangs up (end of the script, or the control API's "hang up now"). */
  readonly customerHangsUp = (call: CustomerCall, natural: boolean): void =>
    this.customerCalls.customerHangsUp(call, natural);
  /** Control API: the customer of this call hangs up now. */
  readonly hangupCustomer = (callId: string): boolean => this.customerCalls.hangupCustomer(callId);
  /** Summary of live customer calls for the control API. */
  readonly listCalls = () => this.customerCalls.listCalls();

  // ------------------------------------------------ /asterisk, /applications (asterisk-info.ts)
  readonly ariApplication = (name: string) => this.asterisk.ariApplication(name);
  readonly ariInfo = (only: string | undefined): AriReply => this.asterisk.ariInfo(only);
  readonly ariPing = (): AriReply => this.asterisk.ariPing();
  readonly ariListModules = (): AriReply => this.asterisk.ariListModules();
  readonly ariGetModule = (name: string): AriReply => this.asterisk.ariGetModule(name);
  readonly ariLoadModule = (name: string): AriReply => this.asterisk.ariLoadModule(name);
  readonly ariUnloadModule = (name: string): AriReply => this.asterisk.ariUnloadModule(name);
  readonly ariReloadModule = (name: string): AriReply => this.asterisk.ariReloadModule(name);
}
