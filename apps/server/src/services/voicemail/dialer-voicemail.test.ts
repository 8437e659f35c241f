import type { CallId, CampaignId, DomainEvent, LeadId } from '@ringside/protocol';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REVIEW_LISTEN_MS } from './amd-review.js';
import type { StoredDropPlan, VoicemailStore } from '../../ports/voicemail.js';
import { DialerVoicemail } from './dialer-voicemail.js';

/** Timers run by hand: `advance` fires what is due, in order. */
function manualTimers() {
  let now = 0;
  const due: { at: number; fn: () => void; live: boolean }[] = [];
  return {
    clock: { nowMs: () => now },
    timers: {
      after(ms: number, fn: () => void) {
        const t = { at: now + ms, fn, live: true };
        due.push(t);
        return () => void (t.live = false);
      },
    },
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = due.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        next.live = false;
        now = next.at;
        next.fn();
        await new Promise((r) => setImmediate(r));
      }
      now = end;
    },
  };
}

/** A mono 8 kHz 16-bit WAV of silence lasting `ms`. */
function wav(ms: number): Buffer {
  const data = (ms / 1000) * 16_000;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8_000, 24);
  b.writeUInt32LE(16_000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  return b;
}

const call = (n: number) => ({
  callId: `c-${n}` as CallId,
  campaignId: '7' as CampaignId,
  leadId: `${n}` as LeadId,
  serverId: 'pbx',
});

function rig(o: { pct: number; dnc?: boolean; media?: string | null }) {
  const t = manualTimers();
  const ops: string[] = [];
  const events: DomainEvent[] = [];
  const hangups: string[] = [];
  const rows: string[] = [];
  let playing: string | null = null;
  const plan: StoredDropPlan = {
    wait: 'none',
    maxWaitMs: 30_000,
    noBeepAction: 'leave',
    media: o.media === null ? null : (o.media ?? 'sound:http://api/media/vm/x.wav'),
    messageId: '3',
    messageMs: 4_000,
    amdReviewPct: o.pct,
  };
  const store: VoicemailStore = {
    plan: async () => plan,
    recordOutcome: async (c, x) => void rows.push(`${c}:${x}`),
    mayRecord: async () => !o.dnc,
    started: async (x) => {
      rows.push(`started:${x.callId}:${x.name}`);
      return '41';
    },
    ended: async (id, _atMs, recordedMs) => void rows.push(`ended:${id}:${recordedMs}`),
  };
  const vm = new DialerVoicemail({
    store,
    publish: async (e) => void events.push(e),
    ari: () => ({
      setVariable: async (ch, v, val) => void ops.push(`var ${ch} ${v}=${val}`),
      playOnChannel: async (ch, media) => {
        ops.push(`play ${ch} ${String(media)}`);
        playing = ch;
      },
      getPlayback: async () => ({ state: playing ? 'playing' : 'done' }),
      recordChannel: async (ch, r) => void ops.push(`record ${ch} ${r.name}`),
      getStoredRecordingFile: async () => wav(2_500),
    }),
    clock: t.clock,
    timers: t.timers,
    logger: pino({ level: 'silent' }),
    hangup: async (id) => void hangups.push(id),
  });
  return {
    vm,
    t,
    ops,
    events,
    hangups,
    rows,
    stopPlaying: () => void (playing = null),
  };
}

describe('DialerVoicemail', () => {
  it('records a sampled verdict on its channel as rec-<callId>-1 and closes it pending at the end', async () => {
    const r = rig({ pct: 100 });
    await r.vm.review(call(1));
    expect(r.ops).toEqual(['record c-1 rec-c-1-1']);
    expect(r.rows).toEqual(['started:c-1:rec-c-1-1']);
    await r.vm.ended(call(1), 9_000);
    // bridged_ms is the stored file's length, as the storage mover will measure it.
    expect(r.rows).toContain('ended:41:2500');
    expect(r.events.map((e) => (e.type === 'recording.changed' ? e.state : e.type))).toEqual([
      'recording',
      'pending',
    ]);
  });

  it('never records a verdict the share does not pick, or a lead on DNC', async () => {
    const none = rig({ pct: 0 });
    await none.vm.review(call(2));
    const dnc = rig({ pct: 100, dnc: true });
    await dnc.vm.review(call(3));
    for (const x of [none, dnc]) {
      expect(x.ops).toEqual([]);
      expect(x.rows).toEqual([]);
      expect(x.events).toEqual([]);
    }
  });

  it('holds a sampled hang-up once for the review listen time, never one after a drop', async () => {
    const r = rig({ pct: 100 });
    await r.vm.review(call(4));
    expect(r.vm.holdMs('c-4' as CallId)).toBe(REVIEW_LISTEN_MS);
    expect(r.vm.holdMs('c-4' as CallId)).toBe(0);
    await r.vm.review(call(5));
    await r.vm.drop(call(5));
    expect(r.vm.holdMs('c-5' as CallId)).toBe(0);
    // Not recorded: nothing to hold for.
    expect(rig({ pct: 0 }).vm.holdMs('c-6' as CallId)).toBe(0);
  });

  it('plays the message, hangs up when it is over and gives the lead its outcome', async () => {
    const r = rig({ pct: 0 });
    expect(await r.vm.drop(call(7))).toBe(true);
    expect(r.ops).toEqual(['play c-7 sound:http://api/media/vm/x.wav']);
    await r.t.advance(3_000);
    expect(r.hangups).toEqual([]);
    r.stopPlaying();
    await r.t.advance(1_500);
    expect(r.hangups).toEqual(['c-7']);
    expect(r.rows).toEqual(['c-7:VM_LEFT']);
    expect(await r.vm.ended(call(7), 5_000)).toBe('VM_LEFT');
    expect(r.events.filter((e) => e.type === 'call.voicemail')).toHaveLength(1);
  });

  it('a playback over before the message could have played is VM_FAILED', async () => {
    const r = rig({ pct: 0 });
    await r.vm.drop(call(8));
    r.stopPlaying();
    await r.t.advance(1_000);
    expect(r.rows).toEqual(['c-8:VM_FAILED']);
  });

  it('does not start without a message (the dialer hangs up)', async () => {
    const r = rig({ pct: 0, media: null });
    expect(await r.vm.drop(call(9))).toBe(false);
    expect(r.ops).toEqual([]);
  });
});
