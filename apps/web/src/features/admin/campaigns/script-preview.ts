import type { LeadView } from '@ringside/protocol';

/**
 * The script editor's preview: the template cut into plain text and `{{field}}` placeholders,
 * each placeholder filled from a sample lead or flagged as unknown. The placeholder syntax and
 * the names are those the agent panel fills (core/script.ts): snake_case lead fields, custom
 * fields by their own name, and agent_name.
 */

export type ScriptSegment =
  | { kind: 'text'; text: string }
  | { kind: 'placeholder'; name: string; value: string; known: true }
  | { kind: 'placeholder'; name: string; known: false };

/** Lead fields every script may use (besides the lead's custom fields). */
export const LEAD_PLACEHOLDERS = [
  'first_name',
  'last_name',
  'phone',
  'address',
  'city',
  'state',
  'postal_code',
  'country',
  'time_zone',
  'agent_name',
] as const;

/** A made-up lead for the preview; `plan` shows how a custom CSV column is used. */
export const SAMPLE_LEAD: LeadView = {
  id: '0',
  listId: '0',
  phone: '+14155550123',
  altPhones: [],
  firstName: 'Jane',
  lastName: 'Doe',
  address: '1 Market St',
  city: 'San Francisco',
  state: 'CA',
  postalCode: '94105',
  country: 'US',
  timeZone: 'America/Los_Angeles',
  status: 'NEW',
  attempts: 0,
  custom: { plan: 'Gold' },
};

/** Placeholder name (lower case) -> value, for a lead and an agent name. */
export function placeholderValues(lead: LeadView, agentName: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(lead.custom)) {
    if (typeof v === 'string' || typeof v === 'number') m.set(k.toLowerCase(), String(v));
  }
  const fields: Record<string, string | null> = {
    first_name: lead.firstName,
    last_name: lead.lastName,
    phone: lead.phone,
    address: lead.address,
    city: lead.city,
    state: lead.state,
    postal_code: lead.postalCode,
    country: lead.country,
    time_zone: lead.timeZone,
    agent_name: agentName,
  };
  for (const [k, v] of Object.entries(fields)) if (v !== null) m.set(k, v);
  return m;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_.-]{1,64})\s*\}\}/g;

export function previewSegments(template: string, values: Map<string, string>): ScriptSegment[] {
  const out: ScriptSegment[] = [];
  let at = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const start = m.index;
    if (start > at) out.push({ kind: 'text', text: template.slice(at, start) });
    const name = m[1] ?? '';
    const value = values.get(name.toLowerCase());
    out.push(
      value === undefined
        ? { kind: 'placeholder', name, known: false }
        : { kind: 'placeholder', name, value, known: true },
    );
    at = start + m[0].length;
  }
  if (at < template.length) out.push({ kind: 'text', text: template.slice(at) });
  return out;
}

/** The names of the unknown placeholders, once each, in order of appearance. */
export function unknownPlaceholders(segments: readonly ScriptSegment[]): string[] {
  const names: string[] = [];
  for (const s of segments) {
    if (s.kind === 'placeholder' && !s.known && !names.includes(s.name)) names.push(s.name);
  }
  return names;
}
