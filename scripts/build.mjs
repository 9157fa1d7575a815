#!/usr/bin/env node
// `npm run build`: the production build in dist/ (README "Production", docs/assets.md).
//   1. TypeScript → JavaScript with tsc (tsconfig.build.json: src only, no tests, `.ts` imports become `.js`);
//   2. every file the code reads beside itself at run time (views, locales, service definitions, the
//      gazetteer, message templates, the bank-holiday calendar, our browser scripts) copied alongside;
//   3. both stylesheets compiled from their Sass into dist/platform/views/styles/.
// Then `node dist/server.js web|worker|migrate|admin` runs without tsx (a development dependency).
// Works after `npm ci --omit=dev`: typescript and sass are runtime dependencies.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);
const started = Date.now();

rmSync(dist, { recursive: true, force: true });

const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  { stdio: 'inherit', cwd: root },
);
if (tsc.status !== 0) {
  console.error('build: tsc failed');
  process.exit(tsc.status ?? 1);
}

/**
 * Not needed at run time: TypeScript (compiled) and module READMEs. (The Sass is compiled from its copy.) The
 * knowledge base's article files are Markdown read by the demo seed: kept.
 */
const articleFile = join('modules', 'knowledge', 'content');
const skip = (name, from) =>
  name.endsWith('.ts') || (name.endsWith('.md') && !relative(src, from).startsWith(articleFile));
let copied = 0;
function copy(dir) {
  for (const name of readdirSync(dir)) {
    const from = join(dir, name);
    if (statSync(from).isDirectory()) copy(from);
    else if (!skip(name, from)) {
      const to = join(dist, relative(src, from));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
      copied += 1;
    }
  }
}
copy(src);

const { writeStylesheets } = await import(pathToFileURL(join(dist, 'platform', 'views', 'styles.js')).href);
const sizes = await writeStylesheets(join(dist, 'platform', 'views', 'styles'));

const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(
  `build: dist/ ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${copied} files copied; ` +
    `stylesheets: ${Object.entries(sizes)
      .map(([name, bytes]) => `${name} ${kb(bytes)}`)
      .join(', ')})`,
);
