/**
 * Staff routes for using the knowledge base while answering: `GET /staff/knowledge/answers?q=` (JSON: the
 * articles to insert into a reply, for the `??` script of the reply boxes) and the content owners' dashboard
 * `GET /staff/knowledge/dashboard`. Both only read (`workspace:use`; the auditor can read them).
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { staffRoute } from '../../platform/http/route-options.ts';
import { formatDate } from '../../platform/views/index.ts';
import { authorityScope } from '../identity/index.ts';
import { dashboardFigures, findAnswers } from './knowledge.usage.ts';

export async function registerKnowledgeUsageRoutes(
  app: FastifyInstance,
  deps: { db: Db; clock: Clock; publicUrl?: string },
): Promise<void> {
  const { db, clock } = deps;

  app.get(
    '/staff/knowledge/answers',
    staffRoute('workspace:use', 'knowledge.answers_searched'),
    async (request, reply) => {
      const raw = (request.query as { q?: unknown }).q;
      const q = typeof raw === 'string' ? raw.trim().slice(0, 200) : '';
      const answers = q
        ? await findAnswers(db, {
            query: q,
            authorityIds: authorityScope(request.staff!),
            now: clock.now(),
            publicUrl: deps.publicUrl,
          })
        : [];
      return reply.header('cache-control', 'no-store').send({ answers });
    },
  );

  app.get(
    '/staff/knowledge/dashboard',
    staffRoute('workspace:use', 'knowledge.dashboard_viewed'),
    async (request, reply) => {
      const figures = await dashboardFigures(db, {
        authorityIds: authorityScope(request.staff!),
        now: clock.now(),
      });
      const link = (a: { id: string; title: string }) =>
        `<a class="govuk-link" href="/staff/knowledge/${a.id}">${escape(a.title)}</a>`;
      const counted = (rows: { id: string; title: string; count: number }[]) =>
        rows.map((r) => [{ html: link(r) }, { text: String(r.count), format: 'numeric' }]);
      return reply.view('knowledge/staff/dashboard.njk', {
        since: formatDate(figures.since),
        mostViewed: counted(figures.mostViewed),
        mostInserted: counted(figures.mostInserted),
        mostNotHelpful: counted(figures.mostNotHelpful),
        overdue: figures.overdue.map((r) => [
          { html: link(r) },
          { text: r.owner ?? 'No owner' },
          { text: r.review_on ? formatDate(new Date(`${r.review_on}T12:00:00Z`)) : '' },
        ]),
        misses: figures.misses.map((m) => [{ text: m.query }, { text: String(m.count), format: 'numeric' }]),
      });
    },
  );
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
