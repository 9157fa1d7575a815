/**
 * Forms engine routes. The same flow serves residents (`/apply/:draftId/...`, public, the draft bound to
 * the browser by the `fd_form` cookie) and staff doing assisted digital (`/staff/apply/:draftId/...`,
 * `cases:write`, the draft bound to the member of staff):
 *
 *   GET  {start}                       → new draft → first page
 *   GET  {base}/:draftId/:pageId       question page
 *   POST {base}/:draftId/:pageId       validate → save → next page (or back to check answers)
 *   GET  {base}/:draftId/check         Check your answers
 *   POST {base}/:draftId/submit        the draft's token → exactly one case
 *   GET  {base}/:draftId/confirmation  panel with the reference
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Channel, Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { idFromParams } from '../../platform/http/validation.ts';
import { translate } from '../../platform/i18n/index.ts';
import { normalisePostcode } from '../../platform/contact/index.ts';
import {
  BROWSER_BINDING_COOKIE,
  checkUpload,
  defaultCaseCalendar,
  keepUpload,
  loadCaseService,
  newBindingSecret,
  registerUploadParsing,
  whatHappensNext,
  type CaseOptions,
  type CaseService,
} from '../cases/index.ts';
import type { FormPage, FormQuestion } from '../services/index.ts';
import {
  answersToFields,
  fieldId,
  findPage,
  firstIncompletePage,
  nextPage,
  pageApplies,
  previousPage,
  readPage,
  type AddressAnswer,
  type Answers,
  type FieldError,
  type FileAnswer,
  type GazetteerAddress,
  type LocationAnswer,
  type RawFields,
  type Translate,
} from './forms.engine.ts';
import { checkAnswersCards, fileTypesText, pageView } from './forms.presenters.ts';
import { activeServicesForStaff, customerForPrefill } from './forms.repository.ts';
import {
  findDraftFor,
  isAssistedChannel,
  lookupAddresses,
  saveAnswers,
  startDraft,
  submitDraft,
  submittedCase,
  type Draft,
  type DraftAccess,
  withExpandedForm,
  restartSlugFor,
} from './forms.service.ts';
import { staffRoute } from '../../platform/http/route-options.ts';

export interface FormsRoutesDeps {
  db: Db;
  clock: Clock;
  secureCookies: boolean;
  /** DATA_DIR/uploads: outside the web root. */
  uploadDir: string;
  /** Base URL for links in messages (config.publicUrl). */
  publicUrl?: string;
  caseOptions?: CaseOptions;
}

interface Flow {
  base: '/apply' | '/staff/apply';
  permission: 'public' | 'cases:write';
  staffArea: boolean;
  access(request: FastifyRequest): DraftAccess;
}

const str = (value: unknown): string =>
  Array.isArray(value) ? str(value[0]) : typeof value === 'string' ? value : '';

const residentFlow: Flow = {
  base: '/apply',
  permission: 'public',
  staffArea: false,
  access: (request) => ({ kind: 'resident', bindingSecret: request.cookies[BROWSER_BINDING_COOKIE] }),
};

const staffFlow: Flow = {
  base: '/staff/apply',
  permission: 'cases:write',
  staffArea: true,
  access: (request) => {
    if (!request.staff) throw new NotFoundError();
    return { kind: 'staff', staffId: request.staff.id };
  },
};

export async function registerFormsRoutes(app: FastifyInstance, deps: FormsRoutesDeps): Promise<void> {
  const caseOptions: CaseOptions = { publicUrl: deps.publicUrl, ...deps.caseOptions };

  const bindingSecret = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = request.cookies[BROWSER_BINDING_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const secret = newBindingSecret();
    reply.setCookie(BROWSER_BINDING_COOKIE, secret, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookies,
      maxAge: 7 * 24 * 3600,
    });
    request.cookies[BROWSER_BINDING_COOKIE] = secret;
    return secret;
  };

  const firstPageUrl = (flow: Flow, draftId: string, service: CaseService, answers: Answers) => {
    const first = service.definition.form.pages.find((p) => pageApplies(service.definition, p, answers));
    return `${flow.base}/${draftId}/${first?.id ?? 'check'}`;
  };

  // ---- Start
  app.get<{ Params: { slug: string } }>(
    '/services/:slug/start',
    { config: { permission: 'public' } },
    async (request, reply) => {
      const stored = await loadCaseService(deps.db, { slug: request.params.slug });
      if (!stored) throw new NotFoundError();
      const service = withExpandedForm(stored);
      const customerId = request.session?.kind === 'resident' ? request.session.customerId : null;
      const draftId = await startDraft(deps.db, {
        service,
        bindingSecret: bindingSecret(request, reply),
        customerId,
        channel: 'web',
        now: deps.clock.now(),
      });
      return reply.redirect(firstPageUrl(residentFlow, draftId, service, {}), 303);
    },
  );

  app.get('/staff/services', staffRoute('cases:write', false), async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const customerId =
      typeof query.customerId === 'string' && /^[0-9a-f-]{36}$/i.test(query.customerId)
        ? query.customerId
        : null;
    const services = await activeServicesForStaff(deps.db);
    const suffix = customerId ? `&customerId=${encodeURIComponent(customerId)}` : '';
    return reply.view('forms/staff-services.njk', {
      pageTitle: 'Start a request for a resident',
      rows: services.map((s) => [
        { text: s.name },
        { text: s.authority_name },
        {
          html: `<a class="govuk-link" href="/staff/services/${s.slug}/start?channel=phone${suffix}">Phone<span class="govuk-visually-hidden">: ${escape(s.name)}</span></a> · <a class="govuk-link" href="/staff/services/${s.slug}/start?channel=face_to_face${suffix}">Face to face<span class="govuk-visually-hidden">: ${escape(s.name)}</span></a>`,
        },
      ]),
    });
  });

  app.get<{ Params: { slug: string }; Querystring: { customerId?: string; channel?: string } }>(
    '/staff/services/:slug/start',
    staffRoute('cases:write', 'form_draft.started'),
    async (request, reply) => {
      const stored = await loadCaseService(deps.db, { slug: request.params.slug });
      if (!stored) throw new NotFoundError();
      const service = withExpandedForm(stored);
      const channel: Channel = isAssistedChannel(request.query.channel) ? request.query.channel : 'phone';
      const customerId = request.query.customerId || null;
      if (
        customerId &&
        (!/^[0-9a-f-]{36}$/i.test(customerId) || !(await customerForPrefill(deps.db, customerId)))
      )
        throw new NotFoundError();
      const draftId = await startDraft(deps.db, {
        service,
        bindingSecret: bindingSecret(request, reply),
        customerId,
        staffId: request.staff!.id,
        channel,
        now: deps.clock.now(),
      });
      return reply.redirect(firstPageUrl(staffFlow, draftId, service, {}), 303);
    },
  );

  for (const flow of [residentFlow, staffFlow]) await registerFlow(app, flow, deps, caseOptions);
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

async function registerFlow(
  app: FastifyInstance,
  flow: Flow,
  deps: FormsRoutesDeps,
  caseOptions: CaseOptions,
): Promise<void> {
  const { base, permission } = flow;
  const translator =
    (request: FastifyRequest): Translate =>
    (key, params) =>
      translate(request.locale, key, params);

  /**
   * The draft, or null after redirecting: a resident draft opened in another browser (or expired) sends
   * the visitor to the service's start page, where they can start again. Anything else is a 404.
   */
  const load = async (request: FastifyRequest, reply: FastifyReply, draftId: string) => {
    const found = await findDraftFor(deps.db, draftId, flow.access(request), deps.clock.now());
    if (found) return found;
    const slug = flow.staffArea ? null : await restartSlugFor(deps.db, draftId);
    if (!slug) throw new NotFoundError();
    await reply.redirect(`/services/${slug}`, 303);
    return null;
  };

  const common = (draft: Draft, service: CaseService) => ({
    staffArea: flow.staffArea,
    serviceName: service.name,
    navActive: 'services',
    draftId: draft.id,
  });

  interface RenderState {
    fields: RawFields;
    errors: FieldError[];
    address: Record<
      string,
      { mode: 'lookup' | 'choose' | 'manual'; found: GazetteerAddress[]; notFound?: string }
    >;
    change: boolean;
    status?: number;
  }

  const renderPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    draft: Draft,
    service: CaseService,
    page: FormPage,
    state: RenderState,
  ) => {
    const t = translator(request);
    const answers = draft.answers;
    const files: Record<string, FileAnswer[]> = {};
    for (const q of page.questions)
      if (q.type === 'file' && Array.isArray(answers[q.id])) files[q.id] = answers[q.id] as FileAnswer[];
    const view = pageView({
      page,
      definition: service.definition,
      fields: state.fields,
      answers,
      errors: state.errors,
      t,
      address: state.address,
      files,
    });
    const previous = previousPage(service.definition, page.id, answers);
    const backHref = state.change
      ? `${base}/${draft.id}/check`
      : previous
        ? `${base}/${draft.id}/${previous.id}`
        : flow.staffArea
          ? '/staff/services'
          : `/services/${service.slug}`;
    if (state.status) reply.status(state.status);
    return reply.view('forms/page.njk', {
      ...common(draft, service),
      pageTitle: `${view.heading} – ${service.name}`,
      view,
      action: `${base}/${draft.id}/${page.id}`,
      change: state.change,
      backHref,
      errorList: state.errors.map((e) => ({ text: e.message, href: `#${e.field}` })),
    });
  };

  /** How each address question on the page shows when the page is shown from stored answers. */
  const addressStateFromAnswers = async (page: FormPage, answers: Answers) => {
    const state: RenderState['address'] = {};
    for (const q of page.questions) {
      if (q.type !== 'address') continue;
      const answer = answers[q.id] as AddressAnswer | undefined;
      if (answer?.uprn)
        state[q.id] = { mode: 'choose', found: await lookupAddresses(deps.db, answer.postcode) };
      else if (answer) state[q.id] = { mode: 'manual', found: [] };
      else state[q.id] = { mode: 'lookup', found: [] };
    }
    // A location's nearest address, chosen earlier: the addresses at its postcode are listed again.
    for (const q of page.questions) {
      const answer = answers[q.id] as LocationAnswer | undefined;
      if (q.type === 'location' && answer?.uprn && answer.postcode)
        state[q.id] = { mode: 'choose', found: await lookupAddresses(deps.db, answer.postcode) };
    }
    return state;
  };

  const today = () => defaultCaseCalendar().toLocalDate(deps.clock.now());

  app.get<{ Params: { draftId: string } }>(
    `${base}/:draftId`,
    { config: { permission, auditEvent: 'form_draft.viewed' } },
    async (request, reply) => {
      const found = await load(request, reply, request.params.draftId);
      if (!found) return reply;
      const { draft, service } = found;
      if (draft.submittedCaseId) return reply.redirect(`${base}/${draft.id}/confirmation`, 303);
      const incomplete = firstIncompletePage(service.definition, draft.answers);
      return reply.redirect(
        incomplete ? `${base}/${draft.id}/${incomplete.id}` : `${base}/${draft.id}/check`,
        303,
      );
    },
  );

  // ---- Check your answers
  app.get<{ Params: { draftId: string } }>(
    `${base}/:draftId/check`,
    { config: { permission, auditEvent: 'form_draft.viewed' } },
    async (request, reply) => {
      const found = await load(request, reply, request.params.draftId);
      if (!found) return reply;
      const { draft, service } = found;
      if (draft.submittedCaseId) return reply.redirect(`${base}/${draft.id}/confirmation`, 303);
      const incomplete = firstIncompletePage(service.definition, draft.answers);
      if (incomplete) return reply.redirect(`${base}/${draft.id}/${incomplete.id}`, 303);
      const t = translator(request);
      const pages = service.definition.form.pages.filter((p) =>
        pageApplies(service.definition, p, draft.answers),
      );
      return reply.view('forms/check.njk', {
        ...common(draft, service),
        pageTitle: `${t('forms.check.title')} – ${service.name}`,
        cards: checkAnswersCards(service.definition, draft.answers, `${base}/${draft.id}`, t),
        token: draft.token,
        action: `${base}/${draft.id}/submit`,
        backHref: `${base}/${draft.id}/${pages[pages.length - 1]?.id ?? ''}`,
      });
    },
  );

  // ---- Submit: exactly one case per draft token
  app.post<{ Params: { draftId: string } }>(
    `${base}/:draftId/submit`,
    { config: { permission, auditEvent: 'case.created' } },
    async (request, reply) => {
      const token = str((request.body as RawFields | undefined)?.token);
      const draftId = idFromParams(request.params, 'draftId');
      const result = await submitDraft(deps.db, {
        draftId,
        access: flow.access(request),
        token,
        now: deps.clock.now(),
        caseOptions,
      });
      if (!result) throw new NotFoundError();
      if (result.status === 'incomplete') return reply.redirect(`${base}/${draftId}/${result.pageId}`, 303);
      return reply.redirect(`${base}/${draftId}/confirmation`, 303);
    },
  );

  // ---- Confirmation
  app.get<{ Params: { draftId: string } }>(
    `${base}/:draftId/confirmation`,
    { config: { permission, auditEvent: 'form_draft.viewed' } },
    async (request, reply) => {
      const found = await load(request, reply, request.params.draftId);
      if (!found) return reply;
      const { draft, service } = found;
      if (!draft.submittedCaseId) return reply.redirect(`${base}/${draft.id}/check`, 303);
      const created = await submittedCase(deps.db, draft.submittedCaseId);
      if (!created) throw new NotFoundError();
      const t = translator(request);
      const by = created.acknowledged_by;
      const callable = created.guest_phone !== null || Boolean(created.customer_has_phone);
      return reply.view('forms/confirmation.njk', {
        ...common(draft, service),
        pageTitle: `${t('forms.confirmation.title')} – ${service.name}`,
        reference: created.reference,
        whatHappensNext: whatHappensNext(
          { closed: false, paused: false, dueAt: created.due_at },
          request.locale,
        ),
        // Honest contact (issue 17): "we have sent you a message" only when one could be sent.
        acknowledgement:
          by === 'email' || by === 'sms' ? 'sent' : by === 'letter' ? 'letter' : callable ? 'call' : 'none',
        // Staff go on to the case they raised, or back to the customer they are helping.
        caseId: flow.staffArea ? draft.submittedCaseId : null,
        customerId: flow.staffArea ? created.customer_id : null,
        startAgainHref: flow.staffArea ? '/staff/services' : `/services/${service.slug}`,
      });
    },
  );

  // ---- Question pages
  app.get<{ Params: { draftId: string; pageId: string }; Querystring: { change?: string } }>(
    `${base}/:draftId/:pageId`,
    { config: { permission, auditEvent: 'form_draft.viewed' } },
    async (request, reply) => {
      const found = await load(request, reply, request.params.draftId);
      if (!found) return reply;
      const { draft, service } = found;
      if (draft.submittedCaseId) return reply.redirect(`${base}/${draft.id}/confirmation`, 303);
      const page = findPage(service.definition, request.params.pageId);
      if (!page) throw new NotFoundError();
      if (!pageApplies(service.definition, page, draft.answers))
        return reply.redirect(`${base}/${draft.id}`, 303);
      return renderPage(request, reply, draft, service, page, {
        fields: answersToFields(page, draft.answers),
        errors: [],
        address: await addressStateFromAnswers(page, draft.answers),
        change: request.query.change === '1',
      });
    },
  );

  // Page posts may carry files: multipart parsing is scoped to these routes.
  await app.register(async (scope) => {
    await registerUploadParsing(scope, { db: deps.db, uploadDir: deps.uploadDir, maxFiles: 20 });
    scope.post<{ Params: { draftId: string; pageId: string } }>(
      `${base}/:draftId/:pageId`,
      { config: { permission, auditEvent: 'form_draft.answered' } },
      async (request, reply) => {
        const loaded = await load(request, reply, request.params.draftId);
        if (!loaded) return reply;
        const { service } = loaded;
        let { draft } = loaded;
        if (draft.submittedCaseId) return reply.redirect(`${base}/${draft.id}/confirmation`, 303);
        const page = findPage(service.definition, request.params.pageId);
        if (!page) throw new NotFoundError();
        const t = translator(request);
        const body = (request.body ?? {}) as RawFields;
        const change = str(body.change) === '1';
        const action = str(body.action) || 'continue';

        // Files first: valid uploads are kept (and saved to the draft) even if something else on the
        // page needs fixing, because a browser cannot keep a chosen file across a round trip.
        const files: Record<string, { held: FileAnswer[]; problems: string[] }> = {};
        let answers: Answers = { ...draft.answers };
        let filesChanged = false;
        for (const q of page.questions) {
          if (q.type !== 'file') continue;
          const held = Array.isArray(answers[q.id]) ? (answers[q.id] as FileAnswer[]) : [];
          const result = await receiveFiles(request, q, draft, t);
          files[q.id] = { held: result.kept ?? held, problems: result.problems };
          if (result.kept) {
            answers[q.id] = result.kept;
            filesChanged = true;
          }
        }
        if (filesChanged) {
          answers = await saveAnswers(deps.db, draft, service, answers, deps.clock.now());
          draft = { ...draft, answers };
        }

        // Addresses: look up the postcode typed for each address question.
        const addresses: Record<string, { lookup: GazetteerAddress[] | null }> = {};
        for (const q of page.questions) {
          if (q.type !== 'address') continue;
          const postcode = normalisePostcode(str(body[fieldId(q, 'postcode')]));
          const manual = str(body[fieldId(q, 'mode')]) === 'manual';
          addresses[q.id] = { lookup: postcode && !manual ? await lookupAddresses(deps.db, postcode) : null };
        }
        // Locations: the addresses at the postcode, when one of them was chosen as the nearest.
        for (const q of page.questions) {
          if (q.type !== 'location' || !str(body[fieldId(q, 'uprn')])) continue;
          const postcode = normalisePostcode(str(body[fieldId(q, 'postcode')]));
          addresses[q.id] = { lookup: postcode ? await lookupAddresses(deps.db, postcode) : [] };
        }

        const [verb, target] = action.split(':');
        if ((verb === 'find' || verb === 'manual') && target) {
          // "Find address" on an address, and "Find addresses" on a location step (no manual entry there).
          const q = page.questions.find(
            (x) => x.id === target && (x.type === 'address' || (verb === 'find' && x.type === 'location')),
          );
          if (!q) throw new NotFoundError();
          return renderAddressAction(request, reply, draft, service, page, body, addresses, q, verb, change);
        }

        const result = readPage(page, service.definition, body, {
          t,
          today: today(),
          workingDays: defaultCaseCalendar(),
          answers,
          addresses,
          files,
        });
        if (result.errors.length > 0) {
          const addressState: RenderState['address'] = {};
          for (const [id, mode] of Object.entries(result.addressModes))
            addressState[id] = {
              mode,
              found: addresses[id]?.lookup ?? [],
            };
          return renderPage(request, reply, draft, service, page, {
            fields: body,
            errors: result.errors,
            address: addressState,
            change,
            status: 400,
          });
        }
        const merged: Answers = { ...answers };
        for (const q of page.questions) delete merged[q.id];
        Object.assign(merged, result.answers);
        const saved = await saveAnswers(deps.db, draft, service, merged, deps.clock.now());
        if (change) {
          const incomplete = firstIncompletePage(service.definition, saved);
          return reply.redirect(
            incomplete ? `${base}/${draft.id}/${incomplete.id}?change=1` : `${base}/${draft.id}/check`,
            303,
          );
        }
        const next = nextPage(service.definition, page.id, saved);
        return reply.redirect(next ? `${base}/${draft.id}/${next.id}` : `${base}/${draft.id}/check`, 303);
      },
    );
  });

  /**
   * "Find address" and "Enter the address manually" (and a location step's "Find addresses"): show the page
   * again, nothing saved.
   */
  const renderAddressAction = async (
    request: FastifyRequest,
    reply: FastifyReply,
    draft: Draft,
    service: CaseService,
    page: FormPage,
    body: RawFields,
    addresses: Record<string, { lookup: GazetteerAddress[] | null }>,
    q: FormQuestion,
    verb: string,
    change: boolean,
  ) => {
    const t = translator(request);
    const state: RenderState['address'] = {};
    for (const other of page.questions) {
      if (other.type !== 'address') continue;
      const manual = str(body[fieldId(other, 'mode')]) === 'manual';
      const found = addresses[other.id]?.lookup ?? [];
      state[other.id] = { mode: manual ? 'manual' : found.length ? 'choose' : 'lookup', found };
    }
    const errors: FieldError[] = [];
    const fields: RawFields = { ...body };
    if (verb === 'manual') {
      state[q.id] = { mode: 'manual', found: [] };
    } else {
      const postcodeText = str(body[fieldId(q, 'postcode')]).trim();
      const postcode = normalisePostcode(postcodeText);
      delete fields[fieldId(q, 'mode')];
      delete fields[fieldId(q, 'uprn')];
      if (!postcode) {
        errors.push({
          field: fieldId(q, 'postcode'),
          questionId: q.id,
          message: t(postcodeText ? 'forms.error.postcode' : 'forms.error.postcodeMissing'),
        });
        state[q.id] = { mode: 'lookup', found: [] };
      } else {
        const found = await lookupAddresses(deps.db, postcode);
        fields[fieldId(q, 'postcode')] = postcode;
        // No addresses there: an address is typed in instead; a location is described instead.
        state[q.id] = found.length
          ? { mode: 'choose', found }
          : q.type === 'location'
            ? { mode: 'lookup', found: [], notFound: t('forms.location.notFound', { postcode }) }
            : { mode: 'manual', found: [], notFound: t('forms.address.notFound', { postcode }) };
      }
    }
    return renderPage(request, reply, draft, service, page, {
      fields,
      errors,
      address: state,
      change,
      status: errors.length ? 400 : 200,
    });
  };

  /** Checks and keeps the files uploaded for question `q`; `kept` is set when new files replace the old. */
  const receiveFiles = async (
    request: FastifyRequest,
    q: FormQuestion,
    draft: Draft,
    t: Translate,
  ): Promise<{ kept: FileAnswer[] | null; problems: string[] }> => {
    const uploads = (request.uploads ?? []).filter((f) => f.field === q.id);
    if (uploads.length === 0) return { kept: null, problems: [] };
    const v = q.validation ?? {};
    const maxFiles = v.maxFiles ?? 1;
    const maxMb = Math.min(v.maxFileSizeMb ?? 10, 10);
    if (uploads.length > maxFiles)
      return { kept: null, problems: [t('forms.error.fileCount', { max: maxFiles })] };
    const problems: string[] = [];
    const checked = uploads.map((file) => ({
      file,
      check: checkUpload(file, { fileTypes: v.fileTypes, maxBytes: maxMb * 1024 * 1024 }),
    }));
    for (const { file, check } of checked) {
      if (check.ok) continue;
      const name = file.filename;
      problems.push(
        check.problem === 'too_large'
          ? t('forms.error.fileTooLarge', { label: name, size: `${maxMb}MB` })
          : check.problem === 'empty'
            ? t('forms.error.fileEmpty', { label: name })
            : t('forms.error.fileType', { label: name, types: fileTypesText(v.fileTypes) }),
      );
    }
    if (problems.length) return { kept: null, problems };
    const kept: FileAnswer[] = [];
    for (const { file, check } of checked) {
      if (!check.ok) continue;
      const saved = await keepUpload(deps.db, file, {
        authorityId: draft.authorityId,
        contentType: check.contentType,
        draftId: draft.id,
        questionId: q.id,
        customerId: draft.customerId,
        staffId: draft.staffUserId,
      });
      kept.push({
        attachmentId: saved.id,
        filename: saved.filename,
        sizeBytes: saved.sizeBytes,
        contentType: saved.contentType,
      });
    }
    return { kept, problems: [] };
  };
}
