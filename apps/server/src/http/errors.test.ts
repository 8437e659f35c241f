import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, UnavailableError, ValidationError } from '../errors.js';
import { mapError, RateLimitedError } from './errors.js';

describe('mapError', () => {
  it('maps a zod failure to 400 naming the field', () => {
    const r = z.object({ a: z.object({ b: z.number().max(3) }) }).safeParse({ a: { b: 9 } });
    if (r.success) throw new Error('expected failure');
    const m = mapError(r.error);
    expect(m.status).toBe(400);
    expect(m.body.error.code).toBe('VALIDATION');
    expect(m.body.error.issues?.[0]?.path).toBe('a.b');
  });

  it('keeps the code and message of a client-side RingsideError', () => {
    expect(mapError(new ConflictError('taken'))).toMatchObject({
      status: 409,
      body: { error: { code: 'CONFLICT', message: 'taken' } },
      internal: false,
    });
    expect(mapError(new ValidationError('bad', [{ path: 'x', message: 'm' }])).status).toBe(400);
    expect(mapError(new RateLimitedError('slow down', 1000)).status).toBe(429);
  });

  it('hides the message of a 5xx RingsideError', () => {
    const m = mapError(new UnavailableError('connect ECONNREFUSED 10.0.0.5:5432'));
    expect(m.status).toBe(503);
    expect(JSON.stringify(m.body)).not.toContain('10.0.0.5');
  });

  it('answers 500 without internals for an unknown error', () => {
    const m = mapError(new TypeError('cannot read properties of undefined (reading "secret")'));
    expect(m).toMatchObject({ status: 500, internal: true });
    expect(JSON.stringify(m.body)).not.toContain('secret');
  });

  it('passes through framework 4xx errors with a stable code', () => {
    const e = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(mapError(e)).toMatchObject({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE' } },
    });
  });
});
