/**
 * The two stylesheets, built from GOV.UK Frontend's and MOJ Frontend's Sass with a system font stack
 * (`styles/*.scss`; docs/assets.md, ADR 0006):
 * - `resident`: GOV.UK Frontend and Frontdoor's rules, on every resident page;
 * - `staff`: the same plus the MOJ Frontend components the workspace uses.
 *
 * `npm run build` compiles them into `dist/platform/views/styles/<name>.css`; the compiled server reads
 * those. Run from the TypeScript sources (`npm start`, tests) there is no built file, so the first process
 * compiles the Sass (about a second each) and keeps the result in `node_modules/.cache/frontdoor-styles/`,
 * keyed by a hash of the Sass sources and the versions of sass, govuk-frontend and MOJ Frontend: an edited
 * `.scss` file or an upgraded package is compiled again, anything else is read back.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STYLESHEETS = ['resident', 'staff'] as const;
export type StylesheetName = (typeof STYLESHEETS)[number];

const require = createRequire(import.meta.url);
export const stylesDir = join(dirname(fileURLToPath(import.meta.url)), 'styles');
/**
 * The project's node_modules; the cache goes in its conventional `.cache` folder. Taken by its path from
 * the project (four folders above `styles/`, in `src/` and `dist/` alike) rather than from
 * `require.resolve`, which follows symbolic links: when node_modules is a link (a git worktree sharing one
 * install), Sass would otherwise reach GOV.UK Frontend by two paths, load it twice, and the second copy,
 * not configured with the system font stack, would bring back its `@font-face`.
 */
const projectNodeModules = join(stylesDir, '..', '..', '..', '..', 'node_modules');
const nodeModules = existsSync(join(projectNodeModules, 'govuk-frontend', 'package.json'))
  ? projectNodeModules
  : dirname(dirname(require.resolve('govuk-frontend/package.json')));
const cacheRoot = join(nodeModules, '.cache', 'frontdoor-styles');

/** Matches `$no-assets-path` in `styles/_settings.scss`. */
const NO_ASSETS_PATH = '/frontdoor-no-assets/';
const noAssetUrl = /url\(\s*(["']?)\/frontdoor-no-assets\/[^)]*?\1\s*\)/g;

/** Compiles one stylesheet from its Sass (compressed) and removes every reference to GOV.UK's assets. */
export async function compileStylesheet(name: StylesheetName): Promise<string> {
  const sass = await import('sass');
  const result = sass.compile(join(stylesDir, `${name}.scss`), {
    style: 'compressed',
    importers: [new sass.NodePackageImporter(dirname(nodeModules))],
    // MOJ Frontend loads GOV.UK Frontend as "node_modules/govuk-frontend/…".
    loadPaths: [dirname(nodeModules)],
    quietDeps: true,
    silenceDeprecations: ['import'],
    logger: sass.Logger.silent,
  });
  const css = result.css.replace(noAssetUrl, 'none');
  checkStylesheet(name, css);
  return css;
}

/**
 * Refuses a stylesheet that would load anything: a font face, or a url() other than an inline `data:`
 * image (GDS Transport and the crown are for GOV.UK services only; nothing else is served from /assets/).
 */
export function checkStylesheet(name: string, css: string): void {
  if (/@font-face|GDS Transport/i.test(css))
    throw new Error(`The ${name} stylesheet declares a font face: set a system font stack in _settings.scss`);
  const urls = [...css.matchAll(/url\(\s*["']?([^"')]*)/g)].map((m) => m[1] ?? '');
  const external = urls.filter((url) => !url.startsWith('data:'));
  if (external.length)
    throw new Error(
      `The ${name} stylesheet refers to files that are not served: ${external.join(', ')} (set them under ${NO_ASSETS_PATH})`,
    );
}

const inProcess = new Map<StylesheetName, Promise<string>>();

/**
 * The stylesheet's CSS, once per process: the built file beside this module when there is one (the
 * compiled server), else the cached or freshly compiled Sass.
 */
export function loadStylesheet(name: StylesheetName): Promise<string> {
  let css = inProcess.get(name);
  if (!css) {
    css = readOrCompile(name);
    inProcess.set(name, css);
    css.catch(() => inProcess.delete(name));
  }
  return css;
}

async function readOrCompile(name: StylesheetName): Promise<string> {
  const built = join(stylesDir, `${name}.css`);
  if (existsSync(built)) return readFileSync(built, 'utf8');
  const cached = join(cacheRoot, sourceKey(), `${name}.css`);
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  const css = await compileStylesheet(name);
  try {
    // Written whole then renamed, so a test process running beside this one never reads half a file.
    mkdirSync(dirname(cached), { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    writeFileSync(partial, css);
    renameSync(partial, cached);
  } catch {
    /* a read-only node_modules: compile again next time */
  }
  return css;
}

/** A hash of everything the compiled CSS depends on: the Sass sources and the packages' versions. */
function sourceKey(): string {
  const hash = createHash('sha256');
  for (const pkg of ['sass', 'govuk-frontend', '@ministryofjustice/frontend'])
    hash.update(readFileSync(join(nodeModules, pkg, 'package.json')));
  for (const file of readdirSync(stylesDir).sort())
    if (file.endsWith('.scss')) hash.update(`${file}\n`).update(readFileSync(join(stylesDir, file)));
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  return hash.digest('hex').slice(0, 16);
}

/** Used by scripts/build.mjs: compiles both stylesheets into `dir` (the built `styles` folder). */
export async function writeStylesheets(dir: string): Promise<Record<StylesheetName, number>> {
  mkdirSync(dir, { recursive: true });
  const sizes = {} as Record<StylesheetName, number>;
  for (const name of STYLESHEETS) {
    const css = await compileStylesheet(name);
    writeFileSync(join(dir, `${name}.css`), css);
    sizes[name] = Buffer.byteLength(css);
  }
  return sizes;
}
