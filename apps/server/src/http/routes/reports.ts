import type { FastifyInstance, FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import {
  AgentPerformanceReport,
  AgentTimeReport,
  ComplianceQuery,
  ComplianceReport,
  IdParams,
  LeadHistoryQuery,
  LeadHistoryReport,
  OutboundQuery,
  OutboundReport,
  ReportFilters,
  type ReportFreshness,
} from '@ringside/protocol';
import { UnavailableError } from '../../errors.js';
import type { ReportCsv, ReportsService } from '../../services/reports/reports-service.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { SUPERVISOR } from './common.js';

/** What the report routes need beyond AppDeps; absent: every report answers 503. */
export interface ReportDeps {
  reports?: ReportsService;
}

const CSV_NOTE = ' With format=csv the answer is a text/csv attachment, streamed.';

/**
 * Which database answered and how fresh it is, as headers on every report answer (the JSON body
 * carries the same as `freshness`; a CSV attachment has only these).
 */
function freshnessHeaders(reply: FastifyReply, f: ReportFreshness): FastifyReply {
  reply.header('x-report-source', f.source);
  if (f.replayedAtMs !== null)
    reply.header('x-report-replayed-at', new Date(f.replayedAtMs).toISOString());
  if (f.lagMs !== null) reply.header('x-report-lag-ms', String(f.lagMs));
  if (f.fellBack) reply.header('x-report-fell-back', 'true');
  return reply;
}

function sendCsv(reply: FastifyReply, name: string, csv: ReportCsv): FastifyReply {
  const lines = csv.lines;
  return freshnessHeaders(reply, csv.freshness)
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(lines));
}

/** Reports (issue 6): supervisors and admins only. */
export function registerReportRoutes(app: FastifyInstance, deps: AppDeps & ReportDeps): void {
  const service = (): ReportsService => {
    if (!deps.reports) throw new UnavailableError('reports are not configured on this server');
    return deps.reports;
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/reports/agent-time',
    auth: SUPERVISOR,
    summary:
      'Agent time detail from agent_log: login, wait, talk, wrap-up, dead and pause by code, per ' +
      'agent. Filters: campaignId, teamId, agentId; the range is at most 366 days.' +
      CSV_NOTE,
    tags: ['reports'],
    query: ReportFilters,
    response: AgentTimeReport,
    handler: async ({ query, reply }) => {
      if (query.format === 'csv')
        return sendCsv(reply, 'agent-time', await service().agentTimeCsv(query));
      const report = await service().agentTime(query);
      freshnessHeaders(reply, report.freshness);
      return report;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/reports/agent-performance',
    auth: SUPERVISOR,
    summary:
      'Agent performance from call_log and dispositions: calls, talk, wrap-up, AHT, and calls ' +
      'per disposition flag (sale, callback, DNC, final). Filters: campaignId, teamId, agentId.' +
      CSV_NOTE,
    tags: ['reports'],
    query: ReportFilters,
    response: AgentPerformanceReport,
    handler: async ({ query, reply }) => {
      if (query.format === 'csv') {
        return sendCsv(reply, 'agent-performance', await service().agentPerformanceCsv(query));
      }
      const report = await service().agentPerformance(query);
      freshnessHeaders(reply, report.freshness);
      return report;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/reports/outbound',
    auth: SUPERVISOR,
    summary:
      'Outbound calling: dials, answers, human answers, machines, drops and drop % of human ' +
      'answers, grouped by UTC hour, list or campaign. Filters: campaignId, listId.' +
      CSV_NOTE,
    tags: ['reports'],
    query: OutboundQuery,
    response: OutboundReport,
    handler: async ({ query, reply }) => {
      if (query.format === 'csv')
        return sendCsv(reply, 'outbound', await service().outboundCsv(query));
      const report = await service().outbound(query);
      freshnessHeaders(reply, report.freshness);
      return report;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/reports/compliance',
    auth: SUPERVISOR,
    summary:
      'Drop-rate compliance over the 30 days before `to` (default now), per campaign, with ' +
      "every drop's answer instant, wait and safe-harbor playback. For auditors." +
      CSV_NOTE,
    tags: ['reports'],
    query: ComplianceQuery,
    response: ComplianceReport,
    handler: async ({ query, reply }) => {
      if (query.format === 'csv') {
        return sendCsv(reply, 'drop-rate-compliance', await service().complianceCsv(query));
      }
      const report = await service().compliance(query);
      freshnessHeaders(reply, report.freshness);
      return report;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/reports/leads/:id/history',
    auth: SUPERVISOR,
    summary:
      'The timeline of one lead: its calls, dispositions, lead events and callbacks.' + CSV_NOTE,
    tags: ['reports'],
    params: IdParams,
    query: LeadHistoryQuery,
    response: LeadHistoryReport,
    handler: async ({ params, query, reply }) => {
      if (query.format === 'csv') {
        // Resolve the lead first, so an unknown lead is a 404 rather than an empty attachment.
        const history = await service().leadHistory(params.id);
        return sendCsv(reply, `lead-${params.id}-history`, {
          lines: service().leadHistoryCsv(history),
          freshness: history.freshness,
        });
      }
      const report = await service().leadHistory(params.id);
      freshnessHeaders(reply, report.freshness);
      return report;
    },
  });
}
