/**
 * The simulated PBX: an Asterisk 22 that speaks ARI (REST + events WebSocket) on loopback, with
 * simulated phones and customers, checked against the recorded real-Asterisk traces
 * (docs/sim.md). What each file owns:
 *
 * Shell (HTTP, WebSocket, options)
 *   server.ts          startSimPbx: options, builds the engine, serves HTTP, auth
 *   ari-routes.ts      ARI REST routes under /ari, one function per resource
 *   control-routes.ts  the /_sim control API (calls, scenario, phones, endpoints, outages)
 *   event-sockets.ts   /ari/events: app ownership, per-app event filtering, outages
 *   main.ts            `npm run sim:pbx`: the simulated PBX from environment variables
 * Engine (no I/O; one class per ARI resource over a shared core)
 *   engine.ts          SimEngine: composes the resources below, the API the shell and tests use
 *   core.ts            shared state, counters, event emission, channel creation, option types
 *   channels.ts        Stasis, hang-ups and destruction; /channels except originate
 *   originate.ts       POST /channels: Local pairs, agent legs, PJSIP phones; callerId parsing
 *   bridges.ts         /bridges, BRIDGEPEER, connected line, codec ejection
 *   playbacks.ts       /playbacks and playing media on channels and bridges
 *   recordings.ts      /recordings and bridge/channel record: live control, stored files, mixing
 *   talk-detect.ts     TALK_DETECT(set): ChannelTalkingStarted/Finished for customers' speech
 *   customer-calls.ts  the simulated far ends' dialplan (sim-customers, AMD, ring timeout)
 *   endpoints.ts       PJSIP endpoints and phones: registration, login, /endpoints
 *   asterisk-info.ts   /asterisk (info, ping, modules) and the /applications body
 * Models and rules
 *   model.ts           channels, bridges, playbacks, phones and their ARI JSON
 *   customers.ts       customer scenarios and the seeded draw of each call's plan
 *   dynamic-config.ts  ARI's dynamic configuration store (/asterisk/config/dynamic)
 *   codecs.ts          codecs, negotiation, translators and the module catalogue
 *   scheduler.ts       virtual time (RealScheduler, ManualScheduler for tests)
 *   wav.ts             the recordings' WAV (8 kHz 16-bit mono) writer, reader, Goertzel check
 *   recording-store.ts where stored recordings go (port; in memory); recording-files.ts on disk
 */
export {
  startSimPbx,
  linkSimPbxes,
  DEFAULT_OMITTED_EVENTS,
  type SimPbx,
  type SimPbxOptions,
} from './server.js';
export { ManualScheduler, RealScheduler, type SimScheduler, type SimTimer } from './scheduler.js';
export {
  planCustomer,
  planTalkingCustomer,
  referenceProfile,
  type CustomerOutcome,
  type CustomerPlan,
  type CustomerProfile,
  type CustomerRule,
  type CustomerScenario,
  type Dist,
  type AmdStatus,
} from './customers.js';
export {
  SimEngine,
  ariTimestamp,
  parseCallerId,
  type SimCounters,
  type SimEndpointSpec,
} from './engine.js';
export {
  BROWSER_OFFER,
  DESK_PHONE_OFFER,
  MODULE_CATALOGUE,
  applyAllow,
  canTranslate,
  negotiate,
  type Codec,
  type ModuleInfo,
} from './codecs.js';
export {
  SimDynamicConfig,
  KNOWN_ATTRIBUTES,
  type ConfigTuple,
  type StaticConfigObject,
} from './dynamic-config.js';
export { SIM_VOICES_HZ, type LiveRecordingState, type SimRecordingInfo } from './recordings.js';
export { TALK_DETECT_SILENCE_MS } from './talk-detect.js';
export { decodeWav, encodeWav, samplesToMs, tonePower, WAV_RATE_HZ } from './wav.js';
export { MemoryRecordingStore, type SimRecordingStore } from './recording-store.js';
