/**
 * Public routes: the disclosure log (published FOI and EIR responses, searchable) and SAR bundle downloads
 * by private link (a random token sent to the requester; only its hash is stored; 30 days).
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { audit } from '../../platform/audit/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { formatDate } from '../../platform/views/index.ts';
import { UUID_PATTERN } from '../../platform/http/validation.ts';
import * as service from './information-requests.service.ts';
import { sendBundle } from './information-requests.staff.routes.ts';

export interface PublicRoutesDeps {
  db: Db;
  clock: Clock;
}

const PAGE_SIZE = 20;
const REGIME_SHORT = {
  foi: 'Freedom of Information',
  eir: 'Environmental Information Regulations',
  sar: '',
} as const;

export async function registerInformationRequestPublicRoutes(
  app: FastifyInstance,
  deps: PublicRoutesDeps,
): Promise<void> {
  app.get<{ Querystring: { q?: string; page?: string } }>(
    '/disclosure-log',
    { config: { permission: 'public' } },
    async (request, reply) => {
      const q = (request.query.q ?? '').slice(0, 200);
      const page = Math.max(1, Math.min(500, Number.parseInt(request.query.page ?? '1', 10) || 1));
      const { entries, total } = await service.searchDisclosureLog(deps.db, { q, page, pageSize: PAGE_SIZE });
      const pages = Math.ceil(total / PAGE_SIZE);
      const link = (p: number) =>
        `/disclosure-log?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) }).toString()}`;
      return reply.view('information-requests/public/disclosure-log.njk', {
        pageTitle: q ? `Disclosure log: results for ${q}` : 'Disclosure log',
        q,
        total,
        entries: entries.map((e) => ({
          href: `/disclosure-log/${e.id}`,
          title: e.title,
          reference: e.reference,
          regime: REGIME_SHORT[e.regime],
          published: formatDate(e.publishedAt),
          outcome: e.outcome,
        })),
        pagination:
          pages > 1
            ? {
                previous: page > 1 ? { href: link(page - 1) } : null,
                next: page < pages ? { href: link(page + 1) } : null,
                items: Array.from({ length: Math.min(pages, 10) }, (_, i) => ({
                  number: i + 1,
                  href: link(i + 1),
                  current: i + 1 === page,
                })),
              }
            : null,
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/disclosure-log/:id',
    { config: { permission: 'public' } },
    async (request, reply) => {
      if (!UUID_PATTERN.test(request.params.id)) throw new NotFoundError();
      const entry = await service.disclosureEntry(deps.db, request.params.id);
      if (!entry) throw new NotFoundError();
      return reply.view('information-requests/public/disclosure-entry.njk', {
        pageTitle: entry.title,
        entry: {
          ...entry,
          regime: REGIME_SHORT[entry.regime],
          published: formatDate(entry.publishedAt),
          responded: entry.respondedOn ? formatDate(entry.respondedOn) : null,
          paragraphs: entry.summary.split(/\n\s*\n/),
        },
      });
    },
  );

  app.get<{ Params: { token: string } }>(
    '/sar-bundles/:token',
    { config: { permission: 'public' } },
    async (request, reply) => {
      const bundle = await service.bundleForDownload(deps.db, request.params.token, deps.clock.now());
      if (!bundle) throw new NotFoundError();
      return reply
        .header('cache-control', 'private, no-store')
        .header('referrer-policy', 'no-referrer')
        .view('information-requests/public/bundle.njk', {
          pageTitle: 'Your information',
          token: request.params.token,
          expires: formatDate(bundle.expiresAt),
        });
    },
  );

  for (const format of ['json', 'html'] as const) {
    app.get<{ Params: { token: string } }>(
      `/sar-bundles/:token/bundle.${format}`,
      { config: { permission: 'public' } },
      async (request, reply) => {
        const bundle = await service.bundleForDownload(deps.db, request.params.token, deps.clock.now());
        if (!bundle) throw new NotFoundError();
        await audit(deps.db, {
          actorType: 'customer',
          actorId: bundle.customerId,
          authorityId: bundle.authorityId,
          action: 'sar.bundle_downloaded',
          recordType: 'sar_bundle',
          recordId: bundle.id,
          requestId: request.id,
          details: { format },
        });
        return sendBundle(reply, { reference: 'bundle', content: bundle.content }, format);
      },
    );
  }
}
