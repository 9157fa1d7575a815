#!/usr/bin/env node
// Runs one tier of tests with Node's built-in runner (via tsx):
//   unit  - *.test.ts beside the code (no database)
//   int   - *.int.test.ts (PGlite in memory by default; PostgreSQL when TEST_DATABASE_URL is set)
//   e2e   - e2e/**/*.e2e.test.ts in Chromium with axe-core
// Node 20 has no glob support in --test, so we list the files ourselves.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const tier = process.argv[2];
const roots = { unit: ['src', 'test', 'scripts'], int: ['src', 'test'], e2e: ['e2e'] }[tier];
if (!roots) {
  console.error('Usage: node scripts/run-tests.mjs unit|int|e2e');
  process.exit(2);
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

const matches = {
  unit: (f) => f.endsWith('.test.ts') && !f.endsWith('.int.test.ts') && !f.endsWith('.e2e.test.ts'),
  int: (f) => f.endsWith('.int.test.ts'),
  e2e: (f) => f.endsWith('.e2e.test.ts'),
}[tier];
// The longest files start first, so two workers finish together instead of one long file running alone at
// the end (about 20 s off the integration tier). Everything else runs in name order.
const slowFirst = [
  'test/fuzz.int.test.ts',
  'test/first-admin.int.test.ts',
  'test/process.int.test.ts',
  'test/access.int.test.ts',
  'src/seed/generator.int.test.ts',
];
const rank = (f) => {
  const i = slowFirst.indexOf(f.split('\\').join('/'));
  return i === -1 ? slowFirst.length : i;
};
const files = roots
  .flatMap((root) => walk(root))
  .filter(matches)
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (files.length === 0) {
  console.error(`No ${tier} test files found.`);
  process.exit(1);
}

const engine =
  tier === 'int' || tier === 'e2e' ? (process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite') : 'none';
console.log(`\n== ${tier} tests: ${files.length} files, database: ${engine} ==\n`);
const concurrency = tier === 'e2e' ? '1' : '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, FRONTDOOR_TEST_TIER: tier } },
);
process.exit(result.status ?? 1);
