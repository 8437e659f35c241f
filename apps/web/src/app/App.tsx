import { useEffect, useMemo, useState } from 'react';
import type { Me } from '@ringside/protocol';
import { ApiClient } from '../core/api.js';
import { AgentPanel } from '../features/agent/AgentPanel.js';
import { Login } from '../features/agent/Login.js';
import { StaffShell } from './StaffShell.js';
import { useDocumentTitle } from './ui.js';

/** Signs the user in (session cookie), then shows the agent panel. */
export function App() {
  const api = useMemo(() => new ApiClient({ baseUrl: '' }), []);
  /** undefined while the session is being checked. */
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  useEffect(() => {
    api
      .me()
      .then(setMe)
      .catch(() => setMe(null));
  }, [api]);

  const signOut = () => {
    void api
      .logout()
      .catch(() => undefined)
      .then(() => setMe(null));
  };

  if (me === undefined) {
    return (
      <main>
        <LoadingTitle />
        <p role="status">Loading…</p>
      </main>
    );
  }
  if (!me) return <Login api={api} onSignedIn={setMe} />;
  // Supervisors and admins get the live dashboard; the route check on the server is what
  // keeps agents out of its data (403 on /api/supervisor/*).
  if (me.role === 'supervisor' || me.role === 'admin') {
    return <StaffShell me={me} onSignedOut={signOut} />;
  }
  if (me.role !== 'agent') {
    return (
      <main>
        <LoadingTitle />
        <h1>Ringside</h1>
        <p>
          This panel is for agents; you are signed in as {me.displayName} ({me.role}).
        </p>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </main>
    );
  }
  return <AgentPanel api={api} me={me} onSignedOut={signOut} />;
}

/** The title while no screen of its own is shown (loading, a role with no panel). */
function LoadingTitle() {
  useDocumentTitle('Ringside');
  return null;
}
