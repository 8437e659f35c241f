import type { Lead } from './api.js';

/**
 * Fills a campaign script's `{{field}}` placeholders from the lead (snake_case names as in the
 * database and the import mapping: first_name, city, ...; custom fields by their own name) and
 * `{{agent_name}}`. A placeholder with no value becomes an empty string, so the agent never
 * reads template syntax to a customer; `missing` lists them for the panel to flag.
 */
export function fillScript(
  template: string,
  lead: Lead | null,
  agentName: string,
): { text: string; missing: string[] } {
  const values = scriptValues(lead, agentName);
  const missing: string[] = [];
  const text = template.replace(/\{\{\s*([a-zA-Z0-9_.-]{1,64})\s*\}\}/g, (_m, name: string) => {
    const v = values.get(name.toLowerCase());
    if (v === undefined || v === '') {
      if (!missing.includes(name)) missing.push(name);
      return '';
    }
    return v;
  });
  return { text, missing };
}

function scriptValues(lead: Lead | null, agentName: string): Map<string, string> {
  const m = new Map<string, string>([['agent_name', agentName]]);
  if (!lead) return m;
  const put = (k: string, v: unknown) => {
    if (typeof v === 'string' || typeof v === 'number') m.set(k, String(v));
  };
  for (const [k, v] of Object.entries(lead.custom ?? {})) put(k.toLowerCase(), v);
  put('phone', lead.phone);
  put('first_name', lead.firstName);
  put('last_name', lead.lastName);
  put('address', lead.address);
  put('city', lead.city);
  put('state', lead.state);
  put('postal_code', lead.postalCode);
  put('country', lead.country);
  put('time_zone', lead.timeZone);
  return m;
}
