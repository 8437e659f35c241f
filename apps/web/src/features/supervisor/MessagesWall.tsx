import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { RosterResponse } from '@ringside/protocol';
import { Announcement } from '../../app/ui.js';
import { clockTime, describeRecipient, lastId, unreadFromAgents } from '../agent/messages-model.js';
import {
  MessagesToggle,
  TALK_BADGE_STYLE,
  TalkComposer,
  TalkLiveRegion,
  TalkThread,
  talkPanelStyle,
  useTalkDraft,
} from '../talk/talk-ui.js';
import {
  chooseTarget,
  messagesFor,
  subscribeWall,
  targetKey,
  targetOfKey,
  wallFeed,
  wallSnapshot,
} from './messages-wall.js';

export { attachTalk } from './messages-wall.js';

const PANEL_STYLE = talkPanelStyle({ margin: '8px 0' });

/** The raised-hand marker: dark amber with white text (7:1), a 24 px target. */
const HAND_STYLE = {
  background: '#6e4800',
  color: '#fff',
  border: '1px solid #6e4800',
  borderRadius: 4,
  minHeight: 24,
  padding: '0 6px',
  marginLeft: 6,
  fontWeight: 700,
} as const;

const useWall = () => useSyncExternalStore(subscribeWall, wallSnapshot);

type Row = { agentId: string; name: string };

/**
 * The raised-hand marker of a row: shown while the agent's hand is up; pressing it acknowledges
 * (lowers) the hand and opens the agent's thread.
 */
export function HandMarker({ row }: { row: Row }) {
  const { talk } = useWall();
  const at = talk.hands.get(row.agentId);
  if (at === undefined) return null;
  return (
    <button
      type="button"
      style={HAND_STYLE}
      data-hand-raised={row.agentId}
      title={`Hand raised at ${clockTime(at)}`}
      aria-label={`Hand raised by ${row.name} at ${clockTime(at)}: acknowledge`}
      onClick={() => {
        wallFeed()?.client.sendTalk('talk.hand', { raised: false, agentId: row.agentId as never });
        chooseTarget({ kind: 'agent', agentId: row.agentId as never });
      }}
    >
      <span aria-hidden="true">✋</span> Hand
    </button>
  );
}

/** A row's "Message" button (with the agent's unread count): opens the agent's thread. */
export function MessageAgentButton({ row }: { row: Row }) {
  const { talk } = useWall();
  const unread = useMemo(() => unreadFromAgents(talk).get(row.agentId) ?? 0, [talk, row.agentId]);
  return (
    <button
      type="button"
      aria-label={`Message ${row.name}${unread ? ` (${unread} unread)` : ''}`}
      data-message-agent={row.agentId}
      onClick={() => chooseTarget({ kind: 'agent', agentId: row.agentId as never })}
    >
      Message{unread > 0 && <span style={TALK_BADGE_STYLE}>{unread}</span>}
    </button>
  );
}

/**
 * The supervisor's Messages panel: who has a hand up, unread messages from agents, and a composer
 * to one agent (chosen from its row), a team or a campaign, with that thread. A polite live region,
 * always in the page, announces agents' messages and raised hands.
 */
export function SupervisorMessages({ roster }: { roster: RosterResponse }) {
  const { talk, target, openRequest } = useWall();
  const [open, setOpen] = useState(false);
  const { draft, setDraft, error, sendDraft } = useTalkDraft(wallFeed());
  const [said, setSaid] = useState('');
  const box = useRef<HTMLTextAreaElement | null>(null);

  const names = useMemo(
    () => new Map(roster.agents.map((a) => [a.agentId, a.displayName])),
    [roster],
  );
  const campaignNames = useMemo(
    () => new Map(roster.campaigns.map((c) => [c.id, c.name])),
    [roster],
  );
  const teams = useMemo(
    () => [...new Set(roster.agents.flatMap((a) => (a.teamId ? [a.teamId] : [])))].sort(),
    [roster],
  );
  const nameOf = (id: string) => names.get(id) ?? `agent ${id}`;
  const recipientNames = { agent: nameOf, campaign: (id: string) => campaignNames.get(id) ?? id };
  const unread = useMemo(() => unreadFromAgents(talk), [talk]);
  const unreadTotal = [...unread.values()].reduce((a, b) => a + b, 0);
  const hands = [...talk.hands.entries()].sort((a, b) => a[1] - b[1]);
  const shown = useMemo(() => messagesFor(talk, target), [talk, target]);

  // A row asked for a thread: open and put the cursor in the box.
  useEffect(() => {
    if (openRequest === 0) return;
    setOpen(true);
    setTimeout(() => box.current?.focus(), 0);
  }, [openRequest]);

  // Announce what agents write and raise.
  const last = wallFeed()?.lastEvent ?? null;
  useEffect(() => {
    if (!last) return;
    if (last.type === 'talk.message' && last.message.fromRole === 'agent') {
      setSaid(`Message from ${nameOf(last.message.fromUserId)}: ${last.message.text}`);
    } else if (last.type === 'talk.hand' && last.raised) {
      setSaid(`${nameOf(last.agentId)} raised a hand.`);
    }
    // Only a new event is announced (nameOf changes with the roster, which must not repeat it).
  }, [last]);

  // Reading an agent's thread marks the agent's messages read.
  const threadAgent = target?.kind === 'agent' ? target.agentId : null;
  const newestFromAgent = threadAgent
    ? lastId(shown.filter((m) => m.fromUserId === threadAgent && m.readAtMs === null))
    : null;
  useEffect(() => {
    if (!open || !threadAgent || !newestFromAgent) return;
    wallFeed()?.client.sendTalk('talk.read', {
      upToId: newestFromAgent,
      agentId: threadAgent,
    });
  }, [open, threadAgent, newestFromAgent]);

  const send = () => {
    if (!target) return;
    sendDraft((text) => wallFeed()?.client.sendTalk('talk.send', { to: target, text }) ?? null);
  };

  return (
    <section aria-label="Messages" style={PANEL_STYLE} data-testid="sv-messages">
      <div className="sv-row-tools">
        <MessagesToggle open={open} onToggle={() => setOpen((o) => !o)} unread={unreadTotal} />{' '}
        {hands.length > 0 && (
          <span data-testid="sv-hands">
            <span aria-hidden="true">✋</span> {hands.length} hand{hands.length === 1 ? '' : 's'}{' '}
            raised: {hands.map(([id]) => nameOf(id)).join(', ')}
          </span>
        )}
      </div>
      <TalkLiveRegion said={said} testId="sv-talk-live" />
      {open && (
        <>
          <label>
            To{' '}
            <select
              value={targetKey(target)}
              onChange={(e) => {
                const t = targetOfKey(e.target.value);
                if (t) chooseTarget(t, false);
              }}
            >
              <option value="" disabled>
                choose an agent, team or campaign
              </option>
              <optgroup label="Agents">
                {roster.agents.map((a) => (
                  <option key={a.agentId} value={`agent:${a.agentId}`}>
                    {a.displayName}
                    {unread.get(a.agentId) ? ` (${unread.get(a.agentId)} unread)` : ''}
                    {talk.hands.has(a.agentId) ? ' ✋' : ''}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Teams">
                {teams.map((t) => (
                  <option key={t} value={`team:${t}`}>
                    team {t}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Campaigns">
                {roster.campaigns.map((c) => (
                  <option key={c.id} value={`campaign:${c.id}`}>
                    campaign {c.name}
                  </option>
                ))}
              </optgroup>
            </select>
          </label>
          <TalkThread
            messages={shown}
            label="Conversation"
            maxHeight={240}
            who={(m) => (m.fromRole === 'agent' ? nameOf(m.fromUserId) : m.fromName)}
            about={(m) => (
              <>
                {clockTime(m.sentAtMs)} · to {describeRecipient(m.to, recipientNames)}
                {m.to.kind === 'supervisors' && m.readAtMs === null && ' · new'}
                {m.to.kind === 'agent' && m.readAtMs !== null && ' · read'}
              </>
            )}
          />
          <TalkComposer
            label={<>Message{target ? ` to ${describeRecipient(target, recipientNames)}` : ''}</>}
            draft={draft}
            setDraft={setDraft}
            onSend={send}
            canSend={target !== null}
            boxRef={box}
          />
          {hands.length > 0 && (
            <ul aria-label="Raised hands">
              {hands.map(([id, at]) => (
                <li key={id}>
                  {nameOf(id)} raised a hand at {clockTime(at)}{' '}
                  <button
                    type="button"
                    onClick={() =>
                      wallFeed()?.client.sendTalk('talk.hand', {
                        raised: false,
                        agentId: id as never,
                      })
                    }
                  >
                    Acknowledge {nameOf(id)}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <Announcement message={error} role="alert" className="sv-notice" />
    </section>
  );
}
