/** parseAriEvent on the recording and talk-detection events, as Asterisk 22 sends them. */
import { describe, expect, it } from 'vitest';
import { checkEvent, formatIssues } from './contract.js';
import { parseAriEvent } from './parse-event.js';

const channel = {
  id: 'call-1',
  name: 'Local/5551230005@sim-customers-00000001;1',
  state: 'Up',
  protocol_id: '',
  caller: { name: '', number: '' },
  connected: { name: '', number: '' },
  accountcode: '',
  dialplan: {
    context: 'dialer-outbound',
    exten: 's',
    priority: 3,
    app_name: 'Stasis',
    app_data: 'dialer,amd',
  },
  creationtime: '2026-11-24T20:27:24.272+0000',
  language: 'en',
};
const base = {
  timestamp: '2026-11-24T20:27:40.001+0000',
  asterisk_id: '02:fc:00:00:00:01',
  application: 'dialer',
};

describe('parseAriEvent: recordings and talk detection', () => {
  it('types RecordingStarted, RecordingFinished and RecordingFailed with their LiveRecording', () => {
    const started = {
      type: 'RecordingStarted',
      ...base,
      recording: { name: 'rec-c1-1', format: 'wav', state: 'recording', target_uri: 'bridge:br-1' },
    };
    const finished = {
      type: 'RecordingFinished',
      ...base,
      recording: {
        name: 'rec-c1-1',
        format: 'wav',
        state: 'done',
        target_uri: 'bridge:br-1',
        duration: 61,
      },
    };
    const failed = {
      type: 'RecordingFailed',
      ...base,
      recording: {
        name: 'rec-c1-2',
        format: 'wav',
        state: 'failed',
        target_uri: 'channel:call-1',
        cause: 'Cannot record channel while in bridge',
      },
    };
    for (const e of [started, finished, failed]) {
      const c = checkEvent(e);
      expect(c.ok, formatIssues(c)).toBe(true);
    }
    const r = parseAriEvent(finished);
    expect(r.ok).toBe(true);
    if (!r.ok || r.event.type !== 'RecordingFinished') throw new Error('not typed');
    expect(r.event.recording.duration).toBe(61);
    const f = parseAriEvent(failed);
    if (!f.ok || f.event.type !== 'RecordingFailed') throw new Error('not typed');
    expect(f.event.recording.cause).toBe('Cannot record channel while in bridge');
  });

  it('types ChannelTalkingStarted and ChannelTalkingFinished (duration in ms)', () => {
    const s = parseAriEvent({ type: 'ChannelTalkingStarted', ...base, channel });
    expect(s.ok && s.event.type).toBe('ChannelTalkingStarted');
    const f = parseAriEvent({ type: 'ChannelTalkingFinished', ...base, channel, duration: 8620 });
    if (!f.ok || f.event.type !== 'ChannelTalkingFinished') throw new Error('not typed');
    expect(f.event.duration).toBe(8620);
  });

  it('refuses a recording event without its recording or with an unknown state, naming the field only', () => {
    expect(parseAriEvent({ type: 'RecordingFinished', ...base })).toMatchObject({
      ok: false,
      type: 'RecordingFinished',
    });
    const bad = parseAriEvent({
      type: 'RecordingStarted',
      ...base,
      recording: { name: 'x', format: 'wav', state: 'rolling', target_uri: 'bridge:b' },
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.reason).toContain('recording.state');
    expect(bad.reason).not.toContain('rolling');
  });
});
