/**
 * Issue 14: the phone figures page (with its definitions and its error summary) and the wallboard in a real
 * browser pass axe-core (WCAG 2.2 AA). They need no JavaScript: plain GET forms, and the wallboard refreshes
 * itself with a meta refresh. The figures themselves are checked in
 * test/telephony.figures.int.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launch, newContext, visit } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { TestClock } from '../../src/platform/clock.ts';
import { buildAuthority, buildStaff, buildTeam, TEST_PASSWORD } from '../../test/builders/index.ts';

const skip = chromiumMissing();
let server: RunningServer;
let browser: Browser;
let leader: { email: string };
const clock = new TestClock('2026-12-07T11:00:00Z');

before(async () => {
  if (skip) return;
  server = await startServer(
    async (t) => {
      const db = t.database.db;
      const county = await buildAuthority(db, { kind: 'county', name: 'Shireham County Council' });
      const team = await buildTeam(db, county.id, { name: 'Contact centre' });
      leader = await buildStaff(db, county.id, { roles: ['team_leader'], teamIds: [team.id] });
      const queue = await db
        .insertInto('phone_queues')
        .values({ authority_id: county.id, team_id: team.id, code: 'county-main', name: 'County main line' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const call = (id: string, v: { queued: string; answered?: string; ended?: string }) =>
        db
          .insertInto('calls')
          .values({
            authority_id: county.id,
            platform: 'e2e',
            call_id: id,
            queue_id: queue.id,
            queue_code: 'county-main',
            offered_at: new Date(`2026-12-07T${v.queued}Z`),
            queued_at: new Date(`2026-12-07T${v.queued}Z`),
            answered_at: v.answered ? new Date(`2026-12-07T${v.answered}Z`) : null,
            ended_at: v.ended ? new Date(`2026-12-07T${v.ended}Z`) : null,
          })
          .execute();
      await call('a', { queued: '09:00:00', answered: '09:00:10', ended: '09:04:00' });
      await call('b', { queued: '09:30:00', ended: '09:31:00' });
      await call('c', { queued: '10:58:00' });
    },
    { clock },
  );
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

void describe('phone figures and wallboard', { skip }, () => {
  void test('the figures page, its error summary and the wallboard pass axe', async () => {
    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    await page.goto('/staff/sign-in');
    await page.fill('#email', leader.email);
    await page.fill('#password', TEST_PASSWORD);
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=sign-in]')]);

    await visit(page, '/staff/phone/figures');
    assert.equal(await page.locator('[data-testid=card-answered] .govuk-heading-l').textContent(), '1');
    await page.check('#period-4');
    await page.fill('#from-day', '7');
    await page.fill('#from-month', '12');
    await page.fill('#from-year', '2026');
    await Promise.all([page.waitForEvent('load'), page.click('button:has-text("Show figures")')]);
    assert.match(page.url(), /period=custom/);
    assert.equal(await page.locator('.govuk-error-summary').count(), 1);
    await visit(page, page.url().replace(/^https?:\/\/[^/]+/, ''), 400);

    // The refreshing board has a meta refresh (axe's meta-refresh rule fails it by design) and a way to stop
    // it; the stopped board passes axe.
    await page.goto('/staff/phone/wallboard');
    assert.equal(await page.locator('meta[http-equiv=refresh]').count(), 1);
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=stop-refreshing]')]);
    await visit(page, '/staff/phone/wallboard?refresh=off');
    assert.equal(await page.locator('meta[http-equiv=refresh]').count(), 0);
    assert.equal(await page.locator('[data-testid=queue-county-main-waiting-now]').textContent(), '1');
    assert.deepEqual(context.unexpected, []);
    await context.close();
  });
});
