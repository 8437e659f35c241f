import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  PasswordReset,
  Role,
  TeamBody,
  UserCreate,
  UserUpdate,
  type Me,
  type TeamView,
  type UsersQuery,
  type UserView,
} from '@ringside/protocol';
import {
  DataTable,
  FormHeading,
  fieldErrors,
  KitStyles,
  RefusalBanner,
  SelectField,
  SuccessBanner,
  TextField,
  type FieldErrors,
} from '../shared/kit.js';
import { peopleApi } from './api.js';

/**
 * Users and teams. Forms check the same schemas as the server (@ringside/protocol
 * admin-people.ts) before sending, and show the server's refusals next to their fields.
 */

const ROLES = Role.options;

function RoleOptions() {
  return ROLES.map((r) => <option key={r}>{r}</option>);
}

function TeamOptions(props: { teams: TeamView[] }) {
  return props.teams.map((t) => (
    <option key={t.id} value={t.id}>
      {t.name}
    </option>
  ));
}

type SafeParse<T> = (
  value: unknown,
) => { success: true; data: T } | { success: false; error: unknown };

/**
 * Runs an action and keeps its outcome for the banners; `errors` are the refusal's fields.
 * `check` validates a body with the server's schema first: the data, or undefined with the
 * failure kept as the error.
 */
function useOutcome() {
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<string>): Promise<boolean> => {
    setError(null);
    setOk(null);
    try {
      setOk(await action());
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  }, []);
  const check = <T,>(schema: { safeParse: SafeParse<T> }, value: unknown): T | undefined => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    setError(parsed.error);
    return undefined;
  };
  return { error, errors: fieldErrors(error), ok, run, setError, check };
}

/** A new password, with its limit as the hint. */
function PasswordField(props: {
  id: string;
  label: string;
  error: string | undefined;
  value: string;
  onChange(value: string): void;
}) {
  return (
    <TextField
      {...props}
      hint="at least 10 characters"
      type="password"
      autoComplete="new-password"
    />
  );
}

/** A form's draft and a setter that merges a patch into it. */
function useDraft<T>(initial: T): [T, (patch: Partial<T>) => void] {
  const [draft, setDraft] = useState<T>(initial);
  return [draft, (patch) => setDraft((d) => ({ ...d, ...patch }))];
}

function useTeams(): [TeamView[], () => Promise<void>] {
  const [teams, setTeams] = useState<TeamView[]>([]);
  const reload = useCallback(async () => {
    setTeams((await peopleApi.teams()).teams);
  }, []);
  useEffect(() => {
    void reload().catch(() => undefined);
  }, [reload]);
  return [teams, reload];
}

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

  return (
    <section className="admin-kit" aria-labelledby="users-heading">
      <KitStyles />
      <h2 id="users-heading">Users</h2>
      <div className="fields" role="group" aria-label="Filter users">
        <SelectField
          id="users-filter-role"
          label="Role"
          value={filter.role ?? ''}
          onChange={(value) => {
            const { role: _drop, ...rest } = filter;
            const v = Role.safeParse(value);
            setFilter(v.success ? { ...rest, role: v.data } : rest);
          }}
        >
          <option value="">any</option>
          <RoleOptions />
        </SelectField>
        <SelectField
          id="users-filter-team"
          label="Team"
          value={filter.teamId ?? ''}
          onChange={(v) => {
            const { teamId: _drop, ...rest } = filter;
            setFilter(v ? { ...rest, teamId: v } : rest);
          }}
        >
          <option value="">any</option>
          <option value="none">no team</option>
          <TeamOptions teams={teams} />
        </SelectField>
        <SelectField
          id="users-filter-active"
          label="Status"
          value={filter.active ?? ''}
          onChange={(v) => {
            const { active: _drop, ...rest } = filter;
            setFilter(v === 'true' || v === 'false' ? { ...rest, active: v } : rest);
          }}
        >
          <option value="">any</option>
          <option value="true">active</option>
          <option value="false">deactivated</option>
        </SelectField>
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
    </section>
  );
}

interface UserDraft {
  username: string;
  displayName: string;
  role: string;
  password: string;
  teamId: string;
  phoneType: string;
  sipEndpoint: string;
  active: boolean;
}

function draftBody(d: UserDraft) {
  return {
    displayName: d.displayName,
    role: d.role,
    teamId: d.teamId || null,
    phoneType: d.phoneType,
    sipEndpoint: d.sipEndpoint.trim() || null,
  };
}

/** The fields shared by the new-user and edit forms. */
function UserFields(props: {
  idPrefix: string;
  draft: UserDraft;
  set(patch: Partial<UserDraft>): void;
  errors: FieldErrors;
  teams: TeamView[];
}) {
  const { draft, set, errors, idPrefix } = props;
  return (
    <div className="fields">
      <TextField
        id={`${idPrefix}-display`}
        label="Display name"
        error={errors.displayName}
        value={draft.displayName}
        onChange={(displayName) => set({ displayName })}
      />
      <SelectField
        id={`${idPrefix}-role`}
        label="Role"
        error={errors.role}
        value={draft.role}
        onChange={(role) => set({ role })}
      >
        <RoleOptions />
      </SelectField>
      <SelectField
        id={`${idPrefix}-team`}
        label="Team"
        error={errors.teamId}
        value={draft.teamId}
        onChange={(teamId) => set({ teamId })}
      >
        <option value="">no team</option>
        <TeamOptions teams={props.teams} />
      </SelectField>
      <SelectField
        id={`${idPrefix}-phone`}
        label="Phone type"
        error={errors.phoneType}
        value={draft.phoneType}
        onChange={(phoneType) => set({ phoneType })}
      >
        <option value="webrtc">browser (WebRTC)</option>
        <option value="sip">external SIP phone</option>
      </SelectField>
      <TextField
        id={`${idPrefix}-sip`}
        label="SIP endpoint"
        hint="required for a SIP phone, e.g. PJSIP/agent7"
        error={errors.sipEndpoint}
        value={draft.sipEndpoint}
        onChange={(sipEndpoint) => set({ sipEndpoint })}
      />
    </div>
  );
}

function NewUserForm(props: { teams: TeamView[]; onDone(): void; onCancel(): void }) {
  const [draft, set] = useDraft<UserDraft>({
    username: '',
    displayName: '',
    role: 'agent',
    password: '',
    teamId: '',
    phoneType: 'webrtc',
    sipEndpoint: '',
    active: true,
  });
  const out = useOutcome();
  const errors = out.errors;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = out.check(UserCreate, {
      ...draftBody(draft),
      username: draft.username.trim(),
      password: draft.password,
    });
    if (!body) return;
    const ok = await out.run(async () => {
      const u = await peopleApi.createUser(body);
      return `Created ${u.username}.`;
    });
    if (ok) props.onDone();
  };

  return (
    <form className="card" aria-label="New user" noValidate onSubmit={(e) => void submit(e)}>
      <FormHeading>New user</FormHeading>
      <div className="fields">
        <TextField
          id="nu-username"
          label="Username"
          hint="2-64 of a-z 0-9 . _ -"
          error={errors.username}
          autoComplete="off"
          value={draft.username}
          onChange={(username) => set({ username })}
        />
        <PasswordField
          id="nu-password"
          label="Password"
          error={errors.password}
          value={draft.password}
          onChange={(password) => set({ password })}
        />
      </div>
      <UserFields idPrefix="nu" draft={draft} set={set} errors={errors} teams={props.teams} />
      <RefusalBanner error={out.error} />
      <div className="row">
        <button type="submit" className="primary">
          Create user
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function EditUserForm(props: {
  me: Me;
  user: UserView;
  teams: TeamView[];
  onSaved(u: UserView): void;
  onCancel(): void;
}) {
  const u = props.user;
  const [draft, set] = useDraft<UserDraft>({
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    password: '',
    teamId: u.teamId ?? '',
    phoneType: u.phoneType,
    sipEndpoint: u.sipEndpoint ?? '',
    active: u.active,
  });
  const [password, setPassword] = useState('');
  const out = useOutcome();
  const errors = out.errors;
  const self = props.me.id === u.id;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = draftBody(draft);
    // Only what changed: the audit log then shows the admin's intent.
    const patch = Object.fromEntries(
      Object.entries(body).filter(([k, v]) => v !== u[k as keyof typeof body]),
    );
    if (Object.keys(patch).length === 0) {
      out.setError(null);
      return;
    }
    const valid = out.check(UserUpdate, patch);
    if (!valid) return;
    await out.run(async () => {
      const saved = await peopleApi.updateUser(u.id, valid);
      props.onSaved(saved);
      return `Saved ${saved.username}.`;
    });
  };

  const reset = async () => {
    if (!out.check(PasswordReset, { password })) return;
    const ok = await out.run(async () => {
      await peopleApi.resetPassword(u.id, password);
      return `New password set for ${u.username}.`;
    });
    if (ok) setPassword('');
  };

  const resetTwoFactor = async () => {
    await out.run(async () => {
      await peopleApi.resetTwoFactor(u.id);
      return `Two-factor sign-in reset for ${u.username}: the next sign-in uses the password alone${u.role === 'admin' ? ', then sets it up again' : ''}.`;
    });
  };

  const setActive = async (active: boolean) => {
    await out.run(async () => {
      if (active) {
        const saved = await peopleApi.updateUser(u.id, { active: true });
        props.onSaved(saved);
        return `${saved.username} can sign in again.`;
      }
      const r = await peopleApi.deactivate(u.id);
      props.onSaved(r.user);
      return r.sessionEnded
        ? `${r.user.username} deactivated and logged out.`
        : `${r.user.username} deactivated.`;
    });
  };

  return (
    <form
      className="card"
      aria-label={`Edit user ${u.username}`}
      noValidate
      onSubmit={(e) => void save(e)}
    >
      <FormHeading>Edit {u.username}</FormHeading>
      <UserFields idPrefix="eu" draft={draft} set={set} errors={errors} teams={props.teams} />
      <RefusalBanner error={out.error} />
      <SuccessBanner message={out.ok} />
      <div className="row">
        <button type="submit" className="primary">
          Save user
        </button>
        {u.active ? (
          <button
            type="button"
            className="danger"
            disabled={self}
            title={self ? 'You cannot deactivate your own account' : undefined}
            onClick={() => void setActive(false)}
          >
            Deactivate
          </button>
        ) : (
          <button type="button" onClick={() => void setActive(true)}>
            Reactivate
          </button>
        )}
        <button type="button" onClick={props.onCancel}>
          Close
        </button>
      </div>
      <fieldset>
        <legend>Reset password</legend>
        <div className="row">
          <PasswordField
            id="eu-password"
            label="New password"
            error={errors.password}
            value={password}
            onChange={setPassword}
          />
          <button type="button" onClick={() => void reset()}>
            Set password
          </button>
        </div>
      </fieldset>
      <fieldset>
        <legend>Two-factor sign-in</legend>
        <div className="row">
          <button type="button" onClick={() => void resetTwoFactor()}>
            Reset second factor
          </button>
        </div>
      </fieldset>
    </form>
  );
}

export function TeamsSection(_props: { me: Me; path: string }) {
  const [teams, reload] = useTeams();
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const out = useOutcome();
  const errors = out.errors;

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const body = out.check(TeamBody, { name });
    if (!body) return;
    const ok = await out.run(async () => {
      const t = await peopleApi.createTeam(body);
      return `Created team ${t.name}.`;
    });
    if (ok) {
      setName('');
      await reload();
    }
  };

  const rename = async (e: FormEvent) => {
    e.preventDefault();
    if (!renaming) return;
    const body = out.check(TeamBody, { name: renaming.name });
    if (!body) return;
    const ok = await out.run(async () => {
      const t = await peopleApi.renameTeam(renaming.id, body);
      return `Renamed to ${t.name}.`;
    });
    if (ok) {
      setRenaming(null);
      await reload();
    }
  };

  const remove = async (t: TeamView) => {
    const note = t.members ? ` Its ${t.members} user(s) stay, without a team.` : '';
    if (!window.confirm(`Delete team ${t.name}?${note}`)) return;
    if (await out.run(async () => (await peopleApi.deleteTeam(t.id), `Deleted ${t.name}.`))) {
      await reload();
    }
  };

  return (
    <section className="admin-kit" aria-labelledby="teams-heading">
      <KitStyles />
      <h2 id="teams-heading">Teams</h2>
      <RefusalBanner error={out.error} />
      <SuccessBanner message={out.ok} />
      <DataTable
        caption="Teams"
        rows={teams}
        rowKey={(t) => t.id}
        columns={[
          {
            header: 'Name',
            cell: (t) =>
              renaming?.id === t.id ? (
                <form aria-label={`Rename ${t.name}`} noValidate onSubmit={(e) => void rename(e)}>
                  <TextField
                    id="team-rename"
                    label="New name"
                    error={errors.name}
                    autoFocus
                    value={renaming.name}
                    onChange={(name) => setRenaming({ id: t.id, name })}
                  />
                  <button type="submit">Save name</button>{' '}
                  <button type="button" onClick={() => setRenaming(null)}>
                    Cancel
                  </button>
                </form>
              ) : (
                t.name
              ),
          },
          { header: 'Users', cell: (t) => t.members },
          {
            header: 'Actions',
            cell: (t) => (
              <>
                <button type="button" onClick={() => setRenaming({ id: t.id, name: t.name })}>
                  Rename <span className="sr-only">{t.name}</span>
                </button>{' '}
                <button type="button" className="danger" onClick={() => void remove(t)}>
                  Delete <span className="sr-only">{t.name}</span>
                </button>
              </>
            ),
          },
        ]}
      />
      <form className="card" aria-label="New team" noValidate onSubmit={(e) => void create(e)}>
        <div className="row">
          <TextField
            id="team-new"
            label="New team name"
            hint="1-100 characters, unique"
            error={renaming ? undefined : errors.name}
            value={name}
            onChange={setName}
          />
          <button type="submit" className="primary">
            Create team
          </button>
        </div>
      </form>
    </section>
  );
}
