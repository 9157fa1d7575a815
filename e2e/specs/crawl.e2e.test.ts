/**
 * Acceptance (foundation): every page reachable by following links from "/" returns 200, has one <h1>,
 * a <title>, <html lang>, no axe-core WCAG 2.2 AA violation, and works with JavaScript disabled and on a
 * 320px-wide screen. The staff pages reachable after signing in get the same checks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  assertAccessible,
  assertPageBasics,
  chromiumMissing,
  launch,
  newContext,
} from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.ts';

const skip = chromiumMissing();
let server: RunningServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  server = await startServer(async (t) => {
    await seedDemo(t.database.db, { customers: 40 });
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function linksOn(page: Page, origin: string): Promise<string[]> {
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
  return hrefs
    .filter((h) => h.startsWith(origin))
    .map((h) => new URL(h).pathname + new URL(h).search)
    .filter(
      (p) =>
        !p.startsWith('/assets') &&
        !p.startsWith('/public') &&
        !p.startsWith('/health') &&
        p !== '/metrics' &&
        !p.startsWith('/staff/auth/'),
    );
}

/** Breadth-first crawl from `start`, checking every page; returns the paths visited. */
async function crawl(
  page: Page,
  start: string,
  within: (path: string) => boolean,
  options: { axe?: boolean; limit?: number } = {},
): Promise<string[]> {
  const limit = options.limit ?? 200;
  const origin = server.baseURL;
  const queue = [start];
  const seen = new Set(queue);
  const visited: string[] = [];
  while (queue.length && visited.length < limit) {
    const path = queue.shift()!;
    const response = await page.goto(path);
    assert.equal(response?.status(), 200, `GET ${path}`);
    await assertPageBasics(page);
    // axe runs in the page, so it needs JavaScript; the JavaScript-off pass checks status and structure.
    if (options.axe !== false) await assertAccessible(page);
    visited.push(path);
    for (const link of await linksOn(page, origin)) {
      if (!seen.has(link) && within(link)) {
        seen.add(link);
        queue.push(link);
      }
    }
  }
  return visited;
}

void describe('every page reachable from the home page', { skip }, () => {
  let residentPages: string[] = [];

  void test('returns 200, has one h1, a title, html lang and no WCAG 2.2 AA violations (JavaScript on)', async () => {
    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    residentPages = await crawl(page, '/', (p) => !p.startsWith('/staff/') || p === '/staff/sign-in');
    assert.ok(residentPages.length >= 15, `crawled ${residentPages.length} pages`);
    assert.ok(residentPages.includes('/staff/sign-in'));
    assert.deepEqual(context.unexpected, [], 'no requests to other origins');
    await context.close();
  });

  void test('the same pages work with JavaScript disabled', async () => {
    const context = await newContext(browser, server.baseURL, { javaScriptEnabled: false });
    const page = await context.newPage();
    for (const path of residentPages) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, `GET ${path} without JavaScript`);
      await assertPageBasics(page);
    }
    // A search works without JavaScript.
    await page.goto('/');
    await page.fill('#q', 'bus pass');
    await Promise.all([page.waitForURL('**/search?q=*'), page.click('form[role=search] button')]);
    assert.match(page.url(), /\/search\?q=bus\+pass/);
    assert.ok(
      (await page.locator('[data-testid=search-results] a').count()) > 0,
      'search finds the bus pass service',
    );
    await context.close();
  });

  void test('resident pages fit a 320px-wide screen without sideways scrolling', async () => {
    const context = await newContext(browser, server.baseURL, { width: 320 });
    const page = await context.newPage();
    for (const path of residentPages.slice(0, 12)) {
      await page.goto(path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 320px`);
    }
    await context.close();
  });
});

void describe('staff workspace pages', { skip }, () => {
  void test('a demo agent signs in (with and without JavaScript) and every linked staff page passes the same checks', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const context = await newContext(browser, server.baseURL, { javaScriptEnabled });
      const page = await context.newPage();
      await page.goto('/staff/sign-in');
      await page.fill('#email', 'agent@county.example.gov.uk');
      await page.fill('#password', DEMO_PASSWORD);
      await Promise.all([page.waitForURL('**/staff'), page.click('[data-testid=sign-in]')]);
      assert.equal(new URL(page.url()).pathname, '/staff');
      await assertPageBasics(page);
      if (javaScriptEnabled) await assertAccessible(page);
      assert.match(await page.locator('[data-testid=signed-in-as]').innerText(), /Signed in as/);
      const staffPages = await crawl(
        page,
        '/staff',
        (p) => p.startsWith('/staff') && p !== '/staff/sign-in',
        { axe: javaScriptEnabled },
      );
      assert.ok(staffPages.length >= 1);
      await Promise.all([
        page.waitForURL('**/staff/sign-in?signedOut=1'),
        page.click('.app-staff-bar__signout button'),
      ]);
      assert.match(page.url(), /\/staff\/sign-in\?signedOut=1/);
      await context.close();
    }
  });

  void test('wrong password shows an accessible error summary and keeps the email', async () => {
    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    await page.goto('/staff/sign-in');
    await page.fill('#email', 'agent@county.example.gov.uk');
    await page.fill('#password', 'not the password');
    await Promise.all([page.waitForLoadState('load'), page.click('[data-testid=sign-in]')]);
    await page.waitForSelector('.govuk-error-summary');
    assert.match(await page.title(), /^Error: /);
    assert.match(
      await page.locator('.govuk-error-summary').innerText(),
      /Enter a correct email address and password/,
    );
    assert.equal(await page.inputValue('#email'), 'agent@county.example.gov.uk');
    await assertAccessible(page);
    await context.close();
  });
});
