import type { Me } from '@ringside/protocol';

/** Placeholder until the section lands. */
export function DispositionsSection(props: { me: Me; path: string }) {
  return (
    <p>
      DispositionsSection: {props.path || 'all'} (signed in as {props.me.username})
    </p>
  );
}

/** Placeholder until the section lands. */
export function PauseCodesSection(props: { me: Me; path: string }) {
  return (
    <p>
      PauseCodesSection: {props.path || 'all'} (signed in as {props.me.username})
    </p>
  );
}
