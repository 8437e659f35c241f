import type { Me } from '@ringside/protocol';

/** Placeholder until the section lands. */
export function ListsSection(props: { me: Me; path: string }) {
  return (
    <p>
      ListsSection: {props.path || 'all'} (signed in as {props.me.username})
    </p>
  );
}
