import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { realAriServer } from './real-system.js';

/**
 * A phone that dials `login` while no Ringside ARI worker is subscribed to the Stasis app (just
 * after an Asterisk restart, the browser phones re-register and dial back before the worker's
 * event stream is up again; seen on the real Asterisk: "Stasis app 'dialer' doesn't exist", and
 * the leg was hung up at once). The shipped dialplan keeps the leg and tries Stasis again every
 * second: the leg reaches the app as soon as a subscriber appears. No Ringside role runs here:
 * this file is the only subscriber of the app while it runs (the suite runs files one at a time).
 */
const server = realAriServer();
const auth = `Basic ${Buffer.from(`${server.user}:${server.password}`).toString('base64')}`;
const created: string[] = [];

async function ari(method: string, path: string): Promise<Response> {
  return fetch(`${server.baseUrl}${path}`, { method, headers: { authorization: auth } });
}

afterAll(async () => {
  for (const id of created) await ari('DELETE', `/channels/${id}`).catch(() => undefined);
});

describe('a login while the Stasis app has no subscriber', () => {
  it('waits in the dialplan and reaches the app once a subscriber connects', async () => {
    const apps = (await (await ari('GET', '/applications')).json()) as Array<{ name: string }>;
    expect(apps.map((a) => a.name)).not.toContain(server.app);

    // Local/login@agents: its ;2 half runs the login extension (as a phone dialing it would);
    // the ;1 half waits in the test-only `agent` extension.
    const id = `login-wait-${Date.now()}`;
    const q = new URLSearchParams({
      endpoint: 'Local/login@agents',
      extension: 'agent',
      context: 'agents',
      priority: '1',
      channelId: id,
      otherChannelId: `${id}-2`,
    });
    const res = await ari('POST', `/channels?${q.toString()}`);
    expect(res.status).toBe(200);
    created.push(id, `${id}-2`);

    // Three seconds with nobody subscribed: the leg is still there (it used to be hung up).
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await ari('GET', `/channels/${id}-2`)).status).toBe(200);

    // A subscriber appears: the waiting leg enters the app within about a second.
    const wsUrl = `${server.baseUrl.replace(/^http/, 'ws')}/events?app=${encodeURIComponent(server.app)}`;
    const ws = new WebSocket(wsUrl, { headers: { authorization: auth } });
    const subscribedAt = Date.now();
    try {
      const start = await new Promise<{ channel: { id: string }; args: string[] }>(
        (resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no StasisStart within 5 s')), 5_000);
          ws.on('message', (data: Buffer) => {
            const e = JSON.parse(data.toString()) as {
              type: string;
              channel?: { id: string };
              args?: string[];
            };
            if (e.type === 'StasisStart' && e.channel?.id === `${id}-2`) {
              clearTimeout(timer);
              resolve({ channel: e.channel, args: e.args ?? [] });
            }
          });
          ws.on('error', reject);
        },
      );
      expect(start.args[0]).toBe('agent');
      expect(Date.now() - subscribedAt).toBeLessThan(2_500);
    } finally {
      ws.close();
    }
  }, 20_000);
});
