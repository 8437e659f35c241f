import { z } from 'zod';

/** The states of an agent's session; see apps/server/src/domain/agent-state.ts for the rules. */
export const AgentState = z.enum([
  'LOGGED_OUT',
  'READY',
  'PAUSED',
  'RESERVED',
  'INCALL',
  'DEAD',
  'WRAPUP',
]);
export type AgentState = z.infer<typeof AgentState>;

/**
 * Pause codes the system gives an agent left without a phone line: PHONE when its line dropped
 * while it waited for calls (the ARI worker), NOLEG when the dialer found a READY agent with no
 * line to put a customer on. The panel then reconnects the phone before the agent goes ready.
 */
export const PHONE_LOST_PAUSE_CODE = 'PHONE';
export const NO_LEG_PAUSE_CODE = 'NOLEG';
export const NO_LINE_PAUSE_CODES: ReadonlySet<string> = new Set([
  PHONE_LOST_PAUSE_CODE,
  NO_LEG_PAUSE_CODE,
]);

/**
 * Reason of the agent.state_changed an agent's wrap-up extension publishes (DEAD or WRAPUP to the
 * same state): not a change of state, so the state's clock (sinceMs) keeps running and agent_log
 * writes no row; the event's wrapupUntilMs is the new deadline.
 */
export const WRAPUP_EXTENDED_REASON = 'agent:wrapup-extended';
/** Reason of the moves the server's wrap-up timeout makes (the default disposition is filed). */
export const WRAPUP_TIMEOUT_REASON = 'system:wrapup-timeout';

export const Role = z.enum(['admin', 'supervisor', 'agent']);
export type Role = z.infer<typeof Role>;

export const DialMethod = z.enum(['manual', 'progressive', 'ratio', 'predictive']);
export type DialMethod = z.infer<typeof DialMethod>;
