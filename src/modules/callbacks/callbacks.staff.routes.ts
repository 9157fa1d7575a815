/**
 * Staff routes: the callbacks list (Mine / My teams / Overdue), "Promise a callback", a callback's page with
 * "Record an attempt" and "Cancel", and the staff home's "Callbacks due" panel (the no-JavaScript twin of
 * the reminder push).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { zonedInstant } from '../../platform/calendar/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { displayPhone } from '../../platform/contact/index.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { formAction, type FormProblems } from '../../platform/http/form-action.ts';
import { readDateInput } from '../../platform/http/date-input.ts';
import { staffRoute } from '../../platform/http/route-options.ts';
import { idFromParams, parseForm, toFormErrors } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import { radioItems } from '../../platform/views/govuk-items.ts';
import {
  authorityScope,
  isManager,
  staffHomePanels,
  staffNavItems,
  type StaffHomePanel,
  type StaffPrincipal,
} from '../identity/index.ts';
import {
  ATTEMPT_OUTCOMES,
  TIME_PATTERN,
  attemptSchema,
  cancelSchema,
  promiseSchema,
} from './callbacks.schemas.ts';
import * as service from './callbacks.service.ts';
import type { CallbackSettings } from './callbacks.service.ts';

export interface CallbacksStaffDeps {
  db: Db;
  clock: Clock;
  settings: CallbackSettings;
}

const staffOf = (request: FastifyRequest): StaffPrincipal => request.staff!;

const STATUS_TAGS: Record<string, { text: string; classes: string }> = {
  open: { text: 'Open', classes: 'govuk-tag--blue' },
  kept: { text: 'Kept', classes: 'govuk-tag--green' },
  not_reached: { text: 'Not reached', classes: 'govuk-tag--orange' },
  cancelled: { text: 'Cancelled', classes: 'govuk-tag--grey' },
};
const OUTCOME_LABELS: Record<string, string> = ATTEMPT_OUTCOMES;
const VIEWS = { mine: 'Mine', teams: 'My teams', overdue: 'Overdue' } as const;
type View = keyof typeof VIEWS;

/** A callback's status tag; an open one past its due time says "Overdue". */
function statusTag(status: string, dueAt: Date, now: Date) {
  if (status === 'open' && dueAt.getTime() < now.getTime())
    return { text: 'Overdue', classes: 'govuk-tag--red' };
  return STATUS_TAGS[status] ?? { text: status, classes: 'govuk-tag--grey' };
}

const tagHtml = (tag: { text: string; classes: string }) =>
  `<strong class="govuk-tag ${tag.classes}">${tag.text}</strong>`;

type ListRow = Awaited<ReturnType<typeof service.listOpenCallbacks>>[number];

function listRows(rows: ListRow[], now: Date) {
  return rows.map((r) => [
    { text: formatDate(r.due_at, 'datetime') },
    {
      html: `<a class="govuk-link" href="/staff/callbacks/${r.id}">${escapeText(service.callbackName(r))}</a>`,
    },
    { text: displayPhone(r.phone) },
    { text: r.topic },
    { text: `${r.attempts} of ${r.max_attempts}`, format: 'numeric' },
    { html: tagHtml(statusTag(r.status, r.due_at, now)) },
  ]);
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export async function registerCallbacksStaffRoutes(
  app: FastifyInstance,
  deps: CallbacksStaffDeps,
): Promise<void> {
  const { db, clock, settings } = deps;
  if (!staffNavItems.some((i) => i.href === '/staff/callbacks'))
    staffNavItems.push({ href: '/staff/callbacks', text: 'Callbacks', permission: 'customers:read' });
  const callbacksDue: StaffHomePanel = {
    id: 'callbacks-due',
    order: 20,
    async load(staff) {
      if (!staff.permissions.has('customers:read')) return null;
      const now = clock.now();
      const rows = await service.callbacksDueFor(
        db,
        staff.id,
        staff.teams.map((t) => t.id),
        new Date(now.getTime() + 4 * 3600_000),
        10,
      );
      if (rows.length === 0) return null;
      return { template: 'callbacks/home-panel.njk', context: { rows: listRows(rows, now) } };
    },
  };
  // One panel per process, reading the latest app's database (tests build several apps in one process).
  const existing = staffHomePanels.findIndex((p) => p.id === callbacksDue.id);
  if (existing >= 0) staffHomePanels.splice(existing, 1, callbacksDue);
  else staffHomePanels.push(callbacksDue);

  /** A callback this member of staff may see: one of their councils'; otherwise a 404. */
  async function visible(request: FastifyRequest, id: string) {
    const callback = await service.findCallback(db, id);
    if (!callback || !authorityScope(staffOf(request)).includes(callback.authority_id))
      throw new NotFoundError();
    return callback;
  }

  app.get<{ Querystring: { view?: string } }>(
    '/staff/callbacks',
    staffRoute('customers:read', 'callbacks.list_viewed'),
    async (request, reply) => {
      const staff = staffOf(request);
      const view: View = Object.hasOwn(VIEWS, request.query.view ?? '')
        ? (request.query.view as View)
        : 'mine';
      const now = clock.now();
      const rows = await service.listOpenCallbacks(db, {
        authorityIds: authorityScope(staff),
        staffId: staff.id,
        teamIds: staff.teams.map((t) => t.id),
        view,
        allInAuthorities: isManager(staff),
        now,
        limit: 200,
      });
      return reply.view('callbacks/list.njk', {
        pageTitle: `Callbacks: ${VIEWS[view].toLowerCase()}`,
        views: (Object.keys(VIEWS) as View[]).map((v) => ({
          href: `/staff/callbacks?view=${v}`,
          text: VIEWS[v],
          active: v === view,
        })),
        viewLabel: VIEWS[view],
        canPromise: staff.permissions.has('customers:write'),
        rows: listRows(rows, now),
      });
    },
  );

  // --- Promise a callback ---------------------------------------------------------------------------------

  const idOrNull = (value: unknown) => {
    try {
      return value ? idFromParams({ id: value }) : null;
    } catch {
      return null;
    }
  };

  /** The customer and call the form is about, when this member of staff may see them (else a 404). */
  async function promiseContext(request: FastifyRequest, ids: { customer?: unknown; call?: unknown }) {
    const scope = authorityScope(staffOf(request));
    const context = await service.promiseContext(db, {
      customerId: idOrNull(ids.customer),
      callRowId: idOrNull(ids.call),
    });
    if (
      (ids.customer && !context.customer) ||
      (context.customer && !scope.includes(context.customer.authority_id))
    )
      throw new NotFoundError();
    if ((ids.call && !context.call) || (context.call && !scope.includes(context.call.authority_id)))
      throw new NotFoundError();
    return context;
  }

  async function renderPromise(
    request: FastifyRequest,
    reply: FastifyReply,
    query: { customer?: unknown; call?: unknown },
    problems?: FormProblems,
  ) {
    const staff = staffOf(request);
    const context = await promiseContext(request, query);
    const values = problems?.values ?? {
      formToken: randomUUID(),
      when: 'standard',
      phone: displayPhone(context.call?.caller_number ?? context.phones[0] ?? ''),
      owner: 'me',
    };
    const now = clock.now();
    const standardDue = service.dueWithinStandard(now, settings);
    return reply.view('callbacks/new.njk', {
      pageTitle: 'Promise a callback',
      values,
      ...(problems?.errors ?? {}),
      customerName: context.customer ? service.callbackName({ ...context.customer, name: null }) : null,
      customerId: context.customer?.id ?? '',
      callId: context.call?.id ?? '',
      standardLabel: `Within the service standard (${settings.standardHours} working hours): by ${formatDate(standardDue, 'weekday')} at ${formatDate(standardDue, 'time')}`,
      officeHours: `${settings.officeHours.open} to ${settings.officeHours.close}`,
      owners: [
        { value: 'me', text: `Me (${staff.name})`, checked: values.owner === 'me' },
        ...staff.teams.map((t) => ({
          value: `team:${t.id}`,
          text: t.name,
          checked: values.owner === `team:${t.id}`,
        })),
      ],
      cases: [
        { value: '', text: 'Not about a case' },
        ...context.cases
          .filter((c) => authorityScope(staff).includes(c.authority_id))
          .map((c) => ({ value: c.id, text: c.reference, selected: c.id === values.caseId })),
      ],
      phones: context.phones.map(displayPhone),
    });
  }

  app.get<{ Querystring: { customer?: string; call?: string } }>(
    '/staff/callbacks/new',
    staffRoute('customers:write', 'callbacks.promise_form_viewed'),
    async (request, reply) => renderPromise(request, reply, request.query),
  );

  app.post(
    '/staff/callbacks/new',
    staffRoute('customers:write', 'callbacks.promised'),
    formAction({
      parse: async (request) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        await promiseContext(request, { customer: body.customer, call: body.call });
        const parsed = parseForm(promiseSchema, body);
        const problems: { field: string; message: string }[] = parsed.ok
          ? []
          : parsed.errors.errorList.map((e) => ({ field: e.href.slice(1), message: e.text }));
        let dueAt: Date | null = null;
        if (body.when === 'agreed') {
          const date = readDateInput(body, 'agreedDate', { label: 'Date', required: true });
          const time = typeof body.agreedTime === 'string' ? TIME_PATTERN.exec(body.agreedTime.trim()) : null;
          if (!date.ok) problems.push({ field: date.field, message: date.message });
          if (!time) problems.push({ field: 'agreedTime', message: 'Enter the time, like 14:00' });
          if (date.ok && date.value && time) {
            dueAt = zonedInstant(date.value, `${time[1].padStart(2, '0')}:${time[2]}`);
            const problem = service.agreedTimeProblem(dueAt, clock.now(), settings);
            if (problem) problems.push({ field: 'agreedDate-day', message: problem });
          }
        }
        if (problems.length || !parsed.ok) return { ok: false, errors: toFormErrors(problems) };
        const staff = staffOf(request);
        const owner = parsed.value.owner;
        const team = owner === 'me' ? null : staff.teams.find((t) => `team:${t.id}` === owner.toLowerCase());
        if (owner !== 'me' && !team)
          return {
            ok: false,
            errors: toFormErrors([{ field: 'owner', message: 'Choose who will call back' }]),
          };
        return { ok: true, value: { ...parsed.value, dueAt, team } };
      },
      run: async (value, request) => {
        const staff = staffOf(request);
        const now = clock.now();
        const context = await promiseContext(request, { customer: value.customer, call: value.call });
        const promised = await withTransaction(db, (trx) =>
          service.promiseCallback(trx, {
            authorityId: value.team?.authorityId ?? context.customer?.authority_id ?? staff.authorityId,
            customerId: context.customer?.id ?? null,
            caseId: value.caseId && context.cases.some((c) => c.id === value.caseId) ? value.caseId : null,
            teamId: value.team?.id ?? null,
            ownerId: value.team ? null : staff.id,
            phone: value.phone,
            topic: value.topic,
            source: context.call ? 'phone' : 'staff',
            originCallId: context.call?.id ?? null,
            originInteractionId: context.call?.interaction_id ?? null,
            dueAt: value.dueAt ?? service.dueWithinStandard(now, settings),
            idempotencyKey: `staff:${value.formToken}`,
            createdBy: staff.id,
            now,
            settings,
          }),
        );
        return `/staff/callbacks/${promised.id}?done=promised`;
      },
      render: (request, reply, problems) => {
        const body = problems.values;
        return renderPromise(request, reply, { customer: body.customer, call: body.call }, problems);
      },
      errorField: 'owner',
    }),
  );

  // --- One callback ---------------------------------------------------------------------------------------

  const BANNERS: Record<string, string> = {
    promised: 'Callback promised',
    attempt: 'Attempt recorded',
    cancelled: 'Callback cancelled',
  };

  async function renderCallback(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    problems?: FormProblems & { form: string },
  ) {
    const callback = await visible(request, id);
    const attempts = await service.listAttempts(db, id);
    const now = clock.now();
    const done = (request.query as { done?: string }).done;
    const canAct = staffOf(request).permissions.has('customers:write') && callback.status === 'open';
    return reply.view('callbacks/show.njk', {
      pageTitle: `Callback: ${service.callbackName(callback)}`,
      callback,
      name: service.callbackName(callback),
      banner: done && Object.hasOwn(BANNERS, done) ? BANNERS[done] : null,
      tag: tagHtml(statusTag(callback.status, callback.due_at, now)),
      rows: [
        { key: { text: 'Due' }, value: { text: formatDate(callback.due_at, 'datetime') } },
        { key: { text: 'Number' }, value: { text: displayPhone(callback.phone) } },
        { key: { text: 'About' }, value: { text: callback.topic } },
        ...(callback.best_time ? [{ key: { text: 'Best time' }, value: { text: callback.best_time } }] : []),
        {
          key: { text: 'Customer' },
          value: callback.customer_id
            ? {
                html: `<a class="govuk-link" href="/staff/customers/${callback.customer_id}">${escapeText(service.callbackName(callback))}</a>`,
              }
            : { text: 'Not matched to a customer' },
        },
        ...(callback.case_reference
          ? [{ key: { text: 'Case' }, value: { text: callback.case_reference } }]
          : []),
        {
          key: { text: 'Owner' },
          value: { text: callback.owner_name ?? callback.team_name ?? 'Not assigned' },
        },
        { key: { text: 'Attempts' }, value: { text: `${callback.attempts} of ${callback.max_attempts}` } },
        ...(callback.next_attempt_at && callback.status === 'open'
          ? [
              {
                key: { text: 'Next try from' },
                value: { text: formatDate(callback.next_attempt_at, 'datetime') },
              },
            ]
          : []),
        ...(callback.status === 'kept'
          ? [{ key: { text: 'Kept on time' }, value: { text: callback.kept_on_time ? 'Yes' : 'No' } }]
          : []),
        ...(callback.status === 'cancelled'
          ? [{ key: { text: 'Cancelled because' }, value: { text: callback.outcome ?? '' } }]
          : []),
      ],
      attemptRows: attempts.map((a) => [
        { text: formatDate(a.at, 'datetime') },
        { text: OUTCOME_LABELS[a.outcome] ?? a.outcome },
        { text: a.staff_name ?? '' },
        {
          text: a.call_row_id ? `Call ${a.call_id ?? ''} (${a.direction ?? 'outbound'})` : 'Recorded by hand',
        },
        { text: a.note ?? '' },
      ]),
      canAct,
      outcomes: radioItems(
        ATTEMPT_OUTCOMES,
        problems?.form === 'attempts' ? problems.values.outcome : undefined,
      ),
      values: problems?.values ?? {},
      openForm: problems?.form ?? null,
      ...(problems?.errors ?? {}),
    });
  }

  app.get('/staff/callbacks/:id', staffRoute('customers:read', 'callbacks.viewed'), async (request, reply) =>
    renderCallback(request, reply, idFromParams(request.params)),
  );

  const action = <T>(
    path: string,
    schema: Parameters<typeof parseForm>[0],
    run: (id: string, value: T, staff: StaffPrincipal) => Promise<unknown>,
    done: string,
    errorField: string,
  ) =>
    app.post(
      `/staff/callbacks/:id/${path}`,
      staffRoute('customers:write', `callbacks.${path.replace(/-/g, '_')}`),
      formAction({
        parse: async (request) => {
          await visible(request, idFromParams(request.params));
          const parsed = parseForm(schema, request.body);
          return parsed.ok ? { ok: true, value: parsed.value as T } : { ok: false, errors: parsed.errors };
        },
        run: async (value: T, request) => {
          const id = idFromParams(request.params);
          await run(id, value, staffOf(request));
          return `/staff/callbacks/${id}?done=${done}`;
        },
        render: (request, reply, problems) =>
          renderCallback(request, reply, idFromParams(request.params), { ...problems, form: path }),
        errorField,
      }),
    );

  action<{ outcome: keyof typeof ATTEMPT_OUTCOMES; note: string | null }>(
    'attempts',
    attemptSchema,
    (id, value, staff) =>
      withTransaction(db, (trx) =>
        service.recordAttempt(trx, id, { ...value, staffId: staff.id, at: clock.now() }),
      ),
    'attempt',
    'outcome',
  );
  action<{ reason: string }>(
    'cancel',
    cancelSchema,
    (id, value, staff) =>
      withTransaction(db, (trx) =>
        service.cancelCallback(trx, id, { ...value, staffId: staff.id, now: clock.now() }),
      ),
    'cancelled',
    'reason',
  );
}
