import type { Me } from '@ringside/protocol';

/** Placeholder until the section lands. */
export function DncSection(props: { me: Me; path: string }) {
  return (
    <p>
      DncSection: {props.path || 'all'} (signed in as {props.me.username})
    </p>
  );
}
