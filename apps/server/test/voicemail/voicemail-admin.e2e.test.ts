import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoicemailView } from '@ringside/protocol';
import { adminPage, useE2e } from '../e2e/system.js';

/**
 * The admin's voicemail drop form in chromium against the whole system: a WAV made with sox is
 * uploaded from the campaign's screen, listed with its converted length and a preview player
 * whose audio the server serves, chosen with the wait settings and saved; a text file is refused
 * with the server's words where the admin is looking.
 */

const e2e = useE2e({ leads: 0, agents: 0 });
let page: Page;
let dir: string;
let campaignId = '';

beforeAll(async () => {
  page = await adminPage(e2e);
  dir = mkdtempSync(join(tmpdir(), 'vm-e2e-'));
  execFileSync('sox', [
    '-n',
    '-r',
    '16000',
    '-c',
    '1',
    join(dir, 'hello.wav'),
    'synth',
    '3',
    'sine',
    '440',
  ]);
  writeFileSync(join(dir, 'notes.wav'), 'this is not audio\n');
  const r = await page.request.get('/api/campaigns');
  const campaigns = ((await r.json()) as { campaigns: { id: string }[] }).campaigns;
  campaignId = campaigns[0]!.id;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('admin: voicemail drop', () => {
  const section = () => page.getByRole('region', { name: 'Voicemail drop' });

  it('uploads a WAV, lists it converted with a preview, and saves it as the campaign’s message', async () => {
    await page.goto(`/#/admin/campaigns/${campaignId}`);
    await section().waitFor();
    const upload = section().getByRole('form', { name: 'Upload a voicemail message' });
    await upload.getByLabel('Message name').fill('Callback please');
    await upload.getByLabel(/Audio file/).setInputFiles(join(dir, 'hello.wav'));
    await upload.getByRole('button', { name: 'Upload' }).click();
    await expect
      .poll(() => section().getByRole('status').textContent())
      .toContain('Uploaded Callback please (3.0 s).');
    const row = section()
      .getByRole('table', { name: 'Voicemail messages' })
      .getByRole('row')
      .filter({ hasText: 'Callback please' });
    await expect.poll(() => row.getByRole('cell').nth(2).textContent()).toBe('3.0 s');
    const player = row.getByLabel('Preview Callback please');
    const src = (await player.getAttribute('src')) ?? '';
    const audio = await page.request.get(src);
    expect(audio.status()).toBe(200);
    expect(audio.headers()['content-type']).toBe('audio/wav');

    const settings = section().getByRole('form', { name: 'Voicemail drop settings' });
    await settings
      .getByLabel('Message left on answering machines')
      .selectOption({ label: 'Callback please (3.0 s)' });
    await settings.getByLabel("Longest wait for the greeting's end (seconds)").fill('25');
    await settings.getByLabel('When the greeting never ends').selectOption('hangup');
    await settings.getByRole('button', { name: 'Save voicemail drop' }).click();
    await expect
      .poll(() => section().getByRole('status').textContent())
      .toContain('Saved the voicemail drop.');
    const view = (await (
      await page.request.get(`/api/campaigns/${campaignId}/voicemail`)
    ).json()) as VoicemailView;
    expect(view.settings).toMatchObject({
      wait: 'greeting_end',
      maxWaitS: 25,
      noBeepAction: 'hangup',
      messageId: view.messages.find((m) => m.name === 'Callback please')?.id,
    });
  });

  it('refuses a file that is not audio, with the server’s reason', async () => {
    const upload = section().getByRole('form', { name: 'Upload a voicemail message' });
    await upload.getByLabel(/Audio file/).setInputFiles(join(dir, 'notes.wav'));
    await upload.getByRole('button', { name: 'Upload' }).click();
    await expect
      .poll(() => section().getByTestId('refusal').textContent())
      .toContain('file: not a WAV or MP3 file');
  });
});
