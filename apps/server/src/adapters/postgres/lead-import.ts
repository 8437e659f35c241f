import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type {
  ImportBatchOutcome,
  ImportJobTotals,
  LeadImportStore,
  LeadImportTransaction,
  StagedLead,
} from '../../ports/import.js';
import { copyLine } from './copy-text.js';

/**
 * The lead import's SQL (services/import): batches COPY'd into a temporary staging table, then
 * INSERT ... SELECT into leads, all in one transaction; the import_jobs row; the preview's
 * look-up of phones already listed or on DNC.
 */

const STAGING_COLUMNS = [
  'row_no',
  'phone',
  'alt_phones',
  'first_name',
  'last_name',
  'address',
  'city',
  'state',
  'postal_code',
  'country',
  'time_zone',
  'tz_key',
  'tz_source',
  'custom',
] as const;

const CREATE_STAGING = `CREATE TEMP TABLE import_staging (
  row_no integer NOT NULL, phone text NOT NULL, alt_phones text NOT NULL, first_name text,
  last_name text, address text, city text, state text, postal_code text, country text NOT NULL,
  time_zone text, tz_key text NOT NULL, tz_source text NOT NULL, custom jsonb NOT NULL
) ON COMMIT DROP`;

/*
 * One batch: leads on a DNC list (system-wide or the list's campaign) and repeats of a phone
 * within the batch are held back; the rest is inserted, and ON CONFLICT skips phones already in
 * the list (including earlier batches of this file, inserted in the same transaction). Every
 * inserted lead gets its 'imported' lead_log row. Returns the skipped rows and the inserted count
 * per time-zone source.
 */
const INSERT_BATCH = `WITH s AS (
  SELECT st.*,
         EXISTS (SELECT 1 FROM dnc d WHERE d.phone = st.phone
                   AND coalesce(d.campaign_id, 0) IN (0, $2::bigint)) AS is_dnc,
         row_number() OVER (PARTITION BY st.phone ORDER BY st.row_no) AS rn
    FROM import_staging st
), ins AS (
  INSERT INTO leads (list_id, phone, alt_phones, first_name, last_name, address, city, state,
                     postal_code, country, time_zone, tz_candidates, tz_key, tz_source, custom,
                     import_job_id)
  SELECT $1::bigint, phone, string_to_array(alt_phones, ','), first_name, last_name, address, city,
         state, postal_code, country, time_zone, string_to_array(tz_key, ','), tz_key, tz_source,
         custom, $3::bigint
    FROM s WHERE NOT is_dnc AND rn = 1
   ORDER BY row_no
  ON CONFLICT (list_id, phone) DO NOTHING
  RETURNING id, phone, tz_source
), logged AS (
  INSERT INTO lead_log (lead_id, kind, detail)
  SELECT id, 'imported', jsonb_build_object('importJobId', $3::bigint) FROM ins
)
SELECT 'skip' AS kind, s.row_no, s.is_dnc, NULL::text AS tz_source, 0::int AS n
  FROM s
 WHERE s.is_dnc OR s.rn > 1 OR NOT EXISTS (SELECT 1 FROM ins WHERE ins.phone = s.phone)
UNION ALL
SELECT 'tz', NULL, NULL, tz_source, count(*)::int FROM ins GROUP BY tz_source`;

interface BatchRow {
  kind: 'skip' | 'tz';
  row_no: number | null;
  is_dnc: boolean | null;
  tz_source: StagedLead['tzSource'] | null;
  n: number;
}

export class PgLeadImportStore implements LeadImportStore {
  constructor(private readonly pool: pg.Pool) {}

  async listCampaign(listId: string): Promise<string | null> {
    const r = await this.pool.query<{ campaign_id: string }>(
      'SELECT campaign_id::text AS campaign_id FROM lists WHERE id = $1',
      [listId],
    );
    return r.rows[0]?.campaign_id ?? null;
  }

  async createJob(job: {
    listId: string;
    fileName: string;
    createdBy: string | null;
    mapping: Record<string, unknown>;
  }): Promise<string> {
    const r = await this.pool.query<{ id: string }>(
      `INSERT INTO import_jobs (list_id, file_name, created_by, mapping) VALUES ($1, $2, $3, $4) RETURNING id`,
      [job.listId, job.fileName, job.createdBy, JSON.stringify(job.mapping)],
    );
    return r.rows[0]?.id ?? '';
  }

  async begin(): Promise<LeadImportTransaction> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
    } catch (err) {
      client.release();
      throw err;
    }
    try {
      await client.query(CREATE_STAGING);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw err;
    }
    return new PgImportTransaction(client);
  }

  async failJob(jobId: string, message: string, rowsTotal: number): Promise<void> {
    await this.pool.query(
      `UPDATE import_jobs SET status = 'failed', error = $2, rows_total = $3, finished_at = now() WHERE id = $1`,
      [jobId, message, rowsTotal],
    );
  }

  async knownPhones(
    listId: string,
    campaignId: string,
    phones: ReadonlyArray<string>,
  ): Promise<Array<{ phone: string; dnc: boolean; listed: boolean }>> {
    const r = await this.pool.query<{ phone: string; dnc: boolean; listed: boolean }>(
      `SELECT p.phone,
            EXISTS (SELECT 1 FROM dnc d WHERE d.phone = p.phone
                      AND coalesce(d.campaign_id, 0) IN (0, $2::bigint)) AS dnc,
            EXISTS (SELECT 1 FROM leads l WHERE l.list_id = $1 AND l.phone = p.phone) AS listed
       FROM unnest($3::text[]) AS p(phone)`,
      [listId, campaignId, phones],
    );
    return r.rows;
  }
}

class PgImportTransaction implements LeadImportTransaction {
  constructor(private readonly client: pg.PoolClient) {}

  async insertBatch(
    leads: ReadonlyArray<StagedLead>,
    to: { listId: string; campaignId: string; jobId: string },
  ): Promise<ImportBatchOutcome> {
    await pipeline(
      Readable.from(leads.map(stagingLine)),
      this.client.query(copyFrom(`COPY import_staging (${STAGING_COLUMNS.join(', ')}) FROM STDIN`)),
    );
    const r = await this.client.query<BatchRow>(INSERT_BATCH, [to.listId, to.campaignId, to.jobId]);
    const out: ImportBatchOutcome = { skipped: [], timeZones: [] };
    for (const row of r.rows) {
      if (row.kind === 'tz' && row.tz_source !== null) {
        out.timeZones.push({ tzSource: row.tz_source, n: row.n });
      } else {
        out.skipped.push({ row: row.row_no, dnc: row.is_dnc === true });
      }
    }
    await this.client.query('TRUNCATE import_staging');
    return out;
  }

  async commit(jobId: string, t: ImportJobTotals): Promise<void> {
    await this.client.query(
      `UPDATE import_jobs SET status = 'done', rows_total = $2, rows_imported = $3, rows_rejected = $4,
              rows_duplicate = $5, rows_dnc = $6, errors = $7, mapping = $8, finished_at = now()
        WHERE id = $1`,
      [
        jobId,
        t.rowsTotal,
        t.imported,
        t.rejected,
        t.duplicates,
        t.dnc,
        JSON.stringify(t.errors),
        JSON.stringify(t.mapping),
      ],
    );
    await this.client.query('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.client.query('ROLLBACK');
  }

  release(): void {
    this.client.release();
  }
}

function stagingLine(l: StagedLead): string {
  return copyLine([
    String(l.row),
    l.phone,
    l.altPhones.join(','),
    l.firstName,
    l.lastName,
    l.address,
    l.city,
    l.state,
    l.postalCode,
    l.country,
    l.timeZone,
    l.tzKey,
    l.tzSource,
    JSON.stringify(l.custom),
  ]);
}
