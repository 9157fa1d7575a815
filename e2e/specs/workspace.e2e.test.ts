/**
 * Acceptance (issue 4, staff workspace), over the seeded demo council with the clock fixed on
 * Wednesday 16 December 2026, 10:00:
 *
 * An agent takes a phone call, finds the caller with a misspelt surname, sees their open cases from both
 * councils, logs the contact as resolved at first contact, then raises a case for another service on their
 * behalf. The case lands on the right team queue with a due date that skips weekends and bank holidays:
 * a road problem has 10 working days, so from Wed 16 Dec it is due on Mon 4 January 2027
 * (17, 18, 21, 22, 23, 24 Dec; not 25 Dec, Christmas, nor 28 Dec, the Boxing Day substitute; 29, 30,
 * 31 Dec; not 1 Jan, New Year's Day; 4 Jan). Counting weekdays alone would give Wed 30 December.
 * The highways officer then takes it from the team queue, passes it to street lighting with a handover
 * note (refused first without one) and the street lighting team sees the note.
 * Every page passes axe-core (WCAG 2.2 AA) and the basic page checks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { checkPage, chromiumMissing, launch, newContext } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.ts';
import { TestClock } from '../../src/platform/clock.ts';

const skip = chromiumMissing();
let server: RunningServer;
let browser: Browser;
const clock = new TestClock('2026-12-16T10:00:00Z');

before(async () => {
  if (skip) return;
  server = await startServer(
    async (t) => {
      await seedDemo(t.database.db, { customers: 40, clock });
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

async function clickAndWait(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.click(selector)]);
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/staff/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', DEMO_PASSWORD);
  await clickAndWait(page, '[data-testid=sign-in]');
  assert.equal(new URL(page.url()).pathname, '/staff');
}

void describe('staff workspace', { skip }, () => {
  void test('an agent takes a call, finds the caller by a misspelt name, resolves one thing and raises a case that lands on the right team queue', async () => {
    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    await signIn(page, 'agent@county.example.gov.uk');
    await check(page);

    // Find the caller: "Thompsen" for Margaret Thompson.
    await clickAndWait(page, 'a.govuk-service-navigation__link[href="/staff/customers"]');
    await page.fill('#q', 'Margaret Thompsen');
    await Promise.all([page.waitForURL(/\/staff\/customers\?q=/), page.keyboard.press('Enter')]);
    await page.waitForLoadState();
    await check(page);
    const first = page.locator('[data-testid=customer-results] tbody tr').first();
    assert.match(await first.innerText(), /Margaret Thompson/);
    await Promise.all([
      page.waitForEvent('load'),
      first.locator('a', { hasText: 'Margaret Thompson' }).click(),
    ]);
    await check(page);
    assert.equal(await page.locator('[data-testid=customer-name]').innerText(), 'Margaret Thompson');

    // Her open cases from both councils are on the single view.
    const cases = await page.locator('[data-testid=cases]').innerText();
    assert.match(cases, /Wessex County Council/);
    assert.match(cases, /Kingsbridge City Council/);
    assert.match(cases, /Blue Badge/i);
    assert.match(cases, /missed bin/i);

    // Log the call, answered there and then.
    await page.check('#channel');
    assert.equal(await page.inputValue('input[name=channel]:checked'), 'phone');
    await page.selectOption('#serviceId', { label: 'Apply for a Blue Badge (Wessex County Council)' });
    await page.fill(
      '#summary',
      'Asked how her Blue Badge assessment is going; told her it is with an assessor.',
    );
    await page.check('input[name=outcome][value=resolved]');
    await clickAndWait(page, '[data-testid=save-contact]');
    assert.match(page.url(), /done=(contact|repeat)/);
    await check(page);
    const newest = await page.locator('[data-testid=timeline-item]').first().innerText();
    assert.match(newest, /Resolved at first contact/);
    assert.match(newest, /Hana Malik/);

    // Then a pothole she mentions: a case for another service, on her behalf.
    await clickAndWait(page, '[data-testid=start-request]');
    await check(page);
    await clickAndWait(page, 'a[href^="/staff/services/report-a-road-problem/start?channel=phone"]');
    await check(page);
    await page.check('input[name=problemType][value=pothole]');
    await page.check('input[name=danger][value=no]');
    await clickAndWait(page, '[data-testid=continue]');
    await check(page); // the follow-up question for a pothole
    await page.check('input[name=potholeSize][value=large]');
    await clickAndWait(page, '[data-testid=continue]');
    await check(page);
    await page.fill('#location-description', 'Outside 14 Cathedral Close, by the post box.');
    await clickAndWait(page, '[data-testid=continue]');
    await check(page); // photo (optional)
    await clickAndWait(page, '[data-testid=continue]');
    await check(page); // contact details, filled in from her record
    assert.equal(await page.inputValue('#familyName'), 'Thompson');
    await page.check('input[name=contactBy][value=phone]');
    await clickAndWait(page, '[data-testid=continue]');
    await check(page); // check answers
    await clickAndWait(page, '[data-testid=submit]');
    await check(page);
    const reference = (await page.locator('[data-testid=reference]').innerText()).trim();
    assert.match(reference, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);

    await clickAndWait(page, '[data-testid=open-case]');
    await check(page);
    assert.equal(await page.locator('[data-testid=case-reference]').innerText(), reference);
    assert.match(await page.locator('[data-testid=case-team]').innerText(), /^Highways/);
    assert.equal(await page.locator('[data-testid=case-due]').innerText(), '4 January 2027');
    assert.match(await page.locator('[data-testid=case-time-left]').innerText(), /10 working days left/);
    await context.close();

    // The highways officer finds it on the team queue with the same due date.
    const officerContext = await newContext(browser, server.baseURL);
    const officer = await officerContext.newPage();
    await signIn(officer, 'officer@county.example.gov.uk');
    await clickAndWait(officer, 'a.govuk-service-navigation__link[href="/staff/queues"]');
    await check(officer);
    await clickAndWait(officer, '[data-testid=queue-nav] a:has-text("Highways")');
    await check(officer);
    assert.match(await officer.locator('[data-testid=queue-heading]').innerText(), /Highways/);
    const row = officer.locator('[data-testid=queue-row]', { hasText: reference });
    assert.equal(await row.count(), 1, 'the new case is on the highways queue');
    const rowText = await row.innerText();
    assert.match(rowText, /4 Jan(uary)? 2027/);
    assert.match(rowText, /Margaret Thompson/);
    assert.match(await row.locator('[data-testid=time-left]').innerText(), /10 working days left/);

    // Take it, then pass it to street lighting: the handover note is required.
    await Promise.all([officer.waitForEvent('load'), row.locator('a', { hasText: reference }).click()]);
    await check(officer);
    if ((await officer.locator('[data-testid=take-case]').count()) > 0) {
      await clickAndWait(officer, '[data-testid=take-case]');
      assert.match(await officer.locator('[data-testid=assignee]').innerText(), /Sam Fletcher/);
    }
    await officer.click('summary:has-text("Pass to another team")');
    await officer.selectOption('#team', { label: 'Street lighting' });
    await clickAndWait(officer, '[data-testid=transfer]');
    assert.match(await officer.title(), /^Error: /);
    assert.match(await officer.locator('.govuk-error-summary').innerText(), /Enter a handover note/);
    await check(officer);
    await officer.fill(
      '#transferNote',
      'Not a pothole: the street light above it is out too. Resident prefers phone.',
    );
    await clickAndWait(officer, '[data-testid=transfer]');
    assert.match(await officer.locator('[data-testid=success-banner]').innerText(), /passed to the new team/);
    assert.match(await officer.locator('[data-testid=case-team]').innerText(), /^Street lighting/);
    assert.match(await officer.locator('[data-testid=handover]').innerText(), /street light above it is out/);
    await check(officer);
    assert.deepEqual(
      [...context.unexpected, ...officerContext.unexpected],
      [],
      'no requests to other origins',
    );
    await officerContext.close();
  });
});
