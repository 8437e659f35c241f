import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { waitAgentState } from './pages.js';
import { DEMO_PASSWORD, openPage, useE2e } from './system.js';

/**
 * Issue 17 point 8: the agent's whole loop from the keyboard alone (Tab, Enter, Space, the Alt
 * shortcuts, number keys): sign in, log in to the campaign, go ready, a call arrives,
 * hold and resume, hang up, disposition (a number key), ready again, pause, log out of the
 * campaign. After every state change the focus is on a control (never on <body>), and every
 * control the focus reaches shows a focus indicator: an outline or a box shadow of at least 1 px
 * whose colour has at least 3:1 contrast with the background behind it (WCAG 2.4.7, 1.4.11). One
 * lead: after its call the dialer has nothing more to dial, so "ready again" stays ready.
 */

const e2e = useE2e({ agents: 1, leads: 1, campaign: { wrapup_s: 300 } });

/** What the test reads about the focused element (the server's project has no DOM types). */
interface Focused {
  tag: string;
  name: string;
  /** Why the focus indicator is not good enough; empty when it is. */
  indicatorProblem: string;
}

/** The focused element, its accessible name (approximated) and whether its indicator is visible. */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    type El = {
      tagName: string;
      parentElement: El | null;
      textContent: string | null;
      getAttribute(n: string): string | null;
      labels?: ArrayLike<{ textContent: string | null }> | null;
      placeholder?: string;
    };
    type Style = {
      outlineStyle: string;
      outlineWidth: string;
      outlineColor: string;
      boxShadow: string;
      backgroundColor: string;
    };
    const g = globalThis as unknown as {
      document: { activeElement: El | null; body: El; getElementById(id: string): El | null };
      getComputedStyle(e: El): Style;
    };
    const el = g.document.activeElement;
    if (!el || el === g.document.body) return { tag: 'body', name: '', indicatorProblem: '' };
    const text = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
    const labelledBy = (el.getAttribute('aria-labelledby') ?? '')
      .split(' ')
      .map((id) => text(g.document.getElementById(id)?.textContent))
      .join(' ');
    const name =
      text(el.getAttribute('aria-label')) ||
      text(labelledBy) ||
      text(el.labels?.[0]?.textContent) ||
      text(el.textContent) ||
      text(el.placeholder);

    const rgba = (c: string): [number, number, number, number] | null => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m?.[1]) return null;
      const p = m[1]
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 1];
    };
    const luminance = ([r, gr, b]: [number, number, number, number]) => {
      const ch = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r) + 0.7152 * ch(gr) + 0.0722 * ch(b);
    };
    // The colour behind the element's indicator: the first opaque background of an ancestor.
    let behind: [number, number, number, number] = [255, 255, 255, 1];
    for (let p = el.parentElement; p; p = p.parentElement) {
      const bg = rgba(g.getComputedStyle(p).backgroundColor);
      if (bg && bg[3] > 0.5) {
        behind = bg;
        break;
      }
    }
    const cs = g.getComputedStyle(el);
    let colour: [number, number, number, number] | null = null;
    if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1) {
      colour = rgba(cs.outlineColor);
    } else if (cs.boxShadow && cs.boxShadow !== 'none') {
      colour = rgba(cs.boxShadow);
    }
    let indicatorProblem = '';
    if (!colour || colour[3] === 0) {
      indicatorProblem = 'no outline or box shadow';
    } else {
      const [hi, lo] = [luminance(colour), luminance(behind)].sort((a, b) => b - a) as [
        number,
        number,
      ];
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < 3) {
        indicatorProblem = `indicator ${cs.outlineColor || cs.boxShadow} has ${ratio.toFixed(2)}:1 contrast with rgb(${behind.slice(0, 3).join(',')})`;
      }
    }
    return { tag: el.tagName.toLowerCase(), name, indicatorProblem };
  });
}

/** Fails unless the focus is on a control with a visible indicator. */
async function expectVisibleFocus(page: Page, when: string): Promise<Focused> {
  const f = await focused(page);
  expect(f.tag, `focus on <body> ${when}`).not.toBe('body');
  expect(f.indicatorProblem, `focus indicator of <${f.tag}> "${f.name}" ${when}`).toBe('');
  return f;
}

/**
 * After a state change: waits for `state`, lets the panel move the focus (500 ms), then fails
 * if the focus is on <body> or shows no indicator.
 */
async function afterStateChange(page: Page, state: string, timeoutMs?: number): Promise<Focused> {
  await waitAgentState(page, state, timeoutMs);
  await page.waitForTimeout(500);
  return expectVisibleFocus(page, `after the change to ${state}`);
}

/**
 * Presses Tab until the focused element's name matches `name`, checking the indicator of every
 * element passed on the way; fails after 40 presses.
 */
async function tabTo(page: Page, name: RegExp): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    seen.push(`<${f.tag}> ${f.name.slice(0, 40)}`);
    if (f.tag !== 'body') {
      expect(f.indicatorProblem, `focus indicator of <${f.tag}> "${f.name}"`).toBe('');
    }
    if (name.test(f.name)) return f;
  }
  throw new Error(`no control named ${name} within 40 Tab presses; passed: ${seen.join(' | ')}`);
}

describe("the agent's loop from the keyboard alone", () => {
  it('sign in, campaign, ready, a call, hold, hang up, disposition, ready, pause, log out', async () => {
    const page = await openPage(e2e.browser, e2e.sys);
    await page.goto('/');
    await page.getByLabel('Username').waitFor();

    // Sign in.
    const start = await focused(page);
    if (!/Username/.test(start.name)) await tabTo(page, /Username/);
    await page.keyboard.type('agent1');
    await tabTo(page, /Password/);
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Log in to campaign' }).waitFor();
    await page.waitForTimeout(500);
    await expectVisibleFocus(page, 'after sign-in');

    // Log in to the campaign: the first campaign is picked; Tab to the button.
    const login = await focused(page);
    if (!/Log in to campaign/.test(login.name)) await tabTo(page, /^Log in to campaign$/);
    await page.keyboard.press('Enter');
    await afterStateChange(page, 'PAUSED');
    await page.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor();

    // Ready by shortcut; the dialer calls the one lead and the call arrives.
    await page.keyboard.press('Alt+KeyR');
    await afterStateChange(page, 'INCALL', 30_000);
    await page.getByRole('region', { name: 'Lead', exact: true }).waitFor();

    // Hold by shortcut, resume with the button (Tab to it, Space).
    await page.keyboard.press('Alt+KeyO');
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await expectVisibleFocus(page, 'after hold');
    await tabTo(page, /^Resume/);
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Hold' }).waitFor();
    await expectVisibleFocus(page, 'after resume');

    // Hang up by shortcut: wrap-up, the disposition form takes the focus.
    await page.keyboard.press('Alt+KeyH');
    await afterStateChange(page, 'WRAPUP');
    const form = page.getByRole('form', { name: 'Disposition' });
    await form.waitFor();
    // Number key 2 picks the second disposition shown; "then go ready"; submit with Enter.
    await page.keyboard.press('2');
    expect(await form.getByRole('radio').nth(1).isChecked()).toBe(true);
    await tabTo(page, /Then go ready/);
    await page.keyboard.press('Space');
    await tabTo(page, /^Submit disposition$/);
    await page.keyboard.press('Enter');
    await afterStateChange(page, 'READY');

    // Pause: Alt+P to the pause code, Enter pauses.
    await page.keyboard.press('Alt+KeyP');
    await expectVisibleFocus(page, 'after Alt+P');
    await page.keyboard.press('Enter');
    await afterStateChange(page, 'PAUSED');

    // Log out of the campaign: Tab to the button, Enter.
    await tabTo(page, /^Log out of campaign$/);
    await page.keyboard.press('Enter');
    await afterStateChange(page, 'LOGGED_OUT');
    await page.context().close();
  });
});

describe('the focus check itself', () => {
  it('catches focus on <body>, a missing indicator and a ring under 3:1 contrast', async () => {
    const page = await e2e.browser.newPage();
    try {
      await page.setContent(
        '<main style="background:#fff">' +
          '<button id="pale" style="outline:3px solid #f5a623">Pale</button>' +
          '<button id="none" style="outline:none">None</button>' +
          '<button id="good" style="outline:3px solid #0b3d91">Good</button></main>',
      );
      expect((await focused(page)).tag).toBe('body');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toMatchObject({
        name: 'Pale',
        indicatorProblem: expect.stringMatching(/has 2\.\d\d:1 contrast/) as unknown,
      });
      await page.keyboard.press('Tab');
      expect(await focused(page)).toMatchObject({
        name: 'None',
        indicatorProblem: 'no outline or box shadow',
      });
      await page.keyboard.press('Tab');
      expect(await focused(page)).toMatchObject({ name: 'Good', indicatorProblem: '' });
    } finally {
      await page.close();
    }
  });
});
