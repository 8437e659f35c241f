import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { AgentState, TransferTargetAgent } from '@ringside/protocol';
import { refusalMessage, type ApiClient } from '../../core/api.js';

/** What each state means to an agent choosing whom to transfer a call to. */
const STATE_LABEL: Record<AgentState, string> = {
  LOGGED_OUT: 'Logged out',
  READY: 'Ready',
  PAUSED: 'Paused',
  RESERVED: 'Taking a call',
  INCALL: 'On a call',
  DEAD: 'Finishing a call',
  WRAPUP: 'Wrap-up',
};

/** The state an option shows; a READY agent without its phone cannot take a transfer either. */
export function targetStatus(a: TransferTargetAgent): string {
  return a.state === 'READY' && !a.available ? 'Ready, phone not connected' : STATE_LABEL[a.state];
}

/** The number as +E.164 once spaces, dashes, dots and brackets are removed; null if it is not. */
export function externalNumber(text: string): string | null {
  const n = text.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(n) ? n : null;
}

const LIST_STYLE = {
  listStyle: 'none',
  margin: '4px 0 0',
  padding: 0,
  border: '1px solid #888',
  borderRadius: 4,
  maxHeight: 240,
  overflowY: 'auto',
  position: 'absolute',
  top: '100%',
  left: 0,
  zIndex: 10,
  minWidth: 280,
  background: '#fff',
} as const;
const OPTION_STYLE = { padding: '4px 8px', cursor: 'pointer' } as const;
const ACTIVE_STYLE = { ...OPTION_STYLE, background: '#dbe9ff', outline: '2px solid #1a56c4' };

/**
 * The transfer target picker: a combobox (ARIA 1.2, list autocomplete) over the other logged-in
 * agents with their state, read from the server each time it gets focus and on Refresh. Typing
 * filters by name; Up/Down move through the list, Enter picks, Escape closes (then clears).
 * Only an available agent (READY, phone up) can be picked; the others are listed so the agent
 * sees who is busy. The input is the panel's transfer focus target (Alt+T).
 */
export function TransferPicker(props: {
  api: ApiClient;
  inputRef: React.RefObject<HTMLInputElement | null>;
  selected: TransferTargetAgent | null;
  onSelect(agent: TransferTargetAgent | null): void;
  /** The agent's own campaign: agents of another campaign are marked. */
  campaignId: string | null;
}) {
  const { api, inputRef, selected, onSelect, campaignId } = props;
  const id = useId();
  const listId = `${id}-agents`;
  const statusId = `${id}-status`;
  const optionId = (i: number) => `${id}-agent-${i}`;
  const wrap = useRef<HTMLDivElement | null>(null);
  const [agents, setAgents] = useState<TransferTargetAgent[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(-1);
  /** Only the latest read may land: an older, slower answer must not replace a newer one. */
  const readSeq = useRef(0);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  const load = useCallback(() => {
    const seq = ++readSeq.current;
    setLoading(true);
    api.transferTargets().then(
      (r) => {
        if (seq !== readSeq.current) return;
        setLoading(false);
        setError(null);
        setAgents(r.agents);
        setActive(-1);
        // A picked agent who has since logged out or become busy is no longer a target.
        const picked = selectedRef.current;
        if (picked) {
          const now = r.agents.find((a) => a.agentId === picked.agentId);
          if (!now?.available) {
            onSelect(null);
            setHint(
              now
                ? `${now.displayName} is now ${targetStatus(now).toLowerCase()}: pick another agent.`
                : `${picked.displayName} has logged out: pick another agent.`,
            );
          } else if (now !== picked) onSelect(now);
        }
      },
      (err: unknown) => {
        if (seq !== readSeq.current) return;
        setLoading(false);
        setError(refusalMessage(err));
      },
    );
  }, [api, onSelect]);

  const filter = selected ? '' : query.trim().toLowerCase();
  const shown = (agents ?? []).filter(
    (a) => !filter || a.displayName.toLowerCase().includes(filter) || a.agentId === filter,
  );

  const activeId = open && active >= 0 ? optionId(active) : undefined;
  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  const choose = (a: TransferTargetAgent | undefined) => {
    if (!a) return;
    if (!a.available) {
      setHint(
        `${a.displayName} is ${targetStatus(a).toLowerCase()}: only a ready agent with a connected phone can take a transfer.`,
      );
      return;
    }
    setHint(null);
    setQuery('');
    onSelect(a);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        e.preventDefault();
        if (!open) setOpen(true);
        if (agents === null && !loading) load();
        if (shown.length === 0 || e.altKey) return;
        const last = shown.length - 1;
        setActive((i) =>
          e.key === 'ArrowDown' ? (i < 0 || i >= last ? 0 : i + 1) : i <= 0 ? last : i - 1,
        );
        return;
      }
      case 'Enter': {
        if (!open) return;
        const available = shown.filter((a) => a.available);
        // Typing a name that leaves one available agent, then Enter, picks that agent.
        const pick = active >= 0 ? shown[active] : available.length === 1 ? available[0] : null;
        if (!pick) return;
        e.preventDefault();
        choose(pick);
        return;
      }
      case 'Escape':
        if (open) {
          e.preventDefault();
          setOpen(false);
          setActive(-1);
        } else if (selected || query) {
          e.preventDefault();
          setQuery('');
          onSelect(null);
        }
        return;
    }
  };

  const ready = shown.filter((a) => a.available).length;
  const status =
    error !== null
      ? `Could not load the agents: ${error}`
      : agents === null
        ? loading
          ? 'Loading agents…'
          : ''
        : agents.length === 0
          ? 'No other agent is logged in. You can still transfer to an external number.'
          : (hint ??
            (shown.length === 0
              ? `No agent matches “${query.trim()}”.`
              : open
                ? `${shown.length} ${shown.length === 1 ? 'agent' : 'agents'}, ${ready} can take a transfer.`
                : ''));

  return (
    <div
      ref={wrap}
      className="transfer-picker"
      style={{ position: 'relative' }}
      onBlur={(e) => {
        // Focus moving to the Refresh button or an option keeps the list open.
        if (!wrap.current?.contains(e.relatedTarget as Node | null)) {
          setOpen(false);
          setActive(-1);
        }
      }}
    >
      <span className="transfer-picker-row">
        <label htmlFor={`${id}-input`}>Transfer to agent</label>
        <input
          id={`${id}-input`}
          ref={inputRef}
          type="text"
          role="combobox"
          autoComplete="off"
          spellCheck={false}
          placeholder="Type a name or use ↓"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={activeId}
          aria-describedby={statusId}
          aria-busy={loading || undefined}
          value={selected ? selected.displayName : query}
          onFocus={() => {
            setOpen(true);
            load();
          }}
          onClick={() => setOpen(true)}
          onChange={(e) => {
            setQuery(e.target.value);
            setHint(null);
            setOpen(true);
            setActive(-1);
            if (selected) onSelect(null);
          }}
          onKeyDown={onKeyDown}
        />
        <button
          type="button"
          onClick={() => {
            setOpen(true);
            load();
          }}
        >
          Refresh agents
        </button>
      </span>
      <p
        id={statusId}
        role="status"
        className={error || hint ? 'tone-problem' : undefined}
        style={{ margin: '2px 0', fontSize: '0.9rem' }}
      >
        {status}
      </p>
      <ul
        id={listId}
        role="listbox"
        aria-label="Agents to transfer to"
        hidden={!open || shown.length === 0}
        style={LIST_STYLE}
      >
        {shown.map((a, i) => (
          <li
            key={a.agentId}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            aria-disabled={a.available ? undefined : 'true'}
            data-agent-id={a.agentId}
            data-agent-state={a.state}
            style={
              i === active
                ? ACTIVE_STYLE
                : a.available
                  ? OPTION_STYLE
                  : { ...OPTION_STYLE, color: '#666' }
            }
            // Keep focus in the input: a click must not blur (and close) the list first.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(a)}
          >
            {a.displayName} — {targetStatus(a)}
            {campaignId !== null && a.campaignId !== campaignId ? ' (other campaign)' : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}
