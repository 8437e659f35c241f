import type { CriterionKind } from '@ringside/protocol';
import { ValidationError } from '../../errors.js';

/** A criterion as scoring needs it. */
export interface CriterionForScore {
  id: string;
  label: string;
  weight: number;
  kind: CriterionKind;
}

/**
 * A review's weighted score, 0-100 (two decimals): yes counts 1 and no 0; a 1-5 scale counts
 * (value - 1) / 4. Every criterion of the scorecard is scored exactly once; a value outside the
 * criterion's kind, a criterion not on the scorecard or one left out is a ValidationError naming
 * the field (`scores.<i>.value`, `scores.<i>.criterionId`, `scores`).
 */
export function scoreReview(
  criteria: readonly CriterionForScore[],
  scores: readonly { criterionId: string; value: number }[],
): number {
  const byId = new Map(criteria.map((c) => [c.id, c]));
  const issues: { path: string; message: string }[] = [];
  const given = new Map<string, number>();
  scores.forEach((s, i) => {
    const c = byId.get(s.criterionId);
    if (!c) {
      issues.push({
        path: `scores.${i}.criterionId`,
        message: `criterion ${s.criterionId} is not on this campaign's scorecard`,
      });
      return;
    }
    if (given.has(c.id)) {
      issues.push({ path: `scores.${i}.criterionId`, message: `"${c.label}" is scored twice` });
      return;
    }
    const ok = c.kind === 'yes_no' ? s.value === 0 || s.value === 1 : s.value >= 1 && s.value <= 5;
    if (!ok || !Number.isInteger(s.value)) {
      issues.push({
        path: `scores.${i}.value`,
        message:
          c.kind === 'yes_no'
            ? `"${c.label}" is yes (1) or no (0)`
            : `"${c.label}" is scored 1 to 5`,
      });
      return;
    }
    given.set(c.id, s.value);
  });
  const missing = criteria.filter(
    (c) => !given.has(c.id) && !scores.some((s) => s.criterionId === c.id),
  );
  if (missing.length)
    issues.push({
      path: 'scores',
      message: `not scored: ${missing.map((c) => `"${c.label}"`).join(', ')}`,
    });
  const first = issues[0];
  if (first) throw new ValidationError(`${first.path}: ${first.message}`, issues);
  let total = 0;
  let weights = 0;
  for (const c of criteria) {
    const v = given.get(c.id) ?? 0;
    total += c.weight * (c.kind === 'yes_no' ? v : (v - 1) / 4);
    weights += c.weight;
  }
  return weights > 0 ? Math.round((total / weights) * 10_000) / 100 : 0;
}
