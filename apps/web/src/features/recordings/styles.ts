/** The player's and the recording lists' styles, scoped by `.rec` (the feature stays one folder). */
export const RECORDINGS_CSS = `
.rec { margin: .5rem 0; }
.rec .rec-head { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; font-size: .9rem; }
.rec .rec-state { font-weight: bold; }
.rec .rec-msg { padding: .4rem .6rem; background: #fff4e5; border: 1px solid #e0a040; max-width: 40rem; }
.rec .rec-player { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .25rem 0; }
.rec .rec-wave { display: block; width: min(100%, 48rem); height: 64px; cursor: pointer;
  border: 1px solid #888; background: #fafafa; }
.rec .rec-wave:focus-visible { outline: 3px solid #1a4fd6; outline-offset: 2px; }
.rec .rec-time { font-variant-numeric: tabular-nums; min-width: 7rem; }
.rec .rec-legend { font-size: .8rem; color: #333; margin: .1rem 0; }
.rec .rec-list { list-style: none; padding: 0; margin: 0; }
.rec .rec-list > li { border-top: 1px solid #ddd; padding: .4rem 0; }
.rec .rec-error { color: #b00020; }
.rec .rec-review { border: 1px solid #ccc; padding: .5rem; margin: .5rem 0; max-width: 40rem; }
.rec .rec-review fieldset { border: 0; padding: 0; margin: .3rem 0; }
.rec .rec-review legend { font-weight: bold; }
.rec .rec-review textarea { width: 100%; box-sizing: border-box; }
.rec .rec-cols { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.rec .rec-cols > * { flex: 1 1 22rem; min-width: 0; }
`;
