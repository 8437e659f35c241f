import type { ReportFreshness } from '@ringside/protocol';

/**
 * Pure formatting of report values for tables and chart labels. A KPI whose base is zero arrives
 * as null and is shown as "-", never 0 or NaN (docs/kpi.md). Instants are shown in UTC, the zone
 * the reports bucket by.
 */

/** 3,725,000 -> "1:02:05"; under an hour "02:05". Negative or fractional input is clamped/floored. */
export function formatDurationMs(ms: number | null): string {
  if (ms === null) return '-';
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** Percent with two decimals ("2.50 %"); null (no base) is "-". */
export function formatPct(pct: number | null): string {
  return pct === null ? '-' : `${pct.toFixed(2)} %`;
}

/** Epoch ms -> "2026-05-10 09:00:10" (UTC); null is "-". */
export function formatInstant(atMs: number | null): string {
  if (atMs === null) return '-';
  return new Date(atMs).toISOString().slice(0, 19).replace('T', ' ');
}

/** Epoch ms -> "2026-05-10 09:00" (UTC): the label of an hour bucket. */
export function formatHour(atMs: number): string {
  return new Date(atMs).toISOString().slice(0, 16).replace('T', ' ');
}

/** Epoch ms -> "2026-05-10" (UTC day). */
export function formatDay(atMs: number): string {
  return new Date(atMs).toISOString().slice(0, 10);
}

/** Integer counts with thousands separators, locale-independent ("12,345"). */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `{BREAK: 900000, '': 60000}` -> "BREAK 15:00, (none) 01:00", largest first. */
export function formatByCode(byCode: Record<string, number>, fmt: (v: number) => string): string {
  const entries = Object.entries(byCode).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (entries.length === 0) return '-';
  return entries.map(([code, v]) => `${code === '' ? '(none)' : code} ${fmt(v)}`).join(', ');
}

/** Short durations (ASA, drop wait): 1,530 -> "1.5 s"; null is "-". */
export function formatSeconds(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Where a report's data came from, for the line above its table: nothing when the primary
 * answered (live data); the replica's lag when a replica did (docs/reports.md, "How fresh").
 */
export function formatFreshness(f: ReportFreshness | undefined): string | null {
  if (!f) return null;
  if (f.fellBack) return 'The reports replica is unavailable: read from the primary (live data).';
  if (f.source === 'primary') return null;
  const replayed =
    f.replayedAtMs === null ? '' : ` (replayed up to ${formatInstant(f.replayedAtMs)} UTC)`;
  if (f.lagMs === 0) return `From the reports replica, up to date${replayed}.`;
  if (f.lagMs !== null) {
    const s = Math.round(f.lagMs / 1000);
    return `From the reports replica, about ${formatCount(s)} s behind the primary${replayed}.`;
  }
  return 'From the reports replica (not a streaming standby: how fresh it is is not known).';
}
