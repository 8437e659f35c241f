import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { callView } from '../../core/panel/fixtures.test-helper.js';
import { initialPanel, newCall, reduce } from '../../core/panel/index.js';
import { AmdMarks } from './AmdMarks.js';

describe('the AMD audit on the call screen', () => {
  it('offers "a person" and "a machine" for a machine verdict sent to the agent', () => {
    const api = { amdMark: async () => ({ ok: true as const, result: 'counted' as const }) };
    const html = renderToStaticMarkup(createElement(AmdMarks, { api, callId: 'c1' }));
    expect(html).toContain('judged this call a machine');
    expect(html).toContain('>A person</button>');
    expect(html).toContain('>A machine</button>');
  });

  it("keeps the call's AMD verdict from the loaded call", () => {
    const view = callView('c1', { amdResult: 'MACHINE' });
    const call = newCall('c1');
    const r = reduce({ ...initialPanel, call }, { type: 'call_loaded', call: view });
    expect(r.state.call?.amdResult).toBe('MACHINE');
  });
});
