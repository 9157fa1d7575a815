/**
 * Webchat closed (issue 16): on 25 December (injected clock) portal pages show no "Chat with us", the
 * contact page says chat is closed and links the message form, which shows the hours, round-trips its
 * errors and becomes a case whose reference the confirmation shows. axe (WCAG 2.2 AA) on every page, with
 * and without JavaScript.
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
import { buildAuthority, buildTeam } from '../../test/builders/index.ts';
import { installShippedService } from '../../test/builders/services.ts';

const skip = chromiumMissing();
const clock = new TestClock('2026-12-25T11:00:00Z'); // Christmas Day
let server: RunningServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  server = await startServer(
    async (t) => {
      // The general enquiry service a message becomes a case of.
      const db = t.database.db;
      const authority = await buildAuthority(db, { name: 'Wessex City Council' });
      const team = await buildTeam(db, authority.id, { code: 'contact-centre', name: 'Contact centre' });
      const service = await installShippedService(db, {
        authorityId: authority.id,
        teamId: team.id,
        slug: 'general-enquiry',
      });
      await db
        .updateTable('services')
        .set({ slug: 'general-enquiry' })
        .where('id', '=', service.id)
        .execute();
    },
    { clock },
  );
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

void describe('webchat closed on Christmas Day', { skip }, () => {
  void test('the contact page, the message form (errors, then sent) and the confirmation, with and without JavaScript', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const context = await newContext(browser, server.baseURL, { javaScriptEnabled });
      const page = await context.newPage();

      await page.goto('/');
      assert.equal(
        await page.locator('[data-testid=chat-entry]').count(),
        0,
        'no "Chat with us" when closed',
      );

      await page.goto('/contact');
      const status = await page.locator('[data-testid=contact-chat]').innerText();
      assert.match(status, /Webchat is closed\. It opens again on Tuesday 29 December at 9am\./);
      assert.equal(await page.locator('[data-testid=chat-entry]').count(), 0);
      await assertPageBasics(page);
      if (javaScriptEnabled) await assertAccessible(page); // axe needs page scripts

      await Promise.all([
        page.waitForURL('**/contact/message?reason=closed'),
        page.click('[data-testid=contact-chat] a'),
      ]);
      assert.match(await page.title(), /^Webchat is closed/);
      assert.match(
        await page.locator('[data-testid=chat-unavailable]').innerText(),
        /It opens again on Tuesday 29 December at 9am/,
      );
      assert.match(await page.locator('[data-testid=chat-hours]').innerText(), /Monday\s+9am to 5pm/);
      await assertPageBasics(page);
      if (javaScriptEnabled) await assertAccessible(page); // axe needs page scripts

      await page.fill('#message', 'My bin was not emptied on Wednesday.');
      await page.click('[data-testid=send-chat-message]');
      await page.waitForSelector('.govuk-error-summary');
      assert.match(await page.title(), /^Error:/);
      const summary = await page.locator('.govuk-error-summary').innerText();
      assert.match(summary, /Enter your name/);
      assert.match(summary, /Enter an email address or a phone number so we can reply/);
      assert.equal(await page.inputValue('#message'), 'My bin was not emptied on Wednesday.');
      await assertPageBasics(page);
      if (javaScriptEnabled) await assertAccessible(page); // axe needs page scripts

      await page.fill('#name', 'Margaret Thompson');
      await page.fill('#email', 'margaret@example.org');
      await Promise.all([
        page.waitForURL(/\/contact\/message\/[0-9a-f-]{36}$/),
        page.click('[data-testid=send-chat-message]'),
      ]);
      const reference = await page.locator('[data-testid=chat-message-reference]').innerText();
      assert.match(reference, /^[A-Z0-9-]{6,}$/);
      assert.match(await page.locator('[data-testid=chat-message-sent]').innerText(), /Message sent/);
      await assertPageBasics(page);
      if (javaScriptEnabled) await assertAccessible(page); // axe needs page scripts

      const made = await server.database.db
        .selectFrom('cases')
        .select(['origin_channel', 'answers'])
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow();
      assert.equal(made.origin_channel, 'webchat');
      assert.equal(made.answers.chatUnavailableReason, 'closed');
      await context.close();
    }
  });
});
