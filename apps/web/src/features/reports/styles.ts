/** The reports' styles, scoped by the `.reports` root (the feature stays one folder). */
export const REPORTS_CSS = `
.reports .rp-nav { display: flex; gap: 1rem; margin-bottom: .5rem; }
.reports .rp-nav a[aria-current='page'] { font-weight: bold; text-decoration: none; }
.reports .rp-filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-start;
  padding: .5rem; background: #f6f6f6; border: 1px solid #ddd; margin-bottom: .75rem; }
.reports .rp-filters label { display: flex; flex-direction: column; font-size: .85rem; gap: .15rem; }
.reports .rp-filters input { width: 9rem; }
.reports .rp-filters button { align-self: flex-end; }
.reports .rp-error { color: #b00020; font-size: .8rem; max-width: 16rem; }
.reports [aria-invalid='true'] { outline: 2px solid #b00020; }
.reports .rp-table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0 1rem; }
.reports .rp-table th, .reports .rp-table td { border-bottom: 1px solid #ddd; padding: .2rem .5rem;
  text-align: right; white-space: nowrap; }
.reports .rp-table th[scope='row'], .reports .rp-table thead th:first-child { text-align: left; }
.reports .rp-over { background: #fdecea; }
.reports .chart { display: block; margin: .5rem 0; font-family: inherit; }
.reports .rp-timeline { font-size: .9rem; }
.reports .rp-ev-source { display: inline-block; min-width: 4.5rem; font-weight: bold; }
.reports { min-width: 0; overflow-wrap: anywhere; }
.reports .rp-nav, .reports .rp-nav + section { flex-wrap: wrap; min-width: 0; }
.reports .rp-nav { gap: .25rem 1rem; }
/* Narrow screens (phones, 200 % zoom): wide tables scroll inside themselves, never the page
   (WCAG 1.4.10 allows two-dimensional tables to scroll); fields take the row's width. */
@media (max-width: 700px) {
  .reports .rp-table, .reports .wnd-zones { display: block; max-width: 100%; overflow-x: auto; }
  .reports .rp-filters { padding: .4rem; }
  .reports .rp-filters label { flex: 1 1 9rem; min-width: 0; }
  .reports .rp-filters input, .reports .rp-filters select { width: 100%; box-sizing: border-box; }
  .reports .rp-error { max-width: none; }
}
`;
