/**
 * Resident routes of the cases module: track a request as a guest (/track → code → request page with a
 * reply form) and attachment downloads for their owners. The request page renderer is exported so the
 * signed-in "Your requests" pages reuse it (`renderRequestPage`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { audit } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import type { SessionStore } from '../../platform/http/sessions.ts';
import { parseForm, toFormErrors, type FormErrors } from '../../platform/http/validation.ts';
import { startSession } from '../../platform/http/web.ts';
import { translate } from '../../platform/i18n/index.ts';
import {
  BROWSER_BINDING_COOKIE,
  checkUpload,
  contentDisposition,
  keepUpload,
  ownsDraft,
  registerUploadParsing,
  type ReceivedFile,
} from './cases.attachments.ts';
import { requireStaffMaySeeCase } from './cases.policy.ts';
import { requestPageModel } from './cases.presenters.ts';
import { findAttachment } from './cases.repository.ts';
import { replySchema, trackCodeSchema, trackStartSchema } from './cases.schemas.ts';
import { addMessage, getCaseTimeline, getResidentCaseView } from './cases.service.ts';
import { parseTrackContact, requestTrackCode, verifyTrackCode } from './cases.track.ts';
import type { CaseOptions } from './cases.types.ts';
import type { CasesStaffDeps } from './cases.staff.routes.ts';

export interface CasesRoutesDeps {
  db: Db;
  clock: Clock;
  sessions: SessionStore;
  secureCookies: boolean;
  /** DATA_DIR/uploads: outside the web root. */
  uploadDir: string;
  /** Base URL for links in messages (config.publicUrl). */
  publicUrl?: string;
  caseOptions?: CaseOptions;
  /**
   * Links another module gives the resident's request page for a case it keeps a record of (the complaints
   * module: the complaint with our response, and "Ask us to look at it again"). Null for other cases.
   */
  residentCaseLinks?: (caseId: string) => Promise<ResidentCaseLinks | null>;
  /** The case's email thread for the staff case page (see CasesStaffDeps). */
  caseEmails?: CasesStaffDeps['caseEmails'];
  /** Knowledge-base answers for the staff reply box (see CasesStaffDeps). */
  replyAnswers?: CasesStaffDeps['replyAnswers'];
}

/** A section of links on the resident's request page, e.g. "Your complaint". */
export interface ResidentCaseLinks {
  heading: string;
  links: { text: string; href: string; testId: string }[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by registerCasesRoutes; used by `renderRequestPage` from other modules' routes. */
    casesDeps: CasesRoutesDeps;
  }
}

const TRACK_COOKIE = 'fd_track';

/** Who is looking at the request page. Guests are checked by the caller (tracking code). */
export interface RequestViewer {
  viewer: { kind: 'guest' } | { kind: 'customer'; customerId: string };
  /** Where the reply form posts (multipart: `message`, optional `document`, `_csrf`). */
  replyAction: string;
  backLink?: { href: string; text: string };
}

export interface RequestPageExtras {
  errors?: FormErrors;
  values?: Record<string, unknown>;
  sent?: boolean;
  status?: number;
}

function translated(errors: FormErrors, locale: string): FormErrors {
  const tr = (text: string) => (text.startsWith('cases.') ? translate(locale, text) : text);
  return {
    errorList: errors.errorList.map((e) => ({ ...e, text: tr(e.text) })),
    errors: Object.fromEntries(Object.entries(errors.errors).map(([k, v]) => [k, { text: tr(v.text) }])),
  };
}

/**
 * Renders the resident request page for `caseId`: status in residents' words, what happens next, when
 * to expect an answer, the customer-visible timeline and a reply form. A customer viewer must own the
 * case (404 otherwise); guest access is the caller's check. Writes an audit row.
 */
export async function renderRequestPage(
  reply: FastifyReply,
  caseId: string,
  viewer: RequestViewer,
  extras: RequestPageExtras = {},
): Promise<FastifyReply> {
  const { db, residentCaseLinks } = reply.server.casesDeps;
  const request = reply.request;
  const view = await getResidentCaseView(db, caseId);
  if (!view) throw new NotFoundError();
  if (viewer.viewer.kind === 'customer' && view.customerId !== viewer.viewer.customerId)
    throw new NotFoundError();
  const events = await getCaseTimeline(db, caseId, { customerVisibleOnly: true });
  // A signed-in resident is audited as themselves, however they reached the page (their account, or a
  // tracking code); only a guest with a tracking code is anonymous.
  const residentId =
    viewer.viewer.kind === 'customer'
      ? viewer.viewer.customerId
      : request.session?.kind === 'resident'
        ? (request.session.customerId ?? null)
        : null;
  await audit(db, {
    actorType: residentId ? 'customer' : 'anonymous',
    actorId: residentId,
    authorityId: view.authorityId,
    action: 'case.viewed',
    recordType: 'case',
    recordId: caseId,
    requestId: request.id,
  });
  const model = requestPageModel(view, events, request.locale);
  const caseLinks = residentCaseLinks ? await residentCaseLinks(caseId) : null;
  const errors = extras.errors ? translated(extras.errors, request.locale) : null;
  if (extras.status) reply.status(extras.status);
  return reply.view('cases/request.njk', {
    navActive: viewer.viewer.kind === 'customer' ? 'account' : 'track',
    // The complaints module's start page takes the case it is about; a complaint is not complained about here.
    complainHref: /(^|-)make-a-complaint$/.test(view.serviceSlug) ? null : `/complaints/new?about=${caseId}`,
    pageTitle: translate(request.locale, 'cases.request.title', { reference: view.reference }),
    ...model,
    caseLinks,
    replyAction: viewer.replyAction,
    backLink: viewer.backLink ?? null,
    sent: extras.sent === true,
    values: extras.values ?? {},
    ...(errors ?? {}),
  });
}

function trackedCases(request: FastifyRequest): string[] {
  const list = request.session?.data.trackedCases;
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
}

/** May this browser see the case as a resident? (tracked with a code, or the signed-in owner) */
async function residentMayView(
  deps: CasesRoutesDeps,
  request: FastifyRequest,
  caseId: string,
): Promise<boolean> {
  if (trackedCases(request).includes(caseId)) return true;
  const customerId = request.session?.kind === 'resident' ? request.session.customerId : null;
  if (!customerId) return false;
  const view = await getResidentCaseView(deps.db, caseId);
  return view?.customerId === customerId;
}

type AttachmentRow = NonNullable<Awaited<ReturnType<typeof findAttachment>>>;

/**
 * May this request download the file? (false → 404)
 * - The browser that uploaded it to its own resident draft, before and after the draft became a case.
 * - A draft's file before a case exists: otherwise only the member of staff whose assisted-digital draft
 *   it is (other staff are refused and audited; `cases:read` alone is not enough).
 * - A case's file: the resident who may see the request (tracked or signed-in owner), or staff by exactly
 *   the case page's rule (`requireStaffMaySeeCase`: a restricted case's file is 404 to everyone outside its
 *   team, audited as `case.view_denied`).
 */
async function mayDownload(
  deps: CasesRoutesDeps,
  request: FastifyRequest,
  file: AttachmentRow,
): Promise<boolean> {
  const staff = request.staff;
  const draft =
    file.draft_binding_hash === null
      ? null
      : { staffUserId: file.draft_staff_user_id, bindingHash: file.draft_binding_hash };
  const bindingSecret = request.cookies[BROWSER_BINDING_COOKIE];
  if (draft && ownsDraft(draft, { kind: 'resident', bindingSecret })) return true;
  if (file.case_id === null) {
    if (!staff) return false;
    if (draft && ownsDraft(draft, { kind: 'staff', staffId: staff.id })) return true;
    await audit(deps.db, {
      actorType: 'staff',
      actorId: staff.id,
      authorityId: staff.authorityId,
      action: 'attachment.view_denied',
      recordType: 'attachment',
      recordId: file.id,
      outcome: 'denied',
      requestId: request.id,
      details: { attempted: 'download_attachment' },
    });
    return false;
  }
  if (await residentMayView(deps, request, file.case_id)) return true;
  if (!staff?.permissions.has('cases:read')) return false;
  await requireStaffMaySeeCase(
    deps.db,
    staff,
    {
      id: file.case_id,
      // Both come with the case (inner columns of the left join); a missing one fails closed.
      sensitivity: file.case_sensitivity ?? 'restricted',
      teamId: file.case_team_id ?? '',
    },
    { action: 'download_attachment', requestId: request.id, details: { attachmentId: file.id } },
  );
  return true;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function registerCasesPortalRoutes(app: FastifyInstance, deps: CasesRoutesDeps): Promise<void> {
  app.decorate('casesDeps', deps);
  const caseOptions: CaseOptions = { publicUrl: deps.publicUrl, ...deps.caseOptions };

  const viewerFor = (caseId: string): RequestViewer => ({
    viewer: { kind: 'guest' },
    replyAction: `/track/requests/${caseId}/reply`,
  });

  // ---- Track: reference + contact → code
  const renderTrack = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.view('cases/track.njk', {
      navActive: 'track',
      pageTitle: translate(request.locale, 'track.title'),
      values: {},
      ...extra,
    });

  app.get('/track', { config: { permission: 'public' } }, async (request, reply) =>
    renderTrack(request, reply),
  );

  app.post(
    '/track',
    { config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const parsed = parseForm(trackStartSchema, request.body);
      if (!parsed.ok)
        return renderTrack(request, reply.status(400), {
          ...translated(parsed.errors, request.locale),
          values: { reference: parsed.values.reference, contact: parsed.values.contact },
        });
      const contact = parseTrackContact(parsed.value.contact);
      if (!contact) throw new NotFoundError();
      const { challengeId } = await requestTrackCode(deps.db, {
        reference: parsed.value.reference,
        contact,
        now: deps.clock.now(),
        requestId: request.id,
      });
      reply.setCookie(TRACK_COOKIE, challengeId, {
        path: '/track',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies,
        signed: true,
        maxAge: 15 * 60,
      });
      return reply.redirect('/track/code', 303);
    },
  );

  const challengeOf = (request: FastifyRequest): string | null => {
    const raw = request.cookies[TRACK_COOKIE];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value && uuid.test(unsigned.value) ? unsigned.value : null;
  };

  const renderCode = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.view('cases/track-code.njk', {
      navActive: 'track',
      pageTitle: translate(request.locale, 'track.code.title'),
      ...extra,
    });

  app.get('/track/code', { config: { permission: 'public' } }, async (request, reply) => {
    if (!challengeOf(request)) return reply.redirect('/track', 303);
    return renderCode(request, reply);
  });

  app.post(
    '/track/code',
    { config: { permission: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const challengeId = challengeOf(request);
      if (!challengeId) return reply.redirect('/track', 303);
      const parsed = parseForm(trackCodeSchema, request.body);
      if (!parsed.ok)
        return renderCode(request, reply.status(400), { ...translated(parsed.errors, request.locale) });
      const result = await verifyTrackCode(deps.db, {
        challengeId,
        code: parsed.value.code,
        now: deps.clock.now(),
      });
      if (!result.ok) {
        const key =
          result.reason === 'expired'
            ? 'cases.error.codeExpired'
            : result.reason === 'wrong'
              ? 'cases.error.codeWrong'
              : 'cases.error.codeUsedUp';
        return renderCode(request, reply.status(400), {
          ...translated(toFormErrors([{ field: 'code', message: key }]), request.locale),
          startAgain: result.reason !== 'wrong',
        });
      }
      const caseId = result.subject;
      const tracked = [...new Set([...trackedCases(request), caseId])].slice(-20);
      if (request.session) {
        const data = { ...request.session.data, trackedCases: tracked };
        await deps.sessions.setData(request.session.id, data);
        request.session.data = data;
      } else {
        await startSession(
          request,
          reply,
          deps.sessions,
          'resident',
          { data: { trackedCases: tracked } },
          deps.secureCookies,
        );
      }
      reply.clearCookie(TRACK_COOKIE, { path: '/track' });
      return reply.redirect(`/track/requests/${caseId}`, 303);
    },
  );

  app.get<{ Params: { caseId: string }; Querystring: { sent?: string } }>(
    '/track/requests/:caseId',
    { config: { permission: 'public' } },
    async (request, reply) => {
      const { caseId } = request.params;
      if (!uuid.test(caseId) || !(await residentMayView(deps, request, caseId))) throw new NotFoundError();
      return renderRequestPage(reply, caseId, viewerFor(caseId), { sent: request.query.sent === '1' });
    },
  );

  // ---- Replies (message + optional document): multipart, scoped to this plugin.
  await app.register(async (scope) => {
    await registerUploadParsing(scope, { db: deps.db, uploadDir: deps.uploadDir, maxFiles: 1 });
    scope.post<{ Params: { caseId: string } }>(
      '/track/requests/:caseId/reply',
      { config: { permission: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } } },
      async (request, reply) => {
        const { caseId } = request.params;
        if (!uuid.test(caseId) || !(await residentMayView(deps, request, caseId))) throw new NotFoundError();
        return handleReply(request, reply, caseId, viewerFor(caseId), deps, caseOptions);
      },
    );
  });

  // ---- Attachment downloads: a case's files follow the case; a draft's files belong to the draft's owner.
  app.get<{ Params: { id: string } }>(
    '/attachments/:id',
    { config: { permission: 'public' } },
    async (request, reply) => {
      const { id } = request.params;
      if (!uuid.test(id)) throw new NotFoundError();
      const file = await findAttachment(deps.db, id);
      if (!file || !(await mayDownload(deps, request, file))) throw new NotFoundError();
      const staff = request.staff;
      const path = join(deps.uploadDir, file.storage_key);
      const info = await stat(path).catch(() => null);
      if (!info) throw new NotFoundError();
      await audit(deps.db, {
        actorType: staff ? 'staff' : request.session?.customerId ? 'customer' : 'anonymous',
        actorId: staff?.id ?? request.session?.customerId ?? null,
        authorityId: file.authority_id,
        action: 'attachment.downloaded',
        recordType: 'attachment',
        recordId: file.id,
        requestId: request.id,
      });
      return reply
        .header('content-type', file.content_type)
        .header('content-length', String(info.size))
        .header('content-disposition', contentDisposition(file.filename))
        .header('cache-control', 'private, no-store')
        .send(createReadStream(path));
    },
  );
}

const DOCUMENT_FIELD = 'document';

/** The reply form's POST: a message and an optional document (PDF, JPG or PNG up to 10 MB). */
export async function handleReply(
  request: FastifyRequest,
  reply: FastifyReply,
  caseId: string,
  viewer: RequestViewer,
  deps: CasesRoutesDeps,
  caseOptions: CaseOptions,
): Promise<FastifyReply> {
  const locale = request.locale;
  const parsed = parseForm(replySchema, request.body);
  const upload: ReceivedFile | undefined = (request.uploads ?? []).find((f) => f.field === DOCUMENT_FIELD);
  const problems: { field: string; message: string }[] = [];
  if (!parsed.ok)
    problems.push(...parsed.errors.errorList.map((e) => ({ field: e.href.slice(1), message: e.text })));
  let contentType: string | null = null;
  if (upload) {
    const check = checkUpload(upload);
    if (check.ok) contentType = check.contentType;
    else
      problems.push({
        field: DOCUMENT_FIELD,
        message:
          check.problem === 'too_large'
            ? translate(locale, 'forms.error.fileTooLarge', {
                label: translate(locale, 'cases.reply.document'),
                size: '10MB',
              })
            : check.problem === 'empty'
              ? translate(locale, 'forms.error.fileEmpty', {
                  label: translate(locale, 'cases.reply.document'),
                })
              : translate(locale, 'forms.error.fileType', {
                  label: translate(locale, 'cases.reply.document'),
                  types: 'PDF, JPG or PNG',
                }),
      });
  }
  if (problems.length > 0 || !parsed.ok) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    return renderRequestPage(reply, caseId, viewer, {
      errors: toFormErrors(problems),
      values: { message: body.message },
      status: 400,
    });
  }
  const view = await getResidentCaseView(deps.db, caseId);
  if (!view) throw new NotFoundError();
  const customerId = viewer.viewer.kind === 'customer' ? viewer.viewer.customerId : null;
  const now = deps.clock.now();
  await withTransaction(deps.db, async (trx) => {
    const attachmentIds: string[] = [];
    if (upload && contentType) {
      const kept = await keepUpload(trx, upload, {
        authorityId: view.authorityId,
        contentType,
        caseId,
        customerId,
      });
      attachmentIds.push(kept.id);
    }
    await addMessage(
      trx,
      caseId,
      {
        from: 'resident',
        body: parsed.value.message,
        at: now,
        actor: { kind: 'customer', customerId },
        attachmentIds,
      },
      caseOptions,
    );
  });
  const target = viewer.replyAction.replace(/\/reply$/, '');
  return reply.redirect(`${target}?sent=1`, 303);
}
