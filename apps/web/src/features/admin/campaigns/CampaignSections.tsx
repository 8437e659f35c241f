import type { Me } from '@ringside/protocol';

/** Placeholder until the section lands. */
export function CampaignsSection(props: { me: Me; path: string }) {
  return (
    <p>
      CampaignsSection: {props.path || 'all'} (signed in as {props.me.username})
    </p>
  );
}

/** Placeholder until the section lands. */
export function ScriptsSection(props: { me: Me; path: string }) {
  return (
    <p>
      ScriptsSection: {props.path || 'all'} (signed in as {props.me.username})
    </p>
  );
}
