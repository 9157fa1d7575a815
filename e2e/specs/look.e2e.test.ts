/**
 * The front door's own look in a real browser with the Content Security Policy enforced (the other specs
 * bypass it to inject axe-core): each page's one stylesheet and its scripts load (no 4xx, no CSP
 * refusal, no font request), the system font stack and the brand colour apply, and GOV.UK Frontend's
 * JavaScript starts from its fingerprinted URL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launch } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { seedDemo } from '../../src/seed/demo.ts';

const skip = chromiumMissing();
let server: RunningServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  server = await startServer(async (t) => {
    await seedDemo(t.database.db, { customers: 0 });
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

interface Loaded {
  page: Page;
  /** Every subresource request: url, resource type, status. */
  requests: { url: string; type: string; status: number }[];
  /** Console errors, including CSP refusals. */
  errors: string[];
}

async function open(path: string): Promise<Loaded> {
  const context = await browser.newContext({
    baseURL: server.baseURL,
    viewport: { width: 1024, height: 800 },
  });
  const page = await context.newPage();
  const requests: Loaded['requests'] = [];
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('requestfinished', (request) => {
    void request.response().then((response) => {
      if (request.resourceType() !== 'document')
        requests.push({ url: request.url(), type: request.resourceType(), status: response?.status() ?? 0 });
    });
  });
  page.on('requestfailed', (request) =>
    requests.push({ url: request.url(), type: request.resourceType(), status: 0 }),
  );
  const response = await page.goto(path, { waitUntil: 'load' });
  assert.equal(response?.status(), 200, path);
  await page.waitForLoadState('networkidle');
  return { page, requests, errors };
}

void describe('a council’s own look, with the CSP enforced', { skip }, () => {
  for (const [path, sheet] of [
    ['/', 'resident'],
    ['/track', 'resident'],
    ['/staff/sign-in', 'staff'],
  ] as const) {
    void test(`${path}: one ${sheet} stylesheet and the scripts load, system fonts, brand colour, GOV.UK JavaScript running`, async () => {
      const { page, requests, errors } = await open(path);
      try {
        assert.deepEqual(errors, [], 'no console errors or CSP refusals');
        assert.deepEqual(
          requests.filter((r) => r.status !== 200),
          [],
          'every subresource loads',
        );
        const sheets = requests.filter((r) => r.type === 'stylesheet').map((r) => new URL(r.url).pathname);
        assert.equal(sheets.length, 1);
        assert.match(sheets[0] ?? '', new RegExp(`^/assets/${sheet}\\.[0-9a-f]{10}\\.css$`));
        assert.deepEqual(
          requests.filter((r) => r.type === 'font'),
          [],
          'no font is downloaded',
        );
        const scripts = requests.filter((r) => r.type === 'script').map((r) => new URL(r.url).pathname);
        assert.ok(scripts.some((s) => /^\/assets\/govuk-frontend\.min\.[0-9a-f]{10}\.js$/.test(s)));

        const look = await page.evaluate(() => ({
          font: getComputedStyle(document.querySelector('h1')!).fontFamily,
          header: getComputedStyle(document.querySelector('.govuk-generic-header')!).backgroundColor,
          supported: document.body.classList.contains('govuk-frontend-supported'),
          skipLinkStarted: document
            .querySelector('[data-module="govuk-skip-link"]')
            ?.hasAttribute('data-govuk-skip-link-init'),
        }));
        assert.match(look.font, /^system-ui,/);
        assert.equal(look.header, 'rgb(54, 69, 79)', 'the default brand colour, #36454f');
        assert.equal(look.supported, true);
        assert.equal(look.skipLinkStarted, true, 'GOV.UK Frontend initialised its components');
      } finally {
        await page.context().close();
      }
    });
  }
});
