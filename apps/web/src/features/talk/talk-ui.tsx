import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { TALK_TEXT_MAX, type TalkMessage, type WsErrorData } from '@ringside/protocol';

/**
 * What the agent's Messages panel and the supervisor's share (issue 17, point 7): the composer's
 * state with its messages in flight, the Messages toggle with its unread badge, the thread list,
 * the composer and the live region. Each panel keeps what is its own (who it writes to, what it
 * announces, how a line is headed).
 */

export const TALK_BADGE_STYLE = {
  background: '#9c1f18',
  color: '#fff',
  borderRadius: 10,
  padding: '0 7px',
  marginLeft: 6,
  fontWeight: 700,
} as const;

const VISUALLY_HIDDEN = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;

/** The panel's frame; `margin` is the CSS margin shorthand the host page wants around it. */
export const talkPanelStyle = (margin: { marginBottom: number } | { margin: string }) =>
  ({
    background: '#fff',
    border: '1px solid #8a94a3',
    borderRadius: 6,
    padding: 8,
    ...margin,
  }) as const;

/** Where refused messages come back from: a talk feed (null while there is none yet). */
export interface TalkErrors {
  onError(listener: (e: WsErrorData) => void): () => void;
}

const NOT_CONNECTED = 'Not connected: your message is kept; send it again when connected.';

/**
 * The composer's draft and error, and the frames in flight by seq: a frame the server refuses
 * brings its text back to an empty box, with the reason. `track` records a frame just sent
 * (text '' for one with nothing to restore) and says whether it went out.
 */
export function useTalkDraft(feed: TalkErrors | null) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const pending = useRef(new Map<number, string>());

  useEffect(() => {
    if (!feed) return;
    return feed.onError((e) => {
      if (e.replyTo === null || !pending.current.has(e.replyTo)) return;
      const text = pending.current.get(e.replyTo) ?? '';
      pending.current.delete(e.replyTo);
      if (text) setDraft((d) => d || text);
      setError(e.message);
    });
  }, [feed]);

  const track = (seq: number | null, text: string, whenOffline: string): boolean => {
    if (seq === null) {
      setError(whenOffline);
      return false;
    }
    pending.current.set(seq, text);
    return true;
  };

  /** Sends the trimmed draft with `sendText` (null: not connected); the box empties once sent. */
  const sendDraft = (sendText: (text: string) => number | null) => {
    const text = draft.trim();
    if (!text) return;
    if (!track(sendText(text), text, NOT_CONNECTED)) return;
    setDraft('');
    setError(null);
  };

  return { draft, setDraft, error, setError, track, sendDraft };
}

/** The Messages toggle with its unread badge (the count is also said in words). */
export function MessagesToggle(props: { open: boolean; onToggle: () => void; unread: number }) {
  return (
    <button type="button" aria-expanded={props.open} onClick={props.onToggle}>
      Messages
      {props.unread > 0 && (
        <span style={TALK_BADGE_STYLE} data-unread={props.unread}>
          {props.unread}
          <span style={VISUALLY_HIDDEN}> unread</span>
        </span>
      )}
    </button>
  );
}

/** The polite live region, always in the page, that announces what arrives. */
export function TalkLiveRegion(props: { said: string; testId: string }) {
  return (
    <div role="status" aria-live="polite" style={VISUALLY_HIDDEN} data-testid={props.testId}>
      {props.said}
    </div>
  );
}

/**
 * A thread, oldest first, kept scrolled to the newest line: each line the sender (`who`), a small
 * heading (`about`: the time and more) and the text, rendered as text.
 */
export function TalkThread(props: {
  messages: readonly TalkMessage[];
  label: string;
  maxHeight: number;
  who: (m: TalkMessage) => ReactNode;
  about: (m: TalkMessage) => ReactNode;
}) {
  const listRef = useRef<HTMLOListElement | null>(null);
  useEffect(() => {
    if (listRef.current) listRef.current.scrollTop = listRef.current.scrollHeight;
  }, [props.messages.length]);
  return (
    <ol
      style={{
        listStyle: 'none',
        margin: '8px 0',
        padding: 0,
        maxHeight: props.maxHeight,
        overflowY: 'auto',
      }}
      ref={listRef}
      aria-label={props.label}
    >
      {props.messages.length === 0 && <li>No messages yet.</li>}
      {props.messages.map((m) => (
        <li key={m.id} data-message-id={m.id} style={{ marginBottom: 6 }}>
          <strong>{props.who(m)}</strong> <small>{props.about(m)}</small>
          <div style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{m.text}</div>
        </li>
      ))}
    </ol>
  );
}

/**
 * The composer: a labelled box (Enter sends, Shift+Enter breaks the line), its count and Send.
 * `footerClass`: the count and the button in a div of that class (the desk's row), else inline.
 */
export function TalkComposer(props: {
  label: ReactNode;
  draft: string;
  setDraft: (text: string) => void;
  onSend: () => void;
  canSend: boolean;
  boxRef?: RefObject<HTMLTextAreaElement | null>;
  footerClass?: string;
}) {
  const { draft, onSend } = props;
  const footer = (
    <>
      <small>
        {draft.length}/{TALK_TEXT_MAX}
      </small>{' '}
      <button type="submit" disabled={!props.canSend || draft.trim().length === 0}>
        Send
      </button>
    </>
  );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSend();
      }}
    >
      <label>
        {props.label}
        <textarea
          ref={props.boxRef}
          value={draft}
          maxLength={TALK_TEXT_MAX}
          rows={2}
          style={{ display: 'block', width: '100%', boxSizing: 'border-box' }}
          onChange={(e) => props.setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              onSend();
            }
          }}
        />
      </label>
      {props.footerClass ? <div className={props.footerClass}>{footer}</div> : footer}
    </form>
  );
}
