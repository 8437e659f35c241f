import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { z } from 'zod';
import { ErrorBody } from '@ringside/protocol';
import { fromZod } from './errors.js';
import type { SessionUser } from './auth.js';
import type { RouteAuth } from './routes/common.js';

/**
 * Routes are declared through defineRoute: every part of the request is parsed with its zod
 * schema (a failure is a 400 naming the field), the role requirement is mandatory, and the
 * same schemas feed the OpenAPI description.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route; the app refuses requests to a route without it. */
    auth?: RouteAuth;
  }
}

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteContext<B extends Schema, Q extends Schema, P extends Schema> {
  req: FastifyRequest;
  reply: FastifyReply;
  body: Out<B>;
  query: Out<Q>;
  params: Out<P>;
  /** The signed-in user; null only on public routes. */
  user: SessionUser | null;
}

export interface RouteSpec<B extends Schema, Q extends Schema, P extends Schema> {
  method: HTTPMethods;
  url: string;
  auth: RouteAuth;
  summary: string;
  tags: string[];
  body?: B;
  query?: Q;
  params?: P;
  /** The 2xx answer (documented; the handler's return value is sent as JSON). */
  response?: z.ZodType;
  status?: number;
  /** The body is a raw stream (e.g. text/csv) rather than JSON; `body` is then not parsed. */
  streamBody?: { contentTypes: string[] };
  /** Extra fastify route config (rate limits). */
  config?: Record<string, unknown>;
  handler(ctx: RouteContext<B, Q, P>): Promise<unknown>;
}

/** JSON Schema of a zod schema for OpenAPI: the input side (what clients send). */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const js = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });
  const { $schema: _drop, ...rest } = js as Record<string, unknown>;
  return rest;
}

function parsePart<S extends Schema>(schema: S, value: unknown, part: string): Out<S> {
  if (!schema) return undefined as Out<S>;
  const r = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (!r.success) throw fromZod(r.error, part === 'body' ? undefined : part);
  return r.data as Out<S>;
}

/**
 * A JSON body refuses fields it does not know, on every route: an object schema is made strict
 * here, once, whatever its module wrote (a union's members must be strict themselves).
 */
function strictBody<S extends Schema>(schema: S): S {
  return (schema instanceof z.ZodObject ? schema.strict() : schema) as S;
}

export function defineRoute<
  B extends Schema = undefined,
  Q extends Schema = undefined,
  P extends Schema = undefined,
>(app: FastifyInstance, declared: RouteSpec<B, Q, P>): void {
  const spec: RouteSpec<B, Q, P> = declared.body
    ? { ...declared, body: strictBody(declared.body) }
    : declared;
  const errorResponses = Object.fromEntries(
    [400, 401, 403, 404, 409, 429, 500].map((s) => [s, jsonSchema(ErrorBody, 'output')]),
  );
  const schema: Record<string, unknown> = {
    summary: spec.summary,
    tags: spec.tags,
    response: {
      ...(spec.response
        ? { [spec.status ?? 200]: jsonSchema(spec.response, 'output') }
        : { [spec.status ?? 200]: { type: 'object' } }),
      ...errorResponses,
    },
  };
  if (spec.body && !spec.streamBody) schema.body = jsonSchema(spec.body, 'input');
  if (spec.query) schema.querystring = jsonSchema(spec.query, 'input');
  if (spec.params) schema.params = jsonSchema(spec.params, 'input');
  if (spec.streamBody) {
    // Documented as a raw file upload; the handler reads the stream itself.
    schema.consumes = spec.streamBody.contentTypes;
    schema.body = { type: 'string', format: 'binary' };
  }
  if (spec.auth !== 'public') schema.security = [{ cookie: [] }, { bearer: [] }];

  app.route({
    method: spec.method,
    url: spec.url,
    schema,
    config: { ...spec.config, auth: spec.auth },
    handler: async (req, reply) => {
      // An optional schema makes S = X | undefined; the result is Out<X> exactly when X is given.
      const params = parsePart(spec.params, req.params, 'params') as Out<P>;
      const query = parsePart(spec.query, req.query, 'query') as Out<Q>;
      const body = (spec.streamBody ? undefined : parsePart(spec.body, req.body, 'body')) as Out<B>;
      const result = await spec.handler({ req, reply, body, query, params, user: req.user });
      if (reply.sent) return reply;
      // A handler may have chosen another status (e.g. 503 from /health); keep it.
      if (spec.status && reply.statusCode === 200) void reply.code(spec.status);
      return result;
    },
  });
}
