import type pg from 'pg';
import type { Role } from '@ringside/protocol';
import { ConflictError } from '../../errors.js';

/** A user as the API needs it; `passwordHash` is an argon2id PHC string. */
export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  teamId: string | null;
  phoneType: 'webrtc' | 'sip';
  active: boolean;
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  teamId?: string | null;
  phoneType?: 'webrtc' | 'sip';
}

/** Users: what login, the session check and the admin screens read and write. */
export interface UsersRepo {
  findByUsername(username: string): Promise<UserRecord | null>;
  findById(id: string): Promise<UserRecord | null>;
  create(user: NewUser): Promise<UserRecord>;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  team_id: string | null;
  phone_type: 'webrtc' | 'sip';
  active: boolean;
}

const COLUMNS =
  'id::text AS id, username, display_name, role, password_hash, team_id::text AS team_id, phone_type, active';

function toRecord(r: UserRow): UserRecord {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    passwordHash: r.password_hash,
    teamId: r.team_id,
    phoneType: r.phone_type,
    active: r.active,
  };
}

/** PostgreSQL implementation of UsersRepo (plain SQL on the `users` table). */
export function createUsersRepo(pool: pg.Pool): UsersRepo {
  return {
    async findByUsername(username) {
      const r = await pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [
        username,
      ]);
      return r.rows[0] ? toRecord(r.rows[0]) : null;
    },
    async findById(id) {
      // Ids arrive from signed tokens, but a non-numeric one must be "not found", not a SQL error.
      if (!/^[1-9][0-9]{0,17}$/.test(id)) return null;
      const r = await pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      return r.rows[0] ? toRecord(r.rows[0]) : null;
    },
    async create(user) {
      try {
        const r = await pool.query<UserRow>(
          `INSERT INTO users (username, display_name, role, password_hash, team_id, phone_type)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
          [
            user.username,
            user.displayName,
            user.role,
            user.passwordHash,
            user.teamId ?? null,
            user.phoneType ?? 'webrtc',
          ],
        );
        const row = r.rows[0];
        if (!row) throw new Error('INSERT ... RETURNING gave no row');
        return toRecord(row);
      } catch (err) {
        if ((err as { code?: string }).code === '23505') {
          throw new ConflictError('username already exists', { cause: err });
        }
        throw err;
      }
    },
  };
}
