/**
 * The dashboard's styles, scoped by the `.supervisor` root. Kept here rather than in styles.css
 * (the agent panel's file) so that the feature is one folder. Colour by state; the severity
 * classes (time in state over its thresholds) override the background.
 */
export const DASHBOARD_CSS = `
.supervisor .sv-row { display: grid; grid-template-columns: 10rem 6rem 5rem 8rem 9rem 4rem 6rem 1fr;
  align-items: center; height: 32px; box-sizing: border-box; padding: 0 .25rem; font-size: .85rem;
  border-bottom: 1px solid #ddd; }
.supervisor .sv-head { font-weight: bold; background: #f4f4f4; }
.supervisor .sv-head button { text-align: left; background: none; border: 0; font: inherit; cursor: pointer; }
.supervisor .state-ready { background: #e3f6e3; }
.supervisor .state-reserved { background: #fff7d1; }
.supervisor .state-incall { background: #dde9ff; }
.supervisor .state-dead { background: #f3d9ff; }
.supervisor .state-wrapup { background: #e9e4ff; }
.supervisor .state-paused { background: #eeeeee; }
.supervisor .sev-warn { box-shadow: inset 6px 0 0 #f0a500; }
.supervisor .sev-alert { box-shadow: inset 6px 0 0 #d11; color: #900; }
.supervisor .sv-campaigns { display: flex; flex-wrap: wrap; gap: .5rem; }
.supervisor .sv-campaign { border: 1px solid #ccc; padding: .25rem .5rem; font-size: .85rem; }
.supervisor .sv-campaign h2 { font-size: 1rem; margin: 0; }
.supervisor .sv-actions button { font-size: .75rem; margin-right: .2rem; }
.supervisor .sv-reason { max-width: 40rem; margin: .1rem 0; color: #333; }
.supervisor .sv-monitoring { background: #fff4d6; border: 1px solid #c98a00; }
`;
