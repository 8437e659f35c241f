import { useState, type FormEvent } from 'react';
import { TeamBody, type Me, type TeamView } from '@ringside/protocol';
import { useOutcome } from '../shared/forms.js';
import { DataTable, AdminSection, RefusalBanner, SuccessBanner, TextField } from '../shared/kit.js';
import { peopleApi } from './api.js';
import { useTeams } from './fields.js';

/** Teams: create, rename in place, delete (the members stay, without a team). */
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
    <AdminSection headingId="teams-heading" title="Teams">
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
    </AdminSection>
  );
}
