import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors.js';
import { SESSION_COOKIE } from './session.js';

/**
 * Browser-facing protections (docs/security.md): security headers on every answer, no caching of
 * API answers, and the Origin check that stops cross-site requests riding on the session cookie.
 */

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The origin (`scheme://host[:port]`) of an Origin or Referer value; null when it has none. */
function originOf(value: string): string | null {
  if (value === 'null') return 'null'; // sandboxed frames, data: and file: pages
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}`.toLowerCase();
  } catch {
    return 'null';
  }
}

/** This server's origin as the request reached it (TRUST_PROXY decides X-Forwarded-Proto/Host). */
export function ownOrigin(req: FastifyRequest): string {
  // Through URL, as browsers write Origin: no default port (http://host, not http://host:80).
  return originOf(`${req.protocol}://${req.host}`) ?? 'null';
}

/**
 * The request's foreign origin: its Origin header (else its Referer's origin) when that differs
 * from this server's own origin, scheme included; null when same-origin or when the request
 * names no origin at all.
 */
export function foreignOrigin(req: FastifyRequest): string | null {
  const raw = req.headers.origin ?? req.headers.referer;
  if (raw === undefined || raw === '') return null;
  const origin = originOf(raw);
  return origin === ownOrigin(req) ? null : origin;
}

/**
 * Whether a request authenticates only by `Authorization: Bearer` (bots, scripts): a page of
 * another site cannot set that header on a request it forges, so the Origin check does not apply.
 */
function bearerOnly(req: FastifyRequest): boolean {
  return !req.cookies[SESSION_COOKIE] && /^Bearer\s+\S/i.test(req.headers.authorization ?? '');
}

/**
 * Refuses (403) a state-changing request (POST, PUT, PATCH, DELETE) whose Origin (or Referer) is
 * another origin, unless it authenticates by bearer token only. A request naming no origin at all
 * is let through: browsers send Origin on every cross-origin POST/PUT/PATCH/DELETE, so such a
 * request is not a page of another site (command-line clients, bots, server-to-server).
 */
export function checkRequestOrigin(req: FastifyRequest): void {
  if (!STATE_CHANGING.has(req.method)) return;
  if (bearerOnly(req)) return;
  const foreign = foreignOrigin(req);
  if (foreign === null) return;
  throw new ForbiddenError(
    `cross-origin request refused: Origin ${foreign} is not this server (${ownOrigin(req)})`,
  );
}

export interface SecurityHeadersOptions {
  /** Extra origins the panel connects to (the browser phones' SIP WebSocket). */
  connectSources?: readonly string[];
  /** Send Strict-Transport-Security (the site is served over HTTPS). */
  hsts?: boolean;
}

/**
 * Content-Security-Policy without inline script, no framing (frame-ancestors 'none' and
 * X-Frame-Options DENY), no Referer leaving the site, nosniff; API answers are not cached.
 */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  opts: SecurityHeadersOptions = {},
): Promise<void> {
  const connect = ["'self'", ...(opts.connectSources ?? [])];
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Inline styles are allowed (the panel's components insert <style> elements); inline
        // script is not, which is what stops injected markup from running code.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        // 'self' covers ws:/wss: to this host in current browsers; the function adds it for
        // older ones. The SIP WebSocket is another origin (connectSources).
        connectSrc: [
          ...connect,
          (req) => {
            const host = req.headers.host ?? '';
            return /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `ws://${host} wss://${host}` : "'self'";
          },
        ],
        mediaSrc: ["'self'", 'blob:'],
        workerSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: opts.hsts ? { maxAge: 31_536_000 } : false,
    // The panel loads nothing cross-origin that would need these relaxed.
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.url === '/api' || req.url.startsWith('/api/') || req.url.startsWith('/api?')) {
      void reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
