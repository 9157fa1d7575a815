/**
 * The staff case page: a case's facts, answers, timeline (customer-facing messages and internal notes kept
 * apart), feedback, and the actions allowed by the service's workflow (change status, add a note).
 *
 * Access: as on the customer's single view, staff of the shared (two-tier) front door see every council's
 * normal cases; a case of a restricted service (e.g. adult social care) is visible only to the owning team. Anything else is 404, never 403, and
 * the attempt writes a `case.view_denied` audit row. Every view and change writes an audit row.
 *
 * Each handler parses the request, calls one use-case (cases.staff.service.ts, cases.handling.ts,
 * cases.sla.ts) and renders the page (view model: cases.staff.presenters.ts) or redirects.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { DomainRuleError, ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { formStrings } from '../../platform/http/validation.ts';
import { staffRoute } from '../../platform/http/route-options.ts';
import {
  assignCase,
  linkCases,
  MAX_HANDOVER_NOTE,
  PRIORITIES,
  transferCase,
  unlinkCases,
  updateCaseDetails,
  type HandlingActor,
} from './cases.handling.ts';
import { staffMaySeeCase } from './cases.policy.ts';
import { extendSla, MAX_EXTENSION_DAYS } from './cases.sla.ts';
import {
  staffCasePageView,
  type FormErrors,
  type StaffCaseForm,
  type StaffCaseFormState,
} from './cases.staff.presenters.ts';
import {
  addNoteAsStaff,
  changeStatusAsStaff,
  loadStaffCasePage,
  messageResident,
  openStaffCase,
  viewStaffCase,
  type StaffCaseRow,
} from './cases.staff.service.ts';
import type { CaseOptions } from './cases.types.ts';
import { addCaseworkNote } from './cases.casework.ts';
import type { StaffPrincipal } from '../identity/index.ts';

/** Route options of the case page's routes: permission and the audit event written for each request. */
const read = (auditEvent: string) => staffRoute('cases:read', auditEvent);
const write = (auditEvent: string) => staffRoute('cases:write', auditEvent);

export interface CasesStaffDeps {
  db: Db;
  clock: Clock;
  /** Base URL for links in messages (config.publicUrl). */
  publicUrl?: string;
  caseOptions?: CaseOptions;
  /** The case's emails in and out (the email module's, given by app.ts): the page's "Emails" section. */
  caseEmails?: (caseId: string) => Promise<StaffCaseEmail[]>;
  /** Knowledge-base answers for the reply box (the knowledge module's, given by app.ts). */
  replyAnswers?: ReplyAnswers;
}

/** An article an agent can insert into a reply; `ref` (`<id>:<version>`) rides in the form until sending. */
export interface ReplyAnswer {
  id: string;
  ref: string;
  title: string;
  audience: 'public' | 'internal';
  text: string;
}

/**
 * What the reply box needs of the knowledge base: search, one answer by id (the "Insert" button without
 * JavaScript), and recording the answers used when the reply is sent (in the reply's transaction).
 */
export interface ReplyAnswers {
  find(staff: StaffPrincipal, query: string): Promise<ReplyAnswer[]>;
  byId(staff: StaffPrincipal, id: string): Promise<ReplyAnswer | null>;
  recordUses(
    trx: Tx,
    input: { refs: unknown; caseId: string; channel: string; staff: StaffPrincipal; now: Date },
  ): Promise<{ title: string; version: number }[]>;
}

/** One email on the case page, ready to render (made by the email module). */
export interface StaffCaseEmail {
  direction: 'in' | 'out';
  date: string;
  who: string;
  subject: string;
  text: string | null;
  full: string | null;
  originalHref: string | null;
  status: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function caseIdOf(request: FastifyRequest): string {
  const id = (request.params as { id?: string }).id ?? '';
  if (!UUID.test(id)) throw new NotFoundError();
  return id;
}

/** Loads the case if this member of staff may see it; otherwise audits the attempt and throws 404. */
function visibleCase(db: Db, request: FastifyRequest, action: string): Promise<StaffCaseRow> {
  return openStaffCase(db, request.staff!, caseIdOf(request), { action, requestId: request.id });
}

interface RenderExtra extends StaffCaseFormState {
  status?: number;
  /** The "Insert answer" panel of the reply box (no JavaScript): the search, its results, the refs so far. */
  answerPanel?: { query: string; results: ReplyAnswer[]; searched: boolean };
  articleRefs?: string[];
}

/** The `article` refs a reply form carried (strings only). */
function articleRefsOf(request: FastifyRequest): string[] {
  const raw = ((request.body ?? {}) as Record<string, unknown>).article;
  const list = Array.isArray(raw) ? raw : [raw];
  return list
    .filter((v): v is string => typeof v === 'string' && /^[0-9a-f-]{36}:\d{1,6}$/i.test(v))
    .slice(0, 20);
}

export async function registerCasesStaffRoutes(app: FastifyInstance, deps: CasesStaffDeps): Promise<void> {
  await app.register(async (scope) => {
    // Requests refused by the route permission (e.g. an auditor posting a note) are audited as denied too.
    scope.addHook('onError', async (request, _reply, error) => {
      if (!(error instanceof ForbiddenError) || !request.staff) return;
      const id = (request.params as { id?: string }).id ?? '';
      await audit(deps.db, {
        actorType: 'staff',
        actorId: request.staff.id,
        authorityId: request.staff.authorityId,
        action: 'case.access_denied',
        recordType: 'case',
        recordId: UUID.test(id) ? id : null,
        outcome: 'denied',
        requestId: request.id,
        details: { route: `${request.method} ${request.routeOptions.url ?? ''}` },
      });
    });
    await caseRoutes(scope, deps);
  });
}

async function caseRoutes(app: FastifyInstance, deps: CasesStaffDeps): Promise<void> {
  const { db } = deps;

  const actorOf = (request: FastifyRequest): HandlingActor => ({
    staffId: request.staff!.id,
    canAssignOthers: request.staff!.permissions.has('cases:assign'),
    teamIds: request.staff!.teams.map((t) => t.id),
  });
  const handlingOptions = (request: FastifyRequest) => ({
    at: deps.clock.now(),
    requestId: request.id,
    publicUrl: deps.publicUrl,
  });
  const changeOptions = (request: FastifyRequest) => ({
    at: deps.clock.now(),
    requestId: request.id,
    publicUrl: deps.publicUrl,
    caseOptions: deps.caseOptions,
  });
  const seesCase =
    (request: FastifyRequest) => (c: { sensitivity: 'normal' | 'restricted'; teamId: string }) =>
      staffMaySeeCase(request.staff!, c);

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    row: StaffCaseRow,
    extra: RenderExtra = {},
  ) {
    const now = deps.clock.now();
    const [page, emails] = await Promise.all([
      loadStaffCasePage(db, row, now),
      deps.caseEmails ? deps.caseEmails(row.id) : Promise.resolve(null),
    ]);
    const query = request.query as { done?: string; template?: string };
    return reply.status(extra.status ?? 200).view('cases/staff/case.njk', {
      ...staffCasePageView(page, { staff: request.staff!, now, query }, extra),
      emails,
      answersEnabled: !!deps.replyAnswers,
      answerPanel: extra.answerPanel ?? null,
      articleRefs: extra.articleRefs ?? [],
    });
  }

  /** Runs a change in one transaction; a broken business rule re-renders the page with the error on `href`. */
  async function attempt(
    request: FastifyRequest,
    reply: FastifyReply,
    row: StaffCaseRow,
    form: StaffCaseForm,
    href: string,
    change: (trx: Tx) => Promise<unknown>,
    done: string,
  ) {
    const values = formStrings(request.body);
    try {
      await withTransaction(db, change);
    } catch (error) {
      if (error instanceof FieldError)
        return render(request, reply, row, {
          status: 400,
          values,
          form,
          errors: [{ href: error.href, text: error.message }],
        });
      if (error instanceof DomainRuleError)
        return render(request, reply, row, {
          status: 400,
          values,
          form,
          errors: [{ href, text: error.message }],
        });
      throw error;
    }
    return reply.redirect(`/staff/cases/${row.id}?done=${done}`, 303);
  }

  app.get('/staff/cases/:id', read('case.viewed'), async (request, reply) => {
    const row = await viewStaffCase(db, request.staff!, caseIdOf(request), request.id);
    return render(request, reply, row);
  });

  app.post('/staff/cases/:id/status', write('case.status_changed'), async (request, reply) => {
    const row = await visibleCase(db, request, 'change_status');
    const values = formStrings(request.body);
    const input = { to: values.status ?? '', note: (values.statusNote ?? '').trim() };
    return attempt(
      request,
      reply,
      row,
      'status',
      '#status',
      (trx) => changeStatusAsStaff(trx, row, input, request.staff!.id, changeOptions(request)),
      'status',
    );
  });

  app.post('/staff/cases/:id/notes', write('case.note_added'), async (request, reply) => {
    const row = await visibleCase(db, request, 'add_note');
    const values = formStrings(request.body);
    const body = (values.note ?? '').trim();
    const problem = !body
      ? 'Enter a note'
      : body.length > 5000
        ? 'Note must be 5,000 characters or fewer'
        : null;
    if (problem)
      return render(request, reply, row, {
        status: 400,
        values,
        form: 'note',
        errors: [{ href: '#note', text: problem }],
      });
    return attempt(
      request,
      reply,
      row,
      'note',
      '#note',
      (trx) => addNoteAsStaff(trx, row, body, request.staff!.id, changeOptions(request)),
      'note#internal',
    );
  });

  // A message the resident sees on their request page and gets by email/text (through the outbox).
  app.post('/staff/cases/:id/messages', write('case.message_sent'), async (request, reply) => {
    const row = await visibleCase(db, request, 'send_message');
    const values = formStrings(request.body);
    const body = (values.message ?? '').trim();
    const problem = !body
      ? 'Enter a message to the resident'
      : body.length > 5000
        ? 'Message must be 5,000 characters or fewer'
        : null;
    if (problem)
      return render(request, reply, row, {
        status: 400,
        values,
        form: 'message',
        errors: [{ href: '#message', text: problem }],
        articleRefs: articleRefsOf(request),
      });
    return attempt(
      request,
      reply,
      row,
      'message',
      '#message',
      async (trx) => {
        await messageResident(trx, row, body, request.staff!.id, changeOptions(request));
        if (!deps.replyAnswers) return;
        const now = deps.clock.now();
        const used = await deps.replyAnswers.recordUses(trx, {
          refs: articleRefsOf(request),
          caseId: row.id,
          channel: 'case_message',
          staff: request.staff!,
          now,
        });
        for (const u of used)
          await addCaseworkNote(trx, {
            caseId: row.id,
            authorityId: row.authority_id,
            kind: 'article_used',
            body: `Answered with article ${u.title} v${u.version}`,
            data: { title: u.title, version: u.version },
            at: now,
            staffId: request.staff!.id,
          });
      },
      'message',
    );
  });

  // "Insert answer" in the reply box without JavaScript: search the knowledge base, or insert one article's
  // text into the message being written. Re-shows the page with the message kept; nothing is recorded
  // until the message is sent.
  app.post('/staff/cases/:id/answers', write('case.answer_searched'), async (request, reply) => {
    const row = await visibleCase(db, request, 'send_message');
    const values = formStrings(request.body);
    const refs = articleRefsOf(request);
    const query = (values.answerQuery ?? '').trim().slice(0, 200);
    const answers = deps.replyAnswers;
    if (!answers) throw new NotFoundError();
    if (values.insert) {
      const answer = await answers.byId(request.staff!, values.insert);
      if (answer) {
        const kept = (values.message ?? '').replace(/\s+$/, '');
        values.message = kept ? `${kept}\n\n${answer.text}` : answer.text;
        if (!refs.includes(answer.ref)) refs.push(answer.ref);
      }
      return render(request, reply, row, { values, form: 'message', articleRefs: refs });
    }
    const results = query ? await answers.find(request.staff!, query) : [];
    return render(request, reply, row, {
      values,
      form: 'message',
      articleRefs: refs,
      answerPanel: { query, results, searched: !!query },
    });
  });

  app.post('/staff/cases/:id/assign', write('case.assigned'), async (request, reply) => {
    const row = await visibleCase(db, request, 'assign');
    const values = formStrings(request.body);
    const choice = values.assignee ?? '';
    const assigneeId = choice === 'me' ? request.staff!.id : choice === '' ? null : choice;
    if (assigneeId !== null && !UUID.test(assigneeId))
      return render(request, reply, row, {
        status: 400,
        values,
        form: 'assign',
        errors: [{ href: '#assignee', text: 'Choose who should have the case' }],
      });
    return attempt(
      request,
      reply,
      row,
      'assign',
      '#assignee',
      async (trx) => {
        try {
          await assignCase(
            trx,
            row.id,
            { assigneeId, note: values.handoverNote },
            actorOf(request),
            handlingOptions(request),
          );
        } catch (error) {
          // A missing or long handover note belongs to the note field.
          if (error instanceof DomainRuleError && /handover note/i.test(error.message))
            throw new FieldError('#handoverNote', error.message);
          throw error;
        }
      },
      assigneeId === null ? 'unassigned' : 'assigned',
    );
  });

  app.post('/staff/cases/:id/transfer', write('case.transferred'), async (request, reply) => {
    const row = await visibleCase(db, request, 'transfer');
    const values = formStrings(request.body);
    const errors: FormErrors = [];
    if (!UUID.test(values.team ?? ''))
      errors.push({ href: '#team', text: 'Choose the team to pass the case to' });
    const note = (values.transferNote ?? '').trim();
    if (!note) errors.push({ href: '#transferNote', text: 'Enter a handover note for the new team' });
    else if (note.length > MAX_HANDOVER_NOTE)
      errors.push({ href: '#transferNote', text: 'Handover note must be 2,000 characters or fewer' });
    if (errors.length) return render(request, reply, row, { status: 400, values, form: 'transfer', errors });
    return attempt(
      request,
      reply,
      row,
      'transfer',
      '#team',
      (trx) =>
        transferCase(trx, row.id, { teamId: values.team, note }, actorOf(request), handlingOptions(request)),
      'transferred',
    );
  });

  app.post('/staff/cases/:id/extend', write('case.sla_extended'), async (request, reply) => {
    const row = await visibleCase(db, request, 'extend');
    const values = formStrings(request.body);
    const errors: FormErrors = [];
    const daysText = (values.days ?? '').trim();
    const days = /^\d+$/.test(daysText) ? Number(daysText) : NaN;
    if (daysText === '') errors.push({ href: '#days', text: 'Enter how many working days to add' });
    else if (!Number.isInteger(days) || days < 1 || days > MAX_EXTENSION_DAYS)
      errors.push({ href: '#days', text: `Days must be a whole number from 1 to ${MAX_EXTENSION_DAYS}` });
    const reason = (values.reason ?? '').trim();
    if (!reason) errors.push({ href: '#reason', text: 'Enter the reason for the extension' });
    if (errors.length) return render(request, reply, row, { status: 400, values, form: 'extend', errors });
    return attempt(
      request,
      reply,
      row,
      'extend',
      '#days',
      (trx) =>
        extendSla(
          trx,
          row.id,
          { days, reason },
          { kind: 'staff', staffId: request.staff!.id },
          { at: deps.clock.now(), requestId: request.id },
        ),
      'extended',
    );
  });

  app.post('/staff/cases/:id/details', write('case.details_changed'), async (request, reply) => {
    const row = await visibleCase(db, request, 'change_details');
    const values = formStrings(request.body);
    return attempt(
      request,
      reply,
      row,
      'details',
      (values.priority ?? '') && (PRIORITIES as readonly string[]).includes(values.priority ?? '')
        ? '#tags'
        : '#priority',
      (trx) =>
        updateCaseDetails(
          trx,
          row.id,
          { priority: values.priority ?? '', tags: values.tags ?? '' },
          { staffId: request.staff!.id },
          handlingOptions(request),
        ),
      'details',
    );
  });

  app.post('/staff/cases/:id/links', write('case.linked'), async (request, reply) => {
    const row = await visibleCase(db, request, 'link');
    const values = formStrings(request.body);
    return attempt(
      request,
      reply,
      row,
      'link',
      '#reference',
      (trx) =>
        linkCases(
          trx,
          row.id,
          { reference: values.reference ?? '' },
          { staffId: request.staff!.id },
          seesCase(request),
          handlingOptions(request),
        ),
      'linked',
    );
  });

  app.post('/staff/cases/:id/links/:otherId/remove', write('case.unlinked'), async (request, reply) => {
    const row = await visibleCase(db, request, 'unlink');
    const otherId = (request.params as { otherId?: string }).otherId ?? '';
    if (!UUID.test(otherId)) throw new NotFoundError();
    await withTransaction(db, (trx) =>
      unlinkCases(trx, row.id, otherId, { staffId: request.staff!.id }, handlingOptions(request)),
    );
    return reply.redirect(`/staff/cases/${row.id}?done=unlinked`, 303);
  });
}

/** A rule broken on a particular field (thrown inside a transaction so it rolls back). */
class FieldError extends Error {
  constructor(
    readonly href: string,
    message: string,
  ) {
    super(message);
  }
}
