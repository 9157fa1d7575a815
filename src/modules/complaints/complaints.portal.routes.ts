/**
 * Resident routes: complain about one of your requests (the complaint is linked to it, and the request
 * stays open), see your complaint, and ask for it to go to the next stage without having to give a reason.
 *
 * Who may use them: the signed-in resident who owns the request, or a browser that has tracked it with a
 * one-time code (the cases module's /track journey keeps `trackedCases` in the session). Anyone else
 * gets a 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { toIsoDate, type WorkingDayCalendar } from '../../platform/calendar/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { formAction, type FormProblems } from '../../platform/http/form-action.ts';
import { parseForm } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import {
  getResidentCaseView,
  rememberTrackedCase,
  residentFor,
  type ResidentCaseLinks,
} from '../cases/index.ts';
import { residentComplaintSchema, residentEscalateSchema } from './complaints.schemas.ts';
import * as service from './complaints.service.ts';
import { DECISION_LABELS, type ComplaintView } from './complaints.types.ts';
import { OMBUDSMAN } from './complaints.letters.ts';

export interface ComplaintPortalDeps {
  db: Db;
  clock: Clock;
  publicUrl?: string;
  windowMonths?: number;
  calendar?: WorkingDayCalendar;
}

function complaintPage(view: ComplaintView) {
  const stage = view.stages.find((s) => s.stage === view.stage)!;
  const finalStage = view.workflowType === 'childrens_social_care' ? 3 : 2;
  const responses = view.stages
    .filter((s) => s.responseText)
    .map((s) => ({
      title:
        s.stage === 1
          ? 'Our response'
          : s.stage >= finalStage
            ? 'Our final response'
            : `Our response at stage ${s.stage}`,
      date: formatDate(s.respondedOn),
      decision: s.decision ? DECISION_LABELS[s.decision] : '',
      paragraphs: (s.responseText ?? '').split(/\n\n+/),
    }))
    .reverse();
  const statusText =
    view.status === 'refused'
      ? 'We could not take your complaint through our complaints process'
      : view.status === 'closed'
        ? 'We have sent our final response'
        : view.status === 'responded'
          ? 'We have sent our response'
          : stage.acknowledgedOn
            ? 'We are looking into your complaint'
            : 'We have received your complaint';
  return {
    reference: view.reference,
    statusText,
    stageText:
      view.workflowType === 'childrens_social_care' && view.stage === 3
        ? 'Review panel (stage 3)'
        : `Stage ${view.stage}`,
    respondBy: view.status === 'open' ? formatDate(stage.respondBy) : null,
    extended: view.status === 'open' && stage.extensionDays !== null ? stage.extensionReason : null,
    linkedReference: view.linkedCase?.reference ?? null,
    summary: view.summary,
    responses,
    canEscalate: view.status === 'responded' && view.stage < finalStage,
    ombudsman: view.status === 'closed' || view.status === 'refused' ? OMBUDSMAN : null,
  };
}

/**
 * The links the resident's request page (the tracking page of a complaint case) gives to the complaint: its
 * page with our response(s), and "Ask us to look at it again" when the resident may escalate. Null for a case
 * that is no complaint.
 */
export async function complaintLinksForResident(
  db: Db,
  caseId: string,
  options: { windowMonths?: number; calendar?: WorkingDayCalendar } = {},
): Promise<ResidentCaseLinks | null> {
  const id = await service.findComplaintIdByCase(db, caseId);
  const view = id ? await service.getComplaint(db, id, options) : null;
  if (!view) return null;
  const page = complaintPage(view);
  const links = [
    page.responses.length
      ? {
          text: 'Read our response',
          href: `/complaints/${caseId}#our-response`,
          testId: 'complaint-response-link',
        }
      : { text: 'See your complaint', href: `/complaints/${caseId}`, testId: 'complaint-page-link' },
  ];
  if (page.canEscalate)
    links.push({
      text: 'Ask us to look at it again',
      href: `/complaints/${caseId}/escalate`,
      testId: 'complaint-escalate-link',
    });
  return { heading: 'Your complaint', links };
}

export async function registerComplaintPortalRoutes(
  app: FastifyInstance,
  deps: ComplaintPortalDeps & {
    sessions?: { setData(id: string, data: Record<string, unknown>): Promise<void> } | null;
  },
): Promise<void> {
  const options = { publicUrl: deps.publicUrl, windowMonths: deps.windowMonths, calendar: deps.calendar };

  const aboutOf = (request: FastifyRequest) => (request.query as { about?: string }).about ?? '';

  const renderNew = async (request: FastifyRequest, reply: FastifyReply, problems?: FormProblems) => {
    const about = await getResidentCaseView(deps.db, aboutOf(request));
    if (!about) throw new NotFoundError();
    const values = problems?.values ?? {};
    return reply.view('complaints/portal/new.njk', {
      pageTitle: 'Complain about this request',
      about: {
        id: about.id,
        reference: about.reference,
        serviceName: about.serviceName,
        statusLabel: about.statusLabel,
      },
      values: {
        ...values,
        idempotencyKey: typeof values.idempotencyKey === 'string' ? values.idempotencyKey : randomUUID(),
      },
      ...problems?.errors,
    });
  };

  app.get<{ Querystring: { about?: string } }>(
    '/complaints/new',
    { config: { permission: 'public' } },
    async (request, reply) => {
      const caseId = request.query.about ?? '';
      if (!caseId) return reply.redirect('/services/make-a-complaint', 303);
      if (!(await residentFor(deps.db, request, caseId))) throw new NotFoundError();
      return renderNew(request, reply);
    },
  );

  app.post(
    '/complaints/new',
    { config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    formAction({
      parse: async (request) => {
        if (!(await residentFor(deps.db, request, aboutOf(request)))) throw new NotFoundError();
        return parseForm(residentComplaintSchema, request.body);
      },
      run: async (value, request) => {
        const caseId = aboutOf(request);
        const viewer = await residentFor(deps.db, request, caseId);
        const about = await getResidentCaseView(deps.db, caseId);
        if (!viewer || !about) throw new NotFoundError();
        const now = deps.clock.now();
        const created = await withTransaction(deps.db, (trx) =>
          service.createComplaint(
            trx,
            {
              authorityId: about.authorityId,
              customerId: viewer.customerId,
              summary: value.summary,
              desiredOutcome: value.desiredOutcome,
              reasonableAdjustments: value.reasonableAdjustments,
              receivedOn: toIsoDate(now),
              linkedCaseId: caseId,
              channel: 'web',
              actor: { kind: 'customer', customerId: viewer.customerId },
              idempotencyKey: `complaint:web:${value.idempotencyKey}`,
            },
            { ...options, now },
          ),
        );
        await rememberTrackedCase(request, created.caseId, deps.sessions ?? null);
        return `/complaints/${created.caseId}?made=1`;
      },
      render: renderNew,
      errorField: 'summary',
      refusals: [DomainRuleError],
    }),
  );

  async function loadForResident(request: FastifyRequest, caseId: string): Promise<ComplaintView> {
    if (!(await residentFor(deps.db, request, caseId))) throw new NotFoundError();
    const id = await service.findComplaintIdByCase(deps.db, caseId);
    const view = id ? await service.getComplaint(deps.db, id, options) : null;
    if (!view) throw new NotFoundError();
    return view;
  }

  app.get<{ Params: { caseId: string }; Querystring: { made?: string; escalated?: string } }>(
    '/complaints/:caseId',
    { config: { permission: 'public' } },
    async (request, reply) => {
      const view = await loadForResident(request, request.params.caseId);
      return reply.view('complaints/portal/complaint.njk', {
        pageTitle: `Your complaint ${view.reference}`,
        caseId: view.caseId,
        made: request.query.made === '1',
        escalated: request.query.escalated === '1',
        ...complaintPage(view),
      });
    },
  );

  const renderEscalate = (reply: FastifyReply, view: ComplaintView, problems?: FormProblems) => {
    return reply.view('complaints/portal/escalate.njk', {
      pageTitle: 'Ask us to look at your complaint again',
      caseId: view.caseId,
      reference: view.reference,
      nextStage:
        view.workflowType === 'childrens_social_care'
          ? view.stage === 1
            ? 'stage 2 (an independent investigation)'
            : 'stage 3 (a review panel)'
          : 'stage 2',
      values: problems?.values ?? {},
      ...problems?.errors,
    });
  };

  app.get<{ Params: { caseId: string } }>(
    '/complaints/:caseId/escalate',
    { config: { permission: 'public' } },
    async (request, reply) => {
      const view = await loadForResident(request, request.params.caseId);
      if (!complaintPage(view).canEscalate) return reply.redirect(`/complaints/${view.caseId}`, 303);
      return renderEscalate(reply, view);
    },
  );

  const caseIdOf = (request: FastifyRequest) => (request.params as { caseId: string }).caseId;

  app.post(
    '/complaints/:caseId/escalate',
    { config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    formAction({
      parse: async (request) => {
        await loadForResident(request, caseIdOf(request));
        return parseForm(residentEscalateSchema, request.body);
      },
      run: async (value, request) => {
        const view = await loadForResident(request, caseIdOf(request));
        const viewer = await residentFor(deps.db, request, view.caseId);
        await withTransaction(deps.db, (trx) =>
          service.escalateComplaint(
            trx,
            view.id,
            {
              actor: { kind: 'customer', customerId: viewer?.customerId ?? null },
              now: deps.clock.now(),
              reason: value.reason,
            },
            options,
          ),
        );
        return `/complaints/${view.caseId}?escalated=1`;
      },
      render: async (request, reply, problems) =>
        renderEscalate(reply, await loadForResident(request, caseIdOf(request)), problems),
      errorField: 'reason',
      refusals: [DomainRuleError],
    }),
  );
}
