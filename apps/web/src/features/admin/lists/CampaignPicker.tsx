import { useEffect, useState } from 'react';
import type { Campaign } from '@ringside/protocol';
import { RefusalBanner } from '../shared/kit.js';
import { adminListsApi } from './api.js';

/** Every campaign, loaded once per screen; an error is shown by the caller's banner. */
export function useCampaigns(): { campaigns: Campaign[]; error: unknown } {
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    adminListsApi
      .campaigns()
      .then((r) => live && setCampaigns(r.campaigns))
      .catch((err: unknown) => live && setError(err));
    return () => {
      live = false;
    };
  }, []);
  return { campaigns, error };
}

/**
 * A labelled campaign select. `allowSystem` adds a first "System-wide" choice (value '').
 */
export function CampaignPicker(props: {
  id: string;
  label: string;
  campaigns: Campaign[];
  value: string;
  onChange(value: string): void;
  allowSystem?: string;
  error?: unknown;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.allowSystem !== undefined && <option value="">{props.allowSystem}</option>}
        {!props.allowSystem && props.value === '' && <option value="">Choose a campaign…</option>}
        {props.campaigns.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      <RefusalBanner error={props.error} title="Campaigns not loaded" />
    </div>
  );
}
