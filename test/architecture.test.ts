/**
 * The architecture rules (docs/architecture.md "Rules"), checked over the whole tree:
 * - SQL only in repositories: query-builder calls and Kysely's `sql` only in `*.repository.ts` and
 *   `src/platform/db/**` (migrations included);
 * - modules import each other only through `index.ts` (static and dynamic imports alike), `platform/` never
 *   imports a module, and test/, e2e/ and bench/ reach a module only through its `index.ts`;
 * - each module's `index.ts` exports only what other code imports;
 * - only src/config reads process.env.
 * The rules are pure functions (test/support/architecture.ts); the first tests feed them deliberately
 * broken samples, so a rule that stopped reporting would fail here rather than pass the tree silently.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  boundaryOffences,
  formatOffence,
  sqlOutsideRepositories,
  sqlUses,
  unusedIndexExports,
  type Offence,
  type SourceFile,
} from './support/architecture.ts';

/**
 * Known offences allowed FOR NOW so the rest of the tree is held to the rules (none at the moment). An entry
 * that no longer matches an offence fails the last test below, so they cannot go stale.
 */
const ALLOWED_FOR_NOW: { sql: string[]; imports: string[]; unusedExports: string[] } = {
  /** Files that still write SQL outside a repository. */
  sql: [],
  /** `importer → imported` pairs that reach into a module's internals. */
  imports: [],
  /** index.ts files not yet trimmed to what others import. */
  unusedExports: [],
};

const file = (path: string, text: string): SourceFile => ({ path, text });
const messages = (offences: Offence[]) => offences.map(formatOffence);

describe('the rules report deliberate violations', () => {
  test('query-builder calls and the sql tag are SQL; comments, strings and transactions are not', () => {
    const found = sqlUses(
      file(
        'src/modules/x/x.service.ts',
        [
          "import { sql, type Kysely } from 'kysely';",
          '// db.selectFrom("cases") in a comment, and a string: ".deleteFrom("',
          'const note = "sql`select 1`";',
          "await db.transaction().execute(async (trx) => trx.selectFrom('cases').selectAll().execute());",
          "await db.insertInto('cases').values(row).execute();",
          "await trx.updateTable('cases').set({}).execute();",
          "await db.deleteFrom('cases').execute();",
          "await db.with('due', (q) => q.selectFrom('outbox').select('id')).selectFrom('due').execute();",
          'await sql<number>`select 1`.execute(db);',
          "const column = sql.ref('c.id');",
          'const row = await repo.caseQuery(db, id).executeTakeFirst();',
        ].join('\n'),
      ),
    );
    assert.deepEqual(messages(found), [
      "src/modules/x/x.service.ts:1 imports `sql` from 'kysely'",
      'src/modules/x/x.service.ts:4 calls .selectFrom(…)',
      'src/modules/x/x.service.ts:5 calls .insertInto(…)',
      'src/modules/x/x.service.ts:6 calls .updateTable(…)',
      'src/modules/x/x.service.ts:7 calls .deleteFrom(…)',
      'src/modules/x/x.service.ts:8 calls .selectFrom(…)',
      'src/modules/x/x.service.ts:8 calls .with(…)',
      'src/modules/x/x.service.ts:8 calls .selectFrom(…)',
      'src/modules/x/x.service.ts:9 uses the sql`…` tag',
      'src/modules/x/x.service.ts:10 uses sql.ref',
      'src/modules/x/x.service.ts:11 calls .executeTakeFirst(…)',
    ]);
  });

  test('SQL is allowed only in repositories, platform/db and code that is not application code', () => {
    const query = "export const rows = (db) => db.selectFrom('cases').selectAll().execute();\n";
    const offences = sqlOutsideRepositories([
      file('src/modules/cases/cases.staff.routes.ts', query),
      file('src/modules/cases/cases.service.ts', 'export const raw = (db) => sql`select 1`.execute(db);\n'),
      file('src/platform/jobs/outbox.ts', query),
      file('src/seed/demo.ts', query),
      file('src/modules/cases/cases.repository.ts', query),
      file('src/platform/jobs/outbox.repository.ts', query),
      file('src/seed/bulk.repository.ts', query),
      file('src/platform/db/migrations/2026_01_01_0000_core.ts', query),
      file('src/platform/db/database.ts', query),
      file('src/modules/cases/cases.routing.test.ts', query),
      file('test/builders/index.ts', query),
      file('bench/workspace.ts', query),
    ]);
    assert.deepEqual(
      offences.map((o) => o.path),
      [
        'src/modules/cases/cases.staff.routes.ts',
        'src/modules/cases/cases.service.ts',
        'src/platform/jobs/outbox.ts',
        'src/seed/demo.ts',
      ],
    );
  });

  test('static and dynamic imports of another module’s internals are both reported', () => {
    const offences = boundaryOffences([
      file(
        'src/modules/forms/forms.service.ts',
        [
          "import { createCase } from '../cases/index.ts';",
          "import { lockCase } from '../cases/cases.repository.ts';",
          "export { scopeOf } from '../customers/customers.policy.ts';",
          "const { route } = await import('../cases/cases.routing.ts');",
          "type Row = import('../cases/cases.types.ts').CaseService;",
          "import { expandForm } from './forms.engine.ts';",
          "import { audit } from '../../platform/audit/index.ts';",
          "const lazy = () => import('../identity/index.ts');",
        ].join('\n'),
      ),
      file('src/platform/http/web.ts', "import { can } from '../../modules/identity/index.ts';\n"),
      file('src/app.ts', "const routes = await import('./modules/cases/cases.staff.routes.ts');\n"),
      file('src/worker.ts', "import { caseJobHandlers } from './modules/cases/index.ts';\n"),
    ]);
    assert.deepEqual(messages(offences), [
      'src/modules/forms/forms.service.ts:2 imports src/modules/cases/cases.repository.ts (only cases/index.ts is public)',
      'src/modules/forms/forms.service.ts:3 imports src/modules/customers/customers.policy.ts (only customers/index.ts is public)',
      'src/modules/forms/forms.service.ts:4 dynamic import of src/modules/cases/cases.routing.ts (only cases/index.ts is public)',
      'src/modules/forms/forms.service.ts:5 dynamic import of src/modules/cases/cases.types.ts (only cases/index.ts is public)',
      'src/platform/http/web.ts:1 imports src/modules/identity/index.ts (platform never imports a module)',
      'src/app.ts:1 dynamic import of src/modules/cases/cases.staff.routes.ts (only cases/index.ts is public)',
    ]);
  });

  test('test/, e2e/ and bench/ reach modules only through index.ts', () => {
    const offences = boundaryOffences([
      file(
        'test/cases.queues.int.test.ts',
        [
          "import { explainQueuePage } from '../src/modules/cases/cases.queues.repository.ts';",
          "import { createCase } from '../src/modules/cases/index.ts';",
          "import { TestClock } from '../src/platform/clock.ts';",
          "import { buildApp } from '../src/app.ts';",
          "import { seedDemo } from '../src/seed/demo.ts';",
          "import { loadConfig } from '../src/config/index.ts';",
          "import { buildAuthority } from './builders/index.ts';",
          "const { main } = await import('../src/server.ts');",
        ].join('\n'),
      ),
      file('test/builders/index.ts', "const m = await import('../../src/modules/identity/passwords.ts');\n"),
      file(
        'e2e/specs/x.e2e.test.ts',
        "import { x } from '../../src/modules/complaints/complaints.fixtures.ts';\n",
      ),
      file('bench/portal.ts', "import { startDraft } from '../src/modules/forms/forms.service.ts';\n"),
    ]);
    assert.deepEqual(
      offences.map((o) => `${o.path}:${o.line}`),
      [
        'test/cases.queues.int.test.ts:1',
        'test/cases.queues.int.test.ts:8',
        'test/builders/index.ts:1',
        'e2e/specs/x.e2e.test.ts:1',
        'bench/portal.ts:1',
      ],
    );
  });

  test('an export of index.ts that no other file imports is reported', () => {
    const unused = unusedIndexExports([
      file(
        'src/modules/cases/index.ts',
        [
          "export { createCase, changeStatus, type CaseService } from './cases.service.ts';",
          "export { scanSla } from './cases.sla.ts';",
          'export const CASES_TOPIC = "cases.sla_scan";',
        ].join('\n'),
      ),
      file('src/modules/cases/cases.jobs.ts', "import { scanSla } from './index.ts';\n"), // its own module
      file('src/modules/forms/forms.service.ts', "import { createCase } from '../cases/index.ts';\n"),
      file(
        'test/cases.int.test.ts',
        "const { changeStatus } = await import('../src/modules/cases/index.ts');\n" +
          "type S = import('../src/modules/cases/index.ts').CaseService;\n",
      ),
    ]);
    assert.deepEqual(unused, [{ index: 'src/modules/cases/index.ts', names: ['scanSla', 'CASES_TOPIC'] }]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The tree

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const tree: SourceFile[] = ['src', 'test', 'e2e', 'bench'].flatMap((root) =>
  walk(root).map((path) => ({
    path: relative('.', path).split(sep).join('/'),
    text: readFileSync(path, 'utf8'),
  })),
);

const importPair = (o: Offence) =>
  `${o.path} → ${o.message.replace(/^(imports|dynamic import of) (\S+).*$/, '$2')}`;
const sqlOffences = () => sqlOutsideRepositories(tree);
const importOffences = () => boundaryOffences(tree);

describe('the tree keeps the rules', () => {
  test('SQL is written only in *.repository.ts and src/platform/db', () => {
    const offences = sqlOffences().filter((o) => !ALLOWED_FOR_NOW.sql.includes(o.path));
    assert.deepEqual(messages(offences), [], 'move these queries into a repository');
  });

  test('modules, platform, tests and benchmarks import modules only through index.ts', () => {
    const offences = importOffences().filter((o) => !ALLOWED_FOR_NOW.imports.includes(importPair(o)));
    assert.deepEqual(messages(offences), []);
  });

  test("each module's index.ts exports only what other code imports", () => {
    const unused = unusedIndexExports(tree).filter((u) => !ALLOWED_FOR_NOW.unusedExports.includes(u.index));
    assert.deepEqual(unused, [], 'remove these exports from index.ts (or use them)');
  });

  test('only src/config reads process.env', () => {
    const offences = tree.filter(
      (f) =>
        f.path.startsWith('src/') &&
        !f.path.startsWith('src/config/') &&
        !f.path.endsWith('.test.ts') &&
        /process\.env/.test(f.text),
    );
    assert.deepEqual(
      offences.map((f) => f.path),
      [],
    );
  });

  test('every ALLOWED_FOR_NOW entry still matches an offence (remove the ones that are fixed)', () => {
    const sql = new Set(sqlOffences().map((o) => o.path));
    const imports = new Set(importOffences().map(importPair));
    const unused = new Set(unusedIndexExports(tree).map((u) => u.index));
    assert.deepEqual(
      [
        ...ALLOWED_FOR_NOW.sql.filter((p) => !sql.has(p)),
        ...ALLOWED_FOR_NOW.imports.filter((p) => !imports.has(p)),
        ...ALLOWED_FOR_NOW.unusedExports.filter((p) => !unused.has(p)),
      ],
      [],
    );
  });
});
