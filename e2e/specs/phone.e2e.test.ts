/**
 * Acceptance (issue 14, phone channel), over the seeded demo council, in a real browser:
 *
 * A call event arrives for Margaret Thompson's number; the signed-in agent's page shows her single view
 * without a reload (the screen pop over server-sent events). She asks for a callback; the agent promises
 * one for 14:00 the next working day. The next day the reminder fires before it (on the agent's open page);
 * the agent calls her back (a second event sequence, outbound), wraps up as resolved, and the callback shows
 * as kept on time. The same journey works with JavaScript off through the home's "Current call" panel.
 * Every page passes axe-core (checked with JavaScript on: axe runs in the page).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { checkPage, chromiumMissing, launch, newContext } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.ts';
import { TestClock } from '../../src/platform/clock.ts';
import { jobHandlers } from '../../src/worker.ts';
import { CALLBACKS_SCAN_TOPIC } from '../../src/modules/callbacks/index.ts';
import { genericSignatureFor } from '../../test/support/telephony.ts';

const skip = chromiumMissing();
const SECRET = 'e2e-telephony-secret-0123456789';
const AGENT = 'agent@city.example.gov.uk'; // Chloe Davies, the city's contact-centre agent, extension 3001
const MARGARET = '07700 900123';
const CITY_LINE = '01632 960500';
// Monday 7 December 2026, 10:00 in London (GMT).
const clock = new TestClock('2026-12-07T10:00:00Z');

let server: RunningServer;
let browser: Browser;
let margaretId = '';

before(async () => {
  if (skip) return;
  server = await startServer(
    async (t) => {
      await seedDemo(t.database.db, { customers: 20 });
      const margaret = await t.database.db
        .selectFrom('customers')
        .select('id')
        .where('given_name', '=', 'Margaret')
        .where('family_name', '=', 'Thompson')
        .executeTakeFirstOrThrow();
      margaretId = margaret.id;
    },
    { clock, env: { TELEPHONY_SECRET: SECRET } },
  );
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function send(event: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify(event);
  const response = await fetch(`${server.baseURL}/telephony/v1/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-frontdoor-signature': genericSignatureFor(SECRET, body),
    },
    body,
  });
  assert.equal(response.status, 200, await response.text());
}

async function signIn(page: Page): Promise<void> {
  await page.goto('/staff/sign-in');
  await page.fill('#email', AGENT);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL('**/staff'), page.click('[data-testid=sign-in]')]);
}

/** Margaret rings the city's main line and the agent on extension 3001 answers. */
async function margaretRings(at: string): Promise<string> {
  const callId = `call-${randomUUID()}`;
  const t = new Date(at).getTime();
  const iso = (s: number) => new Date(t + s * 1000).toISOString();
  await send({ event: 'newCall', callId, from: MARGARET, to: CITY_LINE, direction: 'in', timestamp: iso(0) });
  await send({ event: 'ivr', callId, path: ['1'], queue: 'city-main', timestamp: iso(8) });
  await send({ event: 'ringing', callId, extension: '3001', timestamp: iso(15) });
  await send({ event: 'answer', callId, extension: '3001', timestamp: iso(18) });
  return callId;
}

/** The agent calls Margaret back from extension 3001: she answers, they talk for four minutes. */
async function agentCallsBack(at: string): Promise<void> {
  const callId = `call-${randomUUID()}`;
  const t = new Date(at).getTime();
  const iso = (s: number) => new Date(t + s * 1000).toISOString();
  await send({
    event: 'newCall',
    callId,
    from: CITY_LINE,
    to: MARGARET,
    direction: 'out',
    timestamp: iso(0),
  });
  await send({ event: 'ringing', callId, extension: '3001', timestamp: iso(2) });
  await send({ event: 'answer', callId, extension: '3001', timestamp: iso(10) });
  await send({ event: 'hangup', callId, cause: 'normalClearing', timestamp: iso(250) });
}

async function promiseCallback(page: Page, day: string, axe = true): Promise<void> {
  if (axe) await checkPage(page);
  await page.check('input[name=when][value=agreed]');
  await page.fill('#agreedDate-day', day);
  await page.fill('#agreedDate-month', '12');
  await page.fill('#agreedDate-year', '2026');
  await page.fill('#agreedTime', '14:00');
  await page.fill('#topic', 'Her blue badge renewal: she wants to know it has been posted');
  await Promise.all([
    page.waitForURL(/\/staff\/callbacks\/[0-9a-f-]{36}/),
    page.click('[data-testid=promise]'),
  ]);
  if (axe) await checkPage(page);
}

async function callbackOf(dueAt: string) {
  return server.database.db
    .selectFrom('callbacks')
    .selectAll()
    .where('customer_id', '=', margaretId)
    .where('due_at', '=', new Date(dueAt))
    .executeTakeFirstOrThrow();
}

async function remind(): Promise<void> {
  const handlers = jobHandlers({
    db: server.database.db,
    clock,
    sessionIdleMinutes: 30,
    config: server.config,
  });
  await handlers[CALLBACKS_SCAN_TOPIC]({
    id: 0,
    topic: CALLBACKS_SCAN_TOPIC,
    payload: {},
    attempts: 1,
    authorityId: null,
  });
}

async function wrapUpResolved(page: Page, axe = true): Promise<void> {
  await page.check('input[name=outcome][value=resolved]');
  await Promise.all([page.waitForURL(/done=wrapped/), page.click('[data-testid=save-wrap-up]')]);
  if (axe) await checkPage(page);
  assert.match(await page.locator('[data-testid=wrap-up-summary]').innerText(), /Resolved at first contact/);
}

void describe('issue 14: the phone channel end to end', { skip }, () => {
  test('issue 14 acceptance: screen pop without a reload, a callback promised for 14:00 the next working day, the reminder, the call back, kept on time', async () => {
    clock.set('2026-12-07T10:00:00Z');
    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    await signIn(page);
    await checkPage(page);
    // The page is open and listening; the call arrives and her record opens by itself.
    await page.waitForLoadState('networkidle').catch(() => undefined);
    const popped = page.waitForURL(`**/staff/customers/${margaretId}?call=*`, { timeout: 10_000 });
    await margaretRings('2026-12-07T10:00:00Z');
    await popped;
    assert.match(await page.locator('[data-testid=customer-name]').innerText(), /Margaret Thompson/);
    assert.equal(await page.locator('[data-testid=current-call-bar]').count(), 1);
    await checkPage(page);

    // She asks for a callback tomorrow afternoon: the agent promises one for 14:00 on Tuesday.
    await Promise.all([
      page.waitForURL('**/staff/callbacks/new?*'),
      page.click('[data-testid=current-call-bar-callback]'),
    ]);
    await promiseCallback(page, '8');
    const promised = await callbackOf('2026-12-08T14:00:00Z');
    assert.equal(promised.status, 'open');

    // Tuesday, 13:46 (the reminder goes 15 minutes before): the agent signs in again; the home shows the callback due, and the reminder fires on the open page.
    clock.set('2026-12-08T13:46:00Z');
    await signIn(page);
    assert.match(await page.locator('[data-testid=callbacks-due]').innerText(), /Margaret Thompson/);
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await remind();
    await page.locator('[data-testid=push-banner]').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('[data-testid=push-banner]').innerText(), /Margaret Thompson|callback/i);
    assert.ok((await callbackOf('2026-12-08T14:00:00Z')).reminded_at, 'the reminder is recorded');

    // 13:50: the agent calls her back; she answers. The call shows as the current one: wrap it up as resolved.
    clock.set('2026-12-08T13:50:00Z');
    await agentCallsBack('2026-12-08T13:50:00Z');
    clock.set('2026-12-08T13:55:00Z');
    await page.goto('/staff');
    await Promise.all([
      page.waitForURL('**/staff/calls/*'),
      page.click('[data-testid=current-call-wrap-up]'),
    ]);
    await wrapUpResolved(page);

    const kept = await callbackOf('2026-12-08T14:00:00Z');
    assert.equal(kept.status, 'kept');
    assert.equal(kept.kept_on_time, true);
    await page.goto(`/staff/callbacks/${kept.id}`);
    await checkPage(page);
    assert.match(await page.locator('main').innerText(), /Kept/);
    assert.deepEqual(context.unexpected, []);
    await context.close();
  });

  test('issue 14 acceptance: the same journey without JavaScript, through the Current call panel', async () => {
    clock.set('2026-12-09T09:30:00Z'); // Wednesday
    const context = await newContext(browser, server.baseURL, { javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page);
    await margaretRings('2026-12-09T09:30:00Z');
    // No push without JavaScript: the home, loaded again, shows the call with a link to her record.
    await page.goto('/staff');
    assert.match(await page.locator('[data-testid=current-call]').innerText(), /Margaret Thompson/);
    await Promise.all([
      page.waitForURL(`**/staff/customers/${margaretId}?call=*`),
      page.click('[data-testid=current-call-link]'),
    ]);
    assert.match(await page.locator('[data-testid=customer-name]').innerText(), /Margaret Thompson/);
    await Promise.all([
      page.waitForURL('**/staff/callbacks/new?*'),
      page.click('[data-testid=current-call-bar-callback]'),
    ]);
    await promiseCallback(page, '10', false); // Thursday 10 December, 14:00

    clock.set('2026-12-10T13:46:00Z');
    await signIn(page);
    await remind();
    // The reminder's no-JavaScript twin: the home's "Callbacks due" panel.
    await page.goto('/staff');
    assert.match(await page.locator('[data-testid=callbacks-due]').innerText(), /Margaret Thompson/);
    assert.ok((await callbackOf('2026-12-10T14:00:00Z')).reminded_at);

    clock.set('2026-12-10T13:50:00Z');
    await agentCallsBack('2026-12-10T13:50:00Z');
    clock.set('2026-12-10T13:55:00Z');
    await page.goto('/staff');
    assert.match(await page.locator('[data-testid=current-call]').innerText(), /Call to Margaret Thompson/);
    await Promise.all([
      page.waitForURL('**/staff/calls/*'),
      page.click('[data-testid=current-call-wrap-up]'),
    ]);
    await wrapUpResolved(page, false);
    const kept = await callbackOf('2026-12-10T14:00:00Z');
    assert.equal(kept.status, 'kept');
    assert.equal(kept.kept_on_time, true);
    assert.deepEqual(context.unexpected, []);
    await context.close();
  });
});
