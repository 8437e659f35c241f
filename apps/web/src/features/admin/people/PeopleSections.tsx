import type { Me } from '@ringside/protocol';

/** Placeholder until the section lands. */
export function UsersSection(props: { me: Me; path: string }) {
  return (
    <p>
      UsersSection: {props.path || 'all'} (signed in as {props.me.username})
    </p>
  );
}

/** Placeholder until the section lands. */
export function TeamsSection(props: { me: Me; path: string }) {
  return (
    <p>
      TeamsSection: {props.path || 'all'} (signed in as {props.me.username})
    </p>
  );
}
