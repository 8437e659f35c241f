import type pg from 'pg';
import { ConflictError, NotFoundError } from '../../errors.js';
import { mapCheckViolation } from './campaigns.js';
import { idParam, mapPgError } from './pg-errors.js';
import type { TeamRecord, TeamsRepo } from '../../ports/teams.js';

interface TeamRow {
  id: string;
  name: string;
  members: number;
}

const SELECT = `SELECT t.id::text AS id, t.name,
  (SELECT count(*)::int FROM users u WHERE u.team_id = t.id) AS members FROM teams t`;

function teamError(err: unknown): unknown {
  if ((err as { code?: string }).code === '23505') {
    return new ConflictError('name: a team with this name already exists', { cause: err });
  }
  return mapCheckViolation(err) ?? mapPgError(err, 'team');
}

export function createTeamsRepo(pool: pg.Pool): TeamsRepo {
  const get = async (id: string): Promise<TeamRecord | null> => {
    const r = await pool.query<TeamRow>(`${SELECT} WHERE t.id = $1`, [idParam(id, 'id')]);
    return r.rows[0] ?? null;
  };
  return {
    async list() {
      return (await pool.query<TeamRow>(`${SELECT} ORDER BY t.name`)).rows;
    },
    get,
    async create(name) {
      try {
        const r = await pool.query<{ id: string; name: string }>(
          'INSERT INTO teams (name) VALUES ($1) RETURNING id::text AS id, name',
          [name],
        );
        const row = r.rows[0];
        if (!row) throw new Error('INSERT ... RETURNING gave no row');
        return { ...row, members: 0 };
      } catch (err) {
        throw teamError(err);
      }
    },
    async rename(id, name) {
      try {
        const r = await pool.query('UPDATE teams SET name = $1 WHERE id = $2', [
          name,
          idParam(id, 'id'),
        ]);
        if (r.rowCount !== 1) throw new NotFoundError(`team ${id} not found`);
      } catch (err) {
        throw teamError(err);
      }
      const team = await get(id);
      if (!team) throw new NotFoundError(`team ${id} not found`);
      return team;
    },
    async remove(id) {
      const team = await get(id);
      if (!team) throw new NotFoundError(`team ${id} not found`);
      await pool.query('DELETE FROM teams WHERE id = $1', [team.id]);
      return team;
    },
  };
}
