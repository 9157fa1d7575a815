/**
 * Staff routes for feedback: team pages (feedback, follow-ups on low scores, compliments and comments),
 * recording a compliment or comment, "You said, we did" for managers, and the feedback report.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addCalendarDays, toIsoDate } from '../../platform/calendar/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { ConflictError, DomainRuleError, ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { formAction, type FormProblems } from '../../platform/http/form-action.ts';
import { CONTACT_CHANNEL_LABELS } from '../../platform/http/form-fields.ts';
import { staffRoute } from '../../platform/http/route-options.ts';
import {
  idFromParams,
  parseForm,
  parseQuery,
  reportPeriodQuery,
  toFormErrors,
  type FormErrors,
} from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import {
  escapeHtml as escape,
  postButton,
  radioItems,
  selectItems,
} from '../../platform/views/govuk-items.ts';
import { authorityScope, isManager, staffNavItems, type StaffPrincipal } from '../identity/index.ts';
import { complimentSchema, followUpSchema, improvementSchema, routeSchema } from './feedback.schemas.ts';
import * as service from './feedback.service.ts';

export interface FeedbackStaffDeps {
  db: Db;
  clock: Clock;
}

const staffOf = (request: FastifyRequest): StaffPrincipal => request.staff!;

/** What the team page says after an action (`?done=`). */
const TEAM_BANNERS: Record<string, string> = {
  followUp: 'Follow-up marked as done',
  routed: 'Passed to the other team',
  recorded: 'Recorded',
};

/** The id in path parameter `name`; not a UUID → 404. */
const param = (request: FastifyRequest, name: string): string => idFromParams(request.params, name);

export async function registerFeedbackStaffRoutes(
  app: FastifyInstance,
  deps: FeedbackStaffDeps,
): Promise<void> {
  if (!staffNavItems.some((i) => i.href === '/staff/feedback'))
    staffNavItems.push({ href: '/staff/feedback', text: 'Feedback', permission: 'workspace:use' });
  const today = () => toIsoDate(deps.clock.now());

  /** Team pages are for the team's members and for managers and report readers of its council. */
  async function visibleTeam(request: FastifyRequest, teamId: string) {
    const team = await service.findTeam(deps.db, teamId);
    const staff = staffOf(request);
    if (!team) throw new NotFoundError();
    const member = staff.teams.some((t) => t.id === teamId);
    const reader = staff.permissions.has('reports:read') && authorityScope(staff).includes(team.authorityId);
    if (!member && !reader) throw new NotFoundError();
    return team;
  }

  app.get('/staff/feedback', staffRoute('workspace:use', 'feedback.viewed'), async (request, reply) => {
    const staff = staffOf(request);
    const teams = staff.permissions.has('reports:read')
      ? (await service.teamsAndServices(deps.db, authorityScope(staff))).teams
      : staff.teams.map((t) => ({ id: t.id, name: t.name }));
    return reply.view('feedback/staff/teams.njk', {
      pageTitle: 'Feedback',
      teams: teams.map((t) => ({ href: `/staff/feedback/teams/${t.id}`, text: t.name })),
      canRecord: staff.permissions.has('cases:write'),
      canPublish: isManager(staff),
      canReport: staff.permissions.has('reports:read'),
    });
  });

  const renderTeam = async (
    request: FastifyRequest,
    reply: FastifyReply,
    teamId: string,
    extra: { errors?: FormErrors; status?: number } = {},
  ) => {
    const team = await visibleTeam(request, teamId);
    const data = await service.teamFeedback(deps.db, teamId, deps.clock.now());
    const query = request.query as Record<string, string | undefined>;
    const others = (await service.teamsAndServices(deps.db, [team.authorityId])).teams.filter(
      (t) => t.id !== teamId,
    );
    const csrf = escape(request.csrfToken);
    // Marking follow-ups done and passing compliments on are casework (`cases:write`): readers see no buttons.
    const canAct = staffOf(request).permissions.has('cases:write');
    if (extra.status) reply.status(extra.status);
    return reply.view('feedback/staff/team.njk', {
      pageTitle: `Feedback for ${team.name}`,
      team,
      banner: query.done && Object.hasOwn(TEAM_BANNERS, query.done) ? TEAM_BANNERS[query.done] : null,
      summary: data.summary
        ? {
            responses: Number(data.summary.responses),
            satisfaction: data.summary.satisfaction ?? '–',
            effort: data.summary.effort ?? '–',
          }
        : null,
      followUpRows: data.openFollowUps.map((u) => [
        { text: formatDate(u.created_at) },
        { text: u.reference ?? 'A contact' },
        { text: u.reason },
        { text: u.comment ?? '' },
        canAct
          ? {
              html: postButton({
                action: `/staff/feedback/teams/${teamId}/follow-ups/${u.id}/done`,
                csrfToken: request.csrfToken,
                text: 'Mark as done',
                about: u.reason,
                testId: 'follow-up-done',
              }),
            }
          : { text: '' },
      ]),
      doneRows: data.doneFollowUps.map((u) => [
        { text: formatDate(u.done_at) },
        { text: u.reference ?? 'A contact' },
        { text: u.reason },
        { text: `${u.done_by_name ?? ''}${u.note ? `: ${u.note}` : ''}` },
      ]),
      feedbackRows: data.feedback.map((f) => [
        { text: formatDate(f.created_at) },
        { text: f.reference ?? 'A contact' },
        { text: f.satisfaction === null ? '–' : `${f.satisfaction} of 5`, format: 'numeric' },
        { text: f.effort === null ? '–' : `${f.effort} of 5`, format: 'numeric' },
        { text: f.comment ?? '' },
      ]),
      complimentRows: data.compliments.map((m) => [
        { text: formatDate(m.received_on) },
        { text: m.kind === 'compliment' ? 'Compliment' : 'Comment' },
        { text: m.body },
        { text: m.service_name ?? m.reference ?? '' },
        others.length && canAct
          ? {
              html: `<form method="post" action="/staff/feedback/teams/${teamId}/compliments/${m.id}/route" class="app-inline-form"><input type="hidden" name="_csrf" value="${csrf}"><label class="govuk-label govuk-visually-hidden" for="route-${m.id}">Team to pass it to</label><select class="govuk-select" id="route-${m.id}" name="toTeamId">${others.map((o) => `<option value="${o.id}">${escape(o.name)}</option>`).join('')}</select> <button class="govuk-button govuk-button--secondary app-button--small govuk-!-margin-bottom-0" data-module="govuk-button">Pass on</button></form>`,
            }
          : { text: '' },
      ]),
      ...extra.errors,
    });
  };

  app.get(
    '/staff/feedback/teams/:teamId',
    { config: { permission: 'workspace:use', auditEvent: 'feedback.team_viewed' } },
    async (request, reply) => renderTeam(request, reply, param(request, 'teamId')),
  );

  app.post(
    '/staff/feedback/teams/:teamId/follow-ups/:id/done',
    staffRoute('cases:write', 'feedback.follow_up_done'),
    async (request, reply) => {
      const teamId = param(request, 'teamId');
      const team = await visibleTeam(request, teamId);
      const parsed = parseForm(followUpSchema, request.body);
      try {
        await service.completeFollowUp(deps.db, {
          id: param(request, 'id'),
          teamId,
          staffId: staffOf(request).id,
          note: parsed.ok ? parsed.value.note : null,
          now: deps.clock.now(),
          authorityId: team.authorityId,
        });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      return reply.redirect(`/staff/feedback/teams/${teamId}?done=followUp`, 303);
    },
  );

  app.post(
    '/staff/feedback/teams/:teamId/compliments/:id/route',
    staffRoute('cases:write', 'feedback.compliment_routed'),
    async (request, reply) => {
      const teamId = param(request, 'teamId');
      const team = await visibleTeam(request, teamId);
      const parsed = parseForm(routeSchema, request.body);
      if (!parsed.ok) return renderTeam(request, reply, teamId, { errors: parsed.errors, status: 400 });
      const target = await service.findTeam(deps.db, parsed.value.toTeamId);
      if (!target || target.authorityId !== team.authorityId) throw new NotFoundError();
      await service.routeCompliment(deps.db, {
        id: param(request, 'id'),
        fromTeamId: teamId,
        toTeamId: target.id,
      });
      return reply.redirect(`/staff/feedback/teams/${teamId}?done=routed`, 303);
    },
  );

  // ---- compliments and comments
  const renderNewCompliment = async (
    request: FastifyRequest,
    reply: FastifyReply,
    problems?: FormProblems,
  ) => {
    const { teams, services } = await service.teamsAndServices(deps.db, authorityScope(staffOf(request)));
    const [year, month, day] = today().split('-');
    const values = problems?.values ?? {
      kind: 'compliment',
      channel: 'phone',
      'receivedOn-day': String(Number(day)),
      'receivedOn-month': String(Number(month)),
      'receivedOn-year': year,
    };
    return reply.view('feedback/staff/compliment-new.njk', {
      pageTitle: 'Record a compliment or comment',
      values,
      kinds: radioItems({ compliment: 'Compliment', comment: 'Comment or suggestion' }, values.kind),
      channels: radioItems(CONTACT_CHANNEL_LABELS, values.channel),
      teams: selectItems(teams, values.teamId, 'Choose a team'),
      services: selectItems(services, values.serviceId, 'Choose a service (optional)'),
      ...problems?.errors,
    });
  };

  app.get(
    '/staff/feedback/compliments/new',
    staffRoute('cases:write', 'feedback.compliment_form'),
    async (request, reply) => renderNewCompliment(request, reply),
  );

  app.post(
    '/staff/feedback/compliments/new',
    staffRoute('cases:write', 'feedback.compliment_recorded'),
    formAction({
      parse: async (request) => {
        const parsed = parseForm(complimentSchema(today()), request.body);
        if (!parsed.ok) return parsed;
        // The pickers offer the teams and services of the member of staff's councils: any other is a field error.
        const team = await service.findTeam(deps.db, parsed.value.teamId);
        if (!team || !authorityScope(staffOf(request)).includes(team.authorityId))
          return {
            ok: false,
            errors: toFormErrors([{ field: 'teamId', message: 'Select the team it is about' }]),
          };
        const { serviceId } = parsed.value;
        if (
          serviceId &&
          !(await service.teamsAndServices(deps.db, [team.authorityId])).services.some(
            (s) => s.id === serviceId,
          )
        )
          return {
            ok: false,
            errors: toFormErrors([{ field: 'serviceId', message: 'Select a service from the list' }]),
          };
        return { ok: true, value: { ...parsed.value, team } };
      },
      run: async (value, request) => {
        const staff = staffOf(request);
        await service.recordCompliment(deps.db, {
          authorityId: value.team.authorityId,
          kind: value.kind,
          teamId: value.team.id,
          serviceId: value.serviceId,
          caseReference: value.caseReference,
          body: value.body,
          receivedOn: value.receivedOn,
          channel: value.channel,
          recordedBy: staff.id,
          now: deps.clock.now(),
        });
        const member =
          staff.teams.some((t) => t.id === value.team.id) || staff.permissions.has('reports:read');
        return member ? `/staff/feedback/teams/${value.team.id}?done=recorded` : '/staff/feedback';
      },
      render: renderNewCompliment,
      errorField: 'caseReference',
      refusals: [DomainRuleError],
    }),
  );

  // ---- "You said, we did" (managers)
  const renderImprovements = async (
    request: FastifyRequest,
    reply: FastifyReply,
    problems?: FormProblems,
  ) => {
    const staff = staffOf(request);
    if (!isManager(staff)) throw new ForbiddenError();
    const scope = authorityScope(staff);
    const [items, { teams, services }] = await Promise.all([
      service.listImprovements(deps.db, { authorityIds: scope }),
      service.teamsAndServices(deps.db, scope),
    ]);
    const values = problems?.values ?? {};
    const query = request.query as Record<string, string | undefined>;
    return reply.view('feedback/staff/you-said-we-did.njk', {
      pageTitle: 'You said, we did',
      banner:
        query.done === 'published'
          ? 'Published on the public “You said, we did” page'
          : query.done === 'withdrawn'
            ? 'Withdrawn'
            : null,
      values,
      teams: selectItems(teams, values.teamId, 'Choose a team (optional)'),
      services: selectItems(services, values.serviceId, 'Choose a service (optional)'),
      rows: items.map((i) => [
        { text: formatDate(i.publishedOn) },
        { text: i.youSaid },
        { text: i.weDid },
        {
          html: postButton({
            action: `/staff/you-said-we-did/${i.id}/withdraw`,
            csrfToken: request.csrfToken,
            text: 'Withdraw',
            about: i.youSaid,
          }),
        },
      ]),
      ...problems?.errors,
    });
  };

  app.get('/staff/you-said-we-did', staffRoute('reports:read', false), async (request, reply) =>
    renderImprovements(request, reply),
  );

  app.post(
    '/staff/you-said-we-did',
    staffRoute('reports:read', 'feedback.improvement_published'),
    formAction({
      parse: async (request) => {
        const staff = staffOf(request);
        if (!isManager(staff)) throw new ForbiddenError();
        const parsed = parseForm(improvementSchema, request.body);
        if (!parsed.ok) return parsed;
        // The pickers offer this council's teams and services: any other id is a field error, not a 500.
        const choices = await service.teamsAndServices(deps.db, [staff.authorityId]);
        const unknown = [
          ...(parsed.value.teamId && !choices.teams.some((t) => t.id === parsed.value.teamId)
            ? [{ field: 'teamId', message: 'Select a team from the list' }]
            : []),
          ...(parsed.value.serviceId && !choices.services.some((s) => s.id === parsed.value.serviceId)
            ? [{ field: 'serviceId', message: 'Select a service from the list' }]
            : []),
        ];
        return unknown.length ? { ok: false, errors: toFormErrors(unknown) } : parsed;
      },
      run: async (value, request) => {
        const staff = staffOf(request);
        await service.publishImprovement(deps.db, {
          authorityId: staff.authorityId,
          youSaid: value.youSaid,
          weDid: value.weDid,
          teamId: value.teamId,
          serviceId: value.serviceId,
          publishedBy: staff.id,
          now: deps.clock.now(),
        });
        return '/staff/you-said-we-did?done=published';
      },
      render: renderImprovements,
      errorField: 'youSaid',
    }),
  );

  app.post(
    '/staff/you-said-we-did/:id/withdraw',
    staffRoute('reports:read', 'feedback.improvement_withdrawn'),
    async (request, reply) => {
      const staff = staffOf(request);
      if (!isManager(staff)) throw new ForbiddenError();
      await service.withdrawImprovement(deps.db, {
        id: param(request, 'id'),
        authorityIds: authorityScope(staff),
        now: deps.clock.now(),
      });
      return reply.redirect('/staff/you-said-we-did?done=withdrawn', 303);
    },
  );

  // ---- report
  app.get(
    '/staff/reports/feedback',
    { config: { permission: 'reports:read', auditEvent: 'report.feedback' } },
    async (request, reply) => {
      const query = parseQuery(reportPeriodQuery, request.query);
      const to = query.to ?? today();
      const from = query.from ?? addCalendarDays(to, -89);
      const report = await service.feedbackReport(deps.db, {
        from,
        to,
        authorityIds: authorityScope(staffOf(request)),
      });
      return reply.view('feedback/staff/report.njk', {
        pageTitle: 'Feedback, compliments and comments',
        from,
        to,
        fromText: formatDate(from),
        toText: formatDate(to),
        teamRows: report.teams.map((r) => [
          {
            html: `<a class="govuk-link" href="/staff/feedback/teams/${r.teamId}">${escape(r.teamName)}</a>`,
          },
          { text: String(r.responses), format: 'numeric' },
          { text: r.satisfaction === null ? '–' : r.satisfaction.toFixed(1), format: 'numeric' },
          { text: r.effort === null ? '–' : r.effort.toFixed(1), format: 'numeric' },
          {
            text: r.percentSatisfied === null ? '–' : `${r.percentSatisfied.toFixed(1)}%`,
            format: 'numeric',
          },
          { text: String(r.compliments), format: 'numeric' },
          { text: String(r.comments), format: 'numeric' },
          { text: String(r.openFollowUps), format: 'numeric' },
        ]),
        pageRows: report.pages.map((p) => [
          { text: p.path },
          { text: String(p.yes), format: 'numeric' },
          { text: String(p.no), format: 'numeric' },
        ]),
      });
    },
  );
}
