import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { AdminList, Me } from '@ringside/protocol';
import {
  DataTable,
  Field,
  fieldErrors,
  AdminSection,
  RefusalBanner,
  SuccessBanner,
  type Column,
} from '../shared/kit.js';
import { attempt } from '../shared/forms.js';
import { adminListsApi } from './api.js';
import { CampaignPicker, useCampaigns } from './CampaignPicker.js';
import { ImportPanel } from './ImportPanel.js';

/**
 * Lead lists of a campaign with their counts; create, rename, activate / deactivate; and the
 * import of a CSV into one list (ImportPanel). Addressed as #/admin/lists/<campaignId>/<listId>.
 */
export function ListsSection(props: { me: Me; path: string }) {
  const [campaignPart = '', listPart = ''] = props.path.split('/');
  const { campaigns, error: campaignsError } = useCampaigns();
  const campaignId = campaignPart || campaigns[0]?.id || '';
  const [lists, setLists] = useState<AdminList[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    if (!campaignId) return;
    try {
      setLists((await adminListsApi.lists(campaignId)).lists);
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, [campaignId]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const selected = lists.find((l) => l.id === listPart) ?? null;
  return (
    <AdminSection headingId="lists-title" title="Lists & import">
      <CampaignPicker
        id="lists-campaign"
        label="Campaign"
        campaigns={campaigns}
        value={campaignId}
        onChange={(id) => {
          window.location.hash = `#/admin/lists/${id}`;
        }}
        error={campaignsError}
      />
      <RefusalBanner error={loadError} title="Lists not loaded" />
      {campaignId && (
        <>
          <ListsTable
            campaignId={campaignId}
            lists={lists}
            selectedId={listPart}
            onChanged={reload}
          />
          <CreateList campaignId={campaignId} onCreated={reload} />
        </>
      )}
      {selected && <ImportPanel key={selected.id} list={selected} onImported={reload} />}
    </AdminSection>
  );
}

function ListsTable(props: {
  campaignId: string;
  lists: AdminList[];
  selectedId: string;
  onChanged(): Promise<void>;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);

  const save = async (list: AdminList, patch: { name?: string; active?: boolean }) => {
    try {
      await adminListsApi.updateList(list.id, patch);
      setEditing(null);
      setError(null);
      await props.onChanged();
    } catch (err) {
      setError(err);
    }
  };

  const columns: Array<Column<AdminList>> = [
    {
      header: 'Name',
      cell: (l) =>
        editing === l.id ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void save(l, { name });
            }}
          >
            <Field
              id={`list-name-${l.id}`}
              label="New name"
              hint="1-100 characters"
              error={fieldErrors(error).name}
            >
              {(a) => <input {...a} value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <button type="submit" className="primary">
              Save
            </button>{' '}
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </form>
        ) : (
          l.name
        ),
    },
    { header: 'Active', cell: (l) => (l.active ? 'yes' : 'no') },
    { header: 'Leads', cell: (l) => l.counts.total },
    { header: 'New', cell: (l) => l.counts.new },
    { header: 'Dialable', cell: (l) => l.counts.dialable },
    { header: 'Final', cell: (l) => l.counts.final },
    { header: 'Unknown zone', cell: (l) => l.counts.unknownTimeZone },
    {
      header: 'By status',
      cell: (l) =>
        Object.entries(l.counts.byStatus)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([s, n]) => `${s} ${n}`)
          .join(', ') || '—',
    },
    {
      header: 'Actions',
      cell: (l) => (
        <>
          <a
            href={`#/admin/lists/${props.campaignId}/${l.id}`}
            aria-label={`Import into ${l.name}`}
          >
            Import…
          </a>{' '}
          <button
            type="button"
            onClick={() => {
              setEditing(l.id);
              setName(l.name);
              setError(null);
            }}
            aria-label={`Rename ${l.name}`}
          >
            Rename
          </button>{' '}
          <button
            type="button"
            onClick={() => void save(l, { active: !l.active })}
            aria-label={`${l.active ? 'Deactivate' : 'Activate'} ${l.name}`}
          >
            {l.active ? 'Deactivate' : 'Activate'}
          </button>
        </>
      ),
    },
  ];
  return (
    <>
      <RefusalBanner error={error} />
      <DataTable
        caption="Lead lists of the campaign"
        columns={columns}
        rows={props.lists}
        rowKey={(l) => l.id}
        selectedKey={props.selectedId || null}
        empty="No list in this campaign yet."
      />
    </>
  );
}

function CreateList(props: { campaignId: string; onCreated(): Promise<void> }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await attempt(
      async () => {
        const list = await adminListsApi.createList(props.campaignId, name);
        setName('');
        await props.onCreated();
        return `List "${list.name}" created.`;
      },
      setError,
      setDone,
    );
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="new-list-title">
      <h3 id="new-list-title">New list</h3>
      <div className="fields">
        <Field
          id="new-list-name"
          label="Name"
          hint="1-100 characters"
          error={fieldErrors(error).name}
        >
          {(a) => <input {...a} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
      </div>
      <button type="submit" className="primary">
        Create list
      </button>
      <RefusalBanner error={error} />
      <SuccessBanner message={done} />
    </form>
  );
}
