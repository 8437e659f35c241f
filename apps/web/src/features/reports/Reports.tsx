import type { Me } from '@ringside/protocol';

/** Reports screen (filters, tables, charts, CSV export). `section` is the hash after #/reports/. */
export function Reports(props: { me: Me; section: string }) {
  return (
    <main>
      <h1>Reports</h1>
      <p>
        Signed in as {props.me.displayName}; section {props.section || 'agent-time'}.
      </p>
    </main>
  );
}
