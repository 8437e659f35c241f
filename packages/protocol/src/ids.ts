import { z } from 'zod';

/**
 * Branded ids and values. A brand costs nothing at run time and stops an AgentId from being
 * passed where a LeadId is expected. Numeric database ids travel as strings (bigint-safe).
 */
export const AgentId = z.string().min(1).max(64).brand<'AgentId'>();
export type AgentId = z.infer<typeof AgentId>;
export const UserId = z.string().min(1).max(64).brand<'UserId'>();
export type UserId = z.infer<typeof UserId>;
export const CampaignId = z.string().min(1).max(64).brand<'CampaignId'>();
export type CampaignId = z.infer<typeof CampaignId>;
export const ListId = z.string().min(1).max(64).brand<'ListId'>();
export type ListId = z.infer<typeof ListId>;
export const LeadId = z.string().min(1).max(64).brand<'LeadId'>();
export type LeadId = z.infer<typeof LeadId>;
/** A call attempt: one outbound (or manual) dial; also the prefix of its ARI channel ids. */
export const CallId = z.string().min(1).max(64).brand<'CallId'>();
export type CallId = z.infer<typeof CallId>;
/** A phone number in E.164 form, e.g. +14155550123. */
export const E164 = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550123')
  .brand<'E164'>();
export type E164 = z.infer<typeof E164>;
/** An IANA time zone name such as America/Chicago. */
export const TimeZone = z.string().min(3).max(64).brand<'TimeZone'>();
export type TimeZone = z.infer<typeof TimeZone>;

/** Epoch milliseconds. */
export const EpochMs = z.number().int().nonnegative();
