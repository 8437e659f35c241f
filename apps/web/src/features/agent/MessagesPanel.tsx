import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { TALK_TEXT_MAX, type Me } from '@ringside/protocol';
import type { RealtimeClient } from '../../core/realtime.js';
import { matchShortcut } from '../../core/shortcuts.js';
import {
  announce,
  clockTime,
  describeRecipient,
  lastId,
  unreadForAgent,
} from './messages-model.js';
import { feedFor } from './messages-store.js';

const PANEL_STYLE = {
  background: '#fff',
  border: '1px solid #8a94a3',
  borderRadius: 6,
  padding: 8,
  marginBottom: 8,
} as const;
const BADGE_STYLE = {
  background: '#9c1f18',
  color: '#fff',
  borderRadius: 10,
  padding: '0 7px',
  marginLeft: 6,
  fontWeight: 700,
} as const;
const HAND_UP_STYLE = { background: '#6e4800', color: '#fff', borderColor: '#6e4800' } as const;
const LIST_STYLE = {
  listStyle: 'none',
  margin: '8px 0',
  padding: 0,
  maxHeight: 220,
  overflowY: 'auto',
} as const;
const VISUALLY_HIDDEN = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;

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
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [said, setSaid] = useState('');
  const pending = useRef(new Map<number, string>());
  const handRaised = talk.hands.has(me.id);
  const unread = unreadForAgent(talk, me.id);
  const listRef = useRef<HTMLOListElement | null>(null);

  // A refused message comes back: its text returns to the box with the reason.
  useEffect(
    () =>
      feed.onError((e) => {
        if (e.replyTo === null || !pending.current.has(e.replyTo)) return;
        const text = pending.current.get(e.replyTo) ?? '';
        pending.current.delete(e.replyTo);
        if (text) setDraft((d) => d || text);
        setError(e.message);
      }),
    [feed],
  );

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
  useEffect(() => {
    if (open && listRef.current) listRef.current.scrollTop = listRef.current.scrollHeight;
  }, [open, talk.messages.length]);

  const toggleHand = () => {
    const seq = realtime.sendTalk('talk.hand', { raised: !handRaised });
    if (seq === null) setError('Not connected: try again in a moment.');
    else pending.current.set(seq, '');
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

  const send = () => {
    const text = draft.trim();
    if (!text) return;
    const seq = realtime.sendTalk('talk.send', { to: { kind: 'supervisors' }, text });
    if (seq === null) {
      setError('Not connected: your message is kept; send it again when connected.');
      return;
    }
    pending.current.set(seq, text);
    setDraft('');
    setError(null);
  };

  return (
    <section aria-label="Messages" style={PANEL_STYLE} data-testid="agent-messages">
      <div className="row">
        <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          Messages
          {unread.length > 0 && (
            <span style={BADGE_STYLE} data-unread={unread.length}>
              {unread.length}
              <span style={VISUALLY_HIDDEN}> unread</span>
            </span>
          )}
        </button>{' '}
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
      <div role="status" aria-live="polite" style={VISUALLY_HIDDEN} data-testid="talk-live">
        {said}
      </div>
      {open && (
        <>
          <ol style={LIST_STYLE} ref={listRef} aria-label="Conversation with the supervisors">
            {talk.messages.length === 0 && <li>No messages yet.</li>}
            {talk.messages.map((m) => (
              <li key={m.id} data-message-id={m.id} style={{ marginBottom: 6 }}>
                <strong>{m.fromUserId === me.id ? 'You' : m.fromName}</strong>{' '}
                <small>
                  {clockTime(m.sentAtMs)}
                  {m.to.kind !== 'agent' && ` · to ${describeRecipient(m.to)}`}
                  {m.fromUserId !== me.id && m.readAtMs === null && ' · new'}
                </small>
                <div style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{m.text}</div>
              </li>
            ))}
          </ol>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              send();
            }}
          >
            <label>
              Message to the supervisors
              <textarea
                value={draft}
                maxLength={TALK_TEXT_MAX}
                rows={2}
                style={{ display: 'block', width: '100%', boxSizing: 'border-box' }}
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey) {
                    e.preventDefault();
                    send();
                  }
                }}
              />
            </label>
            <div className="row">
              <small>
                {draft.length}/{TALK_TEXT_MAX}
              </small>{' '}
              <button type="submit" disabled={draft.trim().length === 0}>
                Send
              </button>
            </div>
          </form>
        </>
      )}
      {error && (
        <p role="alert" className="notice error">
          {error}
        </p>
      )}
    </section>
  );
}
