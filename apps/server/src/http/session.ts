import { createHmac, timingSafeEqual } from 'node:crypto';
import { Role } from '@ringside/protocol';
import { z } from 'zod';

/**
 * Signed session tokens: `base64url(payload).base64url(HMAC-SHA256(secret, payload))`. Stateless,
 * so any api process can check one; the user row is still read on every request, so a
 * deactivated user or a changed role takes effect at once.
 */
export const SESSION_COOKIE = 'rs_session';

/** Default lifetime of a session (12 h: one working day). */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const Payload = z.object({
  /** User id. */
  sub: z.string().min(1).max(20),
  role: Role,
  iatMs: z.number().int(),
  expMs: z.number().int(),
});
export type SessionPayload = z.infer<typeof Payload>;

/** Domain separator so that an HMAC made for something else never passes as a token. */
const CONTEXT = 'ringside.session.v1.';

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret)
    .update(CONTEXT + body)
    .digest();
}

export function signSession(secret: string, payload: SessionPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/** The payload of a well-signed, unexpired token; null for anything else. */
export function verifySession(secret: string, token: string, nowMs: number): SessionPayload | null {
  if (token.length > 1024) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const body = token.slice(0, dot);
  const sig = Buffer.from(token.slice(dot + 1), 'base64url');
  const want = mac(secret, body);
  if (sig.length !== want.length || !timingSafeEqual(sig, want)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = Payload.safeParse(json);
  if (!parsed.success || parsed.data.expMs <= nowMs) return null;
  return parsed.data;
}

/** The token of a request: the session cookie, else `Authorization: Bearer <token>`. */
export function tokenFrom(headers: {
  authorization?: string | undefined;
  cookies?: Record<string, string | undefined>;
}): string | null {
  const cookie = headers.cookies?.[SESSION_COOKIE];
  if (cookie) return cookie;
  const auth = headers.authorization;
  if (auth && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim() || null;
  return null;
}
