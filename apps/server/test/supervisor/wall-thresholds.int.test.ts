import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_WALL_THRESHOLDS,
  RosterResponse,
  WallThresholds,
  type BusEnvelope,
} from '@ringside/protocol';
import { bearer, createHarness, type Harness } from '../http/harness.js';

let h: Harness;
let token = '';

beforeAll(async () => {
  h = await createHarness();
  token = await h.login('super');
});
afterAll(async () => h?.close());

const url = () => `/api/supervisor/campaigns/${h.campaignId}/thresholds`;

const changed: WallThresholds = {
  states: { ...DEFAULT_WALL_THRESHOLDS.states, READY: { warnS: 20, alertS: 90 } },
  dropWarnPct: 1.5,
};

describe('wall thresholds per campaign', () => {
  it('are the defaults until set, in the route and in the roster', async () => {
    const r = await h.app.inject({ method: 'GET', url: url(), headers: bearer(token) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual(DEFAULT_WALL_THRESHOLDS);
    const roster = RosterResponse.parse(
      (
        await h.app.inject({ method: 'GET', url: '/api/supervisor/roster', headers: bearer(token) })
      ).json(),
    );
    const c = roster.campaigns.find((x) => x.id === h.campaignId);
    expect(c?.thresholds).toEqual(DEFAULT_WALL_THRESHOLDS);
  });

  it('are set by a supervisor: audited, announced to the walls, and read back by the roster', async () => {
    const events: BusEnvelope[] = [];
    const sub = await h.bus.subscribe({ from: 'latest', onEvent: (e) => void events.push(e) });
    try {
      const r = await h.app.inject({
        method: 'PUT',
        url: url(),
        headers: bearer(token),
        payload: changed,
      });
      expect(r.statusCode).toBe(200);
      const roster = RosterResponse.parse(
        (
          await h.app.inject({
            method: 'GET',
            url: '/api/supervisor/roster',
            headers: bearer(token),
          })
        ).json(),
      );
      expect(roster.campaigns.find((x) => x.id === h.campaignId)?.thresholds).toEqual(changed);
      const audit = await h.deps.audit.list({ target: `campaign:${h.campaignId}` });
      expect(audit[0]).toMatchObject({
        action: 'supervisor.campaign_thresholds',
        userId: h.users.supervisor.id,
        detail: { from: DEFAULT_WALL_THRESHOLDS, to: changed },
      });
      await expect
        .poll(() =>
          events.some(
            (e) =>
              e.event.type === 'campaign.settings_changed' &&
              e.event.fields.includes('wallThresholds'),
          ),
        )
        .toBe(true);
    } finally {
      await sub.close();
    }
  });

  it('refuses an alert before its warning, a missing state and a drop warning over 3 %, naming the field', async () => {
    const bad = [
      {
        body: {
          ...changed,
          states: { ...changed.states, DEAD: { warnS: 30, alertS: 10 } },
        },
        path: 'states.DEAD.alertS',
      },
      { body: { ...changed, states: { READY: changed.states.READY } }, path: 'states.RESERVED' },
      { body: { ...changed, dropWarnPct: 4 }, path: 'dropWarnPct' },
    ];
    for (const b of bad) {
      const r = await h.app.inject({
        method: 'PUT',
        url: url(),
        headers: bearer(token),
        payload: b.body,
      });
      expect(r.statusCode).toBe(400);
      expect(JSON.stringify(r.json())).toContain(b.path.split('.').pop());
    }
  });

  it('answers 404 for a campaign that does not exist', async () => {
    const r = await h.app.inject({
      method: 'PUT',
      url: '/api/supervisor/campaigns/999999/thresholds',
      headers: bearer(token),
      payload: changed,
    });
    expect(r.statusCode).toBe(404);
  });
});
