export { startSimPbx, DEFAULT_OMITTED_EVENTS, type SimPbx, type SimPbxOptions } from './server.js';
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
