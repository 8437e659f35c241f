import { startSystem, launchChromium } from './system.js';
const sys = await startSystem({ phoneShim: true });
const browser = await launchChromium();
const page = await (await browser.newContext({ baseURL: sys.front.url })).newPage();
await page.goto('/');
await page.getByLabel('Username').fill('agent1');
await page.getByLabel('Password').fill('ringside-demo');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('button', { name: 'Log in to campaign' }).waitFor();
await new Promise((r) => setTimeout(r, 500));
const t0 = Date.now();
await page.getByRole('button', { name: 'Log in to campaign' }).click();
await page.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 5000 });
console.log('click->leg', Date.now() - t0);
const entries = await page.evaluate(() =>
  (globalThis as any).performance
    .getEntriesByType('resource')
    .map((e: any) => [
      e.name.replace(/^https?:\/\/[^/]+/, ''),
      Math.round(e.startTime),
      Math.round(e.duration),
    ]),
);
console.log(JSON.stringify(entries.slice(-8)));
await browser.close();
await sys.stop();
process.exit(0);
