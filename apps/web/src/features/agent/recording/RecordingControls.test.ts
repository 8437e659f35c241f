import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Campaign, RecordingChanged } from '@ringside/protocol';
import {
  agent,
  AGENT,
  callView,
  live,
  run,
  snapshot,
} from '../../../core/panel/fixtures.test-helper.js';
import type { PanelInput, PanelState } from '../../../core/panel/index.js';
import { LOCAL_SHORTCUTS, matchShortcut, SHORTCUTS } from '../../../core/shortcuts.js';
import { NEW_CAMPAIGN } from '../../admin/campaigns/settings.js';
import { PAUSE_KEY, RECORD_KEY, RecordingControls, toggleAction } from './RecordingControls.js';

const campaign = (over: Partial<Campaign> = {}): Campaign => ({
  ...NEW_CAMPAIGN,
  id: '1',
  name: 'Spring',
  script: '',
  ...over,
});

const rec = (state: RecordingChanged['state'], atMs: number): PanelInput => ({
  type: 'event',
  event: {
    type: 'recording.changed',
    callId: 'c1' as never,
    recordingId: '5',
    campaignId: '1' as never,
    agentId: AGENT as never,
    state,
    segment: 1,
    by: 'agent',
    error: null,
    atMs,
  },
});

const onCall = (...more: PanelInput[]): PanelState =>
  run([live, snapshot(agent('INCALL', { callId: 'c1' }), [callView('c1')]), ...more]).s;

const render = (state: PanelState, c: Campaign | null) =>
  renderToStaticMarkup(
    createElement(RecordingControls, { state, dispatch: () => undefined, campaign: c }),
  );

describe('the recording controls on the call', () => {
  it('recording: the red dot and REC, the sentence in a status region, Pause recording (Alt+U)', () => {
    const html = render(onCall(rec('recording', 2000)), campaign({ recordingMode: 'all' }));
    expect(html).toContain('data-recording="recording"');
    expect(html).toContain('REC</span>');
    expect(html).toContain(
      '<span role="status" aria-label="Recording state" class="sr-only">Recording this call.</span>',
    );
    expect(html).toMatch(/aria-keyshortcuts="Alt\+U"[^>]*>Pause recording<\/button>/);
    expect(html).not.toContain('>Record</button>');
  });

  it('paused: the Paused label with its time, and Resume recording', () => {
    const s = onCall(rec('recording', 2000), rec('paused', Date.now() - 65_000));
    const html = render(s, campaign({ recordingMode: 'all' }));
    expect(html).toContain('data-recording="paused"');
    expect(html).toMatch(/Paused 1:0[5-6]/);
    expect(html).toContain('>Resume recording</button>');
    expect(toggleAction(s)).toBe('resume');
  });

  it('a campaign that pauses through the API only: no toggle, the reason instead', () => {
    const html = render(
      onCall(rec('recording', 2000)),
      campaign({ recordingMode: 'all', recordingPauseApiOnly: true }),
    );
    expect(html).not.toContain('Pause recording');
    expect(html).toContain('through its payment integration only');
  });

  it('on demand, not recorded yet: Not recorded, and Record (Alt+C)', () => {
    const html = render(onCall(), campaign({ recordingMode: 'on_demand' }));
    expect(html).toContain('data-recording="none"');
    expect(html).toContain('Not recorded');
    expect(html).toMatch(/aria-keyshortcuts="Alt\+C"[^>]*>Record<\/button>/);
    expect(html).not.toContain('Pause recording');
  });

  it('a campaign that records nothing offers no Record button', () => {
    const html = render(onCall(), campaign({ recordingMode: 'none' }));
    expect(html).toContain('Not recorded');
    expect(html).not.toContain('>Record</button>');
  });

  it('a failed recording after the call says so', () => {
    const s = run([rec('failed', 9000)], onCall(rec('recording', 2000))).s;
    const html = render(s, campaign({ recordingMode: 'all' }));
    expect(html).toContain('data-recording="failed"');
    expect(html).toContain('Recording failed');
  });
});

describe('the recording shortcuts', () => {
  it('Alt+C and Alt+U are free of the panel shortcuts and listed in the help', () => {
    const taken = SHORTCUTS.map((s) => `Alt+${s.key.toUpperCase()}`);
    for (const k of [RECORD_KEY, PAUSE_KEY]) {
      expect(taken).not.toContain(k.label);
      const key = k.code.slice(3).toLowerCase();
      expect(
        matchShortcut({ key, code: k.code, altKey: true, ctrlKey: false, metaKey: false }),
      ).toBeNull();
      expect(LOCAL_SHORTCUTS.filter((s) => s.keys === k.label)).toHaveLength(1);
    }
  });
});
