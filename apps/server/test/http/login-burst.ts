import type { FastifyInstance } from 'fastify';

/**
 * `times` logins in a row from one address (the i-th with body `payload(i)`): the status of each,
 * for the tests of the per-IP login limit.
 */
export async function loginStatuses(
  app: FastifyInstance,
  times: number,
  remoteAddress: string,
  payload: (i: number) => Record<string, unknown>,
): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const r = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: payload(i),
      remoteAddress,
    });
    statuses.push(r.statusCode);
  }
  return statuses;
}
