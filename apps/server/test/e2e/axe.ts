import { createRequire } from 'node:module';
import type { Page, Request } from 'playwright-core';

/**
 * axe-core in the e2e tests (issue 17 point 8): its own bundled script (the pinned root
 * devDependency), put into the page as it ships, then `axe.run` with the WCAG 2.1 A and AA rules
 * only. A failure lists every violation readably: rule id, impact, what it is about, the CSS
 * selectors of the offending elements and the rule's help page.
 *
 * Injection and the Content-Security-Policy: the e2e front server (system.ts) serves the build
 * without the API's headers, so `addScriptTag` works there. A page served by the API itself
 * carries `script-src 'self'`, which refuses the injected (inline) script: open such a page in a
 * context created with the test-only option `bypassCSP: true`; the production policy is never
 * changed. When the script does not arrive, the helper fails saying so.
 */

const require = createRequire(import.meta.url);

/** Path of axe-core's minified bundle (node_modules/axe-core/axe.min.js). */
export const AXE_SCRIPT = require.resolve('axe-core/axe.min.js');

/** The rule tags checked: WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG21_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

/** One violated rule, with the elements that violate it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string; summary: string }>;
}

/** What the page's `axe` answers (the part read here); the server project has no DOM types. */
interface AxeRunResult {
  violations: Array<{
    id: string;
    impact?: string | null;
    help: string;
    helpUrl: string;
    nodes: Array<{ target: unknown[]; failureSummary?: string }>;
  }>;
}

/** Puts axe-core into the page unless it is there already; fails when the page refused it. */
export async function injectAxe(page: Page): Promise<void> {
  const present = () => page.evaluate(() => 'axe' in globalThis);
  if (await present()) return;
  let refused = '';
  await page.addScriptTag({ path: AXE_SCRIPT }).catch((err: unknown) => {
    refused = err instanceof Error ? err.message : String(err);
  });
  if (!(await present())) {
    throw new Error(
      `axe-core could not be put into ${page.url()}${refused ? ` (${refused})` : ''}: a ` +
        `Content-Security-Policy refuses injected scripts; open the page in a browser context ` +
        `created with bypassCSP: true (tests only)`,
    );
  }
}

/** Options of one check. */
export interface AxeCheckOptions {
  /** CSS selector of the part checked (the whole page unless told). */
  include?: string;
  /** CSS selectors of parts left out of the check (each left out must be said why by the caller). */
  exclude?: string[];
}

/** Runs axe-core (WCAG 2.1 A/AA) on the page as it is now and returns the violations. */
export async function axeViolations(
  page: Page,
  options: AxeCheckOptions = {},
): Promise<AxeViolation[]> {
  await injectAxe(page);
  const result = await page.evaluate(
    async ({ tags, include, exclude }) => {
      const axe = (
        globalThis as unknown as {
          axe: { run(context: unknown, options: unknown): Promise<AxeRunResult> };
        }
      ).axe;
      const context = exclude.length
        ? { include: [[include]], exclude: exclude.map((s) => [s]) }
        : { include: [[include]] };
      const r = await axe.run(context, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      });
      // Only plain data crosses back to the test.
      return {
        violations: r.violations.map((v) => ({
          id: v.id,
          impact: v.impact ?? null,
          help: v.help,
          helpUrl: v.helpUrl,
          nodes: v.nodes.map((n) => ({
            target: JSON.stringify(n.target),
            summary: n.failureSummary ?? '',
          })),
        })),
      };
    },
    {
      tags: [...WCAG21_AA_TAGS],
      include: options.include ?? 'html',
      exclude: options.exclude ?? [],
    },
  );
  return result.violations.map((v) => ({
    ...v,
    nodes: v.nodes.map((n) => ({ target: selectorText(n.target), summary: n.summary })),
  }));
}

/** axe's target (selectors, nested for frames and shadow roots) as one readable string. */
function selectorText(json: string): string {
  const flat = (t: unknown): string => (Array.isArray(t) ? t.map(flat).join(' >>> ') : String(t));
  return flat(JSON.parse(json) as unknown);
}

/** The violations as a readable list, one block per rule, one line per element. */
export function formatViolations(screen: string, violations: readonly AxeViolation[]): string {
  const lines = [`${violations.length} axe-core violation(s) (WCAG 2.1 A/AA) on ${screen}:`];
  for (const v of violations) {
    lines.push(`- ${v.id} [${v.impact ?? 'no impact'}] ${v.help}`, `  ${v.helpUrl}`);
    for (const n of v.nodes) {
      const why = n.summary.split('\n').slice(1).join(' ').trim();
      lines.push(`    ${n.target}${why ? `  -- ${why}` : ''}`);
    }
  }
  return lines.join('\n');
}

/**
 * Fails with the readable list when axe-core finds any WCAG 2.1 A/AA violation on the page as it
 * is now; `screen` names it in the message.
 */
export async function expectNoAxeViolations(
  page: Page,
  screen: string,
  options: AxeCheckOptions = {},
): Promise<void> {
  const violations = await axeViolations(page, options);
  if (violations.length > 0) {
    throw new Error(formatViolations(`${screen} (${page.url()})`, violations));
  }
}

/** The page's HTTP requests in flight (fetch, XHR, documents, scripts; not WebSockets). */
const inflight = new WeakMap<Page, Set<Request>>();

/**
 * Follows the page's requests from now on, for whenQuiet (which starts it itself, but only
 * requests issued afterwards are seen then: call this right after creating the page).
 */
export function trackRequests(page: Page): void {
  if (inflight.has(page)) return;
  const open = new Set<Request>();
  inflight.set(page, open);
  page.on('request', (r) => {
    if (r.resourceType() !== 'websocket') open.add(r);
  });
  page.on('requestfinished', (r) => open.delete(r));
  page.on('requestfailed', (r) => open.delete(r));
}

/**
 * Waits until the screen has settled: no request in flight, no new resource loaded, no element
 * marked aria-busy and no "Loading" text, all for `quietMs` (250 ms unless told); 10 s at most.
 */
export async function whenQuiet(page: Page, quietMs = 250): Promise<void> {
  trackRequests(page);
  const open = inflight.get(page) ?? new Set<Request>();
  const pageBusy = () =>
    page.evaluate(() => {
      const g = globalThis as unknown as {
        document: { querySelector(s: string): unknown; body: { innerText: string } | null };
        performance: { getEntriesByType(t: string): unknown[] };
      };
      const busy =
        g.document.querySelector('[aria-busy="true"]') !== null ||
        /Loading…|Loading\.\.\./.test(g.document.body?.innerText ?? '');
      return { busy, resources: g.performance.getEntriesByType('resource').length };
    });
  const deadline = Date.now() + 10_000;
  let quietSince = Date.now();
  let resources = -1;
  for (;;) {
    const now = await pageBusy();
    if (open.size > 0 || now.busy || now.resources !== resources) quietSince = Date.now();
    resources = now.resources;
    if (Date.now() - quietSince >= quietMs) return;
    if (Date.now() > deadline) {
      const urls = [...open].map((r) => r.url()).join(', ');
      throw new Error(
        `${page.url()} did not settle in 10 s` +
          (urls ? `: requests in flight ${urls}` : now.busy ? ': still loading' : ''),
      );
    }
    await new Promise((done) => setTimeout(done, 50));
  }
}
