import type { AgentState } from '@ringside/protocol';

/** Agent states as the wall names them (the state's colour is never its only sign). */
export const STATE_LABEL: Record<AgentState, string> = {
  READY: 'Ready',
  RESERVED: 'Reserved',
  INCALL: 'On call',
  DEAD: 'Dead air',
  WRAPUP: 'Wrap-up',
  PAUSED: 'Paused',
  LOGGED_OUT: 'Logged out',
};

/**
 * The dashboard's styles, scoped by the `.supervisor` root. Kept here rather than in styles.css
 * (the agent panel's file) so that the feature is one folder. The wall uses the full width; the
 * grid is a table of 40 px rows on wide screens and, below 1100 CSS px (200 % zoom of a 1366 or
 * 1920 screen, phones), a list of cards of 168 px, 132 px from 600 px wide (Dashboard.tsx ROW_PX /
 * CARD_PX / CARD_WIDE_PX: the virtual
 * list needs fixed heights). Colour by state; severity (time in state over the campaign's
 * thresholds, drop rate near or over the cap) adds a bar, a tint, an icon and a word. Every
 * control is at least 28 px high (WCAG 2.5.8 asks 24).
 */
export const DASHBOARD_CSS = `
main.supervisor { max-width: none; padding: .5rem 1rem; box-sizing: border-box; }
.supervisor :focus-visible { outline: 3px solid #1a56db; outline-offset: 2px; }
.supervisor button, .supervisor select, .supervisor input, .supervisor summary {
  min-height: 28px; min-width: 28px; box-sizing: border-box; font: inherit; font-size: .9rem; }
.supervisor button { padding: 0 .6rem; border: 1px solid #6b7280; border-radius: 4px;
  background: #fff; color: #1b1f24; cursor: pointer; }
.supervisor button:hover { background: #eef2ff; }
.supervisor .sv-danger { border-color: #b42318; color: #8a1c13; }
.supervisor .sv-top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
.supervisor .sv-top h1 { margin-right: auto; }
.supervisor .sv-conn { padding: 0 .4rem; border-radius: 4px; background: #e4e4e4; }
.supervisor .sv-conn.conn-live { background: #d3f0d3; }
.supervisor .sv-notice { min-height: 1.2em; margin: .25rem 0; }
.supervisor .sv-campaigns { display: grid; gap: .75rem;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, 36rem), 1fr)); }
.supervisor .sv-campaign { border: 1px solid #c9ced6; border-radius: 6px; padding: .5rem .75rem;
  background: #fff; min-width: 0; }
.supervisor .sv-campaign-head { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: baseline; }
.supervisor .sv-campaign h2 { font-size: 1.1rem; margin: 0; }
.supervisor .sv-mode { font-weight: 600; }
.supervisor .sv-tiles { display: grid; gap: .4rem; margin: .5rem 0;
  grid-template-columns: repeat(auto-fill, minmax(8.5rem, 1fr)); }
.supervisor .sv-tile { border: 1px solid #d0d7de; border-radius: 4px; padding: .3rem .5rem;
  background: #f8f9fb; min-width: 0; }
.supervisor .sv-tile-wide { grid-column: 1 / -1; }
.supervisor .sv-tile dt { font-size: .8rem; color: #4b5563; }
.supervisor .sv-tile dd { margin: 0; display: flex; flex-wrap: wrap; gap: .1rem .5rem; align-items: baseline; }
.supervisor .sv-figure { font-size: 1.4rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.supervisor .sv-tile-detail { font-size: .8rem; color: #4b5563; }
.supervisor .sv-states { gap: .3rem !important; }
.supervisor .sv-tile.sev-warn { background: #fff4dc; border-color: #b26b00; box-shadow: inset 5px 0 0 #b26b00; }
.supervisor .sv-tile.sev-alert { background: #fde3e3; border-color: #c81e1e; box-shadow: inset 5px 0 0 #c81e1e; }
.supervisor .sev-warn .sv-sev { color: #6e4200; font-weight: 600; }
.supervisor .sev-alert .sv-sev { color: #8a0000; font-weight: 700; }
.supervisor .sv-dialer, .supervisor .sv-reason, .supervisor .sv-ledger, .supervisor .sv-amd {
  margin: .15rem 0; font-size: .9rem; overflow-wrap: anywhere; }
.supervisor .sv-reason { color: #333; }
.supervisor .sv-controls { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin-top: .25rem; }
.supervisor .sv-controls input[type=number] { width: 5rem; }
.supervisor .sv-th-details summary { cursor: pointer; line-height: 28px; }
.supervisor .sv-filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin: .5rem 0; }
.supervisor .sv-badge { display: inline-block; padding: 0 .4rem; border-radius: 4px; line-height: 1.6;
  border: 1px solid rgba(0,0,0,.25); color: #1b1f24; white-space: nowrap; }
.supervisor .sv-table { background: #fff; border: 1px solid #d0d7de; }
.supervisor .sv-scroll { height: calc(100vh - 3.5rem); min-height: 15rem; overflow-y: auto; position: relative; }
.supervisor .sv-slot { position: absolute; left: 0; right: 0; }
.supervisor .sv-row { display: grid; align-items: center; height: 40px; box-sizing: border-box;
  padding: 0 .5rem; column-gap: .4rem; border-bottom: 1px solid #e1e4e8; font-size: .9rem;
  grid-template-columns: minmax(9rem, 1.4fr) 6.5rem 9rem minmax(7rem, 1fr) 8.5rem 5rem 5.5rem 28rem; }
.supervisor .sv-row > [role=cell] { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
.supervisor .sv-head { font-weight: 600; background: #f4f5f7; }
.supervisor .sv-head button { border: 0; background: none; padding: 0 .2rem; font-weight: 600; text-align: left; }
.supervisor .sv-name { font-weight: 600; }
.supervisor .sv-clock { font-variant-numeric: tabular-nums; margin-right: .4rem; }
.supervisor .sv-actions { display: flex; gap: .3rem; overflow: visible !important; }
.supervisor .sv-actions button { padding: 0 .5rem; }
.supervisor .state-ready .sv-badge, .supervisor .sv-badge.state-ready { background: #d3f0d3; }
.supervisor .state-reserved .sv-badge, .supervisor .sv-badge.state-reserved { background: #fff0b3; }
.supervisor .state-incall .sv-badge, .supervisor .sv-badge.state-incall { background: #cfe0ff; }
.supervisor .state-dead .sv-badge, .supervisor .sv-badge.state-dead { background: #ecd0fb; }
.supervisor .state-wrapup .sv-badge, .supervisor .sv-badge.state-wrapup { background: #ddd6ff; }
.supervisor .state-paused .sv-badge, .supervisor .sv-badge.state-paused { background: #e4e4e4; }
.supervisor .sv-row.sev-warn { background: #fff4dc; box-shadow: inset 6px 0 0 #b26b00; }
.supervisor .sv-row.sev-alert { background: #fde3e3; box-shadow: inset 6px 0 0 #c81e1e; }
.supervisor .sv-monitoring { background: #fff4d6; border-color: #c98a00; }
.supervisor .sv-cards .sv-head { display: flex; flex-wrap: wrap; gap: .25rem .5rem; height: auto;
  min-height: 40px; padding: .25rem .5rem; }
.supervisor .sv-cards .sv-head .sv-nosort { display: none; }
.supervisor .sv-cards .sv-scroll { height: calc(100vh - 2rem); }
.supervisor .sv-cards .sv-row[data-agent-id] { height: 160px; margin: 4px 6px; padding: .4rem .6rem;
  border: 1px solid #c9ced6; border-radius: 6px; row-gap: .35rem; align-content: start;
  grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr) auto auto;
  grid-template-areas: "name name state time" "camp num calls pause" "act act act act"; }
@media (min-width: 600px) { .supervisor .sv-cards .sv-row[data-agent-id] { height: 124px; } }
.supervisor .sv-cards .sv-name { grid-area: name; font-size: 1rem; }
.supervisor .sv-cards .sv-state { grid-area: state; }
.supervisor .sv-cards .sv-time { grid-area: time; white-space: normal; }
.supervisor .sv-cards .sv-campaign-cell { grid-area: camp; }
.supervisor .sv-cards .sv-phone { grid-area: num; }
.supervisor .sv-cards .sv-calls { grid-area: calls; }
.supervisor .sv-cards .sv-pause { grid-area: pause; }
.supervisor .sv-cards .sv-actions { grid-area: act; flex-wrap: wrap; }
.supervisor .sv-cards .sv-actions button { min-height: 32px; }
.supervisor .sv-cards [data-label]::before { content: attr(data-label); display: block;
  font-size: .75rem; color: #4b5563; }
.supervisor .sv-cards .sv-clock { display: inline; }
/* Recordings: the row's REC / PAUSED marker, the header's backlog tile, the problems' notices. */
.supervisor .sv-rec { display: inline-block; margin-left: .4rem; padding: 0 .3rem; border-radius: 4px;
  font-size: .75rem; font-weight: 700; line-height: 1.5; border: 1px solid currentColor; }
.supervisor .sv-rec-recording { color: #a3190f; background: #fff; }
.supervisor .sv-rec-paused { color: #5c4a00; background: #fff4d6; }
/* Empty, the backlog's status region stays in the page but out of the header's flex flow. */
.supervisor .sv-backlog-region:empty { position: absolute; }
.supervisor .sv-backlog { display: inline-block; padding: .1rem .5rem; border-radius: 4px; font-weight: 600; }
.supervisor .sv-backlog.sev-warn { background: #fff4dc; color: #6e4200; box-shadow: inset 5px 0 0 #b26b00; padding-left: .7rem; }
.supervisor .sv-backlog.sev-alert { background: #fde3e3; color: #8a0000; box-shadow: inset 5px 0 0 #c81e1e; padding-left: .7rem; }
.supervisor .sv-rec-faults ul { list-style: none; margin: .25rem 0; padding: 0; display: grid; gap: .25rem; }
.supervisor .sv-rec-faults li { display: flex; gap: .5rem; align-items: center; justify-content: space-between;
  padding: .25rem .5rem; border-radius: 4px; background: #fde3e3; box-shadow: inset 5px 0 0 #c81e1e;
  color: #5c0b07; overflow-wrap: anywhere; }
.supervisor .sv-dialog { border: 1px solid #6b7280; border-radius: 8px; max-width: min(32rem, 92vw); padding: 1rem; }
.supervisor .sv-dialog::backdrop { background: rgba(0,0,0,.35); }
.supervisor .sv-dialog h2 { margin-top: 0; font-size: 1.1rem; }
.supervisor .sv-dialog-actions { display: flex; flex-wrap: wrap; gap: .5rem; justify-content: flex-end; }
.supervisor .sv-dialog-actions button { min-height: 36px; }
`;

/** The thresholds editor's styles (on the wall and the admin campaign form), scoped by its form. */
export const THRESHOLDS_CSS = `
.sv-thresholds { margin-top: .25rem; }
.sv-th-table { border-collapse: collapse; font-size: .85rem; }
.sv-th-table caption { text-align: left; font-size: .85rem; }
.sv-th-table th, .sv-th-table td { padding: .1rem .4rem; text-align: left; }
.sv-th-table input { width: 5rem; }
.sv-thresholds .sv-th-table label { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
.sv-th-field { display: inline-flex; flex-wrap: wrap; gap: .25rem; align-items: center; }
.sv-th-error { color: #b00020; font-size: .8rem; }
.sv-thresholds button { min-height: 28px; }
`;
