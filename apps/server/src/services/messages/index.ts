/**
 * Messages: agent and supervisor talk (text messages to an agent, a team or a campaign, and the
 * agent's raised hand). Ports in ports/messages.ts; wired in roles/api-talk.ts; used by ws/talk.ts.
 */
export {
  TALK_DEFAULTS,
  TalkRateLimitedError,
  TalkService,
  type TalkLimits,
  type TalkServiceDeps,
  type TalkUser,
} from './talk-service.js';
