/**
 * The staff workspace's page layout in a real browser, over the seeded demo (issue 12):
 * - item 19: on a 320 px wide phone, a staff page with a table does not scroll sideways as a whole; the
 *   table scrolls in its own focusable, labelled region, and case references stay on one line;
 * - item 20: on a wide screen, the main content lines up with the header and footer;
 * - item 21: without JavaScript, a page says when the session ends, and answers sent after the time-out
 *   are kept and sent on after signing in again.
 * Every page passes axe-core (WCAG 2.2 AA).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { checkPage, chromiumMissing, launch, newContext } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.ts';
import { TestClock } from '../../src/platform/clock.ts';
import { queueMessage } from '../../src/modules/notifications/index.ts';

const skip = chromiumMissing();
let server: RunningServer;
let browser: Browser;
const clock = new TestClock('2026-12-16T10:00:00Z');

before(async () => {
  if (skip) return;
  server = await startServer(
    async (t) => {
      const db = t.database.db;
      await seedDemo(db, { customers: 20, clock });
      // A message about a highways case with a customer, for the highways officer's outbox.
      const kase = await db
        .selectFrom('cases as c')
        .innerJoin('teams as t', 't.id', 'c.team_id')
        .where('t.code', '=', 'highways')
        .where('c.customer_id', 'is not', null)
        .select(['c.id', 'c.reference', 'c.authority_id', 'c.customer_id'])
        .executeTakeFirstOrThrow();
      await queueMessage(db, {
        authorityId: kase.authority_id,
        customerId: kase.customer_id,
        caseId: kase.id,
        template: 'case.acknowledgement',
        personalisation: { reference: kase.reference },
        dedupeKey: `layout-test:${kase.id}`,
      });
    },
    { clock },
  );
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function signedIn(width: number, email = 'agent@county.example.gov.uk'): Promise<Page> {
  const context = await newContext(browser, server.baseURL, { width });
  const page = await context.newPage();
  await page.goto('/staff/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForEvent('load'), page.click('[data-testid=sign-in]')]);
  assert.equal(new URL(page.url()).pathname, '/staff');
  return page;
}

/** The single view of Margaret Thompson, who has cases at both councils. */
async function customerPath(page: Page): Promise<string> {
  await page.goto('/staff/customers?q=Margaret+Thompson');
  const href = await page
    .locator('[data-testid=customer-results] tbody tr a', { hasText: 'Margaret Thompson' })
    .first()
    .getAttribute('href');
  assert.ok(href);
  return href;
}

void describe('staff page layout', { skip }, () => {
  void test('issue 12 item 19: at 320 px only the tables scroll sideways, in focusable regions, with references on one line', async () => {
    // The agent's pages; the queue as the highways officer, whose team queue has cases.
    const agent = await signedIn(320);
    const officer = await signedIn(320, 'officer@county.example.gov.uk');
    try {
      const pages: [Page, string][] = [
        [agent, '/staff'],
        [officer, '/staff/queues'],
        [agent, await customerPath(agent)],
        [officer, '/staff/messages'],
      ];
      for (const [page, path] of pages) {
        const response = await page.goto(path);
        assert.equal(response?.status(), 200, path);
        await checkPage(page);
        const layout = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          tables: Array.from(document.querySelectorAll<HTMLElement>('main table')).map((table) => {
            const region = table.parentElement!;
            return {
              region: region.getAttribute('role'),
              label: region.getAttribute('aria-label'),
              tabindex: region.getAttribute('tabindex'),
              overflowX: getComputedStyle(region).overflowX,
            };
          }),
          // A reference ("ABCD-2345") laid out on more than one line has more than one client rect.
          references: Array.from(document.querySelectorAll<HTMLElement>('main table a, main table td'))
            .filter((el) => /^[A-Z0-9]{4}-[A-Z0-9]{4}$/.test((el.textContent ?? '').trim()))
            .map((el) => ({
              text: (el.textContent ?? '').trim(),
              nowrap: getComputedStyle(el.closest('td, th') ?? el).whiteSpace === 'nowrap',
              lines: (() => {
                const range = document.createRange();
                range.selectNodeContents(el);
                return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
              })(),
            })),
        }));
        assert.ok(layout.scrollWidth <= 320, `${path}: the page is ${layout.scrollWidth}px wide at 320px`);
        assert.ok(layout.tables.length > 0, `${path} has a table`);
        for (const table of layout.tables) {
          assert.equal(table.region, 'region', `${path}: the table sits in a region`);
          assert.ok(table.label, `${path}: the region is labelled`);
          assert.equal(table.tabindex, '0', `${path}: the region can be focused to scroll it by keyboard`);
          assert.equal(table.overflowX, 'auto', `${path}: the region scrolls`);
        }
        if (path !== '/staff') {
          assert.ok(layout.references.length > 0, `${path} shows case references`);
          for (const reference of layout.references) {
            assert.equal(reference.lines, 1, `${path}: ${reference.text} is on one line`);
            assert.ok(reference.nowrap, `${path}: ${reference.text} is kept on one line however narrow`);
          }
        }
      }
    } finally {
      await agent.context().close();
      await officer.context().close();
    }
  });

  void test('issue 12 item 20: on a wide screen the main content lines up with the header and footer', async () => {
    const page = await signedIn(1920);
    try {
      for (const path of ['/staff', '/staff/queues', '/staff/messages']) {
        await page.goto(path);
        await checkPage(page);
        const edges = (await page.evaluate(() =>
          Object.fromEntries(
            Object.entries({
              header: '.govuk-generic-header .govuk-width-container',
              footer: '.govuk-footer .govuk-width-container',
              main: 'main',
              h1: 'main h1',
            }).map(([key, selector]) => [
              key,
              document.querySelector(selector)!.getBoundingClientRect().left,
            ]),
          ),
        )) as Record<'header' | 'footer' | 'main' | 'h1', number>;
        assert.ok(edges.header > 100, `${path}: the header is centred (left edge ${edges.header}px)`);
        assert.equal(
          Math.round(edges.main),
          Math.round(edges.header),
          `${path}: main lines up with the header`,
        );
        assert.equal(
          Math.round(edges.footer),
          Math.round(edges.header),
          `${path}: the footer lines up with the header`,
        );
        assert.equal(
          Math.round(edges.h1),
          Math.round(edges.header),
          `${path}: the heading lines up with the header`,
        );
      }
    } finally {
      await page.context().close();
    }
  });
  void test('issue 12 item 21: without JavaScript, answers sent after the time-out are kept and sent after signing in', async () => {
    const context = await newContext(browser, server.baseURL, { javaScriptEnabled: false });
    const page = await context.newPage();
    // axe-core needs JavaScript: each page is checked again, as the same person, in a context that has it.
    const checker = await newContext(browser, server.baseURL);
    const checkWithJavaScript = async () => {
      await checker.addCookies(await context.cookies());
      const copy = await checker.newPage();
      await copy.goto(page.url());
      await checkPage(copy);
      await copy.close();
    };
    try {
      await page.goto('/staff/sign-in');
      await page.fill('#email', 'agent@county.example.gov.uk');
      await page.fill('#password', DEMO_PASSWORD);
      await Promise.all([page.waitForEvent('load'), page.click('[data-testid=sign-in]')]);
      await page.goto(await customerPath(page));
      assert.match(
        await page.locator('[data-testid=sign-out-time]').innerText(),
        /^You will be signed out at \d\d:\d\d if you do nothing$/,
      );
      const summary = 'Asked when her Blue Badge will arrive; said we would ring back on Friday.';
      await page.check('input[name=channel][value=phone]');
      await page.fill('#summary', summary);
      await page.check('input[name=outcome][value=callback]');
      clock.advance(31 * 60_000); // the phone call took longer than the session lasts
      await Promise.all([page.waitForEvent('load'), page.click('[data-testid=save-contact]')]);
      assert.equal(new URL(page.url()).pathname, '/staff/sign-in');
      await checkWithJavaScript();
      assert.match(await page.locator('[data-testid=answers-kept-notice]').innerText(), /kept the answers/);

      await page.fill('#email', 'agent@county.example.gov.uk');
      await page.fill('#password', DEMO_PASSWORD);
      await Promise.all([page.waitForEvent('load'), page.click('[data-testid=sign-in]')]);
      assert.match(new URL(page.url()).pathname, /^\/staff\/answers-kept\//);
      await checkWithJavaScript();
      assert.match(await page.locator('[data-testid=kept-answers]').innerText(), /ring back on Friday/);
      await Promise.all([page.waitForEvent('load'), page.click('[data-testid=send-kept-answers]')]);
      assert.match(new URL(page.url()).pathname, /^\/staff\/customers\//);
      assert.match(
        await page.locator('[data-testid=timeline-item]').first().innerText(),
        /ring back on Friday/,
      );
    } finally {
      await context.close();
      await checker.close();
    }
  });
});
