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

export const Role = z.enum(['admin', 'supervisor', 'agent']);
export type Role = z.infer<typeof Role>;

export const DialMethod = z.enum(['manual', 'progressive', 'ratio', 'predictive']);
export type DialMethod = z.infer<typeof DialMethod>;
