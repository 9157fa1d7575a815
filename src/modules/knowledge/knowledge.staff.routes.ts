/**
 * Staff pages of the knowledge base (/staff/knowledge): the list with filters and a search of every article
 * (public and internal), the owner's tasks, new article, edit, submit for review, publish (by a second
 * person when the team or the article says so), withdraw, archive with a replacement, versions, an old
 * version, and a comparison of two versions. Reading needs `workspace:use`; writing content needs
 * `cases:write` (the staff who write to residents); the team's "second person publishes" setting needs
 * `cases:assign` (team leaders). An article of another council is a 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toIsoDate, type IsoDate } from '../../platform/calendar/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import type { ArticleState } from '../../platform/db/schema.ts';
import { DomainRuleError, NotFoundError } from '../../platform/http/errors.ts';
import { formAction, recordActions, type FormProblems } from '../../platform/http/form-action.ts';
import { staffRoute } from '../../platform/http/route-options.ts';
import { idFromParams, parseForm, parseQuery } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import { escapeHtml, postButton } from '../../platform/views/govuk-items.ts';
import { servicePicker } from '../services/index.ts';
import {
  authorityScope,
  staffHomePanels,
  staffNavItems,
  type StaffHomePanel,
  type StaffPrincipal,
} from '../identity/index.ts';
import { renderMarkdown } from './knowledge.markdown.ts';
import {
  archiveSchema,
  articleSchema,
  compareQuerySchema,
  newArticleSchema,
  staffListQuerySchema,
  withdrawSchema,
} from './knowledge.schemas.ts';
import * as service from './knowledge.service.ts';

export interface KnowledgeStaffDeps {
  db: Db;
  clock: Clock;
}

const staffOf = (request: FastifyRequest): StaffPrincipal => request.staff!;

export const STATE_LABELS: Record<ArticleState, string> = {
  draft: 'Draft',
  in_review: 'In review',
  published: 'Published',
  withdrawn: 'Withdrawn',
  archived: 'Archived',
};
const STATE_COLOURS: Record<ArticleState, string> = {
  draft: 'govuk-tag--grey',
  in_review: 'govuk-tag--yellow',
  published: 'govuk-tag--green',
  withdrawn: 'govuk-tag--orange',
  archived: 'govuk-tag--grey',
};
const stateTag = (state: ArticleState) =>
  `<strong class="govuk-tag ${STATE_COLOURS[state]}">${STATE_LABELS[state]}</strong>`;

const BANNERS: Record<string, string> = {
  created: 'Draft saved',
  saved: 'Changes saved',
  submit: 'Sent for review',
  publish: 'Published',
  withdraw: 'Withdrawn: the page now says it is no longer current',
  archive: 'Archived: the page now sends people to the replacement',
};

const isoParts = (iso: IsoDate | null | undefined) => {
  if (!iso) return { day: '', month: '', year: '' };
  const [year, month, day] = iso.split('-');
  return { day: String(Number(day)), month: String(Number(month)), year };
};
const dateItems = (name: string, values: Record<string, unknown>) =>
  (['day', 'month', 'year'] as const).map((part) => ({
    name: part,
    label: part[0].toUpperCase() + part.slice(1),
    classes: part === 'year' ? 'govuk-input--width-4' : 'govuk-input--width-2',
    value: typeof values[`${name}-${part}`] === 'string' ? (values[`${name}-${part}`] as string) : '',
  }));
const numberParam = (request: FastifyRequest, name: string): number => {
  const raw = (request.params as Record<string, unknown>)[name];
  if (typeof raw !== 'string' || !/^[1-9]\d{0,5}$/.test(raw)) throw new NotFoundError();
  return Number(raw);
};

export async function registerKnowledgeStaffRoutes(app: FastifyInstance, deps: KnowledgeStaffDeps) {
  const { db, clock } = deps;
  if (!staffNavItems.some((i) => i.href === '/staff/knowledge'))
    staffNavItems.push({ href: '/staff/knowledge', text: 'Knowledge', permission: 'workspace:use' });

  const tasksPanel: StaffHomePanel = {
    id: 'knowledge-tasks',
    order: 30,
    async load(staff) {
      const tasks = await service.openTasksFor(db, staff.id, 10);
      if (tasks.length === 0) return null;
      return { template: 'knowledge/staff/home-panel.njk', context: { tasks: taskRows(tasks) } };
    },
  };
  const existing = staffHomePanels.findIndex((p) => p.id === tasksPanel.id);
  if (existing >= 0) staffHomePanels.splice(existing, 1, tasksPanel);
  else staffHomePanels.push(tasksPanel);

  const taskRows = (tasks: Awaited<ReturnType<typeof service.openTasksFor>>) =>
    tasks.map((k) => ({
      id: k.id,
      href: `/staff/knowledge/${k.article_id}`,
      title: k.title ?? k.slug,
      what: k.kind === 'feedback' ? 'Not helpful' : 'Review due',
      detail: k.detail ?? '',
      created: formatDate(k.created_at),
    }));

  /** An article of this member of staff's councils; otherwise a 404. */
  async function visible(request: FastifyRequest, id: string) {
    const article = await service.findArticle(db, id);
    if (!article || !authorityScope(staffOf(request)).includes(article.authority_id))
      throw new NotFoundError();
    return article;
  }

  // --- List ----------------------------------------------------------------------------------------------

  app.get(
    '/staff/knowledge',
    staffRoute('workspace:use', 'knowledge.list_viewed'),
    async (request, reply) => {
      const staff = staffOf(request);
      const query = parseQuery(staffListQuerySchema, request.query);
      const scope = authorityScope(staff);
      const now = clock.now();
      const hits = query.q
        ? await service.searchArticles(db, { query: query.q, audience: 'all', now, authorityIds: scope })
        : [];
      const rows = query.q
        ? []
        : await service.listArticles(db, {
            authorityIds: scope,
            state: query.state,
            audience: query.audience,
            ownerId: query.mine ? staff.id : undefined,
            limit: 200,
          });
      const tasks = taskRows(await service.openTasksFor(db, staff.id, 50));
      const canDone = staff.permissions.has('cases:write');
      return reply.view('knowledge/staff/list.njk', {
        pageTitle: 'Knowledge',
        query,
        canWrite: staff.permissions.has('cases:write'),
        canSetTeams: staff.permissions.has('cases:assign'),
        hits,
        stateItems: [
          { value: '', text: 'Any state' },
          ...Object.entries(STATE_LABELS).map(([value, text]) => ({
            value,
            text,
            selected: query.state === value,
          })),
        ],
        audienceItems: [
          { value: '', text: 'Public and internal' },
          { value: 'public', text: 'Public', selected: query.audience === 'public' },
          { value: 'internal', text: 'Internal (staff only)', selected: query.audience === 'internal' },
        ],
        rows: rows.map((r) => [
          { html: `<a class="govuk-link" href="/staff/knowledge/${r.id}">${escapeHtml(r.title)}</a>` },
          { html: stateTag(r.state) },
          { text: r.audience === 'public' ? 'Public' : 'Internal' },
          { text: r.team_name },
          { text: r.owner_name ?? '' },
          { text: r.review_on ? formatDate(r.review_on) : '' },
        ]),
        taskRows: tasks.map((k) => [
          { html: `<a class="govuk-link" href="${k.href}">${escapeHtml(k.title)}</a>` },
          { text: k.what },
          { text: k.detail },
          { text: k.created },
          canDone
            ? {
                html: postButton({
                  action: `/staff/knowledge/tasks/${k.id}/done`,
                  csrfToken: request.csrfToken,
                  text: 'Mark as done',
                  about: k.title,
                }),
              }
            : { text: '' },
        ]),
      });
    },
  );

  app.post(
    '/staff/knowledge/tasks/:id/done',
    staffRoute('cases:write', 'knowledge.task_done'),
    async (request, reply) => {
      const staff = staffOf(request);
      await service.completeTask(
        db,
        idFromParams(request.params),
        staff.id,
        clock.now(),
        authorityScope(staff),
      );
      return reply.redirect('/staff/knowledge', 303);
    },
  );

  // --- New and edit --------------------------------------------------------------------------------------

  async function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    input: { articleId: string | null; values: Record<string, unknown>; problems?: FormProblems },
  ) {
    const staff = staffOf(request);
    const scope = authorityScope(staff);
    const values = input.problems?.values ?? input.values;
    const teams = await service.teamsOf(db, scope);
    const teamId = typeof values.teamId === 'string' ? values.teamId : '';
    const owners = new Map<string, string>();
    for (const t of teamId ? [teamId] : staff.teams.map((x) => x.id))
      if (teams.some((x) => x.id === t))
        for (const m of await service.teamMembers(db, t)) owners.set(m.id, m.name);
    owners.set(staff.id, staff.name);
    const services = await servicePicker(db, scope);
    const chosen = new Set(
      Array.isArray(values.services)
        ? values.services
        : typeof values.services === 'string'
          ? [values.services]
          : [],
    );
    const errors = input.problems?.errors.errors ?? {};
    const dateError = (name: string) =>
      errors[`${name}-day`] ?? errors[`${name}-month`] ?? errors[`${name}-year`];
    return reply.view('knowledge/staff/form.njk', {
      pageTitle: input.articleId ? 'Edit article' : 'New article',
      action: input.articleId ? `/staff/knowledge/${input.articleId}/edit` : '/staff/knowledge/new',
      isNew: !input.articleId,
      values,
      ...(input.problems?.errors ?? {}),
      teams: [
        { value: '', text: 'Choose a team' },
        ...teams.map((t) => ({ value: t.id, text: t.name, selected: t.id === teamId })),
      ],
      owners: [...owners].map(([id, name]) => ({ value: id, text: name, selected: id === values.ownerId })),
      services: services.map((s) => ({ value: s.id, text: s.name, checked: chosen.has(s.id) })),
      audienceItems: [
        { value: 'public', text: 'Residents and staff (public)', checked: values.audience !== 'internal' },
        { value: 'internal', text: 'Staff only (internal)', checked: values.audience === 'internal' },
      ],
      dates: Object.fromEntries(
        ['reviewOn', 'validFrom', 'validTo'].map((name) => [
          name,
          { items: dateItems(name, values), error: dateError(name) },
        ]),
      ),
    });
  }

  const newDefaults = (staff: StaffPrincipal) => ({
    audience: 'public',
    teamId: staff.teams[0]?.id ?? '',
    ownerId: staff.id,
  });

  app.get('/staff/knowledge/new', staffRoute('cases:write', 'knowledge.new_viewed'), async (request, reply) =>
    renderForm(request, reply, { articleId: null, values: newDefaults(staffOf(request)) }),
  );

  /** The team must be one of the staff member's councils' and the owner one of its members (or the editor). */
  async function checkTeamAndOwner(request: FastifyRequest, teamId: string, ownerId: string) {
    const staff = staffOf(request);
    const teams = await service.teamsOf(db, authorityScope(staff));
    const team = teams.find((t) => t.id === teamId);
    if (!team) throw new DomainRuleError('Select the team that owns the article');
    const members = await service.teamMembers(db, teamId);
    if (ownerId !== staff.id && !members.some((m) => m.id === ownerId))
      throw new DomainRuleError('The owner must be a member of the team');
    return team;
  }

  app.post(
    '/staff/knowledge/new',
    staffRoute('cases:write', 'knowledge.created'),
    formAction({
      parse: (request) => parseForm(newArticleSchema, request.body),
      run: async (value, request) => {
        const staff = staffOf(request);
        const team = await checkTeamAndOwner(request, value.teamId, value.ownerId);
        const created = await withTransaction(db, (trx) =>
          service.createDraft(trx, {
            ...value,
            slug: value.slug || null,
            authorityId: team.authority_id,
            staffId: staff.id,
            now: clock.now(),
          }),
        );
        return `/staff/knowledge/${created.id}?done=created`;
      },
      render: (request, reply, problems) =>
        renderForm(request, reply, { articleId: null, values: {}, problems }),
      errorField: 'title',
    }),
  );

  app.get(
    '/staff/knowledge/:id/edit',
    staffRoute('cases:write', 'knowledge.edit_viewed'),
    async (request, reply) => {
      const article = await visible(request, idFromParams(request.params));
      const version = await service.latestVersion(db, article.id);
      const services = await service.servicesOfArticle(db, article.id);
      const dateValues = (name: string, iso: IsoDate | null) =>
        Object.fromEntries(Object.entries(isoParts(iso)).map(([part, v]) => [`${name}-${part}`, v]));
      return renderForm(request, reply, {
        articleId: article.id,
        values: {
          title: version?.title,
          summary: version?.summary,
          body: version?.body,
          keywords: version?.keywords,
          audience: article.audience,
          teamId: article.team_id,
          ownerId: article.owner_id,
          services: services.map((s) => s.id),
          secondPublisher: article.requires_second_publisher ? 'yes' : '',
          ...dateValues('reviewOn', article.review_on),
          ...dateValues('validFrom', article.valid_from ? toIsoDate(article.valid_from, 'UTC') : null),
          ...dateValues('validTo', article.valid_to ? toIsoDate(article.valid_to, 'UTC') : null),
        },
      });
    },
  );

  app.post(
    '/staff/knowledge/:id/edit',
    staffRoute('cases:write', 'knowledge.edited'),
    formAction({
      parse: async (request) => {
        await visible(request, idFromParams(request.params));
        return parseForm(articleSchema, request.body);
      },
      run: async (value, request) => {
        const id = idFromParams(request.params);
        await checkTeamAndOwner(request, value.teamId, value.ownerId);
        await withTransaction(db, (trx) =>
          service.saveDraft(trx, id, { ...value, staffId: staffOf(request).id, now: clock.now() }),
        );
        return `/staff/knowledge/${id}?done=saved`;
      },
      render: (request, reply, problems) =>
        renderForm(request, reply, { articleId: idFromParams(request.params), values: {}, problems }),
      errorField: 'title',
    }),
  );

  // --- One article ---------------------------------------------------------------------------------------

  async function renderArticle(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    problems?: FormProblems & { form: string },
  ) {
    const staff = staffOf(request);
    const article = await visible(request, id);
    const versions = await service.listVersions(db, id);
    const latest = versions[0];
    const pending = latest && !latest.published_at ? latest : null;
    const live = versions.find((v) => v.number === article.published_version) ?? null;
    const shown = pending ?? live ?? latest;
    const services = await service.servicesOfArticle(db, id);
    const done = (request.query as { done?: string }).done;
    const canWrite = staff.permissions.has('cases:write');
    const secondPerson = service.needsSecondPublisher(article);
    const mayPublish =
      !secondPerson ||
      (Boolean(article.submitted_at) && pending?.author_id !== staff.id && article.submitted_by !== staff.id);
    return reply.view('knowledge/staff/article.njk', {
      pageTitle: shown?.title ?? article.slug,
      article,
      banner: done && Object.hasOwn(BANNERS, done) ? BANNERS[done] : null,
      stateTag: stateTag(article.state),
      ...(problems?.errors ?? {}),
      values: problems?.values ?? {},
      openForm: problems?.form ?? null,
      bodyHtml: shown ? renderMarkdown(shown.body) : '',
      shown,
      pending,
      canWrite: canWrite && article.state !== 'archived',
      canSubmit: canWrite && Boolean(pending) && !article.submitted_at,
      canPublish: canWrite && Boolean(pending) && mayPublish,
      publishBlocked: canWrite && Boolean(pending) && !mayPublish,
      secondPerson,
      canWithdraw: canWrite && article.state === 'published',
      canArchive: canWrite && article.state !== 'archived' && article.published_version !== null,
      rows: [
        { key: { text: 'Web address' }, value: { text: `/help/${article.slug}` } },
        {
          key: { text: 'For' },
          value: { text: article.audience === 'public' ? 'Residents and staff' : 'Staff only' },
        },
        { key: { text: 'Team' }, value: { text: article.team_name } },
        { key: { text: 'Owner' }, value: { text: article.owner_name ?? 'No owner' } },
        {
          key: { text: 'Published version' },
          value: { text: article.published_version ? String(article.published_version) : 'None yet' },
        },
        {
          key: { text: 'Review by' },
          value: { text: article.review_on ? formatDate(article.review_on) : 'Set when published' },
        },
        ...(article.valid_from
          ? [{ key: { text: 'Start showing on' }, value: { text: formatDate(article.valid_from) } }]
          : []),
        ...(article.valid_to
          ? [{ key: { text: 'Stop showing on' }, value: { text: formatDate(article.valid_to) } }]
          : []),
        { key: { text: 'Services' }, value: { text: services.map((s) => s.name).join(', ') || 'None' } },
        {
          key: { text: 'Publishing' },
          value: { text: secondPerson ? 'A second person must publish' : 'The author may publish' },
        },
        { key: { text: 'Views' }, value: { text: String(article.views) } },
      ],
      versionRows: versions.map((v) => [
        {
          html: `<a class="govuk-link" href="/staff/knowledge/${id}/versions/${v.number}">Version ${v.number}</a>`,
        },
        {
          text: v.published_at
            ? `Published ${formatDate(v.published_at, 'datetime')} by ${v.publisher_name ?? 'unknown'}`
            : 'Not published',
        },
        { text: v.author_name ?? '' },
        { text: v.change_note ?? '' },
      ]),
      compare:
        versions.length > 1
          ? `/staff/knowledge/${id}/compare?from=${versions[1].number}&to=${versions[0].number}`
          : null,
    });
  }

  app.get('/staff/knowledge/:id', staffRoute('workspace:use', 'knowledge.viewed'), async (request, reply) =>
    renderArticle(request, reply, idFromParams(request.params)),
  );

  const action = recordActions({
    app,
    db,
    base: '/staff/knowledge',
    permission: 'cases:write',
    auditPrefix: 'knowledge',
    load: (request, id) => visible(request, id),
    render: renderArticle,
    actor: (request) => ({ staffId: staffOf(request).id, now: clock.now() }),
  });
  action({
    path: 'submit',
    parse: () => ({ ok: true, value: null }),
    run: (trx, id, _v, actor) => service.submitForReview(trx, id, actor.staffId, actor.now),
    done: 'submit',
    errorField: 'submit',
  });
  action({
    path: 'publish',
    parse: () => ({ ok: true, value: null }),
    run: (trx, id, _v, actor) => service.publish(trx, id, actor),
    done: 'publish',
    errorField: 'publish',
  });
  action({
    path: 'withdraw',
    parse: (body) => parseForm(withdrawSchema, body),
    run: (trx, id, _v, actor) => service.withdraw(trx, id, actor.now),
    done: 'withdraw',
    errorField: 'withdraw',
  });
  action({
    path: 'archive',
    parse: (body) => parseForm(archiveSchema, body),
    run: (trx, id, v, actor) => service.archive(trx, id, { replacementSlug: v.replacement, now: actor.now }),
    done: 'archive',
    errorField: 'replacement',
  });

  // --- Versions ------------------------------------------------------------------------------------------

  app.get(
    '/staff/knowledge/:id/versions/:number',
    staffRoute('workspace:use', 'knowledge.version_viewed'),
    async (request, reply) => {
      const article = await visible(request, idFromParams(request.params));
      const version = await service.findVersion(db, article.id, numberParam(request, 'number'));
      if (!version) throw new NotFoundError();
      return reply.view('knowledge/staff/version.njk', {
        pageTitle: `${version.title}: version ${version.number}`,
        article,
        version,
        bodyHtml: renderMarkdown(version.body),
        rows: [
          { key: { text: 'Summary' }, value: { text: version.summary } },
          { key: { text: 'Other words people use' }, value: { text: version.keywords || 'None' } },
          {
            key: { text: 'Written by' },
            value: {
              text: `${version.author_name ?? 'unknown'}, ${formatDate(version.updated_at, 'datetime')}`,
            },
          },
          { key: { text: 'What changed' }, value: { text: version.change_note ?? '' } },
          {
            key: { text: 'Published' },
            value: {
              text: version.published_at
                ? `${formatDate(version.published_at, 'datetime')} by ${version.publisher_name ?? 'unknown'}`
                : 'Not published',
            },
          },
        ],
      });
    },
  );

  app.get(
    '/staff/knowledge/:id/compare',
    staffRoute('workspace:use', 'knowledge.compared'),
    async (request, reply) => {
      const article = await visible(request, idFromParams(request.params));
      const query = parseQuery(compareQuerySchema, request.query);
      const [from, to] = await Promise.all([
        service.findVersion(db, article.id, query.from),
        service.findVersion(db, article.id, query.to),
      ]);
      if (!from || !to) throw new NotFoundError();
      const text = (v: typeof from) =>
        [`# ${v.title}`, '', v.summary, '', `Keywords: ${v.keywords}`, '', v.body].join('\n');
      const versions = await service.listVersions(db, article.id);
      const options = (selected: number) =>
        versions.map((v) => ({
          value: String(v.number),
          text: `Version ${v.number}`,
          selected: v.number === selected,
        }));
      return reply.view('knowledge/staff/compare.njk', {
        pageTitle: `Compare version ${from.number} with version ${to.number}`,
        article,
        from,
        to,
        fromItems: options(from.number),
        toItems: options(to.number),
        lines: service.diffLines(text(from), text(to)),
      });
    },
  );

  // --- Team setting: a second person publishes -----------------------------------------------------------

  app.get(
    '/staff/knowledge/teams',
    staffRoute('cases:assign', 'knowledge.teams_viewed'),
    async (request, reply) => {
      const staff = staffOf(request);
      const teams = await service.teamsWithSetting(db, authorityScope(staff));
      return reply.view('knowledge/staff/teams.njk', {
        pageTitle: 'Who publishes articles',
        rows: teams.map((t) => [
          { text: t.name },
          { text: t.knowledge_second_publisher ? 'A second person' : 'The author may publish' },
          {
            html: postButton({
              action: `/staff/knowledge/teams/${t.id}`,
              csrfToken: request.csrfToken,
              text: t.knowledge_second_publisher ? 'Let the author publish' : 'Require a second person',
              about: t.name,
              hidden: { required: t.knowledge_second_publisher ? 'no' : 'yes' },
            }),
          },
        ]),
      });
    },
  );

  app.post(
    '/staff/knowledge/teams/:id',
    staffRoute('cases:assign', 'knowledge.team_set'),
    async (request, reply) => {
      const staff = staffOf(request);
      const teamId = idFromParams(request.params);
      const teams = await service.teamsWithSetting(db, authorityScope(staff));
      if (!teams.some((t) => t.id === teamId)) throw new NotFoundError();
      const required = (request.body as Record<string, unknown> | undefined)?.required === 'yes';
      await service.setTeamSecondPublisher(db, teamId, required);
      return reply.redirect('/staff/knowledge/teams', 303);
    },
  );
}
