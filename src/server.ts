/**
 * Process entry points: `start` (web + worker in one process, for the demo), `web`, `worker`, plus the
 * migrate/seed/admin/bank-holidays commands. This file only wires, listens and shuts down gracefully.
 *
 * The demo councils (published passwords, a fixed API token) are seeded only when `config.demoSeed` is on,
 * which by default means the embedded database outside production; `npm run admin -- create` makes the
 * first real administrator.
 */
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config/index.ts';
import {
  DatabaseUnavailableError,
  DirectoryLockedError,
  faultSummary,
  migrateToLatest,
  openDatabase,
  type Database,
} from './platform/db/index.ts';
import { systemClock } from './platform/clock.ts';
import { buildApp } from './app.ts';
import { Metrics } from './platform/metrics/index.ts';
import { registerOutboxMetrics } from './platform/jobs/index.ts';
import { startMetricsServer, type MetricsServer } from './platform/http/ops.ts';
import { startWorker, type RunningWorker } from './worker.ts';
import { registerEmailMetrics, startEmailReceiving } from './modules/email/index.ts';
import { seedDemo, DEMO_PASSWORD } from './seed/demo.ts';
import { runSeedCli, SeedCliUsageError } from './seed/cli.ts';
import { ensureDemoApiToken } from './modules/api/index.ts';
import { AccountSetupError, runAdminCli } from './modules/identity/index.ts';
import { refreshBankHolidays } from './platform/calendar/index.ts';

type Command = 'start' | 'web' | 'worker' | 'migrate' | 'seed' | 'admin' | 'bank-holidays';

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

async function open(config: Config, logger: pino.Logger): Promise<Database> {
  return openDatabase(
    config.database.engine === 'postgres'
      ? {
          engine: 'postgres',
          url: config.database.url,
          timeouts: config.databaseTimeouts,
          // A lost connection is logged and discarded, never an unhandled 'error' event (docs/database.md).
          onConnectionError: (error) =>
            logger.warn({ fault: faultSummary(error) }, 'database connection lost; it will be reopened'),
        }
      : { engine: 'pglite', dataDir: config.database.dataDir },
  );
}

async function main(argv: string[]): Promise<void> {
  const command = (argv[0] ?? 'start') as Command;
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (command === 'bank-holidays') {
    const file = argv[1];
    if (!file) fail('Usage: npm run bank-holidays -- <file in the GOV.UK bank-holidays.json format>');
    const result = refreshBankHolidays(file);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }

  if (command === 'seed' && config.nodeEnv === 'production')
    fail(
      'npm run seed adds the demo councils, which have published passwords and a fixed API token, so it cannot run when NODE_ENV is production. Create the first administrator with npm run admin -- create instead.',
    );

  const logger = pino({ level: config.logLevel });
  const database = await open(config, logger);
  const applied = await migrateToLatest(database.db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  if (command === 'migrate') {
    process.stdout.write(
      applied.length
        ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`
        : 'The database is up to date.\n',
    );
    await database.close();
    return;
  }
  if (command === 'seed') {
    await runSeedCli(argv.slice(1), database);
    await database.close();
    return;
  }
  if (command === 'admin') {
    try {
      await runAdminCli(argv.slice(1), { db: database.db, clock: systemClock, publicUrl: config.publicUrl });
    } finally {
      await database.close();
    }
    return;
  }

  let banner = [
    '',
    `Frontdoor is running at ${config.publicUrl}`,
    `  Staff:     ${config.publicUrl}/staff/sign-in`,
    '  No demo data (DEMO_SEED is off). Make the first administrator with',
    '  npm run admin -- create --email <email> --authority <council code or name>',
    '',
  ].join('\n');
  if (command !== 'worker' && config.demoSeed) {
    const summary = await seedDemo(database.db);
    if (summary.created) logger.info('demo council seeded');
    const apiToken = await ensureDemoApiToken(database.db, { demoSeed: config.demoSeed });
    banner = [
      '',
      `Frontdoor is running at ${config.publicUrl}`,
      `  Residents: ${config.publicUrl}/`,
      `  Staff:     ${config.publicUrl}/staff/sign-in   (every demo password: ${DEMO_PASSWORD})`,
      ...summary.signIns.map((s) => `    ${s.email.padEnd(40)} ${s.role}`),
      ...(apiToken
        ? [`  API:       ${config.publicUrl}/api/v1/openapi.json   (demo bearer token: ${apiToken})`]
        : []),
      `  Database:  ${database.engine === 'pglite' ? `embedded PGlite in ${config.dataDir} (demo only; use DATABASE_URL for production)` : 'PostgreSQL'}`,
      '',
    ].join('\n');
  }

  // One registry per process: the web app and the worker (under `start`) report into the same one.
  const metrics = new Metrics();
  let worker: RunningWorker | null = null;
  if (command === 'worker' || (command === 'start' && config.runWorker)) {
    worker = startWorker({
      db: database.db,
      clock: systemClock,
      logger,
      sessionIdleMinutes: config.sessionIdleMinutes,
      concurrency: config.workerConcurrency,
      metrics,
      config,
    });
  }
  // Receiving email (IMAP mailboxes, the inbound SMTP endpoint) runs where the worker runs.
  const receivers = worker
    ? await startEmailReceiving({
        db: database.db,
        clock: systemClock,
        logger,
        config: {
          publicUrl: config.publicUrl,
          email: config.email,
          mailFrom: config.smtp?.from ?? null,
          inboundEmail: config.inboundEmail,
        },
      })
    : null;
  if (receivers?.smtpPort) logger.info({ port: receivers.smtpPort }, 'inbound SMTP endpoint started');
  const app = command === 'worker' ? null : await buildApp({ config, database, metrics });
  // The web app registers the outbox gauges; a worker-only process reports them on its own listener.
  if (!app) {
    registerOutboxMetrics(metrics, database.db);
    registerEmailMetrics(metrics, database.db);
  }
  let metricsServer: MetricsServer | null = null;
  if (config.metrics.port !== null) {
    metricsServer = await startMetricsServer({
      metrics,
      host: config.metrics.host,
      port: config.metrics.port,
      token: config.metrics.token,
    });
    logger.info({ host: config.metrics.host, port: metricsServer.port }, 'metrics listener started');
  }
  if (app) {
    await app.listen({ port: config.port, host: config.host });
    if (banner) process.stdout.write(`${banner}\n`);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    try {
      await app?.close();
      await metricsServer?.close();
      await receivers?.stop();
      await worker?.stop();
      await database.close();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (
    error instanceof DirectoryLockedError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof SeedCliUsageError ||
    error instanceof AccountSetupError
  )
    fail(error.message);
  if (error instanceof Error && 'code' in error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    fail('The port is already in use. Stop the other program or set PORT to another number.');
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
