import { useEffect, useMemo, useState } from 'react';
import type { Me } from '@ringside/protocol';
import { Dashboard } from '../features/supervisor/Dashboard.js';
import { Reports } from '../features/reports/Reports.js';
import { Admin } from '../features/admin/Admin.js';
import { ApiClient } from '../core/api.js';
import { MyTwoFactor } from './MyTwoFactor.js';

/** The staff screens, addressed by the URL hash so a screen can be bookmarked and reloaded. */
export type StaffScreen = 'dashboard' | 'reports' | 'admin';

/** `#/admin/campaigns` -> { screen: 'admin', rest: 'campaigns' }; anything unknown is the dashboard. */
export function parseStaffHash(hash: string): { screen: StaffScreen; rest: string } {
  const [head = '', ...tail] = hash.replace(/^#\/?/, '').split('/');
  if (head === 'reports' || head === 'admin') return { screen: head, rest: tail.join('/') };
  return { screen: 'dashboard', rest: '' };
}

function useHash(): string {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

/**
 * Supervisors and admins: the live dashboard, reports, and (admins only) the admin screens.
 * The server checks the role on every route; hiding the Admin link is only a courtesy.
 */
export function StaffShell(props: { me: Me; onSignedOut(): void }) {
  const { screen: asked, rest } = parseStaffHash(useHash());
  const isAdmin = props.me.role === 'admin';
  const api = useMemo(() => new ApiClient({ baseUrl: '' }), []);
  const screen: StaffScreen = asked === 'admin' && !isAdmin ? 'dashboard' : asked;
  const link = (to: StaffScreen, label: string) => (
    <a href={`#/${to}`} aria-current={screen === to ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <nav className="staff-nav" aria-label="Screens">
        {link('dashboard', 'Live dashboard')}
        {link('reports', 'Reports')}
        {isAdmin && link('admin', 'Admin')}
        <MyTwoFactor api={api} />
      </nav>
      {screen === 'dashboard' && <Dashboard me={props.me} onSignedOut={props.onSignedOut} />}
      {screen === 'reports' && <Reports me={props.me} section={rest} />}
      {screen === 'admin' && <Admin me={props.me} section={rest} />}
    </>
  );
}
