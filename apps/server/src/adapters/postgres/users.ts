import type pg from 'pg';
import type { Role } from '@ringside/protocol';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { mapCheckViolation } from './campaigns.js';
import { idParam, mapPgError } from './pg-errors.js';
import type { UserRecord, UserPatch, UsersAdminRepo } from '../../ports/users.js';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  team_id: string | null;
  phone_type: 'webrtc' | 'sip';
  sip_endpoint: string | null;
  active: boolean;
}

const COLUMNS =
  'id::text AS id, username, display_name, role, password_hash, team_id::text AS team_id, phone_type, sip_endpoint, active';

/** API field -> column of the fields UserPatch may set. */
const PATCH_COLUMNS: Record<keyof UserPatch, string> = {
  displayName: 'display_name',
  role: 'role',
  teamId: 'team_id',
  phoneType: 'phone_type',
  sipEndpoint: 'sip_endpoint',
  active: 'active',
};

/** Database errors on users as Ringside errors naming the API field. */
function userError(err: unknown): unknown {
  if ((err as { code?: string }).code === '23505') {
    return new ConflictError('username: a user with this username already exists', {
      cause: err,
    });
  }
  if ((err as { code?: string }).code === '23503') {
    return new ValidationError(
      'teamId: no such team',
      [{ path: 'teamId', message: 'no such team' }],
      {
        cause: err,
      },
    );
  }
  return mapCheckViolation(err) ?? mapPgError(err, 'user');
}

function toRecord(r: UserRow): UserRecord {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    passwordHash: r.password_hash,
    teamId: r.team_id,
    phoneType: r.phone_type,
    sipEndpoint: r.sip_endpoint,
    active: r.active,
  };
}

/** PostgreSQL implementation of UsersRepo (plain SQL on the `users` table). */
export function createUsersRepo(pool: pg.Pool): UsersAdminRepo {
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
    async findByIds(ids) {
      const valid = [...new Set(ids)].filter((id) => /^[1-9][0-9]{0,17}$/.test(id));
      const out = new Map<string, UserRecord>();
      if (valid.length === 0) return out;
      const r = await pool.query<UserRow>(
        `SELECT ${COLUMNS} FROM users WHERE id = ANY($1::bigint[])`,
        [valid],
      );
      for (const row of r.rows) {
        const u = toRecord(row);
        out.set(u.id, u);
      }
      return out;
    },
    async create(user) {
      try {
        const r = await pool.query<UserRow>(
          `INSERT INTO users (username, display_name, role, password_hash, team_id, phone_type, sip_endpoint)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
          [
            user.username,
            user.displayName,
            user.role,
            user.passwordHash,
            user.teamId ?? null,
            user.phoneType ?? 'webrtc',
            user.sipEndpoint ?? null,
          ],
        );
        const row = r.rows[0];
        if (!row) throw new Error('INSERT ... RETURNING gave no row');
        return toRecord(row);
      } catch (err) {
        throw userError(err);
      }
    },

    async list(filter = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.role !== undefined) {
        args.push(filter.role);
        where.push(`role = $${args.length}`);
      }
      if (filter.teamId === null) where.push('team_id IS NULL');
      else if (filter.teamId !== undefined) {
        args.push(idParam(filter.teamId, 'teamId'));
        where.push(`team_id = $${args.length}`);
      }
      if (filter.active !== undefined) {
        args.push(filter.active);
        where.push(`active = $${args.length}`);
      }
      const r = await pool.query<UserRow>(
        `SELECT ${COLUMNS} FROM users ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY username`,
        args,
      );
      return r.rows.map(toRecord);
    },

    async update(id, patch) {
      const userId = idParam(id, 'id');
      const sets: string[] = [];
      const args: unknown[] = [];
      for (const [field, column] of Object.entries(PATCH_COLUMNS) as Array<
        [keyof UserPatch, string]
      >) {
        const v = patch[field];
        if (v === undefined) continue;
        args.push(field === 'teamId' && v !== null ? idParam(String(v), 'teamId') : v);
        sets.push(`${column} = $${args.length}`);
      }
      args.push(userId);
      try {
        const r = await pool.query<UserRow>(
          `UPDATE users SET ${[...sets, 'updated_at = now()'].join(', ')}
           WHERE id = $${args.length} RETURNING ${COLUMNS}`,
          args,
        );
        const row = r.rows[0];
        if (!row) throw new NotFoundError(`user ${id} not found`);
        return toRecord(row);
      } catch (err) {
        throw userError(err);
      }
    },

    async setPasswordHash(id, passwordHash) {
      const r = await pool.query(
        'UPDATE users SET password_hash = $1, updated_at = now() WHERE id = $2',
        [passwordHash, idParam(id, 'id')],
      );
      if (r.rowCount !== 1) throw new NotFoundError(`user ${id} not found`);
    },
  };
}
