import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LiveCallView } from '@ringside/protocol';
import { initialPanel, reduce } from '../../core/panel.js';
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
    const view: LiveCallView = {
      callId: 'c1',
      campaignId: '7',
      leadId: '9',
      listId: '3',
      phone: '+12125550100',
      stage: 'BRIDGED',
      agentId: '1',
      manual: false,
      attempt: 1,
      originatedAtMs: 0,
      answeredAtMs: 1,
      bridgedAtMs: 2,
      endedAtMs: null,
      amdResult: 'MACHINE',
    };
    const call = {
      callId: 'c1',
      leadId: null,
      campaignId: null,
      phone: null,
      stage: null,
      manual: false,
      bridgedAtMs: null,
      endedAtMs: null,
      outcome: null,
      endedBy: null,
    };
    const r = reduce({ ...initialPanel, call }, { type: 'call_loaded', call: view });
    expect(r.state.call?.amdResult).toBe('MACHINE');
  });
});
