/**
 * Telephony: the ARI worker (events to call state, bridges, outcomes), the originator, agents'
 * phone legs and call commands, SIP accounts. Ports in ports/telephony.ts; wired in roles/.
 */
export { AgentLegService } from './agent-leg.js';
export { agentOfEndpoint, phoneDialString, PhoneUnreachableError } from './agent-phone.js';
export { AgentTelephonyService } from './agent-telephony.js';
export { AriCallWorker } from './ari-worker-calls.js';
export { agentBridgeId } from './ari-worker-events.js';
export {
  CallOriginator,
  newLiveCall,
  type OriginateCall,
  type OriginateResult,
} from './ari-worker-originator.js';
export { ServerSupervisor, type ServerSupervisorOptions } from './ari-worker-server.js';
export {
  SipAccountService,
  sipEndpointId,
  WEBRTC_AGENT_AOR,
  WEBRTC_AGENT_AUTH,
  WEBRTC_AGENT_ENDPOINT,
  webrtcAgentObjects,
} from './sip-accounts.js';
