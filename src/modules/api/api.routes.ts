/**
 * The JSON API (/api/v1): complaints and requests for information, made and followed by partner systems
 * with a bearer token. Routes declare `{ permission: 'api', csrfExempt: true }`; the token check is the
 * `onRequest` hook of this plugin. `Idempotency-Key` makes retried POSTs safe: the first response is stored
 * (per token and key, with a hash of the request) and returned again.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { toIsoDate } from '../../platform/calendar/index.ts';
import { audit } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/http/errors.ts';
import { findByReference } from '../cases/index.ts';
import { createComplaint, findComplaintByReference, getComplaint } from '../complaints/index.ts';
import {
  createInformationRequest,
  findRequestByReference,
  getInformationRequest,
} from '../information-requests/index.ts';
import { openApiDocument } from './api.openapi.ts';
import { complaintJson, informationRequestJson } from './api.presenters.ts';
import * as repo from './api.repository.ts';
import { complaintBody, fieldErrors, informationRequestBody } from './api.schemas.ts';
import { authenticate, type ApiClient } from './api.tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The partner system calling the API (set by the API plugin's token check). */
    apiClient: ApiClient | null;
  }
}

export interface ApiRoutesDeps {
  db: Db;
  clock: Clock;
  publicUrl?: string;
}

const API = { permission: 'api', csrfExempt: true, rateLimit: { max: 120, timeWindow: '1 minute' } } as const;

function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .status(401)
    .header('www-authenticate', 'Bearer realm="frontdoor"')
    .send({ error: { code: 'unauthorized', message } });
}

function clientOf(request: FastifyRequest): ApiClient {
  if (!request.apiClient) throw new Error('API route without a client');
  return request.apiClient;
}

export async function registerApiRoutes(app: FastifyInstance, deps: ApiRoutesDeps): Promise<void> {
  app.decorateRequest('apiClient', null);

  app.get('/api/v1/openapi.json', { config: { permission: 'public' } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(openApiDocument),
  );

  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      const header = request.headers.authorization ?? '';
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) return unauthorized(reply, 'Send a bearer token in the Authorization header');
      const client = await authenticate(deps.db, match[1], deps.clock.now());
      if (!client) return unauthorized(reply, 'The token is not valid or has been revoked');
      request.apiClient = client;
    });

    /** Runs `work` once per Idempotency-Key (per token); a retry gets the stored response. */
    async function idempotent(
      request: FastifyRequest,
      reply: FastifyReply,
      work: (trx: Tx, caseKey: string) => Promise<{ status: number; body: Record<string, unknown> }>,
    ): Promise<FastifyReply> {
      const client = clientOf(request);
      const raw = request.headers['idempotency-key'];
      const key = typeof raw === 'string' ? raw.trim() : '';
      if (key.length > 200)
        throw new ValidationError([{ field: 'Idempotency-Key', message: 'must be 200 characters or fewer' }]);
      if (key === '') {
        const result = await withTransaction(deps.db, (trx) =>
          work(trx, `api:${client.tokenId}:${randomUUID()}`),
        );
        return reply.status(result.status).send(result.body);
      }
      const path = request.url.split('?')[0];
      const hash = createHash('sha256')
        .update(`${request.method} ${path}\n${JSON.stringify(request.body ?? null)}`)
        .digest('hex');
      const result = await withTransaction(deps.db, async (trx) => {
        await repo.lockKey(trx, client.tokenId, key);
        const earlier = await repo.findIdempotent(trx, client.tokenId, key);
        if (earlier) {
          if (earlier.request_hash !== hash || earlier.path !== path)
            throw new ConflictError('This Idempotency-Key was already used for a different request');
          return { status: earlier.status_code, body: earlier.response, replayed: true };
        }
        const done = await work(trx, `api:${client.tokenId}:${key}`);
        await repo.saveIdempotent(trx, {
          token_id: client.tokenId,
          key,
          method: request.method,
          path,
          request_hash: hash,
          status_code: done.status,
          response: JSON.stringify(done.body),
          created_at: deps.clock.now(),
        });
        return { ...done, replayed: false };
      });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(result.status).send(result.body);
    }

    const today = () => toIsoDate(deps.clock.now());
    const notFuture = (field: string, value: string | undefined) => {
      if (value && value > today())
        throw new ValidationError([{ field, message: 'cannot be in the future' }]);
    };

    scope.post('/api/v1/complaints', { config: API }, async (request, reply) => {
      const parsed = complaintBody.safeParse(request.body);
      if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
      const body = parsed.data;
      notFuture('receivedOn', body.receivedOn);
      notFuture('matterDate', body.matterDate);
      const client = clientOf(request);
      let linkedCaseId: string | null = null;
      if (body.relatesTo) {
        const found = await findByReference(deps.db, body.relatesTo);
        if (!found || found.authorityId !== client.authorityId)
          throw new ValidationError([{ field: 'relatesTo', message: 'no request with this reference' }]);
        linkedCaseId = found.id;
      }
      return idempotent(request, reply, async (trx, caseKey) => {
        const now = deps.clock.now();
        const created = await createComplaint(
          trx,
          {
            authorityId: client.authorityId,
            contact: {
              name: body.complainant.name ?? null,
              email: body.complainant.email ?? null,
              phone: body.complainant.phone ?? null,
            },
            summary: body.summary,
            desiredOutcome: body.desiredOutcome ?? null,
            receivedOn: body.receivedOn ?? today(),
            matterDate: body.matterDate ?? null,
            linkedCaseId,
            workflowType: body.workflowType,
            reasonableAdjustments: body.reasonableAdjustments ?? null,
            channel: 'api',
            actor: { kind: 'api', tokenId: client.tokenId },
            idempotencyKey: caseKey,
          },
          { now, publicUrl: deps.publicUrl },
        );
        const view = await getComplaint(trx, created.id);
        return { status: 201, body: complaintJson(view!) };
      });
    });

    scope.get<{ Params: { reference: string } }>(
      '/api/v1/complaints/:reference',
      { config: API },
      async (request, reply) => {
        const client = clientOf(request);
        const found = await findComplaintByReference(deps.db, request.params.reference);
        if (!found || found.authorityId !== client.authorityId)
          throw new NotFoundError('No complaint with this reference');
        const view = await getComplaint(deps.db, found.id);
        if (!view) throw new NotFoundError('No complaint with this reference');
        await audit(deps.db, {
          actorType: 'api',
          actorId: client.tokenId,
          authorityId: client.authorityId,
          action: 'complaint.viewed',
          recordType: 'complaint',
          recordId: view.id,
          requestId: request.id,
        });
        return reply.send(complaintJson(view));
      },
    );

    scope.post('/api/v1/information-requests', { config: API }, async (request, reply) => {
      const parsed = informationRequestBody.safeParse(request.body);
      if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
      const body = parsed.data;
      notFuture('receivedOn', body.receivedOn);
      const client = clientOf(request);
      return idempotent(request, reply, async (trx, caseKey) => {
        const created = await createInformationRequest(
          trx,
          {
            authorityId: client.authorityId,
            regime: body.regime,
            contact: {
              name: body.requester.name ?? null,
              email: body.requester.email ?? null,
              phone: body.requester.phone ?? null,
            },
            requestText: body.request,
            receivedOn: body.receivedOn ?? today(),
            channel: 'api',
            actor: { kind: 'api', tokenId: client.tokenId },
            idempotencyKey: caseKey,
          },
          { now: deps.clock.now(), publicUrl: deps.publicUrl },
        );
        const view = await getInformationRequest(trx, created.id);
        return { status: 201, body: informationRequestJson(view!) };
      });
    });

    scope.get<{ Params: { reference: string } }>(
      '/api/v1/information-requests/:reference',
      { config: API },
      async (request, reply) => {
        const client = clientOf(request);
        const found = await findRequestByReference(deps.db, request.params.reference);
        if (!found || found.authorityId !== client.authorityId)
          throw new NotFoundError('No request with this reference');
        const view = await getInformationRequest(deps.db, found.id);
        if (!view) throw new NotFoundError('No request with this reference');
        await audit(deps.db, {
          actorType: 'api',
          actorId: client.tokenId,
          authorityId: client.authorityId,
          action: 'information_request.viewed',
          recordType: 'information_request',
          recordId: view.id,
          requestId: request.id,
        });
        return reply.send(informationRequestJson(view));
      },
    );
  });
}
