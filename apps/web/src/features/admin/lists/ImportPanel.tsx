import { useCallback, useEffect, useState } from 'react';
import type {
  AdminList,
  ImportJob,
  ImportMapping,
  ImportPreview,
  ImportReport,
  ImportRowError,
  PreviewRow,
} from '@ringside/protocol';
import { DataTable, RefusalBanner, type Column } from '../shared/kit.js';
import { adminListsApi } from './api.js';

const FIELD_LABELS: Record<string, string> = {
  phone: 'Phone',
  alt_phones: 'Alternate phones',
  first_name: 'First name',
  last_name: 'Last name',
  address: 'Address',
  city: 'City',
  state: 'State',
  postal_code: 'Postal code',
  country: 'Country',
  time_zone: 'Time zone',
};

const errorText = (errors: readonly ImportRowError[]) =>
  errors.map((e) => (e.column ? `${e.column}: ${e.reason}` : e.reason)).join('; ');

/**
 * Import a CSV into one list: choose the file, check the preview (the first rows as they would be
 * imported, each row's errors, the column mapping, which can be changed), confirm, follow the
 * upload, then read the result and the row-error report (also as a CSV download).
 */
export function ImportPanel(props: { list: AdminList; onImported(): Promise<void> }) {
  const { list } = props;
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState<ImportMapping>({});
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [importError, setImportError] = useState<unknown>(null);
  const [jobs, setJobs] = useState<ImportJob[]>([]);

  const loadJobs = useCallback(async () => {
    try {
      setJobs((await adminListsApi.imports(list.id)).jobs);
    } catch {
      // The history is a convenience; the import itself reports its own errors.
    }
  }, [list.id]);
  useEffect(() => {
    void loadJobs();
  }, [loadJobs]);

  const runPreview = async (f: File, m: ImportMapping) => {
    setBusy(true);
    try {
      setPreview(await adminListsApi.preview(list.id, f, m));
      setPreviewError(null);
    } catch (err) {
      setPreview(null);
      setPreviewError(err);
    } finally {
      setBusy(false);
    }
  };

  const chooseFile = (f: File | null) => {
    setFile(f);
    setMapping({});
    setPreview(null);
    setReport(null);
    setImportError(null);
    if (f) void runPreview(f, {});
  };

  const changeMapping = (field: string, header: string) => {
    const next: Record<string, string> = { ...(mapping as Record<string, string>) };
    if (header === '') delete next[field];
    else next[field] = header;
    setMapping(next as ImportMapping);
    if (file) void runPreview(file, next as ImportMapping);
  };

  const runImport = async () => {
    if (!file) return;
    setBusy(true);
    setProgress({ sent: 0, total: file.size });
    try {
      const r = await adminListsApi.runImport(list.id, file, mapping, (sent, total) =>
        setProgress({ sent, total }),
      );
      setReport(r);
      setImportError(null);
      setPreview(null);
      await Promise.all([props.onImported(), loadJobs()]);
    } catch (err) {
      setImportError(err);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };

  const bad = preview ? preview.rows.filter((r) => r.errors.length > 0).length : 0;
  return (
    <section aria-labelledby="import-title" data-testid="import-panel">
      <h3 id="import-title">Import into “{list.name}”</h3>
      <div className="field">
        <label htmlFor="import-file">CSV file</label>
        <input
          id="import-file"
          type="file"
          accept=".csv,.txt,text/csv"
          aria-describedby="import-file-hint"
          onChange={(e) => chooseFile(e.target.files?.[0] ?? null)}
        />
        <span className="hint" id="import-file-hint">
          UTF-8 text with a header row; a phone column is required. Nothing is written until you
          confirm.
        </span>
      </div>
      <RefusalBanner error={previewError} title="File refused" />
      {busy && !progress && <p role="status">Reading the file…</p>}

      {preview && file && (
        <>
          <h4>Column mapping</h4>
          <div className="fields" data-testid="mapping">
            {preview.leadFields.map((f) => {
              const used = preview.mapping[f];
              const shown = Array.isArray(used) ? used.join(', ') : used;
              return (
                <div className="field" key={f}>
                  <label htmlFor={`map-${f}`}>{FIELD_LABELS[f] ?? f}</label>
                  <select
                    id={`map-${f}`}
                    value={(mapping as Record<string, string | undefined>)[f] ?? ''}
                    onChange={(e) => changeMapping(f, e.target.value)}
                    aria-describedby={`map-${f}-hint`}
                  >
                    <option value="">Detect automatically</option>
                    {preview.header.map((h) => (
                      <option key={h} value={h}>
                        {h}
                      </option>
                    ))}
                  </select>
                  <span className="hint" id={`map-${f}-hint`}>
                    {shown ? `column ${shown}` : 'not in this file'}
                  </span>
                </div>
              );
            })}
          </div>
          {preview.custom.length > 0 && <p>Kept as custom fields: {preview.custom.join(', ')}</p>}
          <h4>
            Preview: first {preview.rows.length} row{preview.rows.length === 1 ? '' : 's'}
            {preview.more ? ' (more follow)' : ''}
          </h4>
          <p role="status" data-testid="preview-summary">
            {bad === 0
              ? 'No error in these rows.'
              : `${bad} of these rows ha${bad === 1 ? 's an error' : 've errors'} and will not be imported.`}
          </p>
          <PreviewTable rows={preview.rows} />
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void runImport()}
          >
            Import {file.name}
          </button>
        </>
      )}

      {progress && (
        <p role="status">
          <label htmlFor="import-progress">Uploading</label>{' '}
          <progress id="import-progress" max={progress.total || 1} value={progress.sent} />{' '}
          {Math.round((100 * progress.sent) / (progress.total || 1))} %
        </p>
      )}
      <RefusalBanner error={importError} title="Import failed" />
      {report && <ImportResult report={report} />}

      <h4>Earlier imports</h4>
      <DataTable
        caption="Earlier imports into this list"
        columns={JOB_COLUMNS}
        rows={jobs}
        rowKey={(j) => j.id}
        empty="No import into this list yet."
      />
    </section>
  );
}

function PreviewTable(props: { rows: PreviewRow[] }) {
  const columns: Array<Column<PreviewRow>> = [
    { header: 'Line', cell: (r) => r.row },
    {
      header: 'Result',
      cell: (r) =>
        r.errors.length > 0
          ? 'rejected'
          : r.skip === 'dnc'
            ? 'skipped: DNC'
            : r.skip === 'duplicate'
              ? 'skipped: duplicate'
              : 'imported',
    },
    { header: 'Phone', cell: (r) => r.lead?.phone ?? '' },
    {
      header: 'Name',
      cell: (r) => [r.lead?.firstName, r.lead?.lastName].filter(Boolean).join(' '),
    },
    { header: 'Postal code', cell: (r) => r.lead?.postalCode ?? '' },
    {
      header: 'Time zone',
      cell: (r) =>
        r.lead ? `${r.lead.tzKey.replace(/,/g, ', ') || 'unknown'} (${r.lead.tzSource})` : '',
    },
    {
      header: 'In the file (rejected rows)',
      cell: (r) => (r.errors.length > 0 ? r.cells.join(' | ') : ''),
    },
    {
      header: 'Errors',
      cell: (r) => (
        <span data-testid={r.errors.length ? 'row-error' : undefined}>
          {errorText(r.errors)}
          {r.warnings.length > 0 && ` (warning: ${errorText(r.warnings)})`}
        </span>
      ),
    },
  ];
  return (
    <DataTable
      caption="Preview of the first rows"
      columns={columns}
      rows={props.rows}
      rowKey={(r) => String(r.row)}
      empty="The file has a header but no row."
    />
  );
}

function ImportResult(props: { report: ImportReport }) {
  const r = props.report;
  return (
    <div aria-labelledby="import-result-title" data-testid="import-result">
      <h4 id="import-result-title">Result of {r.fileName || 'the import'}</h4>
      <dl className="lead">
        <dt>Rows read</dt>
        <dd>{r.rowsTotal}</dd>
        <dt>Imported</dt>
        <dd data-testid="imported">{r.imported}</dd>
        <dt>Rejected</dt>
        <dd data-testid="rejected">{r.rejected}</dd>
        <dt>Duplicates skipped</dt>
        <dd>{r.duplicates}</dd>
        <dt>DNC skipped</dt>
        <dd>{r.dnc}</dd>
        <dt>Time</dt>
        <dd>{(r.durationMs / 1000).toFixed(1)} s</dd>
      </dl>
      {r.errors.length > 0 && (
        <>
          <h5>Row errors</h5>
          <p>
            <a href={`/api/imports/${r.jobId}/errors.csv`} download>
              Download the row-error report (CSV)
            </a>
            {r.errorsTruncated && ' — the first 1,000 errors are kept.'}
          </p>
          <DataTable
            caption="Rows that were not imported"
            columns={ERROR_COLUMNS}
            rows={r.errors}
            rowKey={(e) => `${e.row}:${e.column}:${e.reason}`}
          />
        </>
      )}
    </div>
  );
}

const ERROR_COLUMNS: Array<Column<ImportRowError>> = [
  { header: 'Line', cell: (e) => e.row },
  { header: 'Column', cell: (e) => e.column || '(whole row)' },
  { header: 'Reason', cell: (e) => e.reason },
];

const JOB_COLUMNS: Array<Column<ImportJob>> = [
  { header: 'Started', cell: (j) => new Date(j.startedAtMs).toLocaleString() },
  { header: 'File', cell: (j) => j.fileName || '—' },
  { header: 'Status', cell: (j) => (j.error ? `${j.status}: ${j.error}` : j.status) },
  { header: 'Rows', cell: (j) => j.rowsTotal },
  { header: 'Imported', cell: (j) => j.imported },
  { header: 'Rejected', cell: (j) => j.rejected },
  { header: 'Duplicates', cell: (j) => j.duplicates },
  { header: 'DNC', cell: (j) => j.dnc },
  {
    header: 'Row errors',
    cell: (j) =>
      j.errorCount > 0 ? (
        <a href={`/api/imports/${j.id}/errors.csv`} download>
          {j.errorCount} (CSV)
        </a>
      ) : (
        '0'
      ),
  },
];
