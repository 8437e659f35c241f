import { describe, expect, it } from 'vitest';
import {
  placeholderValues,
  previewSegments,
  SAMPLE_LEAD,
  unknownPlaceholders,
} from './script-preview.js';

const values = placeholderValues(SAMPLE_LEAD, 'Sam Agent');

describe('script preview', () => {
  it('fills known placeholders from the sample lead, custom fields and the agent name', () => {
    expect(
      previewSegments('Hi {{first_name}}, {{ agent_name }} here about {{PLAN}}.', values),
    ).toEqual([
      { kind: 'text', text: 'Hi ' },
      { kind: 'placeholder', name: 'first_name', value: 'Jane', known: true },
      { kind: 'text', text: ', ' },
      { kind: 'placeholder', name: 'agent_name', value: 'Sam Agent', known: true },
      { kind: 'text', text: ' here about ' },
      { kind: 'placeholder', name: 'PLAN', value: 'Gold', known: true },
      { kind: 'text', text: '.' },
    ]);
  });

  it('flags unknown placeholders once each and leaves other braces as text', () => {
    const s = previewSegments('{{frist_name}} {{x}} {{frist_name}} {single} {{ }}', values);
    expect(unknownPlaceholders(s)).toEqual(['frist_name', 'x']);
    expect(s.at(-1)).toEqual({ kind: 'text', text: ' {single} {{ }}' });
  });

  it('answers one text segment for a script without placeholders, none for an empty one', () => {
    expect(previewSegments('Hello', values)).toEqual([{ kind: 'text', text: 'Hello' }]);
    expect(previewSegments('', values)).toEqual([]);
  });
});
