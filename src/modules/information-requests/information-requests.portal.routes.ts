/**
 * Resident routes: ask for an internal review of an answered FOI or EIR request from your account (or from
 * a browser that tracked the request with a code). The review starts its own clock: 20 working days for
 * FOI, 40 for EIR, from the day it was asked for. Anyone else gets "Page not found".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { ConflictError, DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { parseForm, toFormErrors, type FormErrors } from '../../platform/http/validation.ts';
import { translate } from '../../platform/i18n/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import { residentFor } from '../complaints/index.ts';
import * as repo from './information-requests.repository.ts';
import { residentReviewSchema } from './information-requests.schemas.ts';
import * as service from './information-requests.service.ts';

export interface PortalRoutesDeps {
  db: Db;
  clock: Clock;
}

/** The FOI/EIR request behind a resident's case, when this browser may see it. */
async function requestFor(db: Db, request: FastifyRequest, caseId: string) {
  const viewer = await residentFor(db, request, caseId);
  if (!viewer) return null;
  const row = await repo.findIdByCase(db, caseId);
  const view = row ? await service.getInformationRequest(db, row.id) : null;
  if (!view || view.regime === 'sar') return null;
  return { viewer, view };
}

export async function registerInformationRequestPortalRoutes(
  app: FastifyInstance,
  deps: PortalRoutesDeps,
): Promise<void> {
  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    caseId: string,
    extra: { errors?: FormErrors; values?: Record<string, unknown>; status?: number } = {},
  ) => {
    const found = await requestFor(deps.db, request, caseId);
    if (!found) throw new NotFoundError();
    const { view } = found;
    if (extra.status) reply.status(extra.status);
    return reply.view('information-requests/portal/review.njk', {
      pageTitle: translate(request.locale, 'informationRequests.review.title'),
      caseId,
      reference: view.reference,
      respondedOn: view.respondedOn ? formatDate(view.respondedOn) : null,
      canAsk: view.status === 'responded' && !view.review,
      review: view.review
        ? {
            requestedOn: formatDate(view.review.requestedOn),
            dueOn: formatDate(view.review.dueOn),
            completed: view.review.completedOn !== null,
          }
        : null,
      values: extra.values ?? {},
      ...extra.errors,
    });
  };

  app.get<{ Params: { caseId: string } }>(
    '/information-requests/:caseId/review',
    { config: { permission: 'public' } },
    async (request, reply) => render(request, reply, request.params.caseId),
  );

  app.post<{ Params: { caseId: string } }>(
    '/information-requests/:caseId/review',
    { config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const { caseId } = request.params;
      const found = await requestFor(deps.db, request, caseId);
      if (!found) throw new NotFoundError();
      const parsed = parseForm(residentReviewSchema, request.body);
      if (!parsed.ok)
        return render(request, reply, caseId, { errors: parsed.errors, values: parsed.values, status: 400 });
      try {
        await withTransaction(deps.db, (trx) =>
          service.requestReview(trx, found.view.id, {
            actor: { kind: 'customer', customerId: found.viewer.customerId },
            now: deps.clock.now(),
            grounds: parsed.value.grounds,
          }),
        );
      } catch (error) {
        if (error instanceof DomainRuleError || error instanceof ConflictError)
          return render(request, reply, caseId, {
            errors: toFormErrors([{ field: 'grounds', message: error.message }]),
            values: parsed.value,
            status: 422,
          });
        throw error;
      }
      return reply.redirect(`/information-requests/${caseId}/review`, 303);
    },
  );
}
