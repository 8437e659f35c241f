import type { Role } from '@ringside/protocol';

/** A user as the API needs it; `passwordHash` is an argon2id PHC string. */
export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  teamId: string | null;
  phoneType: 'webrtc' | 'sip';
  /** The external phone's endpoint when phoneType is 'sip'. */
  sipEndpoint: string | null;
  active: boolean;
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  teamId?: string | null;
  phoneType?: 'webrtc' | 'sip';
  sipEndpoint?: string | null;
}

/** The fields an admin may change; the others stay. */
export interface UserPatch {
  displayName?: string;
  role?: Role;
  teamId?: string | null;
  phoneType?: 'webrtc' | 'sip';
  sipEndpoint?: string | null;
  active?: boolean;
}

export interface UserFilter {
  role?: Role;
  /** A team id, or null for the users without a team. */
  teamId?: string | null;
  active?: boolean;
}

/** Users: what login, the session check and the admin screens read and write. */
export interface UsersRepo {
  findByUsername(username: string): Promise<UserRecord | null>;
  findById(id: string): Promise<UserRecord | null>;
  /** Several users in one query, keyed by id; ids that name no user (or no number) are absent. */
  findByIds(ids: readonly string[]): Promise<Map<string, UserRecord>>;
  create(user: NewUser): Promise<UserRecord>;
}

/** What the admin screens add: list, change, set a password. No hard delete (audit, logs). */
export interface UsersAdminRepo extends UsersRepo {
  /** Ordered by username. */
  list(filter?: UserFilter): Promise<UserRecord[]>;
  /** NotFoundError when the user is missing; a missing team is a NotFoundError too. */
  update(id: string, patch: UserPatch): Promise<UserRecord>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
}
