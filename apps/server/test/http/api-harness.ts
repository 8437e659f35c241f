import { afterAll, beforeAll } from 'vitest';
import type { ErrorBody } from '@ringside/protocol';
import { bearer, createHarness, type Harness } from './harness.js';

/**
 * The API tests' server: the real app over PostgreSQL and Redis (harness.ts), signed in as an
 * admin, a supervisor and two agents. Each test file calls useApiHarness() for its own.
 */

export let h: Harness;
export let tokens: Record<'admin' | 'supervisor' | 'agent' | 'agent2', string>;

export function useApiHarness(): void {
  beforeAll(async () => {
    h = await createHarness({ loginPerIpPerMinute: 30 });
    tokens = {
      admin: await h.login('admin'),
      supervisor: await h.login('super'),
      agent: await h.login('agent1'),
      agent2: await h.login('agent2'),
    };
  });
  afterAll(async () => h?.close());
}

/** The error of an error answer's body. */
export const err = (body: string) => (JSON.parse(body) as ErrorBody).error;

/** GET `url` as one of the signed-in users. */
export const get = (url: string, who: keyof typeof tokens) =>
  h.app.inject({ method: 'GET', url, headers: bearer(tokens[who]) });
