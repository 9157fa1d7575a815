/**
 * The architecture rules as pure functions over file paths and file text (test/architecture.test.ts runs
 * them over the tree and over deliberately broken samples). Files are parsed with the TypeScript compiler,
 * so comments and strings that merely mention `selectFrom(` or `import('…')` do not count.
 *
 * Paths are repository-relative with forward slashes, e.g. `src/modules/cases/cases.service.ts`.
 */
import ts from 'typescript';

/** A file of the tree: its repository-relative path and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** One broken rule: where, and what (the message names the call or the import). */
export interface Offence {
  path: string;
  line: number;
  message: string;
}

export const formatOffence = (o: Offence) => `${o.path}:${o.line} ${o.message}`;

const parsed = new Map<string, ts.SourceFile>();
/** Parses `file` (remembered by path and text: the rules read each file several times). */
function parse(file: SourceFile): ts.SourceFile {
  const known = parsed.get(file.path);
  if (known?.text === file.text) return known;
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  parsed.set(file.path, source);
  return source;
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

const lineOf = (source: ts.SourceFile, node: ts.Node) =>
  source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;

// ---------------------------------------------------------------------------------------------------------
// SQL only in repositories

/** Kysely methods that start a query (on `db`, a transaction or a query creator) or run one. */
export const QUERY_STARTERS = [
  'selectFrom',
  'selectNoFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'replaceInto',
  'mergeInto',
  'with',
  'withRecursive',
  'withMaterialized',
  'withNotMaterialized',
  'executeQuery',
  // Running a builder that a repository handed out is SQL too (`db.transaction().execute()` is not).
  'executeTakeFirst',
  'executeTakeFirstOrThrow',
  'executeStream',
] as const;

/**
 * Where SQL may be written: repositories (`*.repository.ts` anywhere in src) and the database platform
 * (`src/platform/db/**`, including the frozen migrations). Tests (`*.test.ts`) and code outside src (test
 * builders, benchmarks) are not application code and may use SQL.
 */
export function sqlAllowedIn(path: string): boolean {
  if (!path.startsWith('src/')) return true;
  if (path.endsWith('.test.ts')) return true;
  return path.endsWith('.repository.ts') || path.startsWith('src/platform/db/');
}

/**
 * Every query-builder start and every use of Kysely's `sql` tag or helpers in `file`, regardless of where
 * the file is (callers decide with `sqlAllowedIn`). `db.transaction()` is not SQL: the use-case owns it.
 */
export function sqlUses(file: SourceFile): Offence[] {
  const source = parse(file);
  const found: Offence[] = [];
  const report = (node: ts.Node, message: string) =>
    found.push({ path: file.path, line: lineOf(source, node), message });
  const starters = new Set<string>(QUERY_STARTERS);
  walk(source, (node) => {
    if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      node.moduleSpecifier.text === 'kysely' &&
      !node.importClause?.isTypeOnly
    ) {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings))
        for (const element of bindings.elements)
          if (!element.isTypeOnly && (element.propertyName ?? element.name).text === 'sql')
            report(element, "imports `sql` from 'kysely'");
    }
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      starters.has(node.expression.name.text)
    )
      report(node.expression.name, `calls .${node.expression.name.text}(…)`);
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'sql')
      report(node, 'uses the sql`…` tag');
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'sql'
    )
      report(node, `uses sql.${node.name.text}`);
  });
  return found;
}

/** SQL written where it is not allowed (see `sqlAllowedIn`). */
export function sqlOutsideRepositories(files: readonly SourceFile[]): Offence[] {
  return files.filter((f) => !sqlAllowedIn(f.path)).flatMap(sqlUses);
}

// ---------------------------------------------------------------------------------------------------------
// Imports

/** One import of a relative path: static, `export … from`, dynamic `import('…')` or a type `import('…')`. */
export interface ImportOf {
  /** The resolved repository-relative path of the imported file. */
  target: string;
  line: number;
  dynamic: boolean;
}

/** Joins `from`'s directory with a relative specifier, e.g. (`src/a/b.ts`, `../c.ts`) → `src/c.ts`. */
export function resolveRelative(from: string, specifier: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '.' || part === '') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** The relative imports of a file, resolved; package imports (`kysely`, `node:fs`) are left out. */
export function importsOf(file: SourceFile): ImportOf[] {
  const source = parse(file);
  const found: ImportOf[] = [];
  const add = (literal: ts.Node, dynamic: boolean) => {
    if (!ts.isStringLiteralLike(literal) || !literal.text.startsWith('.')) return;
    found.push({ target: resolveRelative(file.path, literal.text), line: lineOf(source, literal), dynamic });
  };
  walk(source, (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      add(node.moduleSpecifier, false);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0]
    )
      add(node.arguments[0], true);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      add(node.argument.literal, true);
  });
  return found;
}

/** `src/modules/<name>/…` → `<name>`; anything else → null. */
export function moduleOf(path: string): string | null {
  const match = /^src\/modules\/([^/]+)\//.exec(path);
  return match ? match[1] : null;
}

const isModuleIndex = (path: string) => /^src\/modules\/[^/]+\/index\.ts$/.test(path);

/**
 * What code under test/, e2e/ and bench/ may import from src: a module's `index.ts`, the platform, the
 * composition roots the tests build (`app.ts`, `worker.ts`), config and the seed.
 */
export function testMayImport(target: string): boolean {
  if (!target.startsWith('src/')) return true;
  return (
    isModuleIndex(target) ||
    target.startsWith('src/platform/') ||
    target.startsWith('src/config/') ||
    target.startsWith('src/seed/') ||
    target === 'src/app.ts' ||
    target === 'src/worker.ts'
  );
}

/**
 * The module-boundary rules, for static and dynamic imports alike:
 * - a module imports another module only through its `index.ts`;
 * - `src/platform/` never imports a module; other code in src (composition roots, seed, config) only
 *   through `index.ts`;
 * - `test/`, `e2e/` and `bench/` import only what `testMayImport` allows.
 */
export function boundaryOffences(files: readonly SourceFile[]): Offence[] {
  const offences: Offence[] = [];
  for (const file of files) {
    const own = moduleOf(file.path);
    const outside = /^(test|e2e|bench)\//.test(file.path);
    if (!file.path.startsWith('src/') && !outside) continue;
    for (const i of importsOf(file)) {
      const kind = i.dynamic ? 'dynamic import of' : 'imports';
      const offence = (why: string) =>
        offences.push({ path: file.path, line: i.line, message: `${kind} ${i.target} (${why})` });
      const other = moduleOf(i.target);
      if (outside) {
        if (!testMayImport(i.target)) offence("tests reach src through a module's index.ts");
      } else if (other && file.path.startsWith('src/platform/')) offence('platform never imports a module');
      else if (other && other !== own && !isModuleIndex(i.target))
        offence(`only ${other}/index.ts is public`);
    }
  }
  return offences;
}

// ---------------------------------------------------------------------------------------------------------
// Public surfaces

/** The names a file exports (declarations, `export { … }` and `export … from`); `*` re-exports are skipped. */
export function exportedNames(file: SourceFile): string[] {
  const source = parse(file);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (statement.exportClause && ts.isNamedExports(statement.exportClause))
        for (const element of statement.exportClause.elements) names.push(element.name.text);
      continue;
    }
    const exported = ts.canHaveModifiers(statement)
      ? ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : false;
    if (!exported) continue;
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name)) names.push(d.name.text);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name
    )
      names.push(statement.name.text);
  }
  return names;
}

const importedNamesCache = new Map<string, { text: string; names: Map<string, string[]> }>();

/**
 * The names `file` imports from each relative target, static or dynamic: `'*'` when it takes the whole
 * namespace (`import * as`, a default import, `export *`, an `import()` not destructured on the spot).
 */
export function importedNames(file: SourceFile): Map<string, string[]> {
  const known = importedNamesCache.get(file.path);
  if (known?.text === file.text) return known.names;
  const source = parse(file);
  const names = new Map<string, string[]>();
  const take = (literal: ts.Node, taken: string[]) => {
    if (!ts.isStringLiteralLike(literal) || !literal.text.startsWith('.')) return;
    const target = resolveRelative(file.path, literal.text);
    names.set(target, [...(names.get(target) ?? []), ...taken]);
  };
  walk(source, (node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      if (clause?.name || (bindings && ts.isNamespaceImport(bindings))) take(node.moduleSpecifier, ['*']);
      else
        take(
          node.moduleSpecifier,
          bindings ? bindings.elements.map((e) => (e.propertyName ?? e.name).text) : [],
        );
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      if (!node.exportClause || !ts.isNamedExports(node.exportClause)) take(node.moduleSpecifier, ['*']);
      else
        take(
          node.moduleSpecifier,
          node.exportClause.elements.map((e) => (e.propertyName ?? e.name).text),
        );
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0]
    ) {
      // `const { a, b } = await import('…')` names what it takes; anything else takes the namespace.
      let parent: ts.Node = node.parent;
      if (ts.isAwaitExpression(parent)) parent = parent.parent;
      if (ts.isVariableDeclaration(parent) && ts.isObjectBindingPattern(parent.name))
        take(
          node.arguments[0],
          parent.name.elements.map((e) => (e.propertyName ?? e.name).getText(source)),
        );
      else take(node.arguments[0], ['*']);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      take(node.argument.literal, [node.qualifier ? node.qualifier.getText(source).split('.')[0] : '*']);
    }
  });
  importedNamesCache.set(file.path, { text: file.text, names });
  return names;
}

/**
 * Exports of each module's `index.ts` that no other file imports (the module's own files do not count:
 * they import each other directly). The public surface should be exactly what others use.
 */
export function unusedIndexExports(files: readonly SourceFile[]): { index: string; names: string[] }[] {
  const result: { index: string; names: string[] }[] = [];
  for (const index of files.filter((f) => isModuleIndex(f.path))) {
    const own = moduleOf(index.path);
    const used = new Set<string>();
    for (const file of files)
      if (moduleOf(file.path) !== own)
        for (const name of importedNames(file).get(index.path) ?? []) used.add(name);
    if (used.has('*')) continue;
    const names = exportedNames(index).filter((n) => !used.has(n));
    if (names.length) result.push({ index: index.path, names });
  }
  return result;
}
