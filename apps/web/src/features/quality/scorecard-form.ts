import { ScorecardPut } from '@ringside/protocol';
import type { CriterionKind } from '@ringside/protocol';

/** One row of the scorecard editor, as typed (the weight still text). */
export type Row = { label: string; weight: string; kind: CriterionKind };

/** The editor's rows as the API's body, checked with the server's schema; or errors by field. */
export function scorecardBody(
  rows: readonly Row[],
): { ok: true; body: ScorecardPut } | { ok: false; errors: Record<string, string> } {
  const r = ScorecardPut.safeParse({
    criteria: rows.map((x) => ({
      label: x.label,
      weight: x.weight.trim() === '' ? Number.NaN : Number(x.weight),
      kind: x.kind,
    })),
  });
  if (r.success) return { ok: true, body: r.data };
  const errors: Record<string, string> = {};
  for (const i of r.error.issues) errors[i.path.join('.') || 'criteria'] ??= i.message;
  return { ok: false, errors };
}
