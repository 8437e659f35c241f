import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { DncEntryView, DncLookupResponse, Me } from '@ringside/protocol';
import {
  ConfirmButton,
  DataTable,
  fieldErrors,
  AdminSection,
  RefusalBanner,
  SuccessBanner,
  TextField,
  type Column,
} from '../shared/kit.js';
import { attempt } from '../shared/forms.js';
import { adminListsApi } from '../lists/api.js';
import { CampaignPicker, useCampaigns } from '../lists/CampaignPicker.js';

const PAGE = 25;

const scopeOf = (e: DncEntryView) =>
  e.campaignId === null ? 'System-wide' : `Campaign ${e.campaignName ?? e.campaignId}`;

/** Remove with one more confirmation, inline (keyboard friendly, no modal). */
function RemoveButton(props: { entry: DncEntryView; onRemoved(): Promise<unknown> }) {
  const label = `${props.entry.phone} (${scopeOf(props.entry)})`;
  return (
    <ConfirmButton
      verb="Remove"
      gerund="removing"
      what={label}
      question={`Remove ${label} from DNC?`}
      onConfirm={props.onRemoved}
    />
  );
}

/**
 * The do-not-call list: look a number up (every scope, who added it and when), add a number
 * system-wide or to one campaign, remove an entry, and page through the list.
 */
export function DncSection(_props: { me: Me; path: string }) {
  const { campaigns, error: campaignsError } = useCampaigns();
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  // Lookup
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<DncLookupResponse | null>(null);
  const [lookupError, setLookupError] = useState<unknown>(null);

  // Add
  const [phone, setPhone] = useState('');
  const [addScope, setAddScope] = useState('');
  const [note, setNote] = useState('');
  const [addError, setAddError] = useState<unknown>(null);

  // Paged list
  const [listScope, setListScope] = useState('');
  const [cursor, setCursor] = useState<string[]>([]); // beforeIds of the pages seen
  const [page, setPage] = useState<{ entries: DncEntryView[]; total: number; next: string | null }>(
    { entries: [], total: 0, next: null },
  );

  const before = cursor.at(-1);
  const loadPage = useCallback(async () => {
    try {
      const r = await adminListsApi.dncPage(listScope || undefined, before, PAGE);
      setPage({ entries: r.entries, total: r.total, next: r.nextBeforeId });
    } catch (err) {
      setError(err);
    }
  }, [listScope, before]);
  useEffect(() => {
    void loadPage();
  }, [loadPage]);

  const lookup = async (e?: FormEvent, number = query) => {
    e?.preventDefault();
    try {
      setFound(await adminListsApi.dncLookup(number));
      setLookupError(null);
    } catch (err) {
      setFound(null);
      setLookupError(err);
    }
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    await attempt(
      async () => {
        const r = await adminListsApi.dncAdd({
          phone,
          campaignId: addScope || null,
          ...(note ? { note } : {}),
        });
        setPhone('');
        setNote('');
        setCursor([]);
        await loadPage();
        if (found?.phone === r.entry.phone) await lookup(undefined, r.entry.phone);
        return r.created
          ? `${r.entry.phone} added to the ${scopeOf(r.entry).toLowerCase()} DNC list.`
          : `${r.entry.phone} was already on that list; nothing changed.`;
      },
      setAddError,
      setDone,
    );
  };

  const remove = (entry: DncEntryView) =>
    attempt(
      async () => {
        await adminListsApi.dncRemove(entry.id);
        await loadPage();
        if (found?.phone === entry.phone) await lookup(undefined, entry.phone);
        return `${entry.phone} removed from the ${scopeOf(entry).toLowerCase()} DNC list.`;
      },
      setError,
      setDone,
    );

  const columns: Array<Column<DncEntryView>> = [
    { header: 'Number', cell: (e) => e.phone },
    { header: 'List', cell: scopeOf },
    { header: 'Added by', cell: (e) => e.addedByName ?? e.addedBy ?? 'system' },
    { header: 'When', cell: (e) => new Date(e.addedAtMs).toLocaleString() },
    { header: 'Source', cell: (e) => e.source },
    { header: 'Note', cell: (e) => e.note },
    { header: 'Actions', cell: (e) => <RemoveButton entry={e} onRemoved={() => remove(e)} /> },
  ];

  const addErrs = fieldErrors(addError);
  return (
    <AdminSection headingId="dnc-title" title="Do not call">
      <SuccessBanner message={done} />
      <RefusalBanner error={error} />

      <form onSubmit={(e) => void lookup(e)} aria-labelledby="dnc-lookup-title">
        <h3 id="dnc-lookup-title">Look up a number</h3>
        <div className="fields">
          <TextField
            id="dnc-lookup-phone"
            label="Phone number"
            hint="Any format; read as a US number unless it starts with +"
            error={fieldErrors(lookupError)['query.phone']}
            type="tel"
            value={query}
            onChange={setQuery}
          />
        </div>
        <button type="submit">Look up</button>
      </form>
      <RefusalBanner error={lookupError} title="Not looked up" />
      {found && (
        <div role="status" data-testid="dnc-lookup-result">
          {found.entries.length === 0 ? (
            <p>{found.phone} is not on any DNC list.</p>
          ) : (
            <>
              <p>
                {found.phone} is on {found.entries.length} DNC list
                {found.entries.length === 1 ? '' : 's'}:
              </p>
              <DataTable
                caption={`DNC entries of ${found.phone}`}
                columns={columns}
                rows={found.entries}
                rowKey={(e) => e.id}
              />
            </>
          )}
        </div>
      )}

      <form onSubmit={(e) => void add(e)} aria-labelledby="dnc-add-title">
        <h3 id="dnc-add-title">Add a number</h3>
        <div className="fields">
          <TextField
            id="dnc-add-phone"
            label="Phone number"
            hint="Any format; stored as E.164"
            error={addErrs.phone}
            type="tel"
            value={phone}
            onChange={setPhone}
          />
          <CampaignPicker
            id="dnc-add-scope"
            label="List"
            campaigns={campaigns}
            value={addScope}
            onChange={setAddScope}
            allowSystem="System-wide (every campaign)"
            error={campaignsError}
          />
          <TextField
            id="dnc-add-note"
            label="Note"
            hint="Up to 500 characters"
            error={addErrs.note}
            value={note}
            onChange={setNote}
          />
        </div>
        <button type="submit" className="primary">
          Add to DNC
        </button>
        <RefusalBanner error={addError} />
      </form>

      <h3 id="dnc-list-title">DNC list</h3>
      <CampaignPicker
        id="dnc-list-scope"
        label="Show"
        campaigns={campaigns}
        value={listScope}
        onChange={(v) => {
          setListScope(v);
          setCursor([]);
        }}
        allowSystem="Every list"
      />
      <p>
        {page.total} entr{page.total === 1 ? 'y' : 'ies'}; page {cursor.length + 1}
      </p>
      <DataTable
        caption="DNC entries, newest first"
        columns={columns}
        rows={page.entries}
        rowKey={(e) => e.id}
        empty="No number on this list."
      />
      <nav aria-label="DNC pages">
        <button type="button" disabled={cursor.length === 0} onClick={() => setCursor([])}>
          First page
        </button>{' '}
        <button
          type="button"
          disabled={cursor.length === 0}
          onClick={() => setCursor(cursor.slice(0, -1))}
        >
          Previous page
        </button>{' '}
        <button
          type="button"
          disabled={page.next === null}
          onClick={() => page.next && setCursor([...cursor, page.next])}
        >
          Next page
        </button>
      </nav>
    </AdminSection>
  );
}
