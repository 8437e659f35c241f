import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openRecordingVault } from '../../src/adapters/storage/index.js';
import { createLogger } from '../../src/logger.js';
import { seedRecording, toneWav } from '../recording-play/fixture.js';
import { expectNoAxeViolations, whenQuiet } from './axe.js';
import { adminPage, openPage, signIn, useE2e } from './system.js';

/**
 * Listening and quality review end to end (issue 15 points 6 and 8): a recording stored in the
 * vault the api role reads (RECORDINGS_URL's default, the generated key), a supervisor in Debian's
 * chromium opens the lead's history, plays the recording on the waveform player with the
 * keyboard, scores it on the campaign's scorecard and saves; the screens pass axe-core.
 */

const e2e = useE2e({ leads: 0, campaign: { active: false } });
let page: Page;
let leadId = '';
let recId = '';
let url = '';
const vaultDir = path.resolve('data/recordings');

beforeAll(async () => {
  const pool = e2e.sys.db.pool;
  const lead = await pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone) VALUES ($1, '+12025550123') RETURNING id::text AS id`,
    [e2e.sys.seed.listId],
  );
  leadId = lead.rows[0]?.id ?? '';
  // The api role's vault: config.ts's default RECORDINGS_URL, the key generated in PostgreSQL.
  const vault = await openRecordingVault(
    { url: pathToFileURL(vaultDir).href, keys: null, s3Credentials: null },
    pool,
    createLogger('silent'),
    false,
  );
  const [a1, a2] = e2e.sys.seed.agentIds;
  const rec = await seedRecording({ db: { pool } }, vault, {
    campaignId: e2e.sys.seed.campaignId,
    leadId,
    agents: [a1 ?? '', a2 ?? ''],
    offsetsMs: [0, 8000],
    // 12 s, silent 3-5 s (a PCI pause), transferred at 8 s.
    wav: toneWav(12_000, { fromMs: 3000, toMs: 5000 }),
    marks: [
      { kind: 'pause', offsetMs: 3000 },
      { kind: 'resume', offsetMs: 5000 },
      { kind: 'transfer', offsetMs: 8000 },
    ],
  });
  recId = rec.id;
  // An older call of the lead whose file has not left the phone server yet.
  await seedRecording({ db: { pool } }, vault, {
    campaignId: e2e.sys.seed.campaignId,
    leadId,
    agents: [a1 ?? ''],
    state: 'pending',
    startedAtMs: Date.now() - 86_400_000,
  });
  url = rec.url ?? '';
  await pool.query(`UPDATE recordings SET duration_ms = 12000 WHERE id = $1`, [recId]);
  vault.close();
  const card = await pool.query<{ id: string }>(
    `INSERT INTO quality_scorecards (campaign_id, version) VALUES ($1, 1) RETURNING id::text AS id`,
    [e2e.sys.seed.campaignId],
  );
  await pool.query(
    `INSERT INTO quality_criteria (scorecard_id, position, label, weight, kind)
     VALUES ($1, 1, 'Greeting', 40, 'yes_no'), ($1, 2, 'Empathy', 60, 'scale_5')`,
    [card.rows[0]?.id],
  );
  page = await openPage(e2e.browser, e2e.sys);
  await signIn(page, 'supervisor');
  await page.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
});

afterAll(async () => {
  // The test's file only; the directories only when nothing else is in them.
  if (url) await rm(fileURLToPath(url), { force: true });
  await rmdir(path.join(vaultDir, 'test')).catch(() => undefined);
});

describe('listening and quality review', () => {
  it('plays a recording from the lead history with the keyboard, the pause and transfer marked', async () => {
    await page.goto(`/#/reports/lead-history/${leadId}`);
    await page.getByRole('heading', { name: 'Recordings' }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Listen' }).click();
    const wave = page.getByRole('slider', { name: new RegExp(`recording ${recId}`) });
    await wave.waitFor();
    // The waveform arrived: 800 bucket strokes, one shaded gap, one transfer tick.
    await expect
      .poll(async () => ((await page.locator('.rec-wave path').getAttribute('d')) ?? '').length)
      .toBeGreaterThan(1000);
    expect(await page.locator('.rec-gap').count()).toBe(1);
    expect(await page.locator('.rec-tick').count()).toBe(1);
    expect(await page.locator('.rec-legend').textContent()).toContain('recording paused 0:03–0:05');
    expect(await wave.getAttribute('aria-valuemax')).toBe('12');

    await wave.focus();
    await page.keyboard.press('ArrowRight');
    expect(await wave.getAttribute('aria-valuenow')).toBe('5');
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Pause' }).waitFor({ timeout: 10_000 });
    await expect
      .poll(async () => Number(await wave.getAttribute('aria-valuenow')), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(6);
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
    // The audio came by byte ranges, and the play is audited once for this session.
    const plays = await e2e.sys.db.pool.query(
      `SELECT 1 FROM audit_log WHERE action = 'recording.play' AND target = $1`,
      [`recording:${recId}`],
    );
    expect(plays.rowCount).toBe(1);
    await whenQuiet(page);
    await expectNoAxeViolations(page, 'lead history with the player and review');
  });

  it('saves a review beside the player, and saving again edits it', async () => {
    const form = page.getByRole('form', { name: `Review of recording ${recId}` });
    await form
      .getByRole('group', { name: /Greeting/ })
      .getByLabel('Yes')
      .check();
    await form
      .getByRole('group', { name: /Empathy/ })
      .getByLabel('4')
      .check();
    await form.getByLabel('Comment').fill('Calm, clear close.');
    await form.getByRole('button', { name: 'Save review' }).click();
    await form.getByText('Review saved: 85 %.').waitFor();
    await form
      .getByRole('group', { name: /Greeting/ })
      .getByLabel('No')
      .check();
    await form.getByRole('button', { name: 'Save review' }).click();
    await form.getByText('Review saved: 45 %.').waitFor();
    const rows = await e2e.sys.db.pool.query<{ score_pct: string; comment: string }>(
      `SELECT score_pct::text, comment FROM quality_reviews WHERE recording_id = $1`,
      [recId],
    );
    expect(rows.rows).toEqual([{ score_pct: '45.00', comment: 'Calm, clear close.' }]);
  });

  it('lists the calls on the Recordings screen, saying why one has nothing to play, axe-clean', async () => {
    await page.goto('/#/reports/recordings');
    const list = page.getByRole('list', { name: 'Recordings found' });
    await list.waitFor({ timeout: 10_000 });
    expect(await list.getByRole('listitem').count()).toBe(2);
    await list.getByRole('button', { name: 'Details' }).click();
    await list.getByRole('status').filter({ hasText: 'Not yet stored' }).waitFor();
    await whenQuiet(page);
    await expectNoAxeViolations(page, 'recordings screen');
  });

  it('shows the scores per agent and criterion on the Quality screen, axe-clean', async () => {
    await page.goto('/#/reports/quality');
    await page.getByRole('table', { name: 'Scores per criterion' }).waitFor({ timeout: 10_000 });
    const empathy = page.getByRole('row', { name: /Empathy/ }).first();
    expect(await empathy.textContent()).toContain('75 %');
    await page.getByRole('heading', { name: 'AMD review' }).waitFor();
    await whenQuiet(page);
    await expectNoAxeViolations(page, 'quality screen');
  });

  it("lets an admin edit the campaign's scorecard, refusing weights that do not add up to 100", async () => {
    const admin = await adminPage(e2e);
    await admin.goto('/#/reports/quality');
    const editor = admin.getByRole('form', { name: 'Edit the scorecard' });
    await editor.waitFor({ timeout: 10_000 });
    await editor.getByLabel('Criterion 2 weight').fill('50');
    await editor.getByRole('button', { name: 'Save scorecard' }).click();
    await editor
      .getByRole('alert')
      .filter({ hasText: 'the weights must add up to 100 (they add up to 90)' })
      .waitFor();
    await editor.getByRole('button', { name: 'Add criterion' }).click();
    await editor.getByLabel('Criterion 3 label').fill('Closing');
    await editor.getByLabel('Criterion 3 weight').fill('10');
    await editor.getByRole('button', { name: 'Save scorecard' }).click();
    await editor.getByText('Scorecard saved as version 2.').waitFor();
    const rows = await e2e.sys.db.pool.query<{ label: string; weight: number }>(
      `SELECT c.label, c.weight FROM quality_criteria c JOIN quality_scorecards s ON s.id = c.scorecard_id
        WHERE s.campaign_id = $1 AND s.version = 2 ORDER BY c.position`,
      [e2e.sys.seed.campaignId],
    );
    expect(rows.rows).toEqual([
      { label: 'Greeting', weight: 40 },
      { label: 'Empathy', weight: 50 },
      { label: 'Closing', weight: 10 },
    ]);
    await whenQuiet(admin);
    await expectNoAxeViolations(admin, 'scorecard editor');
  });

  it("lets an admin set the lead's consent notice and legal hold beside its history, audited; supervisors do not see them", async () => {
    const admin = await adminPage(e2e);
    await admin.goto(`/#/reports/lead-history/${leadId}`);
    const settings = admin.getByRole('region', { name: `Recording settings of lead ${leadId}` });
    const consent = settings.getByLabel('Consent notice');
    await consent.waitFor({ timeout: 15_000 });
    expect(await consent.inputValue()).toBe('campaign');
    await consent.selectOption('always');
    await settings.getByRole('status').filter({ hasText: 'Consent notice saved.' }).waitFor();
    const hold = settings.getByLabel(/Legal hold/);
    expect(await hold.isChecked()).toBe(false);
    await hold.click(); // checked once the server has answered (not check(): it wants the box at once)
    await settings
      .getByRole('status')
      .filter({ hasText: 'Legal hold set: recordings are kept.' })
      .waitFor();
    expect(await hold.isChecked()).toBe(true);
    const lead = await e2e.sys.db.pool.query<{ recording_consent: string; legal_hold: boolean }>(
      'SELECT recording_consent, legal_hold FROM leads WHERE id = $1',
      [leadId],
    );
    expect(lead.rows[0]).toEqual({ recording_consent: 'always', legal_hold: true });
    const audit = await e2e.sys.db.pool.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE target = $1 ORDER BY id`,
      [`lead:${leadId}`],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'lead.recording_consent',
      'lead.legal_hold.set',
    ]);
    // Opened again, the screen shows what the server keeps.
    await admin.reload();
    await consent.waitFor({ timeout: 15_000 });
    expect(await consent.inputValue()).toBe('always');
    expect(await hold.isChecked()).toBe(true);
    await whenQuiet(admin);
    await expectNoAxeViolations(admin, 'lead recording settings');
    // A supervisor hears the recordings but changes neither.
    await page.goto(`/#/reports/lead-history/${leadId}`);
    await page.getByRole('heading', { name: 'Recordings' }).waitFor({ timeout: 15_000 });
    expect(await page.getByRole('heading', { name: /Recording settings/ }).count()).toBe(0);
  });
});
