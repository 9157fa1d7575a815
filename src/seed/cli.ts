/**
 * `npm run seed -- [--customers N --years Y --seed S]`: seeds the demo area if it is not there yet, then
 * (with --customers) generates history on top. The caller opens the database (PGlite or PostgreSQL from
 * the configuration) and closes it afterwards.
 */
import { parseArgs } from 'node:util';
import type { Database } from '../platform/db/index.ts';
import { seedDemo } from './demo.ts';
import { generateHistory } from './generator.ts';

export const SEED_USAGE = `Usage: npm run seed -- [options]

Seeds the demo councils (if they are not there yet), then optionally adds generated history.

  --customers N    generate N more customers and their history (each stands for one of the
                   county's 725,000 residents: 725000 gives a full published year per year)
  --years Y        years of history to generate, ending today (default 1)
  --seed S         random seed, a whole number (default 1); the same seed gives the same data
  --end-date D     end the history on this date instead of today (YYYY-MM-DD)
  --namespace NS   use a separate copy of the demo area (codes NS-county, NS-city); for tests
  --help           show this message

Examples:
  npm run seed                                    demo councils only
  npm run seed -- --customers 50000 --years 3     a busy small authority
  npm run seed -- --customers 1000000 --years 7   benchmark scale (use PostgreSQL)`;

export class SeedCliUsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${SEED_USAGE}`);
    this.name = 'SeedCliUsageError';
  }
}

function wholeNumber(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const cleaned = value.replace(/[_,]/g, '');
  if (!/^\d+$/.test(cleaned) || Number(cleaned) < min || Number(cleaned) > max) {
    throw new SeedCliUsageError(`--${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return Number(cleaned);
}

/** Runs the seed command. Throws {@link SeedCliUsageError} for bad arguments (its message includes the usage). */
export async function runSeedCli(
  argv: string[],
  database: Database,
  output: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<void> {
  let values: {
    customers?: string;
    years?: string;
    seed?: string;
    'end-date'?: string;
    namespace?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        customers: { type: 'string' },
        years: { type: 'string' },
        seed: { type: 'string' },
        'end-date': { type: 'string' },
        namespace: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new SeedCliUsageError((error as Error).message);
  }
  if (values.help) {
    output(SEED_USAGE);
    return;
  }
  const customers = wholeNumber(values.customers, 'customers', 1, 50_000_000);
  const years = wholeNumber(values.years, 'years', 1, 20);
  const seed = wholeNumber(values.seed, 'seed', 0, 2 ** 32 - 1);
  let endDate: Date | undefined;
  if (values['end-date'] !== undefined) {
    endDate = new Date(`${values['end-date']}T17:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values['end-date']) || Number.isNaN(endDate.getTime())) {
      throw new SeedCliUsageError(`--end-date must be a date like 2026-11-20, not "${values['end-date']}"`);
    }
  }
  if (years !== undefined && customers === undefined)
    throw new SeedCliUsageError('--years needs --customers');
  const namespace = values.namespace;
  if (namespace !== undefined && !/^[a-z0-9][a-z0-9-]{0,40}$/.test(namespace)) {
    throw new SeedCliUsageError('--namespace must be lower-case letters, digits and hyphens');
  }

  const demo = await seedDemo(database.db, { seed, namespace });
  output(demo.created ? 'Seeded the demo councils.' : 'The demo councils are already there.');
  if (customers === undefined) return;
  if (database.engine === 'pglite' && customers > 100_000) {
    output(
      'Note: the embedded database is meant for demos. For large runs set DATABASE_URL to a PostgreSQL database.',
    );
  }
  output(
    `Generating ${customers.toLocaleString('en-GB')} customers and ${years ?? 1} year(s) of history (seed ${seed ?? 1})…`,
  );
  await generateHistory(database.db, {
    customers,
    years: years ?? 1,
    seed,
    endDate,
    namespace,
    onProgress: output,
  });
}
