/**
 * Staff routes for complaints: the queue with deadlines and days left, recording a complaint, the
 * complaint page with its actions (acknowledge, assign, extend once, respond from the template, refuse,
 * escalate on the resident's behalf, remedies, root cause, learning actions) and the learning action list.
 * Handlers parse, call one service function inside a transaction, and redirect (post/redirect/get).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { toIsoDate, type WorkingDayCalendar } from '../../platform/calendar/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { ConflictError, DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { parseForm, toFormErrors, type FormErrors } from '../../platform/http/validation.ts';
import { findByReference } from '../cases/index.ts';
import { staffNavItems, type StaffPrincipal } from '../identity/index.ts';
import * as present from './complaints.presenters.ts';
import { authorityScope, canSeeComplaint } from './complaints.policy.ts';
import {
  assignSchema,
  completeLearningSchema,
  escalateStaffSchema,
  extendSchema,
  learningActionSchema,
  newComplaintSchema,
  readDates,
  refuseSchema,
  remedySchema,
  respondSchema,
  rootCauseSchema,
  UUID,
} from './complaints.schemas.ts';
import * as service from './complaints.service.ts';
import { maxExtensionDays } from './complaints.clock.ts';
import {
  DECISION_LABELS,
  REFUSAL_LABELS,
  REMEDY_LABELS,
  ROOT_CAUSE_LABELS,
  WORKFLOW_TYPE_LABELS,
  type ComplaintView,
} from './complaints.types.ts';

export interface ComplaintRoutesDeps {
  db: Db;
  clock: Clock;
  /** Base URL for links in letters (config.publicUrl). */
  publicUrl?: string;
  /** Months after the matter within which complaints are accepted. Default 12. */
  windowMonths?: number;
  calendar?: WorkingDayCalendar;
}

const BANNERS: Record<string, string> = {
  created: 'Complaint recorded',
  acknowledged: 'Acknowledgement recorded and sent to the resident',
  extended: 'Extension recorded. The reason and the Ombudsman’s details have been sent to the resident.',
  responded: 'Response sent to the resident',
  refused: 'Complaint refused. The resident has been told why and about their right to go to the Ombudsman.',
  escalated: 'Complaint escalated to the next stage',
  assigned: 'Officer assigned',
  remedy: 'Remedy added',
  remedyDone: 'Remedy marked as done',
  rootCause: 'Root cause saved',
  learning: 'Learning action added',
  learningDone: 'Learning action completed',
};

const CHANNEL_LABELS: Record<string, string> = {
  phone: 'Phone',
  email: 'Email',
  letter: 'Letter',
  face_to_face: 'Face to face',
  web: 'Website',
  social: 'Social media',
};

type Extra = { errors?: FormErrors; values?: Record<string, unknown>; form?: string; status?: number };

function staffOf(request: FastifyRequest): StaffPrincipal {
  return request.staff!;
}

function idParam(request: FastifyRequest): string {
  const id = (request.params as { id?: string }).id ?? '';
  if (!UUID.test(id)) throw new NotFoundError();
  return id;
}

function body(request: FastifyRequest): Record<string, unknown> {
  return (request.body ?? {}) as Record<string, unknown>;
}

/** Registers the complaint staff routes and the "Complaints" navigation entry. */
export async function registerComplaintStaffRoutes(
  app: FastifyInstance,
  deps: ComplaintRoutesDeps,
): Promise<void> {
  if (!staffNavItems.some((item) => item.href === '/staff/complaints'))
    staffNavItems.push({ href: '/staff/complaints', text: 'Complaints', permission: 'complaints:manage' });
  const options = { publicUrl: deps.publicUrl, windowMonths: deps.windowMonths, calendar: deps.calendar };
  const today = () => toIsoDate(deps.clock.now());
  const permission = 'complaints:manage';
  const audited = (auditEvent: string) => ({ config: { permission, auditEvent } });

  async function loadVisible(request: FastifyRequest, id: string): Promise<ComplaintView> {
    const view = await service.getComplaint(deps.db, id, options);
    if (!view || !canSeeComplaint(staffOf(request), view)) throw new NotFoundError();
    return view;
  }

  // ---- queue
  app.get(
    '/staff/complaints',
    { config: { permission, auditEvent: 'complaint.queue' } },
    async (request, reply) => {
      const query = request.query as Record<string, string | undefined>;
      const show = query.show === 'closed' ? 'closed' : 'open';
      const mine = query.mine === '1';
      const staff = staffOf(request);
      await service.adoptComplaintCases(deps.db, { ...options, now: deps.clock.now(), limit: 25 });
      const items = await service.listQueue(deps.db, {
        authorityIds: authorityScope(staff),
        open: show === 'open',
        handlerId: mine ? staff.id : null,
      });
      return reply.view('complaints/staff/queue.njk', {
        pageTitle: show === 'open' ? 'Open complaints' : 'Answered and closed complaints',
        show,
        mine,
        count: items.length,
        rows: present.queueRows(items, today(), deps.calendar),
        banner: query.done ? BANNERS[query.done] : null,
      });
    },
  );

  // ---- record a complaint
  const renderNew = async (request: FastifyRequest, reply: FastifyReply, extra: Extra = {}) => {
    const staff = staffOf(request);
    const pickers = await service.staffFormOptions(deps.db, authorityScope(staff));
    const values = extra.values ?? {
      workflowType: 'corporate',
      channel: 'phone',
      ...(request.query as Record<string, unknown>),
    };
    if (extra.status) reply.status(extra.status);
    return reply.view('complaints/staff/new.njk', {
      pageTitle: 'Record a complaint',
      values: { ...values, idempotencyKey: values.idempotencyKey ?? randomUUID() },
      services: present.selectItems(pickers.services, values.aboutServiceId, 'Choose a service'),
      workflowTypes: present.items(WORKFLOW_TYPE_LABELS, values.workflowType),
      channels: present.items(CHANNEL_LABELS, values.channel),
      ...extra.errors,
    });
  };

  app.get('/staff/complaints/new', audited('complaint.create_form'), async (request, reply) =>
    renderNew(request, reply),
  );

  app.post(
    '/staff/complaints/new',
    { config: { permission, auditEvent: 'complaint.create' } },
    async (request, reply) => {
      const now = deps.clock.now();
      const parsed = parseForm(newComplaintSchema, request.body);
      const dates = readDates(body(request), [
        {
          name: 'receivedOn',
          label: 'Date received',
          rule: {
            required: true,
            notAfter: { date: today(), message: 'Date received must be today or in the past' },
          },
        },
        {
          name: 'matterDate',
          label: 'Date of the matter',
          rule: { notAfter: { date: today(), message: 'Date of the matter must be today or in the past' } },
        },
      ]);
      const problems = [
        ...(parsed.ok
          ? []
          : parsed.errors.errorList.map((e) => ({ field: e.href.slice(1), message: e.text }))),
        ...dates.errors,
      ];
      let linkedCaseId: string | null = null;
      if (parsed.ok && parsed.value.linkedReference) {
        const found = await findByReference(deps.db, parsed.value.linkedReference);
        if (!found)
          problems.push({
            field: 'linkedReference',
            message: 'Enter the reference of an existing request, like KX7P-3RMD',
          });
        else linkedCaseId = found.id;
      }
      if (
        parsed.ok &&
        !parsed.value.customerId &&
        !parsed.value.contactEmail &&
        !parsed.value.contactPhone &&
        !linkedCaseId
      )
        problems.push({
          field: 'contactEmail',
          message: 'Enter an email address or telephone number so we can reply',
        });
      if (!parsed.ok || problems.length)
        return renderNew(request, reply, {
          errors: toFormErrors(problems),
          values: body(request),
          status: 400,
        });
      const input = parsed.value;
      const staff = staffOf(request);
      try {
        const created = await withTransaction(deps.db, (trx) =>
          service.createComplaint(
            trx,
            {
              authorityId: staff.authorityId,
              customerId: input.customerId,
              contact: input.customerId
                ? null
                : { name: input.contactName, email: input.contactEmail, phone: input.contactPhone },
              summary: input.summary,
              desiredOutcome: input.desiredOutcome,
              receivedOn: dates.values.receivedOn!,
              matterDate: dates.values.matterDate,
              linkedCaseId,
              aboutServiceId: input.aboutServiceId,
              workflowType: input.workflowType,
              reasonableAdjustments: input.reasonableAdjustments,
              channel: input.channel,
              actor: { kind: 'staff', staffId: staff.id },
              idempotencyKey: `complaint:staff:${input.idempotencyKey}`,
            },
            { ...options, now },
          ),
        );
        return reply.redirect(`/staff/complaints/${created.id}?done=created`, 303);
      } catch (error) {
        if (error instanceof DomainRuleError)
          return renderNew(request, reply, {
            errors: toFormErrors([{ field: 'summary', message: error.message }]),
            values: body(request),
            status: 422,
          });
        throw error;
      }
    },
  );

  // ---- learning actions (all)
  app.get('/staff/complaints/learning', audited('complaint.learning_viewed'), async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const done = query.show === 'done';
    const actions = await service.listLearningActions(deps.db, authorityScope(staffOf(request)), !done);
    return reply.view('complaints/staff/learning.njk', {
      pageTitle: done ? 'Completed learning actions' : 'Open learning actions',
      done,
      rows: present.learningRows(actions, today(), request.csrfToken, '/staff/complaints/learning'),
      banner: query.done ? BANNERS[query.done] : null,
    });
  });

  app.post(
    '/staff/complaints/learning/:id/complete',
    { config: { permission, auditEvent: 'complaint.learning_action_completed' } },
    async (request, reply) => {
      const id = idParam(request);
      const parsed = parseForm(completeLearningSchema, request.body);
      const staff = staffOf(request);
      const b = body(request);
      const returnTo =
        typeof b.returnTo === 'string' &&
        /^\/staff\/complaints(\/[0-9a-f-]{36}|\/learning)?$/.test(b.returnTo)
          ? b.returnTo
          : '/staff/complaints/learning';
      try {
        await withTransaction(deps.db, (trx) =>
          service.completeLearningAction(trx, id, {
            staffId: staff.id,
            now: deps.clock.now(),
            note: parsed.ok ? parsed.value.note : null,
            authorityIds: authorityScope(staff),
          }),
        );
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      return reply.redirect(`${returnTo}?done=learningDone`, 303);
    },
  );

  // ---- the complaint page
  async function renderComplaint(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: Extra = {},
  ) {
    const view = await loadVisible(request, id);
    const staff = staffOf(request);
    const stage = view.stages.find((s) => s.stage === view.stage)!;
    const pickers = await service.staffFormOptions(deps.db, authorityScope(staff));
    const open = view.status === 'open' && stage.respondedOn === null;
    const earlierHandlers = view.stages.filter((s) => s.stage < view.stage).map((s) => s.handlerId);
    const blocked = view.stage > 1 && earlierHandlers.includes(staff.id);
    const finalStage = view.workflowType === 'childrens_social_care' ? 3 : 2;
    const query = request.query as Record<string, string | undefined>;
    const values = extra.values ?? {};
    const remedies = view.remedies.filter((r) => r.stage === view.stage);
    if (extra.status) reply.status(extra.status);
    return reply.view('complaints/staff/complaint.njk', {
      pageTitle: `Complaint ${view.reference}`,
      complaint: view,
      summaryRows: present.complaintSummaryRows(view),
      stages: view.stages
        .map((s) => present.stageSummary(s, view.workflowType, today(), deps.calendar))
        .reverse(),
      stageLabel: present.stageLabel(view.stage, view.workflowType),
      statusText: { open: 'Open', responded: 'Responded', refused: 'Refused', closed: 'Closed' }[view.status],
      remedyRows: present.remedyRows(view, request.csrfToken, view.status !== 'refused'),
      learningRows: present.learningRows(
        view.learningActions,
        today(),
        request.csrfToken,
        `/staff/complaints/${view.id}`,
      ),
      can: {
        act: !blocked,
        acknowledge: open && !blocked && stage.acknowledgedOn === null && stage.acknowledgeBy !== null,
        extend:
          open &&
          !blocked &&
          stage.extensionDays === null &&
          maxExtensionDays(view.workflowType, view.stage) > 0,
        respond: open && !blocked,
        refuse: open && !blocked && view.stage === 1,
        escalate: view.status === 'responded' && view.stage < finalStage,
        assign: open,
      },
      blocked,
      maxExtension: maxExtensionDays(view.workflowType, view.stage),
      childrens: view.workflowType === 'childrens_social_care',
      finalStage: view.stage >= finalStage,
      currentRemedies: remedies.map((r) => `${REMEDY_LABELS[r.kind]}: ${r.description}`),
      handlers: present.selectItems(
        pickers.handlers,
        values.handlerId ?? stage.handlerId,
        'Choose an officer',
      ),
      owners: present.selectItems(pickers.owners, values.ownerId, 'Choose an owner'),
      teams: present.selectItems(pickers.teams, values.learningTeamId ?? view.aboutTeamId, 'Choose a team'),
      services: present.selectItems(
        pickers.services,
        values.aboutServiceId ?? view.aboutServiceId,
        'Choose a service',
      ),
      decisions: present.items(DECISION_LABELS, values.decision),
      refusalReasons: present.items(REFUSAL_LABELS, values.refusalReason),
      remedyKinds: present.items(REMEDY_LABELS, values.remedyKind),
      rootCauses: present.items(ROOT_CAUSE_LABELS, values.rootCause ?? view.rootCause),
      values,
      form: extra.form ?? null,
      banner: query.done ? BANNERS[query.done] : null,
      ...extra.errors,
    });
  }

  app.get(
    '/staff/complaints/:id',
    { config: { permission, auditEvent: 'complaint.viewed' } },
    async (request, reply) => renderComplaint(request, reply, idParam(request)),
  );

  /**
   * One helper for every action on the complaint page: parse, run the use-case in a transaction, redirect
   * with a banner; validation and rule problems come back as the GOV.UK error summary on the same page.
   */
  function action<T>(
    path: string,
    form: string,
    parse: (request: FastifyRequest) => { ok: true; value: T } | { ok: false; errors: FormErrors },
    run: (
      trx: Parameters<Parameters<typeof withTransaction>[1]>[0],
      id: string,
      value: T,
      staff: StaffPrincipal,
      now: Date,
    ) => Promise<unknown>,
    done: string,
    errorField: string,
  ) {
    app.post(
      `/staff/complaints/:id/${path}`,
      { config: { permission, auditEvent: `complaint.${path.replace(/[-/]/g, '_')}` } },
      async (request, reply) => {
        const id = idParam(request);
        await loadVisible(request, id);
        const parsed = parse(request);
        if (!parsed.ok)
          return renderComplaint(request, reply, id, {
            errors: parsed.errors,
            values: body(request),
            form,
            status: 400,
          });
        try {
          await withTransaction(deps.db, (trx) =>
            run(trx, id, parsed.value, staffOf(request), deps.clock.now()),
          );
        } catch (error) {
          if (error instanceof DomainRuleError || error instanceof ConflictError)
            return renderComplaint(request, reply, id, {
              errors: toFormErrors([{ field: errorField, message: error.message }]),
              values: body(request),
              form,
              status: 422,
            });
          throw error;
        }
        return reply.redirect(`/staff/complaints/${id}?done=${done}`, 303);
      },
    );
  }

  const withDates = <T>(
    request: FastifyRequest,
    parsed: { ok: true; value: T } | { ok: false; errors: FormErrors },
    fields: Parameters<typeof readDates>[1],
  ):
    { ok: true; value: T & { dates: Record<string, string | null> } } | { ok: false; errors: FormErrors } => {
    const dates = readDates(body(request), fields);
    const problems = [
      ...(parsed.ok ? [] : parsed.errors.errorList.map((e) => ({ field: e.href.slice(1), message: e.text }))),
      ...dates.errors,
    ];
    if (!parsed.ok || problems.length) return { ok: false, errors: toFormErrors(problems) };
    return { ok: true, value: { ...parsed.value, dates: dates.values } };
  };
  const notFuture = (label: string) => ({
    notAfter: { date: today(), message: `${label} must be today or in the past` },
  });

  action(
    'acknowledge',
    'acknowledge',
    (request) =>
      withDates(request, { ok: true, value: {} }, [
        { name: 'acknowledgedOn', label: 'Date acknowledged', rule: notFuture('Date acknowledged') },
      ]),
    (trx, id, value, staff, now) =>
      service.acknowledgeComplaint(
        trx,
        id,
        { staffId: staff.id, now, acknowledgedOn: value.dates.acknowledgedOn ?? undefined },
        options,
      ),
    'acknowledged',
    'acknowledgedOn-day',
  );

  action(
    'extend',
    'extend',
    (request) => parseForm(extendSchema, request.body),
    (trx, id, value, staff, now) =>
      service.extendComplaint(
        trx,
        id,
        { staffId: staff.id, now, days: value.extensionDays, reason: value.extensionReason },
        options,
      ),
    'extended',
    'extensionDays',
  );

  action(
    'respond',
    'respond',
    (request) =>
      withDates(request, parseForm(respondSchema, request.body), [
        { name: 'respondedOn', label: 'Date of the response', rule: notFuture('Date of the response') },
      ]),
    (trx, id, value, staff, now) =>
      service.respondToComplaint(
        trx,
        id,
        {
          staffId: staff.id,
          now,
          decision: value.decision,
          reasons: value.reasons,
          outcome: value.outcome,
          outstandingActions: value.outstandingActions,
          respondedOn: value.dates.respondedOn ?? undefined,
        },
        options,
      ),
    'responded',
    'decision',
  );

  action(
    'refuse',
    'refuse',
    (request) => parseForm(refuseSchema, request.body),
    (trx, id, value, staff, now) =>
      service.refuseComplaint(
        trx,
        id,
        { staffId: staff.id, now, reason: value.refusalReason, details: value.refusalDetails },
        options,
      ),
    'refused',
    'refusalReason',
  );

  action(
    'escalate',
    'escalate',
    (request) =>
      withDates(request, parseForm(escalateStaffSchema, request.body), [
        { name: 'requestedOn', label: 'Date of the request', rule: notFuture('Date of the request') },
      ]),
    (trx, id, value, staff, now) =>
      service.escalateComplaint(
        trx,
        id,
        {
          actor: { kind: 'staff', staffId: staff.id },
          now,
          reason: value.escalationReason,
          requestedOn: value.dates.requestedOn ?? undefined,
        },
        options,
      ),
    'escalated',
    'escalationReason',
  );

  action(
    'assign',
    'assign',
    (request) => parseForm(assignSchema, request.body),
    (trx, id, value, staff, now) =>
      service.assignHandler(trx, id, { staffId: staff.id, now, handlerId: value.handlerId }),
    'assigned',
    'handlerId',
  );

  action(
    'remedies',
    'remedy',
    (request) =>
      withDates(request, parseForm(remedySchema, request.body), [
        { name: 'remedyDueOn', label: 'Date it will be done by' },
      ]),
    (trx, id, value, staff, now) =>
      service.addRemedy(trx, id, {
        staffId: staff.id,
        now,
        kind: value.remedyKind,
        description: value.remedyDescription,
        amountPence: value.remedyAmount,
        dueOn: value.dates.remedyDueOn,
      }),
    'remedy',
    'remedyDescription',
  );

  action(
    'root-cause',
    'rootCause',
    (request) => parseForm(rootCauseSchema, request.body),
    (trx, id, value, staff, now) =>
      service.setRootCause(trx, id, {
        staffId: staff.id,
        now,
        rootCause: value.rootCause,
        aboutServiceId: value.aboutServiceId,
      }),
    'rootCause',
    'rootCause',
  );

  action(
    'learning-actions',
    'learning',
    (request) =>
      withDates(request, parseForm(learningActionSchema, request.body), [
        { name: 'learningDueOn', label: 'Due date', rule: { required: true } },
      ]),
    async (trx, id, value, staff, now) => {
      const view = await service.getComplaint(trx, id);
      return service.addLearningAction(trx, {
        staffId: staff.id,
        now,
        authorityId: view!.authorityId,
        complaintId: id,
        teamId: value.learningTeamId,
        description: value.learningDescription,
        ownerId: value.ownerId,
        dueOn: value.dates.learningDueOn!,
      });
    },
    'learning',
    'learningDescription',
  );

  app.post(
    '/staff/complaints/:id/remedies/:remedyId/complete',
    { config: { permission, auditEvent: 'complaint.remedy_completed' } },
    async (request, reply) => {
      const id = idParam(request);
      const remedyId = (request.params as { remedyId: string }).remedyId;
      if (!UUID.test(remedyId)) throw new NotFoundError();
      await loadVisible(request, id);
      try {
        await withTransaction(deps.db, (trx) =>
          service.completeRemedy(trx, id, remedyId, { staffId: staffOf(request).id, now: deps.clock.now() }),
        );
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      return reply.redirect(`/staff/complaints/${id}?done=remedyDone`, 303);
    },
  );
}
