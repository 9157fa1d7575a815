/**
 * Staff accounts (issue 10, items 4 and 7), in Chromium over the seeded demo council (the forms are plain
 * posts): five wrong passwords lock an account for a while, the sign-in page says
 * until when; the council's administrator unlocks it from the staff list and the person signs in; a
 * first administrator's one-time link sets a password that meets the policy (a weak one is refused with
 * the GOV.UK error summary) and works once. axe-core (WCAG 2.2 AA) and the basic page checks on every page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { checkPage, chromiumMissing, launch, newContext } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.ts';
import { StaffAccounts } from '../../src/modules/identity/index.ts';
import { TestClock } from '../../src/platform/clock.ts';

const skip = chromiumMissing();
let server: RunningServer;
let browser: Browser;
const clock = new TestClock('2026-12-16T10:00:00Z');

before(async () => {
  if (skip) return;
  server = await startServer(
    async (t) => {
      await seedDemo(t.database.db, { customers: 10, clock });
    },
    { clock },
  );
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const check = checkPage;

async function submit(page: Page, button = 'form button.govuk-button:not([hidden])'): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.click(button)]);
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/staff/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await submit(page, '[data-testid=sign-in]');
}

void describe('staff accounts', { skip }, () => {
  void test('a locked account is unlocked by the council administrator from the staff list', async () => {
    const context = await newContext(browser, server.baseURL);
    const officer = await context.newPage();
    for (let i = 0; i < 5; i += 1) await signIn(officer, 'officer@city.example.gov.uk', `wrong-${i}`);
    await check(officer);
    assert.match(await officer.title(), /^Error: /);
    assert.match(
      await officer.locator('.govuk-error-summary').innerText(),
      /Your account is locked after too many wrong attempts\. Try again after .*, or ask your administrator to unlock it\./,
    );
    await signIn(officer, 'officer@city.example.gov.uk', DEMO_PASSWORD);
    assert.equal(new URL(officer.url()).pathname, '/staff/sign-in', 'still locked with the right password');

    const adminContext = await newContext(browser, server.baseURL);
    const admin = await adminContext.newPage();
    await signIn(admin, 'admin@city.example.gov.uk', DEMO_PASSWORD);
    await Promise.all([admin.waitForEvent('load'), admin.click('a[href="/staff/admin/staff"]')]);
    await check(admin);
    const row = admin.locator('tr:has(td:text-is("officer@city.example.gov.uk"))');
    assert.match(await row.innerText(), /Locked/);
    await submit(admin, 'tr:has(td:text-is("officer@city.example.gov.uk")) [data-testid=unlock]');
    await check(admin);
    assert.match(await admin.locator('.govuk-notification-banner').innerText(), /Account unlocked/);
    assert.doesNotMatch(await row.innerText(), /Locked/);

    await signIn(officer, 'officer@city.example.gov.uk', DEMO_PASSWORD);
    assert.equal(new URL(officer.url()).pathname, '/staff');
    await context.close();
    await adminContext.close();
  });

  void test("a first administrator's one-time link sets a strong password and works once", async () => {
    const accounts = new StaffAccounts(server.database.db, clock, server.baseURL);
    const created = await accounts.createAdministrator({
      email: 'first.admin@county.example.gov.uk',
      authority: 'Wessex County Council',
      name: 'Fran First',
    });
    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    await page.goto(new URL(created.url).pathname);
    await check(page);
    await page.fill('#password', 'password');
    await page.fill('#confirm', 'password');
    await submit(page, '[data-testid=set-password]');
    await check(page);
    assert.match(await page.title(), /^Error: /);
    const strong = 'correct horse battery staple 42';
    await page.fill('#password', strong);
    await page.fill('#confirm', strong);
    await submit(page, '[data-testid=set-password]');
    await check(page);
    await signIn(page, 'first.admin@county.example.gov.uk', strong);
    assert.equal(new URL(page.url()).pathname, '/staff');
    const again = await page.goto(new URL(created.url).pathname);
    assert.equal(again?.status(), 404, 'the link works once');
    await check(page);
    await context.close();
  });
});
