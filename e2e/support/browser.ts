/**
 * Real browser tests: playwright-core driving Debian's Chromium, with axe-core (WCAG 2.2 AA tags) run on
 * every page a test visits. If Chromium is missing, tests fail in CI and say so loudly elsewhere.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Returns a skip reason (locally) or throws (in CI) when Chromium is not installed. */
export function chromiumMissing(): string | false {
  if (existsSync(CHROMIUM_PATH)) return false;
  const message = `Chromium is not installed at ${CHROMIUM_PATH}: browser and accessibility tests cannot run. Install it with: apt-get install -y chromium`;
  if (process.env.CI) throw new Error(message);
  process.stderr.write(
    `\n${'!'.repeat(100)}\n!! ${message}\n!! BROWSER TESTS SKIPPED — this run does NOT prove the pages work in a browser.\n${'!'.repeat(100)}\n\n`,
  );
  return message;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A context that only talks to our server: any request to another origin fails the test.
 */
export async function newContext(
  browser: Browser,
  baseURL: string,
  options: { javaScriptEnabled?: boolean; width?: number } = {},
): Promise<BrowserContext & { unexpected: string[] }> {
  const context = (await browser.newContext({
    baseURL,
    // Lets the test inject axe-core into pages whose CSP (rightly) forbids inline scripts.
    bypassCSP: true,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: { width: options.width ?? 1024, height: 800 },
  })) as BrowserContext & { unexpected: string[] };
  const origin = new URL(baseURL).origin;
  context.unexpected = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    context.unexpected.push(url);
    return route.abort();
  });
  return context;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core on the current page and fails with a readable list of violations. */
export async function assertAccessible(page: Page): Promise<void> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async (tags) => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  }, AXE_TAGS);
  assert.deepEqual(
    violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
    [],
    `axe-core found WCAG 2.2 AA violations on ${page.url()}`,
  );
}

/** Checks the basics every page must have: one h1, a title, html lang. */
export async function assertPageBasics(page: Page): Promise<void> {
  const h1s = await page.locator('h1').count();
  assert.equal(h1s, 1, `${page.url()} should have exactly one <h1>`);
  const title = await page.title();
  assert.ok(title.trim().length > 0, `${page.url()} should have a <title>`);
  const lang = await page.getAttribute('html', 'lang');
  assert.ok(lang && lang.length >= 2, `${page.url()} should have <html lang>`);
}

/** Visits a page, checks status, basics and accessibility. */
export async function visit(page: Page, path: string, expectedStatus = 200): Promise<void> {
  const response = await page.goto(path);
  assert.equal(response?.status(), expectedStatus, `GET ${path}`);
  await assertPageBasics(page);
  await assertAccessible(page);
}

/** The checks every page of a journey gets: the basics (one h1, a title, html lang) and axe-core. */
export async function checkPage(page: Page): Promise<void> {
  await assertPageBasics(page);
  await assertAccessible(page);
}
