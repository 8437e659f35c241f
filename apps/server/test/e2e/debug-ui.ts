import { startSystem, customerHangsUp, launchChromium } from './system.js';
const sys = await startSystem({ phoneShim: true });
const browser = await launchChromium();
const page = await (
  await browser.newContext({ baseURL: sys.front.url, viewport: { width: 1200, height: 1100 } })
).newPage();
page.on('console', (m) => console.log('console', m.text()));
await page.goto('/');
await page.getByLabel('Username').fill('agent1');
await page.getByLabel('Password').fill('ringside-demo');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('button', { name: 'Log in to campaign' }).click();
await page.locator('[data-agent-state="PAUSED"]').waitFor();
await page.getByRole('button', { name: 'Ready', exact: true }).click();
await page.locator('[data-agent-state="INCALL"]').waitFor({ timeout: 20000 });
await new Promise((r) => setTimeout(r, 1000));
await page.screenshot({ path: '/tmp/rsdebug/incall.png', fullPage: true });
const id = await page
  .locator('section[aria-label="Call"][data-call-id]')
  .getAttribute('data-call-id');
await customerHangsUp(sys.pbx, id!);
await new Promise((r) => setTimeout(r, 1500));
await page.screenshot({ path: '/tmp/rsdebug/ended.png', fullPage: true });
await page.getByLabel('Number', { exact: true }).fill('+12125550199');
const dial = page.getByRole('button', { name: 'Dial', exact: true });
console.log('dial count', await dial.count(), await dial.isVisible(), await dial.isEnabled());
await dial
  .click({ timeout: 5000 })
  .catch((e) => console.log('click failed', String(e).slice(0, 500)));
await new Promise((r) => setTimeout(r, 500));
await page.screenshot({ path: '/tmp/rsdebug/dial.png', fullPage: true });
await browser.close();
await sys.stop();
process.exit(0);
