/**
 * Acceptance (issue 3, part B): a resident signs in with a code sent by email, changes their phone number
 * in "Your details" (a bad value first: the error summary keeps their answers; then a good one), and the
 * change reaches their open request's timeline. Every page passes axe-core (WCAG 2.2 AA), with JavaScript
 * on and off. The code is read from the `messages` table, as the delivery worker would send it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { AXE_TAGS, assertPageBasics, chromiumMissing, launch, newContext } from '../support/browser.ts';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { buildAuthority, buildService, buildTeam, uniq } from '../../test/builders/index.ts';
import type { Db } from '../../src/platform/db/index.ts';

const skip = chromiumMissing();
let t: TestApp;
let baseURL: string;
let browser: Browser;
let db: Db;
let area: { authorityId: string; teamId: string; serviceId: string };

before(async () => {
  if (skip) return;
  // A fresh secret per run: code rate limits are per (keyed) IP address, and every run comes from 127.0.0.1.
  t = await buildTestApp({ env: { SESSION_SECRET: randomBytes(32).toString('base64url') } });
  db = t.database.db;
  const authority = await buildAuthority(db, { kind: 'county', name: 'Wessex County Council' });
  const team = await buildTeam(db, authority.id, { name: 'Waste' });
  const service = await buildService(db, authority.id, team.id);
  const definition = readFileSync(
    new URL('../../src/modules/services/definitions/report-a-missed-bin.json', import.meta.url),
    'utf8',
  );
  await db
    .updateTable('services')
    .set({ definition, name: 'Report a missed bin collection' })
    .where('id', '=', service.id)
    .execute();
  area = { authorityId: authority.id, teamId: team.id, serviceId: service.id };
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  baseURL = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

/** A resident with a verified email address, a phone number and one open request. */
async function residentWithRequest() {
  const email = `${uniq('e2e')}@example.com`;
  const customer = await db
    .insertInto('customers')
    .values({ authority_id: area.authorityId, given_name: 'Margaret', family_name: 'Thompson' })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [kind, value] of [
    ['email', email],
    ['phone', '+447700900123'],
  ] as const) {
    await db
      .insertInto('contact_points')
      .values({
        authority_id: area.authorityId,
        customer_id: customer.id,
        kind,
        value,
        normalised: value,
        is_primary: true,
        verified_at: kind === 'email' ? new Date() : null,
      })
      .execute();
  }
  const kase = await db
    .insertInto('cases')
    .values({
      authority_id: area.authorityId,
      reference: `E2E-${randomUUID().slice(0, 6).toUpperCase()}`,
      service_id: area.serviceId,
      customer_id: customer.id,
      status: 'received',
      origin_channel: 'web',
      team_id: area.teamId,
      received_at: new Date(),
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
  return { email, customerId: customer.id, kase };
}

async function codeSentTo(email: string): Promise<string> {
  const row = await db
    .selectFrom('messages')
    .select('body')
    .where('recipient', '=', email)
    .where('template', '=', 'resident.sign_in_code')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  const code = /\n\n(\d{6})\n\n/.exec(row.body)?.[1];
  assert.ok(code, 'a 6-digit code in the email');
  return code;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the current page. Injected with `page.evaluate` (a DevTools evaluation), not a <script>
 * tag: the app's CSP rightly refuses inline scripts without its nonce.
 *
 * With JavaScript off, axe cannot run in the page itself (its timers never fire), so the page's exact
 * HTML, without its scripts, is loaded into a JavaScript-enabled checker page on the same origin and
 * checked there: what axe sees is the page as a browser without JavaScript shows it.
 */
async function assertAccessible(page: Page, checker: Page | null): Promise<void> {
  let target = page;
  if (checker) {
    const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
    await checker.goto('/health/live');
    await checker.setContent(html, { waitUntil: 'load' });
    target = checker;
  }
  await target.evaluate(axeSource);
  const violations = await target.evaluate(async (tags) => {
    interface Violation {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: string[] }[];
    }
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: Violation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  }, AXE_TAGS);
  assert.deepEqual(violations, [], `axe-core found WCAG 2.2 AA violations on ${page.url()}`);
}

async function checkPage(page: Page, path: string, checker: Page | null): Promise<void> {
  await page.waitForLoadState('load');
  assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, path);
  await assertPageBasics(page);
  await assertAccessible(page, checker);
}

void describe('resident account: sign in by code and change a phone number', { skip }, () => {
  for (const javaScriptEnabled of [true, false]) {
    void test(`JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
      const resident = await residentWithRequest();
      const context = await newContext(browser, baseURL, { javaScriptEnabled });
      const page = await context.newPage();
      const checkerContext = javaScriptEnabled ? null : await newContext(browser, baseURL);
      const checker = checkerContext ? await checkerContext.newPage() : null;

      // Sign in: email address → code by email → your account.
      const start = await page.goto('/account/sign-in');
      assert.equal(start?.status(), 200);
      await checkPage(page, '/account/sign-in', checker);
      // The header offers "Sign in" to everyone and "Your account" + "Sign out" once signed in.
      assert.equal(await page.locator('[data-testid=nav-sign-in]').count(), 1);
      assert.equal(await page.locator('[data-testid=nav-sign-out]').count(), 0);
      await page.fill('#email', resident.email);
      await page.click('[data-testid=continue]');
      await checkPage(page, '/account/sign-in/code', checker);
      assert.match(await page.locator('[data-testid=sent-to]').innerText(), new RegExp(resident.email));
      await page.fill('#code', await codeSentTo(resident.email));
      await page.click('[data-testid=submit-code]');
      await checkPage(page, '/account', checker);
      assert.match(await page.locator('[data-testid=signed-in-as]').innerText(), /Margaret Thompson/);
      assert.equal(await page.locator('[data-testid=nav-account]').count(), 1);
      assert.equal(await page.locator('[data-testid=nav-sign-in]').count(), 0);
      assert.ok(await page.locator('[data-testid=nav-sign-out]').isVisible());

      // Your requests.
      await page.click('[data-testid=your-requests]');
      await checkPage(page, '/account/requests', checker);
      assert.match(
        await page.locator('[data-testid=requests]').innerText(),
        new RegExp(resident.kase.reference),
      );
      await page.goto('/account');

      // Your details: a bad phone number first.
      await page.click('[data-testid=your-details]');
      await checkPage(page, '/account/details', checker);
      assert.equal(await page.inputValue('#phone'), '07700 900123');
      await page.fill('#givenName', 'Maggie');
      await page.fill('#phone', '0770 09');
      await page.click('[data-testid=save-details]');
      assert.equal(new URL(page.url()).pathname, '/account/details');
      assert.match(await page.title(), /^Error: Your details/);
      const summary = page.locator('.govuk-error-summary');
      assert.match(await summary.innerText(), /Enter a UK phone number, like 07700 900 982 or 01632 960 001/);
      assert.equal(await summary.locator('a[href="#phone"]').count(), 1);
      assert.equal(await page.inputValue('#phone'), '0770 09', 'the answer is kept');
      assert.equal(await page.inputValue('#givenName'), 'Maggie', 'other answers are kept');
      await assertAccessible(page, checker);
      if (javaScriptEnabled) {
        // GOV.UK Frontend moves focus to the error summary.
        assert.equal(
          await page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary')),
          true,
        );
      }

      // Then a good one.
      await page.fill('#phone', '07700 900 777');
      await page.click('[data-testid=save-details]');
      await checkPage(page, '/account?saved=details', checker);
      assert.match(await page.locator('[data-testid=saved]').innerText(), /Your details have been updated/);

      const phones = await db
        .selectFrom('contact_points')
        .select('normalised')
        .where('customer_id', '=', resident.customerId)
        .where('kind', '=', 'phone')
        .execute();
      assert.deepEqual(phones, [{ normalised: '+447700900777' }]);
      const events = await db
        .selectFrom('case_events')
        .select(['kind', 'data'])
        .where('case_id', '=', resident.kase.id)
        .execute();
      assert.deepEqual(events, [{ kind: 'customer_details_changed', data: { fields: ['name', 'phone'] } }]);

      // Sign out.
      await page.click('[data-testid=sign-out]');
      await checkPage(page, '/account/sign-in?signedOut=1', checker);
      const after = await page.goto('/account');
      assert.equal(new URL(page.url()).pathname, '/account/sign-in', `redirected (${after?.status()})`);
      assert.deepEqual(context.unexpected, [], 'no requests to other origins');
      await context.close();
      await checkerContext?.close();
    });
  }

  void test('the account pages fit a 320px-wide screen', async () => {
    const resident = await residentWithRequest();
    const context = await newContext(browser, baseURL, { width: 320, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/account/sign-in');
    await page.fill('#email', resident.email);
    await page.click('[data-testid=continue]');
    await page.fill('#code', await codeSentTo(resident.email));
    await page.click('[data-testid=submit-code]');
    for (const path of ['/account', '/account/details', '/account/requests']) {
      await page.goto(path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 320px`);
    }
    await context.close();
  });
});
