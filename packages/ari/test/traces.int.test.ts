import { describe, expect, it } from 'vitest';
import {
  checkEvent,
  checkRequest,
  checkResponse,
  formatIssues,
  parseAriEvent,
} from '../src/index.js';

import { loadTrace, traceFiles, type TraceLine } from '../src/traces.js';

const files = traceFiles();

describe('recorded Asterisk traces against the generated contract', () => {
  it('finds the traces', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });
  for (const file of files) {
    it(`${file}: every event, request and response matches the description`, () => {
      const lines = loadTrace<TraceLine>(file);
      const problems: string[] = [];
      for (const l of lines) {
        if (l.dir === 'event') {
          const r = checkEvent(l.event);
          if (!r.ok) problems.push(formatIssues(r));
          const p = parseAriEvent(l.event);
          if (!p.ok) problems.push(`schema: ${p.type} ${p.reason}`);
        } else if (l.dir === 'request') {
          const r = checkRequest(l.method ?? '', l.path ?? '', l.query, l.body);
          // errors.jsonl deliberately sends an originate without its endpoint.
          const deliberate =
            file === 'errors.jsonl' && r.issues.every((i) => i.where === 'query.endpoint');
          if (!r.ok && !deliberate) problems.push(formatIssues(r));
        } else {
          const r = checkResponse(l.method ?? '', l.path ?? '', l.status ?? 0, l.body);
          if (!r.ok) problems.push(formatIssues(r));
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
