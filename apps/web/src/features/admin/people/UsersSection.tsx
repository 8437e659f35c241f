import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { UsersQuery, type Me, type UserView } from '@ringside/protocol';
import { useOutcome } from '../shared/forms.js';
import { DataTable, AdminSection, RefusalBanner, SelectField } from '../shared/kit.js';
import { peopleApi } from './api.js';
import { RoleOptions, TeamOptions, useTeams } from './fields.js';
import { EditUserForm, NewUserForm } from './UserForms.js';

/**
 * Users: the list with its filters, and the new-user or edit form. Forms check the same schemas
 * as the server (@ringside/protocol admin-people.ts) before sending, and show the server's
 * refusals next to their fields.
 */
export function UsersSection(props: { me: Me; path: string }) {
  const [filter, setFilter] = useState<UsersQuery>({});
  const [users, setUsers] = useState<UserView[]>([]);
  const [teams] = useTeams();
  const [editing, setEditing] = useState<UserView | 'new' | null>(null);
  const load = useOutcome();

  const reload = useCallback(async () => {
    await load.run(async () => {
      setUsers((await peopleApi.users(filter)).users);
      return '';
    });
  }, [filter, load.run]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const teamName = (id: string | null) =>
    id ? (teams.find((t) => t.id === id)?.name ?? `#${id}`) : '—';

  /** Sets one filter from its select: a value the query schema accepts, or none ("any"). */
  const filterOn = (key: keyof UsersQuery) => (value: string) => {
    const { [key]: _drop, ...rest } = filter;
    const v = UsersQuery.shape[key].safeParse(value || undefined);
    setFilter(v.success && v.data !== undefined ? { ...rest, [key]: v.data } : rest);
  };

  /** One filter's select: "any", then `options`. */
  const filterSelect = (key: keyof UsersQuery, label: string, options: ReactNode) => (
    <SelectField
      id={`users-filter-${key}`}
      label={label}
      value={filter[key] ?? ''}
      onChange={filterOn(key)}
    >
      <option value="">any</option>
      {options}
    </SelectField>
  );

  return (
    <AdminSection headingId="users-heading" title="Users">
      <div className="fields" role="group" aria-label="Filter users">
        {filterSelect('role', 'Role', <RoleOptions />)}
        {filterSelect(
          'teamId',
          'Team',
          <>
            <option value="none">no team</option>
            <TeamOptions teams={teams} />
          </>,
        )}
        {filterSelect(
          'active',
          'Status',
          <>
            <option value="true">active</option>
            <option value="false">deactivated</option>
          </>,
        )}
      </div>
      <RefusalBanner error={load.error} title="Could not load users" />
      <button type="button" className="primary" onClick={() => setEditing('new')}>
        New user
      </button>
      <DataTable
        caption="Users"
        rows={users}
        rowKey={(u) => u.id}
        selectedKey={editing && editing !== 'new' ? editing.id : null}
        columns={[
          { header: 'Username', cell: (u) => u.username },
          { header: 'Name', cell: (u) => u.displayName },
          { header: 'Role', cell: (u) => u.role },
          { header: 'Team', cell: (u) => teamName(u.teamId) },
          {
            header: 'Phone',
            cell: (u) => (u.phoneType === 'sip' ? `SIP ${u.sipEndpoint ?? ''}` : 'browser'),
          },
          { header: 'Status', cell: (u) => (u.active ? 'active' : 'deactivated') },
          {
            header: 'Actions',
            cell: (u) => (
              <button type="button" onClick={() => setEditing(u)}>
                Edit <span className="sr-only">{u.username}</span>
              </button>
            ),
          },
        ]}
      />
      {editing === 'new' && (
        <NewUserForm
          teams={teams}
          onDone={() => {
            setEditing(null);
            void reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {editing && editing !== 'new' && (
        <EditUserForm
          key={editing.id}
          me={props.me}
          user={editing}
          teams={teams}
          onSaved={(u) => {
            setEditing(u);
            void reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
    </AdminSection>
  );
}
