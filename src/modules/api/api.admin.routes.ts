/**
 * /staff/admin/api-tokens (`admin:manage`): issue a token (the plaintext is shown once, never stored) and
 * revoke tokens. Tokens act for the administrator's council.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { parseForm, UUID_PATTERN, type FormErrors } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/views/index.ts';
import { staffNavItems } from '../identity/index.ts';
import { issueApiToken, listApiTokens, revokeApiToken } from './api.tokens.ts';

export interface ApiAdminDeps {
  db: Db;
  clock: Clock;
}

const issueSchema = z.object({
  name: z
    .string({ message: 'Enter a name for the token' })
    .trim()
    .min(1, 'Enter a name for the token')
    .max(100, 'Name must be 100 characters or fewer'),
});

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export async function registerApiAdminRoutes(app: FastifyInstance, deps: ApiAdminDeps): Promise<void> {
  if (!staffNavItems.some((i) => i.href === '/staff/admin/api-tokens'))
    staffNavItems.push({ href: '/staff/admin/api-tokens', text: 'API tokens', permission: 'admin:manage' });
  const permission = 'admin:manage';

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      errors?: FormErrors;
      values?: Record<string, unknown>;
      issued?: { name: string; token: string };
    } = {},
  ) => {
    const staff = request.staff!;
    const tokens = await listApiTokens(deps.db, staff.authorityId);
    const query = request.query as Record<string, string | undefined>;
    reply.header('cache-control', 'no-store');
    return reply.view('api/admin-tokens.njk', {
      pageTitle: 'API tokens',
      issued: extra.issued ?? null,
      revoked: query.revoked === '1',
      values: extra.values ?? {},
      rows: tokens.map((t) => [
        { text: t.name },
        { text: `…${t.token_hint}` },
        { text: `${formatDate(t.created_at)}${t.created_by_name ? ` by ${t.created_by_name}` : ''}` },
        { text: t.last_used_at ? formatDate(t.last_used_at, 'datetime') : 'Never' },
        t.revoked_at
          ? {
              text: `Revoked ${formatDate(t.revoked_at)}${t.revoked_by_name ? ` by ${t.revoked_by_name}` : ''}`,
            }
          : {
              html: `<form method="post" action="/staff/admin/api-tokens/${t.id}/revoke"><input type="hidden" name="_csrf" value="${escape(request.csrfToken)}"><button class="govuk-button govuk-button--warning app-button--small govuk-!-margin-bottom-0" data-module="govuk-button" data-testid="revoke-token">Revoke<span class="govuk-visually-hidden"> ${escape(t.name)}</span></button></form>`,
            },
      ]),
      ...extra.errors,
    });
  };

  app.get(
    '/staff/admin/api-tokens',
    { config: { permission, auditEvent: 'api_token.list' } },
    async (request, reply) => render(request, reply),
  );

  app.post(
    '/staff/admin/api-tokens',
    { config: { permission, auditEvent: 'api_token.issued' } },
    async (request, reply) => {
      const parsed = parseForm(issueSchema, request.body);
      if (!parsed.ok)
        return render(request, reply.status(400), { errors: parsed.errors, values: parsed.values });
      const staff = request.staff!;
      const { token } = await issueApiToken(deps.db, {
        authorityId: staff.authorityId,
        name: parsed.value.name,
        createdBy: staff.id,
        now: deps.clock.now(),
        requestId: request.id,
      });
      // Rendered, not redirected: the plaintext is shown once and never stored.
      return render(request, reply, { issued: { name: parsed.value.name, token } });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/staff/admin/api-tokens/:id/revoke',
    { config: { permission, auditEvent: 'api_token.revoked' } },
    async (request, reply) => {
      if (!UUID_PATTERN.test(request.params.id)) throw new NotFoundError();
      const staff = request.staff!;
      await revokeApiToken(deps.db, {
        id: request.params.id,
        authorityId: staff.authorityId,
        revokedBy: staff.id,
        now: deps.clock.now(),
        requestId: request.id,
      });
      return reply.redirect('/staff/admin/api-tokens?revoked=1', 303);
    },
  );
}
