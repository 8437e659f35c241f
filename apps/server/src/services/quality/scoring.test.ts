import { describe, expect, it } from 'vitest';
import { ScorecardPut } from '@ringside/protocol';
import { ValidationError } from '../../errors.js';
import { scoreReview, type CriterionForScore } from './scoring.js';

const card: CriterionForScore[] = [
  { id: '1', label: 'Greeting', weight: 20, kind: 'yes_no' },
  { id: '2', label: 'Empathy', weight: 50, kind: 'scale_5' },
  { id: '3', label: 'Closing', weight: 30, kind: 'yes_no' },
];

describe('scoreReview', () => {
  it('weights yes/no as 1/0 and a 1-5 scale as (value - 1) / 4', () => {
    const all = (g: number, e: number, c: number) =>
      scoreReview(card, [
        { criterionId: '1', value: g },
        { criterionId: '2', value: e },
        { criterionId: '3', value: c },
      ]);
    expect(all(1, 5, 1)).toBe(100);
    expect(all(0, 1, 0)).toBe(0);
    expect(all(1, 3, 0)).toBe(45);
    expect(all(0, 4, 1)).toBe(67.5);
  });

  it('names the field of a value outside its kind, an unknown criterion, or one left out', () => {
    const err = (scores: { criterionId: string; value: number }[]) => {
      try {
        scoreReview(card, scores);
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as ValidationError).issues;
      }
      throw new Error('accepted');
    };
    expect(
      err([
        { criterionId: '1', value: 2 },
        { criterionId: '2', value: 0 },
        { criterionId: '3', value: 1 },
      ]),
    ).toEqual([
      { path: 'scores.0.value', message: '"Greeting" is yes (1) or no (0)' },
      { path: 'scores.1.value', message: '"Empathy" is scored 1 to 5' },
    ]);
    expect(err([{ criterionId: '9', value: 1 }])[0]).toEqual({
      path: 'scores.0.criterionId',
      message: "criterion 9 is not on this campaign's scorecard",
    });
    expect(err([{ criterionId: '1', value: 1 }]).at(-1)).toEqual({
      path: 'scores',
      message: 'not scored: "Empathy", "Closing"',
    });
  });
});

describe('ScorecardPut', () => {
  const issues = (body: unknown) => {
    const r = ScorecardPut.safeParse(body);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  it('accepts criteria whose whole weights add up to 100', () => {
    expect(
      issues({ criteria: card.map(({ label, weight, kind }) => ({ label, weight, kind })) }),
    ).toEqual([]);
  });
  it('refuses weights that do not add up to 100, are not whole, or are out of range', () => {
    expect(
      issues({
        criteria: [
          { label: 'A', weight: 40, kind: 'yes_no' },
          { label: 'B', weight: 50, kind: 'scale_5' },
        ],
      }),
    ).toEqual(['criteria: the weights must add up to 100 (they add up to 90)']);
    expect(issues({ criteria: [{ label: 'A', weight: 99.5, kind: 'yes_no' }] })).toContain(
      'criteria.0.weight: weight must be a whole number from 1 to 100',
    );
    expect(
      issues({
        criteria: [
          { label: 'A', weight: 0, kind: 'yes_no' },
          { label: 'B', weight: 100, kind: 'yes_no' },
        ],
      }),
    ).toContain('criteria.0.weight: weight must be a whole number from 1 to 100');
  });
  it('refuses an unknown kind, a duplicate label, an empty card', () => {
    expect(issues({ criteria: [{ label: 'A', weight: 100, kind: 'stars' }] })[0]).toMatch(
      /^criteria\.0\.kind: /,
    );
    expect(
      issues({
        criteria: [
          { label: 'Tone', weight: 50, kind: 'yes_no' },
          { label: 'tone', weight: 50, kind: 'yes_no' },
        ],
      }),
    ).toEqual(['criteria.1.label: "tone" is already criterion 1']);
    expect(issues({ criteria: [] })).toContain(
      'criteria: a scorecard needs at least one criterion',
    );
  });
});
