import { describe, expect, it } from 'vitest';
import { scorecardBody } from './scorecard-form.js';

describe('scorecard editor form', () => {
  it('sends whole weights adding up to 100', () => {
    const r = scorecardBody([
      { label: 'Greeting', weight: '40', kind: 'yes_no' },
      { label: 'Empathy', weight: ' 60', kind: 'scale_5' },
    ]);
    expect(r).toEqual({
      ok: true,
      body: {
        criteria: [
          { label: 'Greeting', weight: 40, kind: 'yes_no' },
          { label: 'Empathy', weight: 60, kind: 'scale_5' },
        ],
      },
    });
  });
  it('names the row of a bad weight or label, and the total when it is not 100', () => {
    const r = scorecardBody([
      { label: '', weight: '50', kind: 'yes_no' },
      { label: 'Tone', weight: 'ten', kind: 'yes_no' },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors['criteria.0.label']).toBe('a criterion needs a label');
    expect(r.errors['criteria.1.weight']).toBe('weight must be a whole number from 1 to 100');
    expect(scorecardBody([{ label: 'A', weight: '90', kind: 'yes_no' }])).toEqual({
      ok: false,
      errors: { criteria: 'the weights must add up to 100 (they add up to 90)' },
    });
  });
});
