import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { authorize, type SessionUser } from './auth.js';

const user = (role: SessionUser['role']): SessionUser => ({
  id: '1',
  username: 'u',
  displayName: 'U',
  role,
  phoneType: 'webrtc',
  expiresAtMs: 1,
});

describe('authorize', () => {
  it('lets anyone through a public route', () => {
    expect(() => authorize('public', null)).not.toThrow();
  });

  it('answers 401 without a user and 403 for a role not listed', () => {
    expect(() => authorize(['admin'], null)).toThrow(UnauthorizedError);
    expect(() => authorize(['admin', 'supervisor'], user('agent'))).toThrow(ForbiddenError);
    expect(() => authorize(['admin', 'supervisor'], user('supervisor'))).not.toThrow();
  });
});
