/**
 * Staff routes for FOI, EIR and subject access requests (`information-requests:manage`): the queue, recording
 * a request, the request page with its actions, SAR bundle review and release, and the timeliness report
 * (`reports:read`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { addCalendarDays, toIsoDate } from '../../platform/calendar/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { ConflictError, DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { formAction, recordActions, type FormProblems } from '../../platform/http/form-action.ts';
import { CONTACT_CHANNEL_LABELS } from '../../platform/http/form-fields.ts';
import {
  idFromParams,
  parseForm,
  parseQuery,
  reportPeriodQuery,
  toFormErrors,
} from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import { radioItems, selectItems } from '../../platform/views/govuk-items.ts';
import { authorityScope, staffNavItems, type StaffPrincipal } from '../identity/index.ts';
import * as present from './information-requests.presenters.ts';
import {
  assignSchema,
  clarificationAnswerSchema,
  clarificationSchema,
  completeReviewSchema,
  extensionSchema,
  identitySchema,
  identityVerifiedSchema,
  newRequestSchema,
  publicInterestSchema,
  publishSchema,
  releaseSchema,
  respondSchema,
  reviewSchema,
  withdrawSchema,
} from './information-requests.schemas.ts';
import * as service from './information-requests.service.ts';
import {
  OUTCOME_LABELS,
  REGIME_LABELS,
  REGIMES,
  type Regime,
  type RequestView,
} from './information-requests.types.ts';
import { bundleForHtml, type SarBundle } from './sar-bundle.ts';
import { timelinessReport } from './timeliness.ts';

export interface InformationRequestRoutesDeps {
  db: Db;
  clock: Clock;
  publicUrl?: string;
}

const BANNERS: Record<string, string> = {
  created: 'Request recorded',
  clarificationAsked: 'Clarification asked for. The clock has stopped.',
  clarificationReceived: 'Answer recorded. The clock is running again.',
  identityAsked: 'Proof of identity asked for. The clock has stopped.',
  identityVerified: 'Identity confirmed. The clock is running.',
  extended: 'Extension recorded and sent to the requester',
  publicInterest: 'Public interest extension recorded and sent to the requester',
  responded: 'Response sent',
  withdrawn: 'Request withdrawn',
  assigned: 'Officer assigned',
  reviewRequested: 'Internal review recorded',
  reviewExtended: 'Internal review extended',
  reviewCompleted: 'Internal review completed and sent to the requester',
  published: 'Published to the disclosure log',
  unpublished: 'Removed from the disclosure log',
  bundle: 'Bundle assembled. Review it before releasing it.',
  released: 'Bundle released. The requester has been sent a download link.',
};

type Extra = Partial<FormProblems> & { form?: string };

const staffOf = (request: FastifyRequest): StaffPrincipal => request.staff!;

/** The id in path parameter `name`; not a UUID → 404. */
const param = (request: FastifyRequest, name: string): string => idFromParams(request.params, name);

export async function registerInformationRequestStaffRoutes(
  app: FastifyInstance,
  deps: InformationRequestRoutesDeps,
): Promise<void> {
  if (!staffNavItems.some((i) => i.href === '/staff/information-requests'))
    staffNavItems.push({
      href: '/staff/information-requests',
      text: 'FOI and SAR',
      permission: 'information-requests:manage',
    });
  const permission = 'information-requests:manage';
  const audited = (auditEvent: string) => ({ config: { permission, auditEvent } });
  const options = { publicUrl: deps.publicUrl };
  const today = () => toIsoDate(deps.clock.now());

  async function loadVisible(request: FastifyRequest, id: string): Promise<RequestView> {
    const view = await service.getInformationRequest(deps.db, id);
    if (!view || !authorityScope(staffOf(request)).includes(view.authorityId)) throw new NotFoundError();
    return view;
  }

  app.get(
    '/staff/information-requests',
    { config: { permission, auditEvent: 'information_request.queue' } },
    async (request, reply) => {
      const query = request.query as Record<string, string | undefined>;
      const show = query.show === 'closed' ? 'closed' : 'open';
      const regime = (REGIMES as readonly string[]).includes(query.regime ?? '')
        ? (query.regime as Regime)
        : null;
      const list = await service.listQueue(deps.db, {
        authorityIds: authorityScope(staffOf(request)),
        open: show === 'open',
        regime,
      });
      return reply.view('information-requests/staff/queue.njk', {
        pageTitle: show === 'open' ? 'Open information requests' : 'Answered information requests',
        show,
        regime,
        rows: present.queueRows(list, today()),
        count: list.length,
        banner: query.done ? BANNERS[query.done] : null,
      });
    },
  );

  const renderNew = (request: FastifyRequest, reply: FastifyReply, problems?: FormProblems) => {
    const values = problems?.values ?? {
      regime: 'foi',
      channel: 'email',
      ...(request.query as Record<string, unknown>),
    };
    return reply.view('information-requests/staff/new.njk', {
      pageTitle: 'Record a request for information',
      values: { ...values, idempotencyKey: values.idempotencyKey ?? randomUUID() },
      regimes: radioItems(REGIME_LABELS, values.regime),
      channels: radioItems(CONTACT_CHANNEL_LABELS, values.channel),
      ...problems?.errors,
    });
  };

  app.get(
    '/staff/information-requests/new',
    audited('information_request.create_form'),
    async (request, reply) => renderNew(request, reply),
  );

  app.post(
    '/staff/information-requests/new',
    audited('information_request.create'),
    formAction({
      parse: (request) => {
        const parsed = parseForm(newRequestSchema(today()), request.body);
        if (!parsed.ok) return parsed;
        const v = parsed.value;
        const problems = [
          ...(!v.customerId && !v.requesterEmail && !v.requesterPhone
            ? [
                {
                  field: 'requesterEmail',
                  message: 'Enter an email address or telephone number so we can reply',
                },
              ]
            : []),
          ...(v.regime === 'sar' && !v.customerId
            ? [
                {
                  field: 'requesterName',
                  message:
                    'Start a subject access request from the customer’s record, so we know whose information to find',
                },
              ]
            : []),
        ];
        return problems.length ? { ok: false, errors: toFormErrors(problems) } : parsed;
      },
      run: async (v, request) => {
        const staff = staffOf(request);
        const created = await withTransaction(deps.db, (trx) =>
          service.createInformationRequest(
            trx,
            {
              authorityId: staff.authorityId,
              regime: v.regime,
              customerId: v.customerId,
              contact: v.customerId
                ? null
                : { name: v.requesterName, email: v.requesterEmail, phone: v.requesterPhone },
              requestText: v.requestText,
              receivedOn: v.receivedOn,
              channel: v.channel,
              actor: { kind: 'staff', staffId: staff.id },
              idempotencyKey: `information-request:staff:${v.idempotencyKey}`,
            },
            { ...options, now: deps.clock.now() },
          ),
        );
        return `/staff/information-requests/${created.id}?done=created`;
      },
      render: renderNew,
      errorField: 'requestText',
      refusals: [DomainRuleError],
    }),
  );

  async function renderRequest(request: FastifyRequest, reply: FastifyReply, id: string, extra: Extra = {}) {
    const view = await loadVisible(request, id);
    const query = request.query as Record<string, string | undefined>;
    const values = extra.values ?? {};
    const open = view.status !== 'responded' && view.status !== 'withdrawn';
    const bundles = view.regime === 'sar' ? await service.bundlesOfRequest(deps.db, id) : [];
    const handlers = await service.staffPickers(deps.db, authorityScope(staffOf(request)));
    if (extra.status) reply.status(extra.status);
    return reply.view('information-requests/staff/request.njk', {
      pageTitle: `${view.regime.toUpperCase()} ${view.reference}`,
      request: view,
      summaryRows: present.requestSummaryRows(view, today()),
      requestParagraphs: view.requestText.split(/\n\s*\n/),
      responseParagraphs: view.responseText ? view.responseText.split(/\n\s*\n/) : [],
      can: {
        clarify: open && !view.clarificationRequestedOn,
        answerClarification: open && view.stopped === 'clarification',
        askIdentity: open && view.regime === 'sar' && !view.identityRequestedOn,
        verifyIdentity: open && view.regime === 'sar' && !view.identityVerifiedOn,
        extend: open && view.regime !== 'foi' && !view.extended && !view.stopped,
        publicInterest: open && view.regime === 'foi' && !view.publicInterestTarget && !view.stopped,
        respond: open && !view.stopped,
        withdraw: open,
        review:
          view.status === 'responded' &&
          view.regime !== 'sar' &&
          !view.review &&
          view.outcome !== 'withdrawn',
        extendReview:
          view.regime === 'foi' && view.review !== null && !view.review.extended && !view.review.completedOn,
        completeReview: view.review !== null && !view.review.completedOn,
        publish:
          view.status === 'responded' &&
          view.regime !== 'sar' &&
          view.outcome !== 'withdrawn' &&
          !view.disclosure,
        unpublish: view.disclosure !== null,
        bundle: view.regime === 'sar' && open && view.customerId !== null,
      },
      extensionNoticeBy: view.extensionNoticeBy ? formatDate(view.extensionNoticeBy) : null,
      standardDueOn: view.standardDueOn ? formatDate(view.standardDueOn) : null,
      exemptions: present.exemptionItems(view.regime, values.exemptions ?? view.exemptions),
      piExemptions: present
        .exemptionItems('foi', values.piExemptions)
        .filter((e) => !['s12', 's14'].includes(e.value)),
      outcomes: radioItems(
        {
          released: OUTCOME_LABELS.released,
          part_released: OUTCOME_LABELS.part_released,
          refused: OUTCOME_LABELS.refused,
          not_held: OUTCOME_LABELS.not_held,
        },
        values.outcome,
      ),
      reviewOutcomes: radioItems(
        { upheld: 'Original response upheld', partly_upheld: 'Partly changed', overturned: 'Overturned' },
        values.reviewOutcome,
      ),
      handlers: selectItems(handlers, values.handlerId ?? view.handlerId, 'Choose an officer'),
      bundles: bundles.map((b) => ({
        ...b,
        href: `/staff/information-requests/${id}/bundles/${b.id}`,
        generatedText: formatDate(b.generatedAt, 'datetime'),
        releasedText: b.releasedAt ? formatDate(b.releasedAt, 'datetime') : null,
      })),
      reviewText: view.review
        ? `Asked ${formatDate(view.review.requestedOn)}, due ${formatDate(view.review.dueOn)}${view.review.extended ? ' (extended)' : ''}${view.review.completedOn ? `. Completed ${formatDate(view.review.completedOn)} (${view.review.onTime ? 'on time' : 'late'}) by ${view.review.reviewerName ?? ''}: ${view.review.outcome ?? ''}` : ''}`
        : null,
      costLimitHours: 18,
      values: { disclosureSummary: view.responseText ?? '', ...values },
      form: extra.form ?? null,
      banner: query.done ? BANNERS[query.done] : null,
      ...extra.errors,
    });
  }

  app.get(
    '/staff/information-requests/:id',
    { config: { permission, auditEvent: 'information_request.viewed' } },
    async (request, reply) => renderRequest(request, reply, param(request, 'id')),
  );

  /** Every action on the request page (problems come back on the page with the action's form open). */
  const action = recordActions({
    app,
    db: deps.db,
    base: '/staff/information-requests',
    permission,
    auditPrefix: 'information_request',
    load: loadVisible,
    render: renderRequest,
    actor: (request) => ({ s: staffOf(request), now: deps.clock.now() }),
  });
  const asOf = (date: string | null) => date ?? undefined;

  action({
    path: 'clarification',
    parse: (body) => parseForm(clarificationSchema(today()), body),
    run: (trx, id, v, { s, now }) =>
      service.askForClarification(trx, id, {
        staffId: s.id,
        now,
        question: v.question,
        askedOn: asOf(v.askedOn),
      }),
    done: 'clarificationAsked',
    errorField: 'question',
  });
  action({
    path: 'clarification/answer',
    parse: (body) => parseForm(clarificationAnswerSchema(today()), body),
    run: (trx, id, v, { s, now }) =>
      service.recordClarification(trx, id, { staffId: s.id, now, receivedOn: asOf(v.answeredOn) }),
    done: 'clarificationReceived',
    errorField: 'answeredOn-day',
  });
  action({
    path: 'identity',
    parse: (body) => parseForm(identitySchema, body),
    run: (trx, id, v, { s, now }) =>
      service.askForIdentity(trx, id, { staffId: s.id, now, text: v.identityText }),
    done: 'identityAsked',
    errorField: 'identityText',
  });
  action({
    path: 'identity/verified',
    parse: (body) => parseForm(identityVerifiedSchema(today()), body),
    run: (trx, id, v, { s, now }) =>
      service.recordIdentityVerified(trx, id, { staffId: s.id, now, verifiedOn: asOf(v.verifiedOn) }),
    done: 'identityVerified',
    errorField: 'verifiedOn-day',
  });
  action({
    path: 'extend',
    parse: (body) => parseForm(extensionSchema(today()), body),
    run: (trx, id, v, { s, now }) =>
      service.extendRequest(trx, id, {
        staffId: s.id,
        now,
        reason: v.extensionReason,
        notifiedOn: asOf(v.notifiedOn),
      }),
    done: 'extended',
    errorField: 'extensionReason',
  });
  action({
    path: 'public-interest',
    parse: (body) => parseForm(publicInterestSchema(today()), body),
    run: (trx, id, v, { s, now }) =>
      service.extendForPublicInterest(trx, id, {
        staffId: s.id,
        now,
        targetDate: v.targetDate,
        exemptions: v.piExemptions,
        reason: v.piReason,
        notifiedOn: asOf(v.piNotifiedOn),
      }),
    done: 'publicInterest',
    errorField: 'targetDate-day',
  });
  action({
    path: 'respond',
    parse: (body) => parseForm(respondSchema(today()), body),
    run: (trx, id, v, { s, now }) =>
      service.respondToRequest(
        trx,
        id,
        {
          staffId: s.id,
          now,
          outcome: v.outcome,
          responseText: v.responseText,
          exemptions: v.exemptions,
          costEstimateHours: v.costEstimateHours,
          respondedOn: asOf(v.respondedOn),
        },
        options,
      ),
    done: 'responded',
    errorField: 'outcome',
  });
  action({
    path: 'withdraw',
    parse: (body) => parseForm(withdrawSchema, body),
    run: (trx, id, v, { s, now }) =>
      service.withdrawRequest(trx, id, { staffId: s.id, now, reason: v.withdrawReason }),
    done: 'withdrawn',
    errorField: 'withdrawReason',
  });
  action({
    path: 'assign',
    parse: (body) => parseForm(assignSchema, body),
    run: (trx, id, v, { s, now }) =>
      service.assignRequest(trx, id, { staffId: s.id, now, handlerId: v.handlerId }),
    done: 'assigned',
    errorField: 'handlerId',
  });
  action({
    path: 'review',
    parse: (body) => parseForm(reviewSchema(today()), body),
    run: (trx, id, v, { s, now }) =>
      service.requestReview(trx, id, {
        actor: { kind: 'staff', staffId: s.id },
        now,
        grounds: v.grounds,
        requestedOn: asOf(v.reviewRequestedOn),
      }),
    done: 'reviewRequested',
    errorField: 'grounds',
  });
  action({
    path: 'review/extend',
    parse: () => ({ ok: true, value: {} }),
    run: (trx, id, _v, { s, now }) => service.extendReview(trx, id, { staffId: s.id, now }),
    done: 'reviewExtended',
    errorField: 'reviewOutcome',
  });
  action({
    path: 'review/complete',
    parse: (body) => parseForm(completeReviewSchema, body),
    run: (trx, id, v, { s, now }) =>
      service.completeReview(trx, id, { staffId: s.id, now, outcome: v.reviewOutcome, notes: v.reviewNotes }),
    done: 'reviewCompleted',
    errorField: 'reviewOutcome',
  });
  action({
    path: 'publish',
    parse: (body) => parseForm(publishSchema, body),
    run: (trx, id, v, { s, now }) =>
      service.publishToDisclosureLog(trx, id, {
        staffId: s.id,
        now,
        title: v.disclosureTitle,
        summary: v.disclosureSummary,
        personalDataRemoved: v.personalDataRemoved === 'yes',
      }),
    done: 'published',
    errorField: 'personalDataRemoved',
  });
  action({
    path: 'unpublish',
    parse: () => ({ ok: true, value: {} }),
    run: (trx, id, _v, { s, now }) => service.unpublishFromDisclosureLog(trx, id, { staffId: s.id, now }),
    done: 'unpublished',
    errorField: 'disclosureTitle',
  });

  // ---- SAR bundles
  app.post(
    '/staff/information-requests/:id/bundles',
    { config: { permission, auditEvent: 'sar.bundle_generated' } },
    async (request, reply) => {
      const id = param(request, 'id');
      await loadVisible(request, id);
      try {
        const bundleId = await service.generateSarBundle(deps.db, id, {
          staffId: staffOf(request).id,
          now: deps.clock.now(),
        });
        return reply.redirect(`/staff/information-requests/${id}/bundles/${bundleId}?done=bundle`, 303);
      } catch (error) {
        if (error instanceof DomainRuleError)
          return renderRequest(request, reply, id, {
            errors: toFormErrors([{ field: 'bundle', message: error.message }]),
            status: 422,
          });
        throw error;
      }
    },
  );

  async function loadBundle(request: FastifyRequest) {
    const id = param(request, 'id');
    const view = await loadVisible(request, id);
    const bundle = await service.loadBundle(deps.db, param(request, 'bundleId'));
    if (!bundle || bundle.requestId !== id) throw new NotFoundError();
    return { view, bundle };
  }

  app.get(
    '/staff/information-requests/:id/bundles/:bundleId',
    { config: { permission, auditEvent: 'sar.bundle_viewed' } },
    async (request, reply) => {
      const { view, bundle } = await loadBundle(request);
      const query = request.query as Record<string, string | undefined>;
      return reply.view('information-requests/staff/bundle.njk', {
        pageTitle: `Review the bundle for ${view.reference}`,
        request: view,
        bundle,
        sections: bundleForHtml(bundle.content),
        generatedText: formatDate(bundle.generatedAt, 'datetime'),
        banner: query.done ? BANNERS[query.done] : null,
        values: {},
      });
    },
  );

  app.post(
    '/staff/information-requests/:id/bundles/:bundleId/release',
    { config: { permission, auditEvent: 'sar.bundle_released' } },
    async (request, reply) => {
      const { view, bundle } = await loadBundle(request);
      const parsed = parseForm(releaseSchema, request.body);
      try {
        await withTransaction(deps.db, (trx) =>
          service.releaseSarBundle(
            trx,
            bundle.id,
            {
              staffId: staffOf(request).id,
              now: deps.clock.now(),
              reviewNote: parsed.ok ? parsed.value.reviewNote : null,
            },
            options,
          ),
        );
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      return reply.redirect(`/staff/information-requests/${view.id}?done=released`, 303);
    },
  );

  for (const format of ['json', 'html'] as const) {
    app.get(
      `/staff/information-requests/:id/bundles/:bundleId/bundle.${format}`,
      { config: { permission, auditEvent: 'sar.bundle_downloaded' } },
      async (request, reply) => {
        const { view, bundle } = await loadBundle(request);
        return sendBundle(reply, { reference: view.reference, content: bundle.content }, format);
      },
    );
  }

  // ---- timeliness report
  if (!staffNavItems.some((i) => i.href === '/staff/reports/timeliness'))
    staffNavItems.push({ href: '/staff/reports/timeliness', text: 'Timeliness', permission: 'reports:read' });
  app.get(
    '/staff/reports/timeliness',
    { config: { permission: 'reports:read', auditEvent: 'report.timeliness' } },
    async (request, reply) => {
      const query = parseQuery(reportPeriodQuery, request.query);
      const to = query.to ?? today();
      const from = query.from ?? addCalendarDays(to, -364);
      const report = await timelinessReport(deps.db, {
        from,
        to,
        asOf: to < today() ? to : today(),
        authorityIds: authorityScope(staffOf(request)),
      });
      return reply.view('information-requests/staff/timeliness.njk', {
        pageTitle: 'Responded to within timescale',
        from,
        to,
        fromText: formatDate(from),
        toText: formatDate(to),
        ...present.reportTables(report),
      });
    },
  );
}

/** Sends a bundle as a download: JSON for machines, a self-contained HTML page for people. */
export function sendBundle(
  reply: FastifyReply,
  bundle: { reference: string; content: SarBundle },
  format: 'json' | 'html',
): FastifyReply {
  const name = `your-information-${bundle.reference}.${format}`;
  reply
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'private, no-store');
  if (format === 'json')
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(bundle.content, null, 2));
  return reply.view('information-requests/bundle-download.njk', {
    reference: bundle.reference,
    generatedAt: formatDate(bundle.content.generatedAt, 'datetime'),
    sections: bundleForHtml(bundle.content),
  });
}
