import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { agentSession, currentCallId, waitAgentState } from './pages.js';
import { pbxCalls, type System } from './system.js';

/**
 * Visual tests (issue 17 point 8): a screen's screenshot compared with a committed baseline
 * (apps/server/test/e2e/screenshots/<name>.png) through pixelmatch, with a tolerance just above
 * the measured run-to-run noise (docs/ui-testing.md). A mismatch writes the expected, actual and
 * diff PNGs into a temporary directory named in the failure. `UPDATE_SCREENSHOTS=1` rewrites the
 * baselines instead of comparing.
 *
 * Determinism: the page's clock is frozen (Date only; timers keep running), animations,
 * transitions and the caret are off, phone numbers and other varying text are masked by the
 * caller, and the fonts are the machine's (DejaVu Sans: the baselines were drawn with it).
 */

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the committed baselines live. */
export const SCREENSHOT_DIR = path.join(here, 'screenshots');

/** The four sizes of issue 17: two desktops, 200 % zoom of 1366x768, and a phone. */
export const VIEWPORTS = [
  { name: '1366x768', options: { viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 } },
  { name: '1920x1080', options: { viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 } },
  // 200 % zoom: half the CSS pixels of 1366x768, each drawn as 2x2 device pixels; the image is
  // kept at CSS size (683 px wide) to keep the committed PNGs small: the layout is what counts.
  {
    name: 'zoom200',
    options: { viewport: { width: 683, height: 384 }, deviceScaleFactor: 2 },
    scale: 'css',
  },
  {
    name: '390x844',
    options: {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
    },
  },
] as const satisfies ReadonlyArray<{
  name: string;
  options: BrowserContextOptions;
  scale?: 'css' | 'device';
}>;

/** The instant every visual test's page believes it is (Date.now, new Date): a Monday, 10:30 UTC. */
export const FROZEN_AT_MS = Date.UTC(2026, 2, 2, 10, 30, 0);

/**
 * Tolerance of one comparison. `threshold` is pixelmatch's per-pixel colour distance (0..1) under
 * which two pixels count as equal; `maxDiffRatio` the share of differing pixels that still
 * passes. Set just above the noise measured over repeated runs (docs/ui-testing.md).
 */
export const TOLERANCE = { threshold: 0.1, maxDiffRatio: 0.0001 } as const;

/** Test-only styles applied while the screenshot is taken: nothing moves, no caret, no scrollbar. */
export const STEADY_CSS = `
*, *::before, *::after {
  animation: none !important;
  transition: none !important;
  caret-color: transparent !important;
  scroll-behavior: auto !important;
}
::-webkit-scrollbar { display: none !important; }
* { scrollbar-width: none !important; }
`;

/** Fails unless the fonts the baselines were drawn with are the machine's default sans-serif. */
export function assertBaselineFonts(): void {
  let family = '';
  try {
    family = execFileSync('fc-match', ['-f', '%{family}', 'sans-serif'], { encoding: 'utf8' });
  } catch {
    family = '(fc-match not found)';
  }
  if (!family.includes('DejaVu Sans')) {
    throw new Error(
      `the screenshot baselines were drawn with DejaVu Sans (Debian: fonts-dejavu-core) as the ` +
        `default sans-serif; this machine has ${family}`,
    );
  }
}

/**
 * Freezes the page's Date at FROZEN_AT_MS (timers, animation frames and the network keep
 * running): clocks on screen show fixed values. Call before the page's first navigation.
 */
export async function freezeClock(page: Page, atMs = FROZEN_AT_MS): Promise<void> {
  await page.clock.setFixedTime(atMs);
}

export interface Comparison {
  name: string;
  width: number;
  height: number;
  diffPixels: number;
  diffRatio: number;
  /** True when the baseline was written (UPDATE_SCREENSHOTS=1) instead of compared. */
  updated: boolean;
}

let outDir: string | null = null;
/** One temporary directory per test process for the actual and diff images. */
function failureDir(): string {
  outDir ??= mkdtempSync(path.join(os.tmpdir(), 'ringside-visual-'));
  return outDir;
}

/** Decoded PNG (RGBA). */
function decode(buf: Buffer): PNG {
  return PNG.sync.read(buf);
}

/** Encodes the pixels as a small RGB PNG (screenshots are opaque; the baselines are committed). */
function encode(png: PNG): Buffer {
  return PNG.sync.write(png, { deflateLevel: 9, colorType: 2, inputHasAlpha: true });
}

/** Compares two decoded images; the diff image marks differing pixels in red. */
export function comparePngs(
  expected: PNG,
  actual: PNG,
  threshold: number = TOLERANCE.threshold,
): { diffPixels: number; diff: PNG } {
  const { width, height } = expected;
  const diff = new PNG({ width, height });
  const diffPixels = pixelmatch(expected.data, actual.data, diff.data, width, height, {
    threshold,
  });
  return { diffPixels, diff };
}

/**
 * Text that varies from run to run with the same layout meaning: written over with a fixed value
 * in the page's text nodes just before the screenshot, so its width is fixed too (a mask keeps
 * the width of what it covers). Clocks and durations that run against the server's real time,
 * dates, milliseconds and seconds (set-up times, ASA).
 */
export const STEADY_TEXT: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b\d{1,2}\/\d{1,2}\/\d{4}\b/g, '3/2/2026'],
  // A time of day with its AM/PM (a history row's time): AM or PM follows the real time of day
  // the test runs at, so it is written over whole, before the rule for bare clocks below.
  // The space before AM/PM is kept as it was (ICU writes a narrow no-break space).
  [/\b\d+(?::\d\d)+(\s?)[AP]M\b/g, '0:00$1PM'],
  [/\b\d+(:\d\d)+\b/g, '0:00'],
  [/\b\d+ ms\b/g, '100 ms'],
  [/\b\d+(\.\d+)? s\b/g, '1.0 s'],
];

/** Writes `rules` over the page's text nodes (see STEADY_TEXT). */
export async function steadyText(
  page: Page,
  rules: ReadonlyArray<readonly [RegExp, string]>,
): Promise<void> {
  await page.evaluate(
    (list) => {
      const g = globalThis as unknown as {
        document: {
          body: unknown;
          createTreeWalker(root: unknown, what: number): { nextNode(): unknown };
        };
      };
      const walker = g.document.createTreeWalker(g.document.body, 4 /* NodeFilter.SHOW_TEXT */);
      const rules = list.map(([source, flags, to]) => [new RegExp(source, flags), to] as const);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const node = n as { nodeValue: string | null };
        let text = node.nodeValue ?? '';
        for (const [re, to] of rules) text = text.replace(re, to);
        if (text !== node.nodeValue) node.nodeValue = text;
      }
    },
    rules.map(([re, to]) => [re.source, re.flags, to] as const),
  );
}

export interface ScreenshotOptions {
  /** Parts whose content varies between runs (phone numbers): drawn as solid boxes. */
  mask?: Locator[];
  /** Text written over before the screenshot (STEADY_TEXT unless told). */
  steady?: ReadonlyArray<readonly [RegExp, string]>;
  /**
   * The whole page, not only the viewport (true unless told): what is below the fold at 200 %
   * or on a phone is compared too, and a page that grows fails on its size.
   */
  fullPage?: boolean;
  /** Pixels of the image: the device's (the default) or CSS pixels. */
  scale?: 'css' | 'device';
  /** Directory of the baselines (SCREENSHOT_DIR unless told). */
  dir?: string;
  /** Write the baseline instead of comparing (process.env.UPDATE_SCREENSHOTS === '1' unless told). */
  update?: boolean;
}

/**
 * Takes a screenshot of the page (whole, unless told) and compares it with the baseline `name`.png; fails
 * when more than TOLERANCE.maxDiffRatio of its pixels differ (or the size differs), naming the
 * directory holding expected, actual and diff. With UPDATE_SCREENSHOTS=1 it writes the baseline.
 * When VISUAL_NOISE_LOG names a file, each comparison appends one JSON line to it, and any
 * difference, even within the tolerance, leaves its images in the temporary directory.
 */
export async function expectScreenshot(
  page: Page,
  name: string,
  options: ScreenshotOptions = {},
): Promise<Comparison> {
  await steadyText(page, options.steady ?? STEADY_TEXT);
  const shot = await page.screenshot({
    animations: 'disabled',
    caret: 'hide',
    scale: options.scale ?? 'device',
    fullPage: options.fullPage ?? true,
    style: STEADY_CSS,
    mask: options.mask ?? [],
    maskColor: '#7f7f7f',
  });
  const actual = decode(shot);
  const dir = options.dir ?? SCREENSHOT_DIR;
  const file = path.join(dir, `${name}.png`);
  const base = { name, width: actual.width, height: actual.height };
  if (options.update ?? process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, encode(actual));
    return { ...base, diffPixels: 0, diffRatio: 0, updated: true };
  }
  if (!existsSync(file)) {
    const out = path.join(failureDir(), `${name}.actual.png`);
    writeFileSync(out, encode(actual));
    throw new Error(
      `no baseline ${path.relative(process.cwd(), file)}; the screenshot is in ${out} ` +
        `(run with UPDATE_SCREENSHOTS=1 to write the baselines)`,
    );
  }
  const expected = decode(readFileSync(file));
  const sameSize = expected.width === actual.width && expected.height === actual.height;
  const { diffPixels, diff } = sameSize
    ? comparePngs(expected, actual)
    : { diffPixels: actual.width * actual.height, diff: null };
  const diffRatio = diffPixels / (actual.width * actual.height);
  const result: Comparison = { ...base, diffPixels, diffRatio, updated: false };
  if (process.env.VISUAL_NOISE_LOG) {
    writeFileSync(process.env.VISUAL_NOISE_LOG, `${JSON.stringify(result)}\n`, { flag: 'a' });
  }
  const failed = !sameSize || diffRatio > TOLERANCE.maxDiffRatio;
  if (failed || (process.env.VISUAL_NOISE_LOG && diffPixels > 0)) {
    const out = failureDir();
    writeFileSync(path.join(out, `${name}.expected.png`), readFileSync(file));
    writeFileSync(path.join(out, `${name}.actual.png`), encode(actual));
    if (diff) writeFileSync(path.join(out, `${name}.diff.png`), encode(diff));
  }
  if (failed) {
    const out = failureDir();
    const what = sameSize
      ? `${diffPixels} of ${actual.width * actual.height} pixels differ ` +
        `(${(diffRatio * 100).toFixed(3)} %, tolerance ${(TOLERANCE.maxDiffRatio * 100).toFixed(3)} %)`
      : `size ${actual.width}x${actual.height}, baseline ${expected.width}x${expected.height}`;
    throw new Error(
      `screenshot ${name} does not match its baseline: ${what}; expected, actual and diff in ` +
        `${out}/${name}.{expected,actual,diff}.png (UPDATE_SCREENSHOTS=1 rewrites the baseline ` +
        `when the change is intended)`,
    );
  }
  return result;
}

/**
 * Dials lead `leadId` from the paused agent's page (POST /api/agent/dial, as the panel's manual
 * dial does) and waits until the customer has answered and is in the agent's bridge (10 s at
 * most): a call every control acts on. Resolves with the call's id.
 */
export async function callLead(sys: System, page: Page, leadId: string): Promise<string> {
  const { agentId } = await agentSession(page);
  const r = await page.request.post('/api/agent/dial', { data: { leadId } });
  if (r.status() !== 200) throw new Error(`dial of lead ${leadId}: HTTP ${r.status()}`);
  await waitAgentState(page, 'INCALL');
  const callId = await currentCallId(page);
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const call = (await pbxCalls(sys.pbx)).find((c) => c.channelId === callId);
    if (call?.bridgeId === `agent-${agentId}`) return callId;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`call ${callId} of lead ${leadId} never reached the agent's bridge`);
}
