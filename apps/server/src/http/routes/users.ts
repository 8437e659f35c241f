import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Me, Role, Username } from '@ringside/protocol';
import { hashPassword } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { ADMIN } from './common.js';

const CreateUserBody = z
  .object({
    username: Username,
    displayName: z.string().min(1).max(100),
    role: Role,
    password: z.string().min(10, 'must be at least 10 characters').max(256),
    phoneType: z.enum(['webrtc', 'sip']).optional(),
  })
  .strict();

const AuditQuery = z.object({
  target: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

const AuditList = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      userId: z.string().nullable(),
      action: z.string(),
      target: z.string(),
      detail: z.record(z.string(), z.unknown()),
      atMs: z.number().int(),
    }),
  ),
});

export function registerUserRoutes(app: FastifyInstance, deps: AppDeps): void {
  defineRoute(app, {
    method: 'POST',
    url: '/api/users',
    auth: ADMIN,
    summary: 'Create a user (argon2id hash). Audited.',
    tags: ['admin'],
    body: CreateUserBody,
    response: Me,
    status: 201,
    handler: async ({ body, user }) => {
      const created = await deps.users.create({
        username: body.username,
        displayName: body.displayName,
        role: body.role,
        passwordHash: await hashPassword(body.password),
        phoneType: body.phoneType ?? 'webrtc',
      });
      await deps.audit.record({
        userId: user?.id ?? null,
        action: 'user.create',
        target: `user:${created.id}`,
        detail: { role: created.role },
      });
      return {
        id: created.id,
        username: created.username,
        displayName: created.displayName,
        role: created.role,
        phoneType: created.phoneType,
      };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/audit',
    auth: ADMIN,
    summary: 'The audit log, newest first.',
    tags: ['admin'],
    query: AuditQuery,
    response: AuditList,
    handler: async ({ query }) => ({ entries: await deps.audit.list(query) }),
  });
}
