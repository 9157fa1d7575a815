/**
 * Staff routes for customers: find, single view, log a contact, new customer with a duplicate check,
 * merge and unmerge. Handlers parse, call one service function, and render or redirect. Every route
 * declares its permission; refusals by permission are audited ('denied') by the scoped onError hook.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { ForbiddenError, ValidationError } from '../../platform/http/errors.ts';
import { idFromParams, parseForm, toFormErrors, type FormErrors } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import { staffNavItems } from '../identity/index.ts';
import { CustomersService, TIMELINE_PAGE_SIZE, type RequestContext } from './customers.service.ts';
import { logContactSchema, mergeSchema, newCustomerSchema, unmergeSchema } from './customers.schemas.ts';
import * as present from './customers.presenters.ts';

export interface CustomerRoutesDeps {
  db: Db;
  clock: Clock;
}

const BANNERS: Record<string, string> = {
  contact: 'Contact saved',
  repeat: 'Contact saved. This is a repeat contact about the same service within 7 days.',
  created: 'Customer record created',
  merged: 'Records merged',
  unmerged: 'Merge undone: the records are separate again',
};

function ctxOf(request: FastifyRequest): RequestContext {
  return { staff: request.staff!, requestId: request.id };
}

function query(request: FastifyRequest): Record<string, string | undefined> {
  const q = request.query as Record<string, unknown>;
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}

/** The customer id in the path; not a UUID → 404 (it also goes into redirects' `Location`). */
function idParam(request: FastifyRequest): string {
  return idFromParams(request.params);
}

/** Registers the customer routes and the "Find a customer" navigation entry. */
export async function registerCustomerStaffRoutes(
  app: FastifyInstance,
  deps: CustomerRoutesDeps,
): Promise<void> {
  if (!staffNavItems.some((item) => item.href === '/staff/customers'))
    staffNavItems.push({ href: '/staff/customers', text: 'Find a customer', permission: 'customers:read' });
  const service = new CustomersService(deps.db, deps.clock);

  await app.register(async (scope) => {
    // Requests refused by the route permission (e.g. an auditor posting a contact) are audited as denied.
    scope.addHook('onError', async (request, _reply, error) => {
      if (!(error instanceof ForbiddenError) || !request.staff) return;
      const action = request.routeOptions.config.auditEvent || 'customer.access';
      await service.auditRefused(ctxOf(request), action, (request.params as { id?: string }).id ?? null);
    });

    scope.get(
      '/staff/customers',
      { config: { permission: 'customers:read', auditEvent: 'customer.search' } },
      async (request, reply) => {
        const q = (query(request).q ?? '').slice(0, 200);
        const searched = q.trim().length > 0;
        const { results } = searched ? await service.search(ctxOf(request), q) : { results: [] };
        return reply.view('customers/search.njk', {
          pageTitle: searched ? `Find a customer: ${results.length} found` : 'Find a customer',
          q,
          searched,
          rows: present.searchResultRows(results),
          canWrite: request.staff!.permissions.has('customers:write'),
        });
      },
    );

    const renderNew = (
      reply: FastifyReply,
      extra: { errors?: FormErrors; values?: Record<string, unknown> } = {},
    ) => {
      const errors = extra.errors?.errors ?? {};
      return reply.view('customers/new.njk', {
        pageTitle: 'Add a new customer',
        values: extra.values ?? {},
        ...extra.errors,
        dobError: errors['dob-day'] ?? errors['dob-month'] ?? errors['dob-year'],
      });
    };

    scope.get(
      '/staff/customers/new',
      { config: { permission: 'customers:write', auditEvent: 'customer.create_form' } },
      // A new caller's number comes prefilled from the call page (?phone=).
      async (request, reply) => {
        const phone = (request.query as { phone?: unknown }).phone;
        return renderNew(reply, { values: typeof phone === 'string' ? { phone: phone.slice(0, 40) } : {} });
      },
    );

    scope.post(
      '/staff/customers/new',
      { config: { permission: 'customers:write', auditEvent: 'customer.create' } },
      async (request, reply) => {
        const today = deps.clock.now().toISOString().slice(0, 10);
        const parsed = parseForm(newCustomerSchema(today), request.body);
        if (!parsed.ok) return renderNew(reply.status(400), { errors: parsed.errors, values: parsed.values });
        const input = parsed.value;
        const duplicates = await service.duplicatesOf(ctxOf(request), input);
        if (duplicates.length && !input.confirmed) {
          const body = request.body as Record<string, unknown>;
          const fields = [
            'givenName',
            'familyName',
            'dob-day',
            'dob-month',
            'dob-year',
            'email',
            'phone',
            'addressLine',
            'postcode',
          ];
          return reply.view('customers/duplicates.njk', {
            pageTitle: 'These people might be the same person',
            name: `${input.givenName} ${input.familyName}`,
            summary: [
              input.dateOfBirth ? `born ${formatDate(input.dateOfBirth)}` : '',
              input.address?.postcode ?? '',
            ]
              .filter(Boolean)
              .join(', '),
            rows: present.candidateRows(duplicates, (id) => ({
              href: `/staff/customers/${id}`,
              text: 'Use this record',
            })),
            hiddenFields: fields.map((name) => ({
              name,
              value: typeof body[name] === 'string' ? body[name] : '',
            })),
          });
        }
        const id = await service.create(
          ctxOf(request),
          input,
          duplicates.map((d) => d.id),
        );
        return reply.redirect(`/staff/customers/${id}?done=created`, 303);
      },
    );

    const renderView = async (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      extra: { errors?: FormErrors; values?: Record<string, unknown> } = {},
    ) => {
      const page = Number.parseInt(query(request).page ?? '1', 10) || 1;
      const result = await service.view(ctxOf(request), id, page);
      if (result.kind === 'redirect') return reply.redirect(`/staff/customers/${result.id}`, 302);
      const c = result.customer;
      if (result.page > 1 && result.interactions.length === 0 && !extra.errors)
        return reply.redirect(`/staff/customers/${c.id}#timeline`);
      const values = extra.values ?? {};
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const openCases = result.cases.filter((k) => !k.closed_at);
      const name = present.displayName(c);
      const banner = BANNERS[query(request).done ?? ''];
      return reply.view('customers/view.njk', {
        pageTitle: `${name} – Customer`,
        id: c.id,
        name,
        banner,
        vulnerabilities: present
          .vulnerabilityItems(result.vulnerabilities)
          .map((v) => `Vulnerable: ${v.reason}. ${v.consent}. ${v.review}.`),
        needs: present.communicationNeedLabels(c.communication_needs),
        identityRows: present.identityRows(c),
        contactRows: present.contactPointRows(result.contactPoints),
        relationshipRows: present.relationshipRows(result.relationships),
        caseRows: present.caseRows(result.cases, deps.clock.now()),
        timeline: present.timelineItems(result.interactions),
        totalInteractions: result.totalInteractions,
        pagination: present.pagination(
          `/staff/customers/${c.id}`,
          result.page,
          TIMELINE_PAGE_SIZE,
          result.totalInteractions,
        ),
        channelItems: present.channelItems(str(values.channel)),
        outcomeItems: present.outcomeItems(str(values.outcome)),
        serviceItems: present.serviceSelectItems(result.services, str(values.serviceId)),
        caseItems: present.caseSelectItems(openCases, str(values.caseId)),
        mergedRecords: result.mergedRecords.map((m) => ({
          id: m.id,
          name: present.displayName(m),
          at: formatDate(m.updated_at, 'short'),
        })),
        canWrite: request.staff!.permissions.has('customers:write'),
        canStartRequest: request.staff!.permissions.has('cases:write'),
        canUnmerge: request.staff!.permissions.has('admin:manage'),
        values,
        ...extra.errors,
      });
    };

    scope.get(
      '/staff/customers/:id',
      { config: { permission: 'customers:read', auditEvent: 'customer.view' } },
      async (request, reply) => renderView(request, reply, idParam(request)),
    );

    scope.post(
      '/staff/customers/:id/contacts',
      { config: { permission: 'customers:write', auditEvent: 'customer.contact_logged' } },
      async (request, reply) => {
        const id = idParam(request);
        const parsed = parseForm(logContactSchema, request.body);
        if (!parsed.ok)
          return renderView(request, reply.status(400), id, { errors: parsed.errors, values: parsed.values });
        try {
          const { isRepeat } = await service.logContact(ctxOf(request), id, parsed.value);
          return reply.redirect(
            `/staff/customers/${id}?done=${isRepeat ? 'repeat' : 'contact'}#timeline`,
            303,
          );
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return renderView(request, reply.status(400), id, {
            errors: toFormErrors(error.fields),
            values: request.body as Record<string, unknown>,
          });
        }
      },
    );

    scope.get(
      '/staff/customers/:id/merge',
      { config: { permission: 'customers:write', auditEvent: 'customer.merge_viewed' } },
      async (request, reply) => {
        const id = idParam(request);
        const { q = '', duplicate } = query(request);
        if (duplicate) {
          const pair = await service.mergePair(ctxOf(request), id, duplicate);
          const card = (side: typeof pair.survivor, title: string, testid: string) => ({
            id: side.customer.id,
            name: present.displayName(side.customer),
            title,
            testid,
            rows: [
              {
                key: { text: 'Date of birth' },
                value: {
                  text: side.customer.date_of_birth ? formatDate(side.customer.date_of_birth) : 'Not known',
                },
              },
              ...present.contactPointRows(side.contactPoints),
              {
                key: { text: 'Cases' },
                value: {
                  text: side.cases.map((k) => `${k.reference} (${k.service_name})`).join(', ') || 'None',
                },
              },
            ],
          });
          const survivor = card(pair.survivor, 'Keep', 'survivor');
          const dup = card(pair.duplicate, 'Merge and close', 'duplicate');
          return reply.view('customers/merge-confirm.njk', {
            pageTitle: 'Merge records',
            survivor,
            duplicate: dup,
            moveText: `${dup.name}'s contact details, cases, contacts, vulnerability flags and relationships will move to ${survivor.name}. ${dup.name}'s record will be closed and will open ${survivor.name}'s. An administrator can undo this.`,
          });
        }
        const searched = q.trim().length > 0;
        const { customer, results } = await service.mergeCandidates(ctxOf(request), id, searched ? q : '');
        return reply.view('customers/merge.njk', {
          pageTitle: 'Find the duplicate record',
          id: customer.id,
          name: present.displayName(customer),
          q,
          searched,
          rows: present.candidateRows(results, (other) => ({
            href: `/staff/customers/${customer.id}/merge?duplicate=${other}`,
            text: 'Choose',
          })),
        });
      },
    );

    scope.post(
      '/staff/customers/:id/merge',
      { config: { permission: 'customers:write', auditEvent: 'customer.merge' } },
      async (request, reply) => {
        const id = idParam(request);
        const parsed = parseForm(mergeSchema, request.body);
        if (!parsed.ok) return reply.redirect(`/staff/customers/${id}/merge`, 303);
        await service.merge(ctxOf(request), id, parsed.value.duplicateId);
        return reply.redirect(`/staff/customers/${id}?done=merged`, 303);
      },
    );

    scope.post(
      '/staff/customers/:id/unmerge',
      { config: { permission: 'admin:manage', auditEvent: 'customer.unmerge' } },
      async (request, reply) => {
        const id = idParam(request);
        const parsed = parseForm(unmergeSchema, request.body);
        if (!parsed.ok) return reply.redirect(`/staff/customers/${id}`, 303);
        await service.unmerge(ctxOf(request), id, parsed.value.mergedId);
        return reply.redirect(`/staff/customers/${id}?done=unmerged`, 303);
      },
    );
  });
}
