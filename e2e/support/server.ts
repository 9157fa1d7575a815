/**
 * Starts the real app on a random local port for browser tests, over the test database
 * (PGlite in memory, or a fresh PostgreSQL database when TEST_DATABASE_URL is set), with the demo council seeded.
 */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { openTestDatabase } from '../../test/support/db.ts';
import type { Clock } from '../../src/platform/clock.ts';

export interface RunningServer extends TestApp {
  baseURL: string;
}

export async function startServer(
  prepare?: (t: TestApp) => Promise<void>,
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  // A database of its own: the demo council is seeded afresh and nothing leaks between files.
  const database = await openTestDatabase({ isolated: true });
  const built = await buildTestApp({ database, clock: options.clock, env: options.env });
  const t: TestApp = {
    ...built,
    async close() {
      await built.close();
      await database.close();
    },
  };
  if (prepare) await prepare(t);
  const app: FastifyInstance = t.app;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { ...t, baseURL: `http://127.0.0.1:${port}` };
}
