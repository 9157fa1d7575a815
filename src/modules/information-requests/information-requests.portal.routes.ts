/**
 * Resident routes: ask for an internal review of an answered FOI or EIR request from your account (or from
 * a browser that tracked the request with a code). The review starts its own clock: 20 working days for
 * FOI, 40 for EIR, from the day it was asked for. Anyone else gets "Page not found".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { formAction, type FormProblems } from '../../platform/http/form-action.ts';
import { parseForm } from '../../platform/http/validation.ts';
import { translate } from '../../platform/i18n/index.ts';
import { formatDate } from '../../platform/views/index.ts';
import { residentFor } from '../cases/index.ts';
import { residentReviewSchema } from './information-requests.schemas.ts';
import * as service from './information-requests.service.ts';

export interface PortalRoutesDeps {
  db: Db;
  clock: Clock;
}

const caseIdOf = (request: FastifyRequest) => (request.params as { caseId: string }).caseId;

/** The FOI/EIR request behind a resident's case, when this browser may see it; else a 404. */
async function requestFor(db: Db, request: FastifyRequest) {
  const viewer = await residentFor(db, request, caseIdOf(request));
  const view = viewer ? await service.requestOfCase(db, caseIdOf(request)) : null;
  if (!viewer || !view || view.regime === 'sar') throw new NotFoundError();
  return { viewer, view };
}

export async function registerInformationRequestPortalRoutes(
  app: FastifyInstance,
  deps: PortalRoutesDeps,
): Promise<void> {
  const render = async (request: FastifyRequest, reply: FastifyReply, problems?: FormProblems) => {
    const { view } = await requestFor(deps.db, request);
    return reply.view('information-requests/portal/review.njk', {
      pageTitle: translate(request.locale, 'informationRequests.review.title'),
      caseId: caseIdOf(request),
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
      values: problems?.values ?? {},
      ...problems?.errors,
    });
  };

  app.get('/information-requests/:caseId/review', { config: { permission: 'public' } }, render);

  app.post(
    '/information-requests/:caseId/review',
    { config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    formAction({
      parse: async (request) => {
        await requestFor(deps.db, request);
        return parseForm(residentReviewSchema, request.body);
      },
      run: async (value, request) => {
        const { viewer, view } = await requestFor(deps.db, request);
        await withTransaction(deps.db, (trx) =>
          service.requestReview(trx, view.id, {
            actor: { kind: 'customer', customerId: viewer.customerId },
            now: deps.clock.now(),
            grounds: value.grounds,
          }),
        );
        return `/information-requests/${caseIdOf(request)}/review`;
      },
      render,
      errorField: 'grounds',
    }),
  );
}
