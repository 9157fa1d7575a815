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
import { formAction, recordActions, type FormProblems } from '../../platform/http/form-action.ts';
import { CONTACT_CHANNEL_LABELS } from '../../platform/http/form-fields.ts';
import { idFromParams, parseForm, toFormErrors } from '../../platform/http/validation.ts';
import { radioItems, selectItems } from '../../platform/views/govuk-items.ts';
import { findByReference } from '../cases/index.ts';
import { authorityScope, staffNavItems, type StaffPrincipal } from '../identity/index.ts';
import * as present from './complaints.presenters.ts';
import { canSeeComplaint } from './complaints.policy.ts';
import {
  acknowledgeSchema,
  assignSchema,
  completeLearningSchema,
  escalateStaffSchema,
  extendSchema,
  learningActionSchema,
  learningReturnTo,
  newComplaintSchema,
  refuseSchema,
  remedySchema,
  respondSchema,
  rootCauseSchema,
} from './complaints.schemas.ts';
import * as service from './complaints.service.ts';
import { maxExtensionDays } from './complaints.clock.ts';
import { WORKFLOW_TYPE_LABELS, type ComplaintView } from './complaints.types.ts';

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

type Extra = Partial<FormProblems> & { form?: string };

const staffOf = (request: FastifyRequest): StaffPrincipal => request.staff!;
const idParam = (request: FastifyRequest): string => idFromParams(request.params);

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
  const renderNew = async (request: FastifyRequest, reply: FastifyReply, problems?: FormProblems) => {
    const pickers = await service.staffFormOptions(deps.db, authorityScope(staffOf(request)));
    const values = problems?.values ?? {
      workflowType: 'corporate',
      channel: 'phone',
      ...(request.query as Record<string, unknown>),
    };
    return reply.view('complaints/staff/new.njk', {
      pageTitle: 'Record a complaint',
      values: { ...values, idempotencyKey: values.idempotencyKey ?? randomUUID() },
      services: selectItems(pickers.services, values.aboutServiceId, 'Choose a service'),
      workflowTypes: radioItems(WORKFLOW_TYPE_LABELS, values.workflowType),
      channels: radioItems(CONTACT_CHANNEL_LABELS, values.channel),
      ...problems?.errors,
    });
  };

  app.get('/staff/complaints/new', audited('complaint.create_form'), async (request, reply) =>
    renderNew(request, reply),
  );

  app.post(
    '/staff/complaints/new',
    audited('complaint.create'),
    formAction({
      parse: async (request) => {
        const parsed = parseForm(newComplaintSchema(today()), request.body);
        if (!parsed.ok) return parsed;
        const input = parsed.value;
        const linked = input.linkedReference ? await findByReference(deps.db, input.linkedReference) : null;
        const problems = [
          ...(input.linkedReference && !linked
            ? [
                {
                  field: 'linkedReference',
                  message: 'Enter the reference of an existing request, like KX7P-3RMD',
                },
              ]
            : []),
          ...(!input.customerId && !input.contactEmail && !input.contactPhone && !linked
            ? [
                {
                  field: 'contactEmail',
                  message: 'Enter an email address or telephone number so we can reply',
                },
              ]
            : []),
        ];
        if (problems.length) return { ok: false, errors: toFormErrors(problems) };
        return { ok: true, value: { ...input, linkedCaseId: linked?.id ?? null } };
      },
      run: async (input, request) => {
        const staff = staffOf(request);
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
              receivedOn: input.receivedOn,
              matterDate: input.matterDate,
              linkedCaseId: input.linkedCaseId,
              aboutServiceId: input.aboutServiceId,
              workflowType: input.workflowType,
              reasonableAdjustments: input.reasonableAdjustments,
              channel: input.channel,
              actor: { kind: 'staff', staffId: staff.id },
              idempotencyKey: `complaint:staff:${input.idempotencyKey}`,
            },
            { ...options, now: deps.clock.now() },
          ),
        );
        return `/staff/complaints/${created.id}?done=created`;
      },
      render: renderNew,
      errorField: 'summary',
      refusals: [DomainRuleError],
    }),
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
      const returnTo = learningReturnTo.parse((request.body as { returnTo?: unknown } | undefined)?.returnTo);
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
      currentRemedies: present.remedyList(remedies),
      handlers: selectItems(pickers.handlers, values.handlerId ?? stage.handlerId, 'Choose an officer'),
      owners: selectItems(pickers.owners, values.ownerId, 'Choose an owner'),
      teams: selectItems(pickers.teams, values.learningTeamId ?? view.aboutTeamId, 'Choose a team'),
      services: selectItems(
        pickers.services,
        values.aboutServiceId ?? view.aboutServiceId,
        'Choose a service',
      ),
      ...present.actionChoices(values, view),
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

  /** Every action on the complaint page (problems come back on the page with the action's form open). */
  const action = recordActions({
    app,
    db: deps.db,
    base: '/staff/complaints',
    permission,
    auditPrefix: 'complaint',
    load: loadVisible,
    render: renderComplaint,
    actor: (request) => ({ staff: staffOf(request), now: deps.clock.now() }),
  });

  action({
    path: 'acknowledge',
    parse: (body) => parseForm(acknowledgeSchema(today()), body),
    run: (trx, id, value, { staff: staff, now }) =>
      service.acknowledgeComplaint(
        trx,
        id,
        { staffId: staff.id, now, acknowledgedOn: value.acknowledgedOn ?? undefined },
        options,
      ),
    done: 'acknowledged',
    errorField: 'acknowledgedOn-day',
  });

  action({
    path: 'extend',
    parse: (body) => parseForm(extendSchema, body),
    run: (trx, id, value, { staff: staff, now }) =>
      service.extendComplaint(
        trx,
        id,
        { staffId: staff.id, now, days: value.extensionDays, reason: value.extensionReason },
        options,
      ),
    done: 'extended',
    errorField: 'extensionDays',
  });

  action({
    path: 'respond',
    parse: (body) => parseForm(respondSchema(today()), body),
    run: (trx, id, value, { staff: staff, now }) =>
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
          respondedOn: value.respondedOn ?? undefined,
        },
        options,
      ),
    done: 'responded',
    errorField: 'decision',
  });

  action({
    path: 'refuse',
    parse: (body) => parseForm(refuseSchema, body),
    run: (trx, id, value, { staff: staff, now }) =>
      service.refuseComplaint(
        trx,
        id,
        { staffId: staff.id, now, reason: value.refusalReason, details: value.refusalDetails },
        options,
      ),
    done: 'refused',
    errorField: 'refusalReason',
  });

  action({
    path: 'escalate',
    parse: (body) => parseForm(escalateStaffSchema(today()), body),
    run: (trx, id, value, { staff: staff, now }) =>
      service.escalateComplaint(
        trx,
        id,
        {
          actor: { kind: 'staff', staffId: staff.id },
          now,
          reason: value.escalationReason,
          requestedOn: value.requestedOn ?? undefined,
        },
        options,
      ),
    done: 'escalated',
    errorField: 'escalationReason',
  });

  action({
    path: 'assign',
    parse: (body) => parseForm(assignSchema, body),
    run: (trx, id, value, { staff: staff, now }) =>
      service.assignHandler(trx, id, { staffId: staff.id, now, handlerId: value.handlerId }),
    done: 'assigned',
    errorField: 'handlerId',
  });

  action({
    path: 'remedies',
    form: 'remedy',
    parse: (body) => parseForm(remedySchema, body),
    run: (trx, id, value, { staff: staff, now }) =>
      service.addRemedy(trx, id, {
        staffId: staff.id,
        now,
        kind: value.remedyKind,
        description: value.remedyDescription,
        amountPence: value.remedyAmount,
        dueOn: value.remedyDueOn,
      }),
    done: 'remedy',
    errorField: 'remedyDescription',
  });

  action({
    path: 'root-cause',
    form: 'rootCause',
    parse: (body) => parseForm(rootCauseSchema, body),
    run: (trx, id, value, { staff: staff, now }) =>
      service.setRootCause(trx, id, {
        staffId: staff.id,
        now,
        rootCause: value.rootCause,
        aboutServiceId: value.aboutServiceId,
      }),
    done: 'rootCause',
    errorField: 'rootCause',
  });

  action({
    path: 'learning-actions',
    form: 'learning',
    parse: (body) => parseForm(learningActionSchema, body),
    run: (trx, id, value, { staff: staff, now }) =>
      service.addComplaintLearningAction(trx, id, {
        staffId: staff.id,
        now,
        teamId: value.learningTeamId,
        description: value.learningDescription,
        ownerId: value.ownerId,
        dueOn: value.learningDueOn,
      }),
    done: 'learning',
    errorField: 'learningDescription',
  });

  app.post(
    '/staff/complaints/:id/remedies/:remedyId/complete',
    { config: { permission, auditEvent: 'complaint.remedy_completed' } },
    async (request, reply) => {
      const id = idParam(request);
      const remedyId = idFromParams(request.params, 'remedyId');
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
