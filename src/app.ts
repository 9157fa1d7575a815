/**
 * The composition root: `buildApp(deps)` wires platform and modules into one Fastify instance.
 * `server.ts` only listens and shuts down; tests call `buildApp` and `app.inject()`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config/index.ts';
import type { Database } from './platform/db/index.ts';
import type { Clock } from './platform/clock.ts';
import { systemClock } from './platform/clock.ts';
import { SessionStore } from './platform/http/sessions.ts';
import { registerErrorPages, registerWeb } from './platform/http/web.ts';
import { registerOps } from './platform/http/ops.ts';
import { Metrics } from './platform/metrics/index.ts';
import { registerOutboxMetrics } from './platform/jobs/index.ts';
import {
  IdentityService,
  OidcAdapter,
  registerStaffIdentity,
  registerStaffPush,
} from './modules/identity/index.ts';
import { registerServicePortalRoutes } from './modules/services/index.ts';
import { registerAuthorityPortalRoutes } from './modules/authorities/index.ts';
import { registerCasesRoutes } from './modules/cases/index.ts';
import { registerFormsRoutes } from './modules/forms/index.ts';
import { registerStaffMessageRoutes } from './modules/notifications/index.ts';
import { registerResidentRoutes } from './modules/residents/index.ts';
import { registerCustomerStaffRoutes } from './modules/customers/index.ts';
import { complaintLinksForResident, registerComplaints } from './modules/complaints/index.ts';
import { registerInformationRequests } from './modules/information-requests/index.ts';
import { registerApi } from './modules/api/index.ts';
import { registerFeedback } from './modules/feedback/index.ts';
import { phoneScriptsFor, registerKnowledge, replyAnswersFor } from './modules/knowledge/index.ts';
import { registerAuditRoutes } from './modules/audit/index.ts';
import { recordCallbackCall, registerCallbacks } from './modules/callbacks/index.ts';
import { caseEmailThread, registerEmailMetrics, registerEmailStaffRoutes } from './modules/email/index.ts';
import {
  registerPhoneFigures,
  registerTelephonyEvents,
  registerTelephonyStaffRoutes,
} from './modules/telephony/index.ts';
import { registerTextsCallbacks, registerTextsStaffRoutes } from './modules/texts/index.ts';
import { createAssistant, registerWebchat, type WebchatDeps } from './modules/webchat/index.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  clock?: Clock;
  /** Pass false in tests to keep output quiet. */
  logger?: boolean;
  /** The process's metrics registry (shared with the worker under `npm start`); default: a new one. */
  metrics?: Metrics;
  /** Webchat's assistant, hub and sweep timer (tests drive the sweep themselves); see docs/webchat.md. */
  webchat?: Pick<WebchatDeps, 'assistant' | 'hub' | 'sweepEveryMs'>;
}

const modulesDir = join(dirname(fileURLToPath(import.meta.url)), 'modules');
const moduleViewDirs = [
  'identity',
  'services',
  'authorities',
  'customers',
  'notifications',
  'cases',
  'forms',
  'residents',
  'complaints',
  'information-requests',
  'api',
  'feedback',
  'audit',
  'email',
  'telephony',
  'callbacks',
  'knowledge',
  'webchat',
  'texts',
].map((m) => join(modulesDir, m, 'views'));

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    logger:
      deps.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
            serializers: {
              // Paths only: query strings can hold search terms about people.
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                path: req.url.split('?')[0],
              }),
            },
          },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: config.trustProxy,
    requestTimeout: config.requestTimeoutMs,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const db = database.db;
  const metrics = deps.metrics ?? new Metrics();
  registerOutboxMetrics(metrics, db, { clock });
  registerEmailMetrics(metrics, db, { clock });

  await app.register(rateLimit, { global: false });
  // WebSockets (webchat): registered once; a frame larger than 64 KiB closes the socket.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const sessions = new SessionStore(db, clock, config.sessionIdleMinutes);
  const identity = new IdentityService(db, clock, config.signInMaxFailures, config.signInLockMinutes);
  const oidc = config.oidc;
  let adapter: Promise<OidcAdapter> | null = null;
  const connectOidc = oidc
    ? () => {
        adapter ??= OidcAdapter.connect({
          issuerUrl: oidc.issuerUrl,
          clientId: oidc.clientId,
          clientSecret: oidc.clientSecret,
          redirectUri: oidc.redirectUri,
          allowInsecureHttp: oidc.allowHttp,
        }).catch((error: unknown) => {
          adapter = null;
          throw error;
        });
        return adapter;
      }
    : null;

  await registerWeb(app, {
    sessionSecret: config.sessionSecret,
    secureCookies: config.secureCookies,
    sessions,
    moduleViewDirs,
    formActionOrigins: oidc ? [new URL(oidc.issuerUrl).origin] : [],
    // The busiest anonymous pages, which show only the catalogue (docs/web.md "Page cache").
    pageCache: { routes: ['/', '/services/:slug'], ttlMs: 5_000 },
    brand: config.brand,
    map: config.map,
  });
  await registerStaffIdentity(app, {
    db,
    identity,
    sessions,
    secureCookies: config.secureCookies,
    oidc: connectOidc,
    oidcRedirectUri: oidc?.redirectUri,
    clock,
    publicUrl: config.publicUrl,
  });
  await registerStaffPush(app);
  registerErrorPages(app);
  await registerOps(app, { db, metrics, engine: database.engine, metricsAccess: config.metrics });
  await registerServicePortalRoutes(app, { db, clock });
  await registerAuthorityPortalRoutes(app, { db, clock });
  await registerCasesRoutes(app, {
    db,
    clock,
    sessions,
    secureCookies: config.secureCookies,
    uploadDir: join(config.dataDir, 'uploads'),
    publicUrl: config.publicUrl,
    residentCaseLinks: (caseId) => complaintLinksForResident(db, caseId),
    caseEmails: (caseId) => caseEmailThread(db, caseId),
    replyAnswers: replyAnswersFor({ db, clock, publicUrl: config.publicUrl }),
  });
  await registerFormsRoutes(app, {
    db,
    clock,
    secureCookies: config.secureCookies,
    uploadDir: join(config.dataDir, 'uploads'),
    publicUrl: config.publicUrl,
  });
  await registerStaffMessageRoutes(app, { db });
  await registerCustomerStaffRoutes(app, { db, clock });
  await registerResidentRoutes(app, {
    db,
    clock,
    sessions,
    secureCookies: config.secureCookies,
    secret: config.sessionSecret,
    oneLogin: config.oneLogin,
  });
  await registerComplaints(app, { db, clock, publicUrl: config.publicUrl, sessions });
  await registerInformationRequests(app, { db, clock, publicUrl: config.publicUrl });
  await registerApi(app, { db, clock, publicUrl: config.publicUrl });
  await registerFeedback(app, { db, clock });
  await registerKnowledge(app, { db, clock, publicUrl: config.publicUrl });
  await registerAuditRoutes(app, { db, clock });
  await registerEmailStaffRoutes(app, { db, clock, caseOptions: { publicUrl: config.publicUrl } });
  await registerTelephonyEvents(app, {
    db,
    clock,
    publicUrl: config.publicUrl,
    ...config.telephony,
    // An outbound call to a number with an open callback is an attempt at it.
    onOutboundCallEnded: recordCallbackCall,
  });
  await registerTelephonyStaffRoutes(app, { db, clock, phoneScripts: phoneScriptsFor({ db, clock }) });
  await registerCallbacks(app, { db, clock, settings: config.callbacks });
  await registerPhoneFigures(app, { db, clock });
  await registerTextsCallbacks(app, {
    db,
    clock,
    publicUrl: config.publicUrl,
    callbackToken: config.texts.callbackToken,
    authorityCode: config.texts.authorityCode,
  });
  await registerTextsStaffRoutes(app, { db, clock });
  await registerWebchat(app, {
    db,
    clock,
    secureCookies: config.secureCookies,
    hoursFile: join(config.dataDir, 'chat-hours.json'),
    // On in the demo (CHAT_ASSISTANT): answers first from published public articles only.
    assistant: config.chatAssistant ? createAssistant({ db, llm: config.chatAssistantLlm }) : null,
    ...deps.webchat,
  });
  return app;
}
