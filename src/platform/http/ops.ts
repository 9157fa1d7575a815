/**
 * Operations endpoints: liveness, readiness (database reachable and migrations current, answered within
 * 2 s even when the database hangs, so a load balancer is never kept waiting) and Prometheus metrics.
 * Request durations are recorded for every route by a hook registered here.
 *
 * `/metrics` is never open to everyone (docs/operations.md "Metrics"): with METRICS_PORT it is served only
 * by its own listener (`startMetricsServer`) and the app's `/metrics` is a 404; otherwise the app serves it
 * only with `Authorization: Bearer $METRICS_TOKEN`; with neither set it is a 404.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.ts';
import { pendingMigrations, ping } from '../db/index.ts';
import { bearerMatches, type Metrics } from '../metrics/index.ts';
import { NotFoundError } from './errors.ts';

export interface MetricsAccess {
  /** Required as a bearer token wherever /metrics is served; null: no token. */
  token: string | null;
  /** Set: /metrics is served on its own listener only, not by the app. */
  port: number | null;
}

export async function registerOps(
  app: FastifyInstance,
  deps: {
    db: Db;
    metrics: Metrics;
    engine: string;
    metricsAccess: MetricsAccess;
    /** How long readiness waits for the database before answering 503. Default 2000. */
    readyTimeoutMs?: number;
  },
): Promise<void> {
  const readyTimeoutMs = deps.readyTimeoutMs ?? 2000;
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the URL (ids, search terms); requests that matched no route are one series.
    const route = request.routeOptions.url ?? 'unmatched';
    if (route.startsWith('/assets') || route.startsWith('/public')) return;
    deps.metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/health/live', { config: { permission: 'public' }, logLevel: 'warn' }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/health/ready',
    { config: { permission: 'public' }, logLevel: 'warn' },
    async (_request, reply) => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), readyTimeoutMs);
      });
      const check = (async () => {
        await ping(deps.db);
        return pendingMigrations(deps.db);
      })();
      check.catch(() => undefined); // may settle after the timeout answered
      try {
        const pending = await Promise.race([check, timedOut]);
        if (pending === 'timeout') return reply.status(503).send({ status: 'database_unreachable' });
        if (pending.length) return reply.status(503).send({ status: 'migrations_pending', pending });
        return { status: 'ok', database: deps.engine };
      } catch {
        return reply.status(503).send({ status: 'database_unreachable' });
      } finally {
        clearTimeout(timer);
      }
    },
  );

  // `public` for the staff-session gate: access is decided here, by the bearer token.
  app.get('/metrics', { config: { permission: 'public' }, logLevel: 'warn' }, async (request, reply) => {
    const { token, port } = deps.metricsAccess;
    if (port !== null || token === null) throw new NotFoundError();
    if (!bearerMatches(request.headers.authorization, token)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .type('text/plain; charset=utf-8')
        .send('A bearer token is required.\n');
    }
    return reply
      .header('cache-control', 'no-store')
      .type(deps.metrics.contentType)
      .send(await deps.metrics.render());
  });
}

export interface MetricsServer {
  /** The port it listens on (useful when started with port 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * The separate metrics listener (METRICS_HOST:METRICS_PORT): `GET /metrics` and nothing else, for the web
 * and the worker process alike. Keep it off the public network (the default host is 127.0.0.1); when a
 * token is set it is required here too.
 */
export async function startMetricsServer(options: {
  metrics: Metrics;
  host: string;
  port: number;
  token: string | null;
}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    if (options.token !== null && !bearerMatches(request.headers.authorization, options.token)) {
      response
        .writeHead(401, {
          'content-type': 'text/plain; charset=utf-8',
          'www-authenticate': 'Bearer realm="metrics"',
        })
        .end('A bearer token is required.\n');
      return;
    }
    options.metrics.render().then(
      (text) => {
        response
          .writeHead(200, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' })
          .end(request.method === 'HEAD' ? undefined : text);
      },
      () => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
