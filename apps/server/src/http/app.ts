import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { Readable } from 'node:stream';
import { WS_MAX_CLIENT_MESSAGE_BYTES, type ErrorBody } from '@ringside/protocol';
import type { TrustProxy } from '../config.js';
import { RingsideError } from '../errors.js';
import { createGateway } from '../ws/gateway.js';
import { authorize, resolveUser } from './auth.js';
import type { AppDeps } from './deps.js';
import { mapError, RateLimitedError } from './errors.js';
import { STREAM_CONTENT_TYPES, type RouteAuth } from './routes/common.js';
import { registerAdminPeopleRoutes } from './routes/admin-people.js';
import { registerAgentRoutes } from './routes/agent.js';
import { registerAmdAuditRoutes } from './routes/amd-audit.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerTwoFactorRoutes } from './routes/auth-2fa.js';
import { registerCampaignRoutes } from './routes/campaigns.js';
import { registerComplianceRoutes } from './routes/compliance.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerImportRoutes } from './routes/import.js';
import { registerListAdminRoutes } from './routes/admin-lists.js';
import { registerLeadRoutes } from './routes/leads.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerRecordingPlayRoutes } from './routes/recording-play.js';
import { registerRecordingRoutes } from './routes/recording.js';
import { registerRecordingRetentionRoutes } from './routes/recording-retention.js';
import { registerQualityRoutes } from './routes/quality.js';
import { registerSupervisorRoutes } from './routes/supervisor.js';
import { registerSupervisorPhoneRoutes } from './routes/supervisor-phone.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerTelephonyRoutes } from './routes/telephony.js';
import { registerUserRoutes } from './routes/users.js';
import { registerVoicemailRoutes } from './routes/voicemail.js';
import { registerWebApp } from './web-app.js';
import { safeError } from './safe-error.js';
import { checkRequestOrigin, registerSecurityHeaders } from './security.js';
import { assertStorableText } from './text-guard.js';

/** Largest JSON body (bytes). CSV imports stream and are not bound by it. */
const JSON_BODY_LIMIT = 1024 * 1024;

/**
 * Builds the API and WebSocket gateway on the given dependencies. Not listening: call
 * `listen()` (roles/api.ts) or use `inject()` / `injectWS()` in tests.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: JSON_BODY_LIMIT,
    // Request ids for log correlation; no client-chosen ids.
    genReqId: (() => {
      let n = 0;
      return () => `r${(++n).toString(36)}`;
    })(),
    // Fastify's request lines log the raw URL (query strings may hold mappings); ours below log
    // the route pattern instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Whose address req.ip is (login limits) and whether X-Forwarded-Proto/Host count (Origin
    // check): TRUST_PROXY, off by default.
    trustProxy: fastifyTrustProxy(deps.config.trustProxy ?? false),
    // A path that is not UTF-8 once decoded (%00 is, %ED%A0%80, a lone surrogate, is not): the
    // same 400 shape as every other refusal, naming the url.
    frameworkErrors: (err, _req, reply) => {
      const bad = err.code === 'FST_ERR_BAD_URL';
      const body: ErrorBody = bad
        ? {
            error: {
              code: 'VALIDATION',
              message: 'url: not valid percent-encoded UTF-8',
              issues: [{ path: 'url', message: 'not valid percent-encoded UTF-8' }],
            },
          }
        : { error: { code: 'INTERNAL', message: 'internal error' } };
      void (reply as unknown as FastifyReply).code(bad ? 400 : 500).send(body);
    },
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        route: req.routeOptions.url ?? '(none)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        userId: req.user?.id,
      },
      'request',
    );
  });

  // Zod does the validation (route.ts); the JSON schemas on routes are for OpenAPI only.
  app.setValidatorCompiler(() => (data: unknown) => ({ value: data }));
  app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));

  app.decorateRequest('user', null);

  // Every route with its declared requirement, so that a test can enumerate and probe them all.
  const routeTable: RouteInfo[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routeTable.push({ method, url: r.url, auth: r.config?.auth });
    }
  });

  await app.register(cookie);
  await registerSecurityHeaders(app, {
    connectSources: deps.config.connectSources ?? [],
    hsts: deps.config.cookieSecure,
  });
  // Before authentication: a forged cross-site request is refused whoever it would act as.
  app.addHook('onRequest', async (req) => checkRequestOrigin(req));
  // Text PostgreSQL cannot store (NUL, lone surrogates) is a 400 naming the field, on every route.
  app.addHook('preValidation', async (req) => {
    assertStorableText(req.params, 'params');
    assertStorableText(req.query, 'query');
    assertStorableText(req.body);
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new RateLimitedError(`too many requests; retry in ${ctx.after}`, ctx.ttl),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Ringside API', version: '1' },
      components: {
        securitySchemes: {
          cookie: { type: 'apiKey', in: 'cookie', name: 'rs_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(websocket, {
    // Hard cap: the socket is closed (1009). The gateway refuses smaller oversized messages
    // with a typed error and keeps the connection (see ws/gateway.ts).
    options: { maxPayload: WS_MAX_CLIENT_MESSAGE_BYTES * 16 },
  });

  app.addContentTypeParser(STREAM_CONTENT_TYPES, (_req, payload: Readable, done) => {
    done(null, payload);
  });

  // Authentication and the role check run before anything else on every route, including the
  // WebSocket upgrade. A route that declares no requirement is refused (fail closed).
  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    const auth = req.routeOptions.config.auth;
    if (auth === undefined) {
      req.log.error({ url: req.routeOptions.url }, 'route declares no auth requirement');
      throw new Error('route declares no auth requirement');
    }
    if (auth === 'public') return;
    req.user = await resolveUser(req, deps.config.sessionSecret, deps.users, deps.clock.nowMs());
    authorize(auth, req.user);
  });

  app.setErrorHandler((err, req, reply) => {
    const mapped = mapError(err);
    // The route pattern, never the URL: query strings and bodies may hold numbers and names.
    if (mapped.internal) {
      req.log.error(
        { error: safeError(err), method: req.method, route: req.routeOptions.url ?? '(none)' },
        'request failed',
      );
    }
    if (err instanceof RateLimitedError) {
      void reply.header('retry-after', Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
    }
    if (err instanceof RingsideError && err.retryable && mapped.status === 503) {
      void reply.header('retry-after', 1);
    }
    return reply.code(mapped.status).send(mapped.body);
  });

  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` } }),
  );

  app.route({
    method: 'GET',
    url: '/api/openapi.json',
    config: { auth: 'public' },
    schema: { hide: true },
    handler: async () => app.swagger(),
  });

  registerHealthRoutes(app, deps);
  registerMetricsRoutes(app, deps);
  registerAuthRoutes(app, deps);
  registerTwoFactorRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerAdminPeopleRoutes(app, deps);
  registerCampaignRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerListAdminRoutes(app, deps);
  registerAgentRoutes(app, deps);
  registerLeadRoutes(app, deps);
  registerComplianceRoutes(app, deps);
  registerTelephonyRoutes(app, deps);
  registerAmdAuditRoutes(app, deps);
  registerVoicemailRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerRecordingPlayRoutes(app, deps);
  registerRecordingRoutes(app, deps);
  registerRecordingRetentionRoutes(app, deps);
  registerQualityRoutes(app, deps);
  registerSupervisorRoutes(app, deps);
  registerSupervisorPhoneRoutes(app, deps);
  registerWebApp(app, deps.config.webRoot ?? null, {
    sourceMaps: deps.config.production !== true,
  });

  const gateway = createGateway(deps);
  gateway.register(app);
  app.decorate('gateway', gateway);
  app.addHook('onReady', async () => gateway.start());
  app.addHook('onClose', async () => gateway.stop());

  return app;
}

/** TRUST_PROXY as Fastify's types take it: a hop count is "trust the n nearest hops". */
function fastifyTrustProxy(
  t: TrustProxy,
): boolean | string[] | ((addr: string, hop: number) => boolean) {
  return typeof t === 'number' ? (_addr, hop) => hop < t : t;
}

export interface RouteInfo {
  method: string;
  url: string;
  auth: RouteAuth | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    gateway: import('../ws/gateway.js').Gateway;
    routeTable: readonly RouteInfo[];
  }
}
