/**
 * Operations endpoints: liveness, readiness (database reachable and migrations current) and Prometheus
 * metrics. Request counts and durations are recorded for every route by a hook registered here.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { pendingMigrations } from '../db/index.ts';
import type { Metrics } from '../metrics/index.ts';

export async function registerOps(
  app: FastifyInstance,
  deps: { db: Db; metrics: Metrics; engine: string },
): Promise<void> {
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
      try {
        await sql`select 1`.execute(deps.db);
        const pending = await pendingMigrations(deps.db);
        if (pending.length) return reply.status(503).send({ status: 'migrations_pending', pending });
        return { status: 'ok', database: deps.engine };
      } catch {
        return reply.status(503).send({ status: 'database_unreachable' });
      }
    },
  );

  app.get('/metrics', { config: { permission: 'public' }, logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(await deps.metrics.render()),
  );
}
