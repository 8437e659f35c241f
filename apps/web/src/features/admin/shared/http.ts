import { ApiError, refusalError } from '../../../core/api.js';

type Schema<T> = { parse(v: unknown): T };

/**
 * One admin API call (same origin, session cookie): the answer is validated against `schema`; a
 * refusal becomes an ApiError carrying the server's code, message and field issues, which the
 * forms show next to the fields (see kit.tsx).
 */
export async function adminRequest<T>(
  method: string,
  path: string,
  schema: Schema<T>,
  body?: unknown,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server could not be reached');
  }
  const json: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw refusalError(res.status, json, `${method} ${path}`);
  return schema.parse(json);
}
