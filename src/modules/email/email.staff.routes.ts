/**
 * The staff side of the email channel (issue 13 items 3 and 5): the triage queue `/staff/email`, one
 * email `/staff/email/:id` with its three actions (add to a case, make a new case, no action), and the
 * original MIME `/staff/email/:id/original` (a download, audited).
 *
 * Access: emails of the councils the member of staff works for (`authorityScope`); anything else is a
 * 404. Cases named by reference follow the case visibility rule (`canSeeCase`). Every view of an email or
 * its original writes an audit row; each action writes its own in its transaction.
 *
 * After an action the next email in triage opens (or the queue when none is left), with a banner naming
 * what happened and the case reference, so a queue is worked through with the keyboard alone.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { audit } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { formStrings } from '../../platform/http/validation.ts';
import { staffRoute } from '../../platform/http/route-options.ts';
import { REFERENCE_PATTERN, type CaseOptions } from '../cases/index.ts';
import { canSeeCase } from '../customers/index.ts';
import { authorityScope, staffNavItems, type StaffPrincipal } from '../identity/index.ts';
import { caseThreadItems, emailDetail, triageRows, type CaseEmailItem } from './email.presenters.ts';
import * as repo from './email.repository.ts';
import { attachToCase, createCaseFromEmail, markNoAction, TriageFieldError } from './email.triage.ts';

export interface EmailStaffDeps {
  db: Db;
  clock: Clock;
  caseOptions?: CaseOptions;
}

const idParams = z.object({ id: z.uuid() });
type Form = 'attach' | 'create' | 'dismiss';
type Errors = { href: string; text: string }[];

const DONE: Record<string, string> = {
  added: 'Email added to case',
  created: 'New case made from the email',
  'created-customer': 'New customer and case made from the email',
  dismissed: 'Email marked as no action',
};

/** The success banner from `?done=…&ref=…` (the reference only when it looks like one). */
function bannerOf(query: unknown): string | null {
  const q = (query ?? {}) as { done?: string; ref?: string };
  const text = q.done ? DONE[q.done] : undefined;
  if (!text) return null;
  const ref = typeof q.ref === 'string' && REFERENCE_PATTERN.test(q.ref) ? q.ref : null;
  return ref ? `${text}: ${ref}` : text;
}

const seesCase = (staff: StaffPrincipal) => (c: { sensitivity: 'normal' | 'restricted'; teamId: string }) =>
  canSeeCase({ staffId: staff.id, authorityIds: [], teamIds: staff.teams.map((t) => t.id) }, c);

export async function registerEmailStaffRoutes(app: FastifyInstance, deps: EmailStaffDeps): Promise<void> {
  const { db } = deps;
  if (!staffNavItems.some((i) => i.href === '/staff/email'))
    staffNavItems.push({ href: '/staff/email', text: 'Email triage', permission: 'cases:read' });

  // The navigation link says how many emails wait: "Email triage (3)".
  app.addHook('preHandler', async (request) => {
    const nav = request.viewContext?.staffNav as { href: string; text: string }[] | undefined;
    const staff = request.staff;
    if (!nav || !staff || request.method !== 'GET') return;
    const item = nav.find((i) => i.href === '/staff/email');
    if (item) item.text = `Email triage (${await repo.triageCount(db, authorityScope(staff))})`;
  });

  /** The email, if it is one of this member of staff's councils' (else 404). */
  async function visibleEmail(request: FastifyRequest) {
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const email = await repo.findEmail(db, params.data.id);
    if (!email || !authorityScope(request.staff!).includes(email.authority_id)) throw new NotFoundError();
    return email;
  }

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    email: repo.EmailRow,
    state: { status?: number; form?: Form; errors?: Errors; values?: Record<string, string> } = {},
  ) {
    const staff = request.staff!;
    const now = deps.clock.now();
    const errors = state.errors ?? [];
    const values = state.values ?? {};
    const fieldErrors = Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text]));
    const detail = emailDetail(email, now);
    const suggested = email.suggested_case_id
      ? await repo.caseReferenceOf(db, email.suggested_case_id)
      : null;
    const handledCase = email.case_id ? await repo.caseReferenceOf(db, email.case_id) : null;
    const canWrite = staff.permissions.has('cases:write') && detail.inTriage;
    const services = canWrite
      ? (await repo.servicesOf(db, authorityScope(staff))).filter((s) =>
          seesCase(staff)({ sensitivity: s.sensitivity, teamId: s.team_id }),
        )
      : [];
    // The customer a new case would be for: known, or suggested (staff confirm it by making the case).
    const customerId = email.customer_id ?? email.suggested_customer_id;
    const customer = customerId ? await repo.customerNameRow(db, customerId) : undefined;
    const chosenService = values.service ?? email.mailbox_default_service_id ?? '';
    const reference = state.form === 'attach' ? (values.reference ?? '') : (suggested?.reference ?? '');
    return reply.status(state.status ?? 200).view('email/staff/email.njk', {
      pageTitle: `Email: ${detail.subject}`,
      errorList: errors,
      errors,
      fieldErrors,
      banner: bannerOf(request.query),
      email: detail,
      suggestedReference: suggested?.reference ?? null,
      handledCase: handledCase
        ? { reference: handledCase.reference, href: `/staff/cases/${handledCase.id}` }
        : null,
      canWrite,
      reference,
      autofocusReference: Boolean(suggested) && errors.length === 0,
      serviceItems: [
        { value: '', text: 'Choose a service', selected: chosenService === '' },
        ...services.map((s) => ({ value: s.id, text: s.name, selected: s.id === chosenService })),
      ],
      // Only an unknown sender (no known or suggested customer) can be added as a new customer.
      caseCustomer: customer
        ? {
            name:
              customer.organisation_name ??
              ([customer.given_name, customer.family_name].filter(Boolean).join(' ') || 'Unnamed customer'),
            href: `/staff/customers/${customer.id}`,
            suggested: !email.customer_id,
          }
        : null,
      offerNewCustomer: Boolean(email.from_address) && !email.customer_id && !email.suggested_customer_id,
      addCustomerChecked: state.form === 'create' && values.addCustomer === 'yes',
      note: state.form === 'dismiss' ? (values.note ?? '') : '',
    });
  }

  /** After an action: the next email in triage, or the queue when none is left. */
  async function next(request: FastifyRequest, reply: FastifyReply, done: string, reference?: string) {
    const [first] = await repo.triageQueue(db, authorityScope(request.staff!), 1);
    const query = `?done=${done}${reference ? `&ref=${encodeURIComponent(reference)}` : ''}`;
    return reply.redirect(first ? `/staff/email/${first.id}${query}` : `/staff/email${query}`, 303);
  }

  /** Runs an action; a broken rule re-renders the email with the error and what was typed. */
  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form,
    field: string,
    action: (
      email: repo.EmailRow,
      values: Record<string, string>,
    ) => Promise<{ done: string; reference?: string }>,
  ) {
    const email = await visibleEmail(request);
    const values = formStrings(request.body);
    try {
      const result = await action(email, values);
      return await next(request, reply, result.done, result.reference);
    } catch (error) {
      if (!(error instanceof DomainRuleError)) throw error;
      // The email may have changed under us (someone else handled it): show it as it is now.
      const now = (await repo.findEmail(db, email.id)) ?? email;
      const href =
        now.state !== 'triage'
          ? '#email-state'
          : error instanceof TriageFieldError
            ? `#${error.field}`
            : field;
      return render(request, reply, now, {
        status: 400,
        form,
        values,
        errors: [{ href, text: error.message }],
      });
    }
  }

  app.get('/staff/email', staffRoute('cases:read', 'email.triage_listed'), async (request, reply) => {
    const scope = authorityScope(request.staff!);
    const [rows, count] = await Promise.all([repo.triageQueue(db, scope, 200), repo.triageCount(db, scope)]);
    return reply.view('email/staff/queue.njk', {
      pageTitle: `Email triage (${count})`,
      count,
      rows: triageRows(rows, deps.clock.now()),
      banner: bannerOf(request.query),
    });
  });

  app.get('/staff/email/:id', staffRoute('cases:read', 'email.viewed'), async (request, reply) => {
    const email = await visibleEmail(request);
    await audit(db, {
      actorType: 'staff',
      actorId: request.staff!.id,
      authorityId: email.authority_id,
      action: 'email.viewed',
      recordType: 'email',
      recordId: email.id,
      requestId: request.id,
    });
    return render(request, reply, email);
  });

  app.get(
    '/staff/email/:id/original',
    staffRoute('cases:read', 'email.original_downloaded'),
    async (request, reply) => {
      const email = await visibleEmail(request);
      const source = await repo.sourceOf(db, email.id);
      if (!source) throw new NotFoundError();
      await audit(db, {
        actorType: 'staff',
        actorId: request.staff!.id,
        authorityId: email.authority_id,
        action: 'email.original_downloaded',
        recordType: 'email',
        recordId: email.id,
        requestId: request.id,
        details: { sha256: source.sha256 },
      });
      return reply
        .header('content-type', 'message/rfc822')
        .header('content-disposition', `attachment; filename="email-${email.id}.eml"`)
        .header('cache-control', 'no-store')
        .send(source.raw);
    },
  );

  app.post('/staff/email/:id/case', staffRoute('cases:write', 'email.added_to_case'), (request, reply) =>
    act(request, reply, 'attach', '#reference', async (email, values) => {
      const result = await attachToCase(
        db,
        {
          emailId: email.id,
          reference: values.reference ?? '',
          staffId: request.staff!.id,
          at: deps.clock.now(),
          requestId: request.id,
        },
        { caseOptions: deps.caseOptions, seesCase: seesCase(request.staff!) },
      );
      return { done: 'added', reference: result.reference };
    }),
  );

  app.post('/staff/email/:id/new-case', staffRoute('cases:write', 'email.case_created'), (request, reply) =>
    act(request, reply, 'create', '#service', async (email, values) => {
      const staff = request.staff!;
      const serviceId = values.service ?? '';
      const allowed = (await repo.servicesOf(db, authorityScope(staff))).some(
        (s) => s.id === serviceId && seesCase(staff)({ sensitivity: s.sensitivity, teamId: s.team_id }),
      );
      if (!allowed) throw new TriageFieldError('service', 'Select the service for the new case');
      const result = await createCaseFromEmail(
        db,
        {
          emailId: email.id,
          serviceId,
          staffId: staff.id,
          at: deps.clock.now(),
          addSenderAsCustomer: values.addCustomer === 'yes',
          requestId: request.id,
        },
        { caseOptions: deps.caseOptions },
      );
      return { done: result.customerCreated ? 'created-customer' : 'created', reference: result.reference };
    }),
  );

  app.post('/staff/email/:id/no-action', staffRoute('cases:write', 'email.no_action'), (request, reply) =>
    act(request, reply, 'dismiss', '#note', async (email, values) => {
      const note = (values.note ?? '').trim();
      if (note.length > 2000) throw new DomainRuleError('Note must be 2,000 characters or fewer');
      await markNoAction(db, {
        emailId: email.id,
        staffId: request.staff!.id,
        at: deps.clock.now(),
        note,
        requestId: request.id,
      });
      return { done: 'dismissed' };
    }),
  );
}

/**
 * The email thread of a case for the staff case page (emails in and out, oldest first), given to the
 * cases module by the composition root: cases cannot import email (email imports cases).
 */
export async function caseEmailThread(db: Db, caseId: string): Promise<CaseEmailItem[]> {
  return caseThreadItems(await repo.caseThread(db, caseId));
}
