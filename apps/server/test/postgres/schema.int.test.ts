import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * Every table and column of `interface Database`. The type forces this object to name exactly the
 * interface's columns (no more, no fewer); the test then compares it with the migrated schema, so
 * a migration that is not reflected in database.ts fails here.
 */
const TYPED: { [T in keyof Database]: { [C in keyof Database[T]]: true } } = {
  agent_log: {
    id: true,
    agent_id: true,
    campaign_id: true,
    state: true,
    pause_code: true,
    call_id: true,
    reason: true,
    started_at: true,
    ended_at: true,
    duration_ms: true,
  },
  agent_sessions: {
    agent_id: true,
    state: true,
    since_at: true,
    campaign_id: true,
    call_id: true,
    pause_code: true,
    bridge_id: true,
    leg_channel_id: true,
    updated_at: true,
  },
  audit_log: { id: true, user_id: true, action: true, target: true, detail: true, at: true },
  report_call_hourly: {
    hour: true,
    campaign_id: true,
    list_id: true,
    shard: true,
    dials: true,
    answers: true,
    humans: true,
    machines: true,
    drops: true,
    connected: true,
    answer_wait_ms: true,
  },
  report_agent_call_daily: {
    day: true,
    agent_id: true,
    campaign_id: true,
    disposition: true,
    calls: true,
    talk_ms: true,
    wrap_ms: true,
  },
  report_agent_state_daily: {
    day: true,
    agent_id: true,
    campaign_id: true,
    state: true,
    pause_code: true,
    duration_ms: true,
    intervals: true,
  },
  report_answer_daily: {
    campaign_id: true,
    day: true,
    shard: true,
    humans: true,
    drops: true,
    est_drops: true,
    est_answers: true,
  },
  call_log: {
    id: true,
    campaign_id: true,
    list_id: true,
    lead_id: true,
    phone: true,
    attempt: true,
    manual: true,
    server_id: true,
    channel_id: true,
    agent_id: true,
    originated_at: true,
    ringing_at: true,
    answered_at: true,
    amd_at: true,
    amd_result: true,
    amd_cause: true,
    agent_connected_at: true,
    dropped: true,
    drop_wait_ms: true,
    safe_harbor_at: true,
    ended_at: true,
    outcome: true,
    hangup_cause: true,
    disposition: true,
    disposed_at: true,
    agent_since_at: true,
    end_reason: true,
    est_abandoned: true,
    est_answers: true,
  },
  call_handoffs: {
    call_id: true,
    agent_id: true,
    to_agent_id: true,
    campaign_id: true,
    lead_id: true,
    originated_at: true,
    connected_at: true,
    handed_at: true,
    disposition: true,
    disposed_at: true,
    auto: true,
  },
  callbacks: {
    id: true,
    lead_id: true,
    campaign_id: true,
    agent_id: true,
    due_at: true,
    time_zone: true,
    note: true,
    status: true,
    created_by: true,
    created_at: true,
  },
  campaign_recycle_rules: { campaign_id: true, status: true, delay_s: true, max_attempts: true },
  campaigns: {
    id: true,
    name: true,
    active: true,
    dial_method: true,
    dial_level: true,
    drop_rate_cap_pct: true,
    drop_wait_ms: true,
    ring_timeout_s: true,
    hopper_size: true,
    window_start: true,
    window_end: true,
    max_attempts: true,
    caller_id: true,
    amd_enabled: true,
    machine_action: true,
    machine_message_audio: true,
    safe_harbor_audio: true,
    wrapup_s: true,
    wrapup_timeout_action: true,
    wrapup_default_disposition: true,
    script: true,
    national_dnc_scrub: true,
    amd_human_as_machine_pct: true,
    amd_machine_as_human_pct: true,
    amd_audit_pct: true,
    created_at: true,
    updated_at: true,
  },
  dispositions: {
    id: true,
    campaign_id: true,
    code: true,
    name: true,
    human_answered: true,
    sale: true,
    dnc: true,
    callback: true,
    final: true,
    sort_order: true,
  },
  dnc: {
    id: true,
    phone: true,
    campaign_id: true,
    added_by: true,
    source: true,
    note: true,
    added_at: true,
  },
  import_jobs: {
    id: true,
    list_id: true,
    file_name: true,
    created_by: true,
    mapping: true,
    status: true,
    rows_total: true,
    rows_imported: true,
    rows_rejected: true,
    rows_duplicate: true,
    rows_dnc: true,
    errors: true,
    error: true,
    started_at: true,
    finished_at: true,
  },
  lead_log: {
    id: true,
    lead_id: true,
    at: true,
    kind: true,
    call_id: true,
    agent_id: true,
    detail: true,
  },
  leads: {
    id: true,
    list_id: true,
    phone: true,
    alt_phones: true,
    first_name: true,
    last_name: true,
    address: true,
    city: true,
    state: true,
    postal_code: true,
    country: true,
    time_zone: true,
    tz_candidates: true,
    tz_key: true,
    tz_source: true,
    status: true,
    final: true,
    attempts: true,
    last_called_at: true,
    last_call_id: true,
    next_eligible_at: true,
    hopper_at: true,
    custom: true,
    import_job_id: true,
    created_at: true,
    updated_at: true,
  },
  lists: { id: true, campaign_id: true, name: true, active: true, created_at: true },
  pause_codes: { id: true, campaign_id: true, code: true, name: true, billable: true },
  schema_migrations: { name: true, applied_at: true },
  server_secrets: { name: true, value: true, created_at: true },
  state_calling_rules: {
    state: true,
    days: true,
    max_attempts_24h: true,
    statute: true,
    note: true,
    updated_at: true,
    updated_by: true,
  },
  teams: { id: true, name: true, created_at: true },
  tz_data_version: { id: true, version: true, applied_at: true },
  users: {
    id: true,
    username: true,
    display_name: true,
    role: true,
    password_hash: true,
    team_id: true,
    phone_type: true,
    sip_endpoint: true,
    active: true,
    created_at: true,
    updated_at: true,
    totp_secret: true,
    totp_pending_secret: true,
    totp_enabled_at: true,
    totp_last_step: true,
  },
  user_recovery_codes: { id: true, user_id: true, code_hash: true, used_at: true },
};

describe('database.ts', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb('schema');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('types exactly the tables and columns the migrations create', async () => {
    const r = await db.pool.query<{ table_name: string; columns: string[] }>(
      `SELECT table_name, array_agg(column_name::text ORDER BY column_name) AS columns
         FROM information_schema.columns WHERE table_schema = $1
        GROUP BY table_name ORDER BY table_name`,
      [db.schema],
    );
    const actual = Object.fromEntries(r.rows.map((row) => [row.table_name, row.columns]));
    const typed = Object.fromEntries(
      Object.entries(TYPED)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([t, cols]) => [t, Object.keys(cols).sort()]),
    );
    expect(typed).toEqual(actual);
  });

  it('lets the name search use the lower(last_name) prefix index', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        "EXPLAIN SELECT id FROM leads WHERE lower(last_name) LIKE 'smi%'",
      );
      expect(plan.rows.map((p) => p['QUERY PLAN']).join('\n')).toContain('leads_last_name_idx');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
