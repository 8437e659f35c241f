import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Me } from '@ringside/protocol';
import { Announcement } from '../../app/ui.js';
import type { RealtimeClient } from '../../core/realtime.js';
import { matchShortcut } from '../../core/shortcuts.js';
import {
  MessagesToggle,
  TalkComposer,
  TalkLiveRegion,
  TalkThread,
  talkPanelStyle,
  useTalkDraft,
} from '../talk/talk-ui.js';
import {
  announce,
  clockTime,
  describeRecipient,
  lastId,
  unreadForAgent,
} from './messages-model.js';
import { feedFor } from './messages-store.js';

const PANEL_STYLE = talkPanelStyle({ marginBottom: 8 });
const HAND_UP_STYLE = { background: '#6e4800', color: '#fff', borderColor: '#6e4800' } as const;

/**
 * The agent's Messages panel (issue 17, point 7): the thread with the supervisors (messages to
 * the agent, its team and its campaign, and its own), an unread badge, a composer to the
 * supervisors, and the "Raise hand" toggle (Alt+Q). Everything goes over the panel's WebSocket;
 * text is rendered as text, never HTML. New messages are announced in a polite live region that
 * is always in the page.
 */
export function AgentMessages({ realtime, me }: { realtime: RealtimeClient; me: Me }) {
  const feed = useMemo(() => feedFor(realtime), [realtime]);
  const talk = useSyncExternalStore(feed.subscribe, feed.snapshot);
  const [open, setOpen] = useState(false);
  const { draft, setDraft, error, track, sendDraft } = useTalkDraft(feed);
  const [said, setSaid] = useState('');
  const handRaised = talk.hands.has(me.id);
  const unread = unreadForAgent(talk, me.id);

  // The live region: a new message from someone else, or the supervisor acknowledging the hand.
  const last = feed.lastEvent;
  useEffect(() => {
    if (!last) return;
    if (last.type === 'talk.message') {
      const text = announce(last.message, me.id);
      if (text) setSaid(text);
    } else if (last.type === 'talk.hand' && last.agentId === me.id && last.by === 'supervisor') {
      setSaid('A supervisor acknowledged your raised hand.');
    }
  }, [last, me.id]);

  // Open: what is shown is read.
  const newestUnread = lastId(unread);
  useEffect(() => {
    if (!open || !newestUnread) return;
    realtime.sendTalk('talk.read', { upToId: newestUnread });
  }, [open, newestUnread, realtime]);

  const toggleHand = () => {
    const seq = realtime.sendTalk('talk.hand', { raised: !handRaised });
    track(seq, '', 'Not connected: try again in a moment.');
  };
  const toggleRef = useRef(toggleHand);
  toggleRef.current = toggleHand;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (matchShortcut(e) === 'hand') toggleRef.current();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  const send = () =>
    sendDraft((text) => realtime.sendTalk('talk.send', { to: { kind: 'supervisors' }, text }));

  return (
    <section aria-label="Messages" style={PANEL_STYLE} data-testid="agent-messages">
      <div className="row">
        <MessagesToggle open={open} onToggle={() => setOpen((o) => !o)} unread={unread.length} />{' '}
        <button
          type="button"
          aria-pressed={handRaised}
          aria-keyshortcuts="Alt+Q"
          onClick={toggleHand}
          style={handRaised ? HAND_UP_STYLE : undefined}
          data-hand={handRaised ? 'raised' : 'down'}
        >
          {/* One name whether up or down (aria-pressed says which), so speech input finds it. */}
          {handRaised && <span aria-hidden="true">✋ </span>}
          Raise hand
        </button>
      </div>
      <TalkLiveRegion said={said} testId="talk-live" />
      {open && (
        <>
          <TalkThread
            messages={talk.messages}
            label="Conversation with the supervisors"
            maxHeight={220}
            who={(m) => (m.fromUserId === me.id ? 'You' : m.fromName)}
            about={(m) => (
              <>
                {clockTime(m.sentAtMs)}
                {m.to.kind !== 'agent' && ` · to ${describeRecipient(m.to)}`}
                {m.fromUserId !== me.id && m.readAtMs === null && ' · new'}
              </>
            )}
          />
          <TalkComposer
            label="Message to the supervisors"
            draft={draft}
            setDraft={setDraft}
            onSend={send}
            canSend
            footerClass="row"
          />
        </>
      )}
      <Announcement message={error} role="alert" className="notice error" />
    </section>
  );
}
