/**
 * The route handler every staff form POST repeats, written once: parse the body (a zod schema through
 * `parseForm`, GOV.UK date inputs included with `withDateInputs`), call the one use-case, and redirect (303,
 * post/redirect/get). Invalid answers come back as the GOV.UK error summary on the same page with the answers
 * kept (400); a use-case that refuses (a `DomainRuleError` or `ConflictError`) comes back the same way with
 * its message against one field (422). See docs/web.md.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withTransaction, type Db, type Tx } from '../db/index.ts';
import { ConflictError, DomainRuleError } from './errors.ts';
import { idFromParams, toFormErrors, type FormErrors } from './validation.ts';

/** What a form page is rendered again with after a failed POST. */
export interface FormProblems {
  errors: FormErrors;
  /** The answers as posted, so the user does not type them again. */
  values: Record<string, unknown>;
  status: 400 | 422;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FormErrors };

type ErrorClass = abstract new (...args: never[]) => Error;

export interface FormActionOptions<T> {
  /**
   * Reads the request: usually `parseForm(schema, request.body)`. Load (and check access to) the record the
   * form is about here too, so a record that may not be seen is a 404 before anything else.
   */
  parse(request: FastifyRequest): Parsed<T> | Promise<Parsed<T>>;
  /** The one use-case call (in a transaction when it changes data); returns where to redirect. */
  run(value: T, request: FastifyRequest): Promise<string>;
  /** Renders the form's page again with the problems (sets nothing else: the status is applied here). */
  render(request: FastifyRequest, reply: FastifyReply, problems: FormProblems): unknown;
  /** The field a refusal's message is shown against (and linked to from the error summary). */
  errorField: string;
  /** Errors that are refusals to show on the form. Default: `DomainRuleError` and `ConflictError`. */
  refusals?: readonly ErrorClass[];
}

const DEFAULT_REFUSALS: readonly ErrorClass[] = [DomainRuleError, ConflictError];

/** A Fastify handler for a form POST: parse → one use-case → redirect, or the page again with the errors. */
export function formAction<T>(options: FormActionOptions<T>) {
  const refusals = options.refusals ?? DEFAULT_REFUSALS;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const values = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
      string,
      unknown
    >;
    const parsed = await options.parse(request);
    if (!parsed.ok) {
      reply.status(400);
      return options.render(request, reply, { errors: parsed.errors, values, status: 400 });
    }
    let location: string;
    try {
      location = await options.run(parsed.value, request);
    } catch (error) {
      if (!refusals.some((kind) => error instanceof kind)) throw error;
      reply.status(422);
      return options.render(request, reply, {
        errors: toFormErrors([{ field: options.errorField, message: (error as Error).message }]),
        values,
        status: 422,
      });
    }
    return reply.redirect(location, 303);
  };
}

export interface RecordActionsOptions<A> {
  app: FastifyInstance;
  db: Db;
  /** The record page's path: actions are POST `<base>/:id/<path>` and redirect to `<base>/<id>?done=<done>`. */
  base: string;
  /** Every action's permission, and its audit event: `<auditPrefix>.<path, with - and / as _>`. */
  permission: string;
  auditPrefix: string;
  /** Loads the record, throwing a NotFoundError when this request may not see it (before the body is read). */
  load(request: FastifyRequest, id: string): Promise<unknown>;
  /** The record page again with the problems, and which of its forms was posted (to open it). */
  render(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    problems: FormProblems & { form: string },
  ): unknown;
  /** Who acts and when, handed to every use-case (e.g. the member of staff and the clock's now). */
  actor(request: FastifyRequest): A;
}

export interface RecordAction<T, A> {
  path: string;
  /** The page's form to open when the action fails (default: the path). */
  form?: string;
  parse(body: unknown): Parsed<T>;
  /** The one use-case, run in a transaction. */
  run(trx: Tx, id: string, value: T, actor: A): Promise<unknown>;
  /** The banner key the record page shows after the redirect. */
  done: string;
  errorField: string;
}

/**
 * The actions of one kind of record page (a complaint, an information request): each a form POST through
 * {@link formAction} with the record loaded (and access checked) first, the use-case in a transaction and
 * the page shown again, with the action's form open, when there are problems.
 */
export function recordActions<A>(options: RecordActionsOptions<A>) {
  return <T>(action: RecordAction<T, A>): void => {
    const idOf = (request: FastifyRequest) => idFromParams(request.params);
    options.app.post(
      `${options.base}/:id/${action.path}`,
      {
        config: {
          permission: options.permission,
          auditEvent: `${options.auditPrefix}.${action.path.replace(/[-/]/g, '_')}`,
        },
      },
      formAction({
        parse: async (request) => {
          await options.load(request, idOf(request));
          return action.parse(request.body);
        },
        run: async (value, request) => {
          const id = idOf(request);
          const actor = options.actor(request);
          await withTransaction(options.db, (trx) => action.run(trx, id, value, actor));
          return `${options.base}/${id}?done=${action.done}`;
        },
        render: (request, reply, problems) =>
          options.render(request, reply, idOf(request), { ...problems, form: action.form ?? action.path }),
        errorField: action.errorField,
      }),
    );
  };
}
