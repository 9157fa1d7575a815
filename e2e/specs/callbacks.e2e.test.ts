/**
 * Callbacks (issue 14): the resident's "Ask us to call you back" and the staff pages (promise, list, a
 * callback, the home panel) pass axe (WCAG 2.2 AA) with their errors shown, and work without JavaScript.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { TestClock } from '../../src/platform/clock.ts';
import {
  assertAccessible,
  assertPageBasics,
  chromiumMissing,
  launch,
  newContext,
} from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { buildAuthority, buildStaff, buildTeam, TEST_PASSWORD } from '../../test/builders/index.ts';
import { buildCustomer } from '../../test/builders/customers.ts';

const skip = chromiumMissing();
const clock = new TestClock('2026-12-07T10:00:00Z'); // a Monday
let server: RunningServer;
let browser: Browser;
let agentEmail = '';
let customerId = '';

before(async () => {
  if (skip) return;
  server = await startServer(
    async (t) => {
      const db = t.database.db;
      const authority = await buildAuthority(db, { name: 'Wessex County Council' });
      const team = await buildTeam(db, authority.id, {
        code: 'contact-centre',
        name: 'Customer contact centre',
      });
      const agent = await buildStaff(db, authority.id, {
        roles: ['agent'],
        teamIds: [team.id],
        name: 'Alex Agent',
      });
      agentEmail = agent.email;
      const customer = await buildCustomer(db, authority.id, {
        givenName: 'Margaret',
        familyName: 'Thompson',
        phone: '07700 900123',
      });
      customerId = customer.id;
    },
    { clock },
  );
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

void describe('callbacks pages', { skip }, () => {
  void test('a resident asks for a callback (errors, then the confirmation), with and without JavaScript', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const context = await newContext(browser, server.baseURL, { javaScriptEnabled });
      const page = await context.newPage();
      await page.goto('/contact');
      await Promise.all([
        page.waitForURL('**/contact/callback'),
        page.click('[data-testid=callback-link] a'),
      ]);
      await page.click('[data-testid=ask-callback]');
      await page.waitForSelector('.govuk-error-summary');
      assert.match(await page.title(), /^Error:/);
      await assertPageBasics(page);
      if (javaScriptEnabled) await assertAccessible(page);
      await page.fill('#name', 'Margaret Thompson');
      await page.fill('#phone', '07700 900123');
      await page.check('input[name=bestTime][value=any]');
      await page.fill('#topic', 'My blue badge');
      await Promise.all([page.waitForURL('**/contact/callback/*'), page.click('[data-testid=ask-callback]')]);
      assert.match(
        await page.locator('[data-testid=callback-due]').innerText(),
        /Monday 7 December 2026 at 12:00/,
      );
      await assertPageBasics(page);
      if (javaScriptEnabled) await assertAccessible(page);
      await context.close();
    }
  });

  void test('an agent promises a callback at an agreed time (errors first) and sees it in the list and on the home page', async () => {
    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    await page.goto('/staff/sign-in');
    await page.fill('#email', agentEmail);
    await page.fill('#password', TEST_PASSWORD);
    await Promise.all([page.waitForURL('**/staff'), page.click('[data-testid=sign-in]')]);
    await page.goto(`/staff/callbacks/new?customer=${customerId}`);
    await assertAccessible(page);
    await page.check('input[name=when][value=agreed]');
    await page.fill('#agreedDate-day', '8');
    await page.fill('#agreedDate-month', '12');
    await page.fill('#agreedDate-year', '2026');
    await page.fill('#agreedTime', '19:00');
    await page.fill('#topic', 'Blue badge renewal');
    await page.click('[data-testid=promise]');
    await page.waitForSelector('.govuk-error-summary');
    assert.match(
      await page.locator('.govuk-error-summary').innerText(),
      /working day between 09:00 and 17:00/,
    );
    assert.equal(await page.inputValue('#topic'), 'Blue badge renewal');
    await assertAccessible(page);
    await page.fill('#agreedTime', '14:00');
    await Promise.all([
      page.waitForURL(/\/staff\/callbacks\/[0-9a-f-]{36}/),
      page.click('[data-testid=promise]'),
    ]);
    assert.match(await page.locator('[data-testid=callback-details]').innerText(), /8 Dec 2026, 14:00/);
    await assertAccessible(page);
    await page.goto('/staff/callbacks');
    assert.match(await page.locator('[data-testid=callbacks]').innerText(), /Margaret Thompson/);
    await assertAccessible(page);
    // The resident's requests (due at 12:00 today, the agent's team's) are on the home page's panel.
    await page.goto('/staff');
    assert.match(await page.locator('[data-testid=callbacks-due]').innerText(), /Margaret Thompson/);
    await assertAccessible(page);
    await context.close();
  });
});
