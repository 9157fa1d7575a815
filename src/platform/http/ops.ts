/**
 * Operations endpoints: liveness, readiness (database reachable and migrations current, answered within
 * 2 s even when the database hangs, so a load balancer is never kept waiting) and Prometheus metrics. Request counts and durations are recorded for every route by a hook registered here.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { pendingMigrations } from '../db/index.ts';
import type { Metrics } from '../metrics/index.ts';

export async function registerOps(
  app: FastifyInstance,
  deps: {
    db: Db;
    metrics: Metrics;
    engine: string;
    /** How long readiness waits for the database before answering 503. Default 2000. */
    readyTimeoutMs?: number;
  },
): Promise<void> {
  const readyTimeoutMs = deps.readyTimeoutMs ?? 2000;
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route.startsWith('/assets') || route.startsWith('/public')) return;
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    deps.metrics.inc('http_requests_total', 'HTTP requests by route and status.', labels);
    deps.metrics.observe(
      'http_request_duration_seconds',
      'HTTP request duration in seconds.',
      reply.elapsedTime / 1000,
      { method: request.method, route },
    );
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
        await sql`select 1`.execute(deps.db);
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

  app.get('/metrics', { config: { permission: 'public' }, logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(await deps.metrics.render()),
  );
}
