import type pg from 'pg';
import type { CriterionKind, QualityScores, Review, Scorecard } from '@ringside/protocol';
import type { QualityRepo } from '../../ports/quality.js';
import { inTransaction } from './transaction.js';

/**
 * Scorecards, reviews, scores and AMD review marks (0140_quality_review.sql). A scorecard save is a
 * new version; a review is one row per reviewer and recording, its scores replaced on each save.
 */

interface CriterionRow {
  id: string;
  scorecard_id: string;
  label: string;
  weight: number;
  kind: CriterionKind;
}

async function loadScorecard(q: Pick<pg.Pool, 'query'>, campaignId: string): Promise<Scorecard> {
  const sc = await q.query<{ id: string; version: number; created_at: Date }>(
    `SELECT id::text AS id, version, created_at FROM quality_scorecards
      WHERE campaign_id = $1::bigint ORDER BY version DESC LIMIT 1`,
    [campaignId],
  );
  const head = sc.rows[0];
  if (!head) return { campaignId, id: null, version: 0, criteria: [], updatedAtMs: null };
  const cr = await q.query<CriterionRow>(
    `SELECT id::text AS id, scorecard_id::text AS scorecard_id, label, weight, kind
       FROM quality_criteria WHERE scorecard_id = $1::bigint ORDER BY position`,
    [head.id],
  );
  return {
    campaignId,
    id: head.id,
    version: head.version,
    criteria: cr.rows.map((c) => ({ id: c.id, label: c.label, weight: c.weight, kind: c.kind })),
    updatedAtMs: head.created_at.getTime(),
  };
}

interface ReviewRow {
  id: string;
  recording_id: string;
  reviewer_id: string;
  reviewer_name: string | null;
  agent_id: string | null;
  scorecard_id: string;
  score_pct: string;
  comment: string;
  updated_at: Date;
}

const REVIEW_COLUMNS = `rv.id::text AS id, rv.recording_id::text AS recording_id,
  rv.reviewer_id::text AS reviewer_id, u.display_name AS reviewer_name,
  rv.agent_id::text AS agent_id, rv.scorecard_id::text AS scorecard_id,
  rv.score_pct::text AS score_pct, rv.comment, rv.updated_at`;

async function withScores(q: Pick<pg.Pool, 'query'>, rows: ReviewRow[]): Promise<Review[]> {
  if (rows.length === 0) return [];
  const s = await q.query<{ review_id: string; criterion_id: string; value: number }>(
    `SELECT review_id::text AS review_id, criterion_id::text AS criterion_id, value
       FROM quality_review_scores WHERE review_id = ANY($1::bigint[]) ORDER BY criterion_id`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id,
    recordingId: r.recording_id,
    reviewerId: r.reviewer_id,
    reviewerName: r.reviewer_name ?? `user ${r.reviewer_id}`,
    agentId: r.agent_id,
    scorecardId: r.scorecard_id,
    scores: s.rows
      .filter((x) => x.review_id === r.id)
      .map((x) => ({ criterionId: x.criterion_id, value: x.value })),
    scorePct: Number(r.score_pct),
    comment: r.comment,
    updatedAtMs: r.updated_at.getTime(),
  }));
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function createQualityRepo(pool: pg.Pool): QualityRepo {
  return {
    scorecard: (campaignId) => loadScorecard(pool, campaignId),

    async saveScorecard(campaignId, criteria, by) {
      return inTransaction(pool, async (c) => {
        // One save at a time per campaign, so two saves never race for the same version.
        const camp = await c.query(`SELECT 1 FROM campaigns WHERE id = $1::bigint FOR UPDATE`, [
          campaignId,
        ]);
        if (camp.rowCount === 0) return null;
        const v = await c.query<{ id: string }>(
          `INSERT INTO quality_scorecards (campaign_id, version, created_by)
           SELECT $1::bigint, COALESCE(MAX(version), 0) + 1, $2::bigint
             FROM quality_scorecards WHERE campaign_id = $1::bigint
           RETURNING id::text AS id`,
          [campaignId, by],
        );
        const id = v.rows[0]?.id;
        let pos = 0;
        for (const cr of criteria) {
          pos++;
          await c.query(
            `INSERT INTO quality_criteria (scorecard_id, position, label, weight, kind)
             VALUES ($1::bigint, $2, $3, $4, $5)`,
            [id, pos, cr.label, cr.weight, cr.kind],
          );
        }
        return loadScorecard(c, campaignId);
      });
    },

    async reviewsOf(recordingId) {
      const r = await pool.query<ReviewRow>(
        `SELECT ${REVIEW_COLUMNS} FROM quality_reviews rv LEFT JOIN users u ON u.id = rv.reviewer_id
          WHERE rv.recording_id = $1::bigint ORDER BY rv.updated_at DESC, rv.id DESC`,
        [recordingId],
      );
      return withScores(pool, r.rows);
    },

    async saveReview(w) {
      return inTransaction(pool, async (c) => {
        const up = await c.query<{ id: string }>(
          `INSERT INTO quality_reviews (recording_id, reviewer_id, scorecard_id, campaign_id,
             agent_id, score_pct, comment)
           VALUES ($1::bigint, $2::bigint, $3::bigint, $4::bigint, $5::bigint, $6, $7)
           ON CONFLICT (recording_id, reviewer_id) DO UPDATE SET
             scorecard_id = EXCLUDED.scorecard_id, campaign_id = EXCLUDED.campaign_id,
             agent_id = EXCLUDED.agent_id, score_pct = EXCLUDED.score_pct,
             comment = EXCLUDED.comment, updated_at = now()
           RETURNING id::text AS id`,
          [
            w.recordingId,
            w.reviewerId,
            w.scorecardId,
            w.campaignId,
            w.agentId,
            w.scorePct,
            w.comment,
          ],
        );
        const id = up.rows[0]?.id;
        await c.query(`DELETE FROM quality_review_scores WHERE review_id = $1::bigint`, [id]);
        for (const s of w.scores)
          await c.query(
            `INSERT INTO quality_review_scores (review_id, criterion_id, value)
             VALUES ($1::bigint, $2::bigint, $3)`,
            [id, s.criterionId, s.value],
          );
        const r = await c.query<ReviewRow>(
          `SELECT ${REVIEW_COLUMNS} FROM quality_reviews rv
             LEFT JOIN users u ON u.id = rv.reviewer_id WHERE rv.id = $1::bigint`,
          [id],
        );
        const [review] = await withScores(c, r.rows);
        if (!review) throw new Error('review vanished inside its own transaction');
        return review;
      });
    },

    async scores(q): Promise<QualityScores> {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, v: unknown) => {
        params.push(v);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (q.campaignId) add('rv.campaign_id = ?::bigint', q.campaignId);
      if (q.fromMs !== undefined) add('rv.updated_at >= ?', new Date(q.fromMs));
      if (q.toMs !== undefined) add('rv.updated_at < ?', new Date(q.toMs));
      const w = where.length ? `AND ${where.join(' AND ')}` : '';
      // A criterion's percent: yes = 100, no = 0; a 1-5 scale (value - 1) / 4.
      const pct = `CASE WHEN qc.kind = 'yes_no' THEN s.value * 100.0 ELSE (s.value - 1) * 25.0 END`;
      const [agents, criteria, agentCriteria] = await Promise.all([
        pool.query<{ agent_id: string; agent_name: string | null; reviews: string; avg: string }>(
          `SELECT rv.agent_id::text AS agent_id, u.display_name AS agent_name,
                  count(*)::text AS reviews, avg(rv.score_pct)::text AS avg
             FROM quality_reviews rv LEFT JOIN users u ON u.id = rv.agent_id
            WHERE rv.agent_id IS NOT NULL ${w}
            GROUP BY rv.agent_id, u.display_name ORDER BY u.display_name, rv.agent_id`,
          params,
        ),
        pool.query<{ label: string; kind: CriterionKind; reviews: string; avg: string }>(
          `SELECT qc.label, qc.kind, count(*)::text AS reviews, avg(${pct})::text AS avg
             FROM quality_reviews rv
             JOIN quality_review_scores s ON s.review_id = rv.id
             JOIN quality_criteria qc ON qc.id = s.criterion_id
            WHERE true ${w}
            GROUP BY qc.label, qc.kind ORDER BY qc.label, qc.kind`,
          params,
        ),
        pool.query<{
          agent_id: string;
          label: string;
          kind: CriterionKind;
          reviews: string;
          avg: string;
        }>(
          `SELECT rv.agent_id::text AS agent_id, qc.label, qc.kind, count(*)::text AS reviews,
                  avg(${pct})::text AS avg
             FROM quality_reviews rv
             JOIN quality_review_scores s ON s.review_id = rv.id
             JOIN quality_criteria qc ON qc.id = s.criterion_id
            WHERE rv.agent_id IS NOT NULL ${w}
            GROUP BY rv.agent_id, qc.label, qc.kind ORDER BY rv.agent_id, qc.label, qc.kind`,
          params,
        ),
      ]);
      return {
        agents: agents.rows.map((r) => ({
          agentId: r.agent_id,
          agentName: r.agent_name ?? `agent ${r.agent_id}`,
          reviews: Number(r.reviews),
          avgPct: round2(Number(r.avg)),
        })),
        criteria: criteria.rows.map((r) => ({
          label: r.label,
          kind: r.kind,
          reviews: Number(r.reviews),
          avgPct: round2(Number(r.avg)),
        })),
        agentCriteria: agentCriteria.rows.map((r) => ({
          agentId: r.agent_id,
          label: r.label,
          kind: r.kind,
          reviews: Number(r.reviews),
          avgPct: round2(Number(r.avg)),
        })),
      };
    },

    async amdReviews(q) {
      const params: unknown[] = [];
      const where = [`r.reason = 'amd_review'`];
      if (q.campaignId) {
        params.push(q.campaignId);
        where.push(`r.campaign_id = $${params.length}::bigint`);
      }
      if (q.status === 'open') where.push('m.recording_id IS NULL');
      if (q.status === 'marked') where.push('m.recording_id IS NOT NULL');
      const r = await pool.query<{
        id: string;
        mark: 'person' | 'machine' | null;
        marked_by: string | null;
        marked_at: Date | null;
      }>(
        `SELECT r.id::text AS id, m.mark, m.marked_by::text AS marked_by, m.marked_at
           FROM recordings r LEFT JOIN amd_review_marks m ON m.recording_id = r.id
          WHERE ${where.join(' AND ')}
          ORDER BY r.started_at DESC, r.id DESC
          LIMIT ${q.pageSize + 1} OFFSET ${(q.page - 1) * q.pageSize}`,
        params,
      );
      const rows = r.rows.slice(0, q.pageSize);
      return {
        ids: rows.map((x) => x.id),
        items: rows.map((x) => ({
          mark: x.mark,
          markedBy: x.marked_by,
          markedAtMs: x.marked_at?.getTime() ?? null,
        })),
        hasMore: r.rows.length > q.pageSize,
      };
    },

    async markAmd(recordingId, campaignId, mark, by) {
      return inTransaction(pool, async (c) => {
        // The recording's row is the lock: two first marks of one recording count once.
        await c.query(`SELECT 1 FROM recordings WHERE id = $1::bigint FOR UPDATE`, [recordingId]);
        const before = await c.query<{ mark: 'person' | 'machine' }>(
          `SELECT mark FROM amd_review_marks WHERE recording_id = $1::bigint FOR UPDATE`,
          [recordingId],
        );
        await c.query(
          `INSERT INTO amd_review_marks (recording_id, campaign_id, mark, marked_by)
           VALUES ($1::bigint, $2::bigint, $3, $4::bigint)
           ON CONFLICT (recording_id) DO UPDATE SET mark = EXCLUDED.mark,
             marked_by = EXCLUDED.marked_by, marked_at = now()`,
          [recordingId, campaignId, mark, by],
        );
        return before.rows[0]?.mark ?? null;
      });
    },
  };
}
