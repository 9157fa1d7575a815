/**
 * GET /staff/audit (`audit:read`): search the append-only audit log by person and/or record, dates and
 * action, newest first, 50 a page. The search is a GET form (filters in the query string, nothing
 * changes), so it carries no CSRF token; each search is audited by the service.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { parseForm, toFormErrors } from '../../platform/http/validation.ts';
import { staffNavItems } from '../identity/index.ts';
import { auditTableRows } from './audit.presenters.ts';
import { auditSearchSchema, RECORD_TYPES } from './audit.schemas.ts';
import { AUDIT_PAGE_SIZE, searchAuditLog } from './audit.service.ts';

export interface AuditRoutesDeps {
  db: Db;
  clock: Clock;
}

function query(request: FastifyRequest): Record<string, string> {
  const q = request.query as Record<string, unknown>;
  return Object.fromEntries(Object.entries(q).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
}

const FILTERS = ['person', 'record', 'recordType', 'from', 'to', 'action'] as const;

/** Registers the audit search and its "Audit log" navigation entry. */
export async function registerAuditRoutes(app: FastifyInstance, deps: AuditRoutesDeps): Promise<void> {
  if (!staffNavItems.some((i) => i.href === '/staff/audit'))
    staffNavItems.push({ href: '/staff/audit', text: 'Audit log', permission: 'audit:read' });

  app.get(
    '/staff/audit',
    { config: { permission: 'audit:read', auditEvent: 'audit.searched' } },
    async (request, reply) => {
      const values = query(request);
      const recordTypes = [
        { value: '', text: 'Case reference (no type needed)' },
        ...Object.entries(RECORD_TYPES).map(([value, text]) => ({
          value,
          text,
          selected: values.recordType === value,
        })),
      ];
      const base = { pageTitle: 'Audit log', values, recordTypes };
      const searched = FILTERS.some((f) => (values[f] ?? '').trim() !== '');
      if (!searched) return reply.view('audit/search.njk', base);

      const parsed = parseForm(auditSearchSchema, values);
      if (!parsed.ok) return reply.status(400).view('audit/search.njk', { ...base, ...parsed.errors });
      const result = await searchAuditLog(deps.db, request.staff!, parsed.value, {
        requestId: request.id,
        now: deps.clock.now(),
      });
      if (result.problem)
        return reply.status(400).view('audit/search.njk', {
          ...base,
          ...toFormErrors([{ field: result.problem.field, message: result.problem.message }]),
        });

      const page = result.page;
      const link = (p: number) => {
        const params = new URLSearchParams();
        for (const f of FILTERS) if (values[f]) params.set(f, values[f]);
        params.set('page', String(p));
        return `/staff/audit?${params.toString()}`;
      };
      return reply.view('audit/search.njk', {
        ...base,
        pageTitle: `Audit log: page ${page}`,
        searched: true,
        rows: auditTableRows(result.rows),
        count: result.rows.length,
        first: (page - 1) * AUDIT_PAGE_SIZE + 1,
        people: result.people,
        pagination: {
          ...(page > 1 ? { previous: { href: link(page - 1) } } : {}),
          ...(result.hasNext ? { next: { href: link(page + 1) } } : {}),
        },
      });
    },
  );
}
