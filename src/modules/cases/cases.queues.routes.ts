/**
 * GET /staff/queues (`cases:read`): staff work queues, "My cases" and one per team, with filters, sort and
 * 50 cases a page. The filter form is a GET (nothing changes), so it has no CSRF token and works without
 * JavaScript. Another team's queue is 404 unless the viewer has `cases:assign`; each view is audited
 * (`queue.view`) by the use-case.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { staffNavItems } from '../identity/index.ts';
import { queuePageView } from './cases.queues.presenters.ts';
import { loadQueue, type QueueQuery } from './cases.queues.service.ts';

export interface CasesQueuesDeps {
  db: Db;
  clock: Clock;
}

/** A single text value, trimmed; empty (or repeated, or malformed) means "not given". */
const text = (max: number, pattern?: RegExp) =>
  z
    .string()
    .trim()
    .max(max)
    .regex(pattern ?? /[\s\S]*/)
    .transform((v) => v || undefined)
    .optional()
    .catch(undefined);

/** The query string. Filters are optional and forgiving: an invalid value is ignored, never an error. */
const queueQuerySchema = z.object({
  queue: text(60),
  service: text(36, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i),
  status: text(60, /^[A-Za-z0-9_-]+$/),
  due: z.enum(['overdue', 'today', 'week', 'paused']).optional().catch(undefined),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional().catch(undefined),
  tag: text(100),
  assignee: z.enum(['unassigned', 'me']).optional().catch(undefined),
  closed: z.literal('include').optional().catch(undefined),
  sort: z.enum(['due', 'received', 'priority']).catch('due'),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

function parseQuery(request: FastifyRequest): QueueQuery {
  const q = queueQuerySchema.parse(request.query ?? {});
  return {
    queue: q.queue,
    serviceId: q.service,
    status: q.status,
    due: q.due,
    priority: q.priority,
    tag: q.tag,
    assignee: q.assignee,
    includeClosed: q.closed === 'include',
    sort: q.sort,
    page: q.page,
  };
}

/** Registers /staff/queues and its "Queues" navigation entry. */
export async function registerCasesQueueRoutes(app: FastifyInstance, deps: CasesQueuesDeps): Promise<void> {
  if (!staffNavItems.some((i) => i.href === '/staff/queues'))
    staffNavItems.push({ href: '/staff/queues', text: 'Queues', permission: 'cases:read' });

  app.get(
    '/staff/queues',
    { config: { permission: 'cases:read', auditEvent: 'queue.view' } },
    async (request, reply) => {
      const query = parseQuery(request);
      const result = await loadQueue(deps.db, request.staff!, query, {
        now: deps.clock.now(),
        requestId: request.id,
      });
      return reply.view('cases/staff/queues.njk', queuePageView(result, query));
    },
  );
}
