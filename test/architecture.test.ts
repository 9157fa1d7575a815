/**
 * Module boundaries: a module may import another module only through its index.ts, and platform/ never
 * imports a module. (ESLint also enforces the platform rule; this test covers both with clear messages.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const src = resolve('src');
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)].map((m) => resolve(dirname(file), m[1]));
const moduleOf = (path: string) => {
  const rel = relative(join(src, 'modules'), path);
  return rel.startsWith('..') ? null : rel.split(sep)[0];
};

void test('modules import other modules only through index.ts', () => {
  const offences: string[] = [];
  for (const file of walk(join(src, 'modules'))) {
    const own = moduleOf(file);
    for (const target of importsOf(file)) {
      const other = moduleOf(target);
      if (other && other !== own && relative(join(src, 'modules', other), target) !== 'index.ts') {
        offences.push(`${relative(src, file)} → ${relative(src, target)}`);
      }
    }
  }
  assert.deepEqual(offences, []);
});

void test('platform never imports a module, and nothing outside modules reaches inside one', () => {
  const offences: string[] = [];
  for (const file of walk(src)) {
    if (moduleOf(file)) continue;
    for (const target of importsOf(file)) {
      const other = moduleOf(target);
      if (!other) continue;
      if (file.startsWith(join(src, 'platform')))
        offences.push(`${relative(src, file)} → ${relative(src, target)}`);
      else if (relative(join(src, 'modules', other), target) !== 'index.ts')
        offences.push(`${relative(src, file)} → ${relative(src, target)}`);
    }
  }
  assert.deepEqual(offences, []);
});

void test('only src/config reads process.env', () => {
  const offences = walk(src).filter(
    (f) =>
      !f.startsWith(join(src, 'config')) &&
      !f.endsWith('.test.ts') &&
      /process\.env/.test(readFileSync(f, 'utf8')),
  );
  assert.deepEqual(
    offences.map((f) => relative(src, f)),
    [],
  );
});
