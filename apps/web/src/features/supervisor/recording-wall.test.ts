import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type {
  AgentStatusView,
  DomainEvent,
  LiveCallView,
  RecordingBacklog,
  RecordingChanged,
} from '@ringside/protocol';
import {
  ageText,
  applyEvent,
  applyEvents,
  applySnapshot,
  backlogTile,
  dismissFault,
  emptyDashboard,
  faultText,
  MAX_FAULTS,
  rows,
  type DashboardState,
  type Roster,
} from './model.js';
import { BacklogTile, RecMarker, RecordingFaults } from './RecordingWall.js';

const agent = (id: string, over: Partial<AgentStatusView> = {}): AgentStatusView => ({
  agentId: id,
  state: 'INCALL',
  sinceMs: 1_000,
  campaignId: '1',
  callId: `c${id}`,
  pauseCode: null,
  ...over,
});

const call = (id: string, agentId: string): LiveCallView => ({
  callId: id,
  campaignId: '1',
  leadId: '9',
  listId: '3',
  phone: '+14155550123',
  stage: 'BRIDGED',
  agentId,
  manual: false,
  attempt: 1,
  originatedAtMs: 0,
  answeredAtMs: 0,
  bridgedAtMs: 0,
  endedAtMs: null,
});

const rec = (
  callId: string,
  state: RecordingChanged['state'],
  atMs: number,
  over: Partial<RecordingChanged> = {},
): RecordingChanged => ({
  type: 'recording.changed',
  callId: callId as never,
  recordingId: callId.replace(/\D/g, '') || '1',
  campaignId: '1' as never,
  agentId: callId.replace(/\D/g, '') as never,
  state,
  segment: 1,
  by: 'system',
  error: null,
  atMs,
  ...over,
});

const backlog = (over: Partial<RecordingBacklog> = {}): RecordingBacklog => ({
  type: 'recording.backlog',
  pending: 0,
  oldestMs: 0,
  storageOk: true,
  lastError: null,
  atMs: 1,
  ...over,
});

const roster: Roster = {
  agents: [
    { agentId: '11', displayName: 'Zoe', teamId: null, callsToday: 0 },
    { agentId: '12', displayName: 'Adam', teamId: null, callsToday: 0 },
  ],
  campaigns: [
    { id: '1', name: 'Spring', dialMethod: 'ratio', dialLevel: 2, dropRateCapPct: 3, drops: null },
  ],
};
const q = { campaignId: null, teamId: null, sort: 'name' as const, descending: false };

function wall(): DashboardState {
  return applySnapshot(emptyDashboard, {
    scope: 'supervisor',
    reason: 'subscribe',
    agent: null,
    agents: [agent('11'), agent('12')],
    calls: [call('c11', '11'), call('c12', '12')],
  });
}

const markOf = (s: DashboardState, agentId: string) =>
  rows(s, roster, q).find((r) => r.agentId === agentId)?.recording ?? null;

describe('recordings on the wall', () => {
  it("marks the agent's row REC, then PAUSED, then nothing once the segment stops", () => {
    let s = applyEvent(wall(), rec('c11', 'recording', 10));
    expect(markOf(s, '11')).toBe('recording');
    expect(markOf(s, '12')).toBeNull();
    s = applyEvent(s, rec('c11', 'paused', 20, { by: 'agent' }));
    expect(markOf(s, '11')).toBe('paused');
    s = applyEvent(s, rec('c11', 'stopped', 30));
    expect(markOf(s, '11')).toBeNull();
  });

  it('applies the same way in a batch (one frame), and ignores an older event', () => {
    const s = applyEvents(wall(), [
      rec('c11', 'recording', 10),
      rec('c12', 'paused', 10),
      rec('c12', 'recording', 5),
    ]);
    expect(markOf(s, '11')).toBe('recording');
    expect(markOf(s, '12')).toBe('paused');
  });

  it("shows only the agent's own segment: after a transfer the row of the first agent is clear", () => {
    const s = applyEvent(wall(), rec('c11', 'recording', 10, { agentId: '12' as never }));
    expect(markOf(s, '11')).toBeNull();
  });

  it('the call ending clears the marker even without a stopped event', () => {
    const s1 = applyEvent(wall(), rec('c11', 'recording', 10));
    const ended: DomainEvent = {
      type: 'call.ended',
      callId: 'c11' as never,
      campaignId: '1' as never,
      leadId: '9' as never,
      outcome: 'HUMAN',
      hangupCause: 16,
      agentId: '11' as never,
      atMs: 40,
    };
    const s2 = applyEvent(s1, ended);
    expect(s2.recordings.has('c11')).toBe(false);
  });

  it("a snapshot keeps the markers of calls still live and drops the others'", () => {
    const s1 = applyEvents(wall(), [rec('c11', 'recording', 10), rec('c12', 'recording', 10)]);
    const s2 = applySnapshot(s1, {
      scope: 'supervisor',
      reason: 'gap',
      agent: null,
      agents: [agent('11')],
      calls: [call('c11', '11')],
    });
    expect([...s2.recordings.keys()]).toEqual(['c11']);
  });

  it('a wall opened mid-call marks the rows from the recordings the snapshot carries', () => {
    const s = applySnapshot(emptyDashboard, {
      scope: 'supervisor',
      reason: 'subscribe',
      agent: null,
      agents: [agent('11'), agent('12')],
      calls: [call('c11', '11'), call('c12', '12')],
      recordings: [rec('c11', 'paused', 10, { by: 'agent' })],
    });
    expect(markOf(s, '11')).toBe('paused');
    expect(markOf(s, '12')).toBeNull();
  });

  it('a failed or mismatched recording becomes a notice, once per recording, until dismissed', () => {
    let s = applyEvent(wall(), rec('c11', 'recording', 10));
    s = applyEvent(s, rec('c11', 'failed', 50, { agentId: null, error: 'no_stored_file' }));
    expect(markOf(s, '11')).toBeNull();
    s = applyEvent(s, rec('c12', 'mismatch', 60, { error: 'length 12.0 s, bridged 15.2 s' }));
    s = applyEvent(s, rec('c11', 'failed', 70, { agentId: null, error: 'no_stored_file' }));
    expect(s.recordingFaults.map((f) => [f.recordingId, f.state])).toEqual([
      ['11', 'failed'],
      ['12', 'mismatch'],
    ]);
    expect(faultText(s.recordingFaults[1]!, roster)).toBe(
      "Recording does not match its call: the file's length differs from the call's (kept, flagged) (call c12, Adam, campaign Spring): length 12.0 s, bridged 15.2 s.",
    );
    expect(faultText(s.recordingFaults[0]!, roster)).toMatch(
      /^Recording failed: the phone system produced no file \(call c11, campaign Spring\)/,
    );
    s = dismissFault(s, '11');
    expect(s.recordingFaults.map((f) => f.recordingId)).toEqual(['12']);
    expect(dismissFault(s, 'nope')).toBe(s);
  });

  it(`keeps the newest ${MAX_FAULTS} notices`, () => {
    let s = wall();
    for (let i = 1; i <= MAX_FAULTS + 5; i++) {
      s = applyEvent(s, rec(`c${i}`, 'failed', i, { recordingId: String(i), agentId: null }));
    }
    expect(s.recordingFaults).toHaveLength(MAX_FAULTS);
    expect(s.recordingFaults[0]?.recordingId).toBe(String(MAX_FAULTS + 5));
  });

  it('the backlog tile: hidden when nothing waits and storage is fine, else what waits', () => {
    expect(backlogTile(null)).toBeNull();
    expect(backlogTile(backlog())).toBeNull();
    expect(backlogTile(backlog({ pending: 3, oldestMs: 7 * 60_000 + 5_000 }))).toEqual({
      text: 'Recordings: 3 waiting to be stored, oldest 7m',
      severity: 'warn',
      detail: null,
    });
    expect(
      backlogTile(
        backlog({ pending: 1200, oldestMs: 45_000, storageOk: false, lastError: 'ENOSPC' }),
      ),
    ).toEqual({
      text: 'Recordings: 1,200 waiting to be stored, oldest 45s, storage down',
      severity: 'alert',
      detail: 'ENOSPC',
    });
    expect(backlogTile(backlog({ storageOk: false }))?.text).toBe(
      'Recordings: 0 waiting to be stored, storage down',
    );
    const s = applyEvent(wall(), backlog({ pending: 2, oldestMs: 1000 }));
    expect(s.backlog?.pending).toBe(2);
  });

  it('ages read in seconds, minutes, then hours and minutes', () => {
    expect(ageText(59_999)).toBe('59s');
    expect(ageText(60_000)).toBe('1m');
    expect(ageText(3 * 3600_000 + 5 * 60_000)).toBe('3h 5m');
  });
});

describe('the recording parts of the wall, rendered', () => {
  const html = (el: Parameters<typeof renderToStaticMarkup>[0]) => renderToStaticMarkup(el);

  it('the marker says REC or PAUSED in words, and nothing without a recording', () => {
    expect(html(createElement(RecMarker, { row: { recording: 'recording' } }))).toContain(
      '>REC<span class="sr-only"> (call being recorded)</span>',
    );
    expect(html(createElement(RecMarker, { row: { recording: 'paused' } }))).toContain('PAUSED');
    expect(html(createElement(RecMarker, { row: { recording: null } }))).toBe('');
  });

  it('the backlog tile stays an empty status region until something waits', () => {
    const quiet = html(createElement(BacklogTile, { backlog: backlog() }));
    expect(quiet).toBe(
      '<span role="status" aria-label="Recordings backlog" class="sv-backlog-region"></span>',
    );
    const down = html(
      createElement(BacklogTile, { backlog: backlog({ pending: 4, storageOk: false }) }),
    );
    expect(down).toContain('data-severity="alert"');
    expect(down).toContain('Recordings: 4 waiting to be stored, oldest 0s, storage down');
  });

  it('each problem has its Dismiss button naming the call', () => {
    const s = applyEvent(wall(), rec('c12', 'failed', 5, { error: 'no_stored_file' }));
    const out = html(
      createElement(RecordingFaults, {
        faults: s.recordingFaults,
        roster,
        onDismiss: () => undefined,
      }),
    );
    expect(out).toContain('aria-label="Dismiss the recording problem of call c12"');
    expect(out).toContain('data-state="failed"');
    expect(out).toContain('Recording failed: the phone system produced no file (call c12, Adam');
  });
});
