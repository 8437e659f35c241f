import {
  DeactivateResponse,
  OkResponse,
  TeamList,
  TeamView,
  UserList,
  UserView,
  type TeamBody,
  type UserCreate,
  type UsersQuery,
  type UserUpdate,
} from '@ringside/protocol';
import { adminRequest } from '../shared/http.js';

/** The admin routes for users and teams (docs/admin.md); answers validated by their schemas. */
export const peopleApi = {
  users(filter: UsersQuery = {}) {
    const q = new URLSearchParams(
      Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ).toString();
    return adminRequest('GET', `/api/users${q ? `?${q}` : ''}`, UserList);
  },
  createUser(body: UserCreate) {
    return adminRequest('POST', '/api/users', UserView, body);
  },
  updateUser(id: string, body: UserUpdate) {
    return adminRequest('PATCH', `/api/users/${id}`, UserView, body);
  },
  deactivate(id: string) {
    return adminRequest('POST', `/api/users/${id}/deactivate`, DeactivateResponse);
  },
  resetPassword(id: string, password: string) {
    return adminRequest('POST', `/api/users/${id}/password`, OkResponse, { password });
  },
  /** Removes the user's second factor (a lost phone); audited (docs/security.md). */
  resetTwoFactor(id: string) {
    return adminRequest('DELETE', `/api/users/${id}/2fa`, OkResponse);
  },
  teams() {
    return adminRequest('GET', '/api/teams', TeamList);
  },
  createTeam(body: TeamBody) {
    return adminRequest('POST', '/api/teams', TeamView, body);
  },
  renameTeam(id: string, body: TeamBody) {
    return adminRequest('PATCH', `/api/teams/${id}`, TeamView, body);
  },
  deleteTeam(id: string) {
    return adminRequest('DELETE', `/api/teams/${id}`, OkResponse);
  },
};
