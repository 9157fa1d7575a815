/**
 * `/staff/texts`: texts from residents that could not be put on a case by themselves (issue 17, item 4),
 * oldest first, each with its two actions on the same page (add to a case by reference, or no action), so
 * a queue is worked through with the keyboard alone. Texts of the councils the member of staff works for
 * only (anything else is a 404); cases named by reference follow the case visibility rule.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { displayPhone } from '../../platform/contact/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { staffRoute } from '../../platform/http/route-options.ts';
import { formStrings } from '../../platform/http/validation.ts';
import { canSeeCase } from '../customers/index.ts';
import { authorityScope, staffNavItems, type StaffPrincipal } from '../identity/index.ts';
import * as repo from './texts.repository.ts';
import { addTextToCase, markTextNoAction, TriageFieldError } from './texts.service.ts';

const idParams = z.object({ id: z.uuid() });

const REASONS: Record<string, string> = {
  'reference-not-matched': 'Names a case, but not from a number on it',
  'known-number': 'From a known customer, no case named',
  'unknown-number': 'From a number we do not know',
};

const TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'short',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
});

const seesCase = (staff: StaffPrincipal) => (c: { sensitivity: 'normal' | 'restricted'; teamId: string }) =>
  canSeeCase({ staffId: staff.id, authorityIds: [], teamIds: staff.teams.map((t) => t.id) }, c);

export async function registerTextsStaffRoutes(
  app: FastifyInstance,
  deps: { db: Db; clock: Clock },
): Promise<void> {
  const { db } = deps;
  if (!staffNavItems.some((i) => i.href === '/staff/texts'))
    staffNavItems.push({ href: '/staff/texts', text: 'Text triage', permission: 'cases:read' });

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    state: { status?: number; textId?: string; error?: string; reference?: string } = {},
  ) {
    const staff = request.staff!;
    const scope = authorityScope(staff);
    const [rows, count] = await Promise.all([repo.triageTexts(db, scope, 200), repo.triageCount(db, scope)]);
    const q = (request.query ?? {}) as { done?: string; ref?: string };
    const banner =
      q.done === 'added' && typeof q.ref === 'string' && /^[A-Z2-9]{4}-[A-Z2-9]{4}$/.test(q.ref)
        ? `Text added to case ${q.ref}`
        : q.done === 'dismissed'
          ? 'Text marked as no action'
          : null;
    const errors =
      state.error && state.textId ? [{ href: `#reference-${state.textId}`, text: state.error }] : [];
    return reply.status(state.status ?? 200).view('texts/staff/triage.njk', {
      pageTitle: `Text triage (${count})`,
      errorList: errors,
      banner,
      count,
      canWrite: staff.permissions.has('cases:write'),
      texts: rows.map((r) => ({
        id: r.id,
        received: TIME.format(r.received_at),
        from: displayPhone(r.from_number),
        customer:
          r.customer_id && (r.given_name || r.family_name)
            ? {
                name: `${r.given_name ?? ''} ${r.family_name ?? ''}`.trim(),
                href: `/staff/customers/${r.customer_id}`,
              }
            : null,
        body: r.body,
        why: REASONS[r.reason ?? ''] ?? 'Not matched to a case',
        reference: state.textId === r.id ? (state.reference ?? '') : (r.suggested_reference ?? ''),
        error: state.textId === r.id ? (state.error ?? null) : null,
      })),
    });
  }

  app.get('/staff/texts', staffRoute('cases:read', 'texts.triage_listed'), (request, reply) =>
    render(request, reply),
  );

  app.post(
    '/staff/texts/:id/case',
    staffRoute('cases:write', 'texts.added_to_case'),
    async (request, reply) => {
      const params = idParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const reference = formStrings(request.body).reference ?? '';
      const staff = request.staff!;
      try {
        const added = await addTextToCase(db, {
          textId: params.data.id,
          reference,
          staffId: staff.id,
          authorityIds: authorityScope(staff),
          at: deps.clock.now(),
          seesCase: seesCase(staff),
        });
        if (!added) throw new NotFoundError();
        return reply.redirect(`/staff/texts?done=added&ref=${added.reference}`, 303);
      } catch (error) {
        if (!(error instanceof TriageFieldError)) throw error;
        return render(request, reply, {
          status: 400,
          textId: params.data.id,
          error: error.message,
          reference,
        });
      }
    },
  );

  app.post(
    '/staff/texts/:id/no-action',
    staffRoute('cases:write', 'texts.no_action'),
    async (request, reply) => {
      const params = idParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const staff = request.staff!;
      const done = await markTextNoAction(db, {
        textId: params.data.id,
        staffId: staff.id,
        authorityIds: authorityScope(staff),
        at: deps.clock.now(),
      });
      if (!done) throw new NotFoundError();
      return reply.redirect('/staff/texts?done=dismissed', 303);
    },
  );
}
