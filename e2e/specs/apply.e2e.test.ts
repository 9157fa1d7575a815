/**
 * Acceptance (issue 3, part A): residents apply for council services in a real browser.
 *
 * 1. A guest applies for a Blue Badge: a bad postcode shows an error summary and keeps every other
 *    answer; check answers; confirmation with a reference; the acknowledgement is in the outbox; then the
 *    guest tracks the request with a one-time code.
 * 2. Data-driven: EVERY service in `loadServiceDefinitions()` is completed end to end with valid answers
 *    generated from each question's type, once with JavaScript (axe-core on every page) and once
 *    without JavaScript; each run must create a case.
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
import { buildAuthority, buildStaff, buildTeam, TEST_PASSWORD, uniq } from '../../test/builders/index.ts';
import {
  loadServiceDefinitions,
  type FormQuestion,
  type ServiceDefinition,
} from '../../src/modules/services/index.ts';
import { expandForm, seedDemoAddresses } from '../../src/modules/forms/index.ts';

const skip = chromiumMissing();
let server: RunningServer;
let browser: Browser;
/** Each shipped definition, installed under a unique slug (the test database may be shared). */
const installed: { definition: ServiceDefinition; slug: string; id: string }[] = [];

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(400, 7),
]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(400, 0x20)]);

before(async () => {
  if (skip) return;
  server = await startServer(async (t) => {
    const db = t.database.db;
    await seedDemoAddresses(db);
    const teams = new Map<string, { authorityId: string; teamId: string }>();
    for (const definition of loadServiceDefinitions()) {
      if (!teams.has(definition.authority)) {
        const authority = await buildAuthority(db, {
          kind: definition.authority === 'city' ? 'city' : 'county',
          name: definition.authority === 'city' ? 'Kingsbridge City Council' : 'Wessex County Council',
        });
        const team = await buildTeam(db, authority.id);
        teams.set(definition.authority, { authorityId: authority.id, teamId: team.id });
      }
      const owner = teams.get(definition.authority)!;
      const slug = uniq(definition.slug.slice(0, 40).replace(/-+$/, ''));
      const row = await db
        .insertInto('services')
        .values({
          authority_id: owner.authorityId,
          team_id: owner.teamId,
          slug,
          name: definition.name,
          category: definition.category,
          summary: definition.summary,
          synonyms: definition.synonyms,
          keywords: definition.synonyms.join(' '),
          definition: JSON.stringify({ ...definition, slug }),
          definition_version: definition.version,
          sla: JSON.stringify(definition.sla),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      installed.push({ definition, slug, id: row.id });
    }
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function check(page: Page, axe: boolean): Promise<void> {
  await assertPageBasics(page);
  if (axe) await assertAccessible(page);
}

async function clickAndWait(page: Page, selector: string): Promise<void> {
  await page.click(selector);
  await page.waitForLoadState('load');
}

const casesFor = (serviceId: string) =>
  server.database.db
    .selectFrom('cases')
    .select(['id', 'reference', 'origin_channel'])
    .where('service_id', '=', serviceId)
    .execute();

/** A text answer that satisfies the question's pattern and length rules. */
function textAnswer(q: FormQuestion): string {
  const v = q.validation ?? {};
  const candidates = [...(q.examples ?? []), 'QQ123456C', 'AB12 CDE', '51234567', 'Some words about it'];
  return (
    candidates.find(
      (c) =>
        (!v.pattern || new RegExp(v.pattern).test(c)) &&
        c.length <= (v.maxLength ?? 500) &&
        c.length >= (v.minLength ?? 0),
    ) ?? 'x'
  );
}

/** Fills one question page with valid answers generated from the question types, then continues. */
async function answerPage(page: Page, definition: ServiceDefinition, axe: boolean): Promise<void> {
  const pageId = new URL(page.url()).pathname.split('/').pop() ?? '';
  const formPage = expandForm(definition).form.pages.find((p) => p.id === pageId);
  assert.ok(formPage, `${definition.slug}: unexpected page ${page.url()}`);
  await check(page, axe);
  // Addresses first: "Find address" posts the page and shows it again with the list.
  for (const q of formPage.questions.filter((x) => x.type === 'address')) {
    if (!(await page.locator(`#${q.id}-postcode`).isVisible())) continue;
    await page.fill(`#${q.id}-postcode`, 'KB1 2AB');
    await clickAndWait(page, `button[value="find:${q.id}"]`);
    await page.selectOption(`#${q.id}-uprn`, { index: 1 });
    await check(page, axe);
  }
  const chosen: Record<string, string> = {};
  for (const q of formPage.questions) {
    if (q.showIf && chosen[q.showIf.question] !== undefined && chosen[q.showIf.question] !== q.showIf.equals)
      continue;
    const visible = async (selector: string) =>
      (await page.locator(selector).count()) > 0 && page.locator(selector).first().isVisible();
    switch (q.type) {
      case 'text':
      case 'textarea':
        if (await visible(`#${q.id}`)) await page.fill(`#${q.id}`, textAnswer(q));
        break;
      case 'number':
        if (await visible(`#${q.id}`)) await page.fill(`#${q.id}`, String(q.validation?.min ?? 1));
        break;
      case 'email':
        if (await visible(`#${q.id}`)) await page.fill(`#${q.id}`, 'resident@example.com');
        break;
      case 'phone':
        if (await visible(`#${q.id}`)) await page.fill(`#${q.id}`, '07700 900 982');
        break;
      case 'postcode':
        if (await visible(`#${q.id}`)) await page.fill(`#${q.id}`, 'KB1 2AB');
        break;
      case 'radios':
      case 'checkboxes':
        if (await visible(`#${q.id}`)) {
          await page.check(`#${q.id}`);
          chosen[q.id] = q.options?.[0]?.value ?? '';
        }
        break;
      case 'date':
        if (await visible(`#${q.id}-day`)) {
          // A recent day where the service takes reports only for a few working days (a missed bin): today.
          const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
          // A date of birth within the service's limit (a child's for school admissions): half of it ago.
          const maxYears = q.validation?.maxYearsAgo;
          const [y, m, d] = q.validation?.notInPast
            ? ['2030', '6', '3']
            : q.validation?.maxWorkingDaysAgo !== undefined
              ? today.split('-').map((n) => String(Number(n)))
              : maxYears !== undefined && maxYears < 80
                ? [String(Number(today.slice(0, 4)) - Math.ceil(maxYears / 2)), '3', '27']
                : ['1950', '3', '27'];
          await page.fill(`#${q.id}-day`, d);
          await page.fill(`#${q.id}-month`, m);
          await page.fill(`#${q.id}-year`, y);
        }
        break;
      case 'location':
        if (await visible(`#${q.id}-description`))
          await page.fill(`#${q.id}-description`, 'Outside the library on High Street');
        break;
      case 'file':
        if (await visible(`#${q.id}`)) {
          const pdf = q.validation?.fileTypes?.includes('.pdf') ?? true;
          await page.setInputFiles(`#${q.id}`, {
            name: pdf ? 'evidence.pdf' : 'photo.png',
            mimeType: pdf ? 'application/pdf' : 'image/png',
            buffer: pdf ? PDF : PNG,
          });
        }
        break;
      case 'address':
        break;
    }
  }
  await clickAndWait(page, '[data-testid=continue]');
  const errors = await page.locator('.govuk-error-summary').count();
  assert.equal(
    errors,
    0,
    `${definition.slug}/${pageId}: ${errors ? await page.locator('.govuk-error-summary').innerText() : ''}`,
  );
}

/** Start → every page → check answers → send; returns the reference on the confirmation page. */
async function completeService(page: Page, entry: (typeof installed)[number], axe: boolean): Promise<string> {
  await page.goto(`/services/${entry.slug}`);
  await check(page, axe);
  await clickAndWait(page, '[data-testid=start-now]');
  for (let step = 0; step < 12 && !new URL(page.url()).pathname.endsWith('/check'); step += 1)
    await answerPage(page, entry.definition, axe);
  assert.match(new URL(page.url()).pathname, /\/check$/, `${entry.definition.slug}: reached check answers`);
  await check(page, axe);
  await clickAndWait(page, '[data-testid=submit]');
  assert.match(new URL(page.url()).pathname, /\/confirmation$/, entry.definition.slug);
  await check(page, axe);
  return (await page.locator('[data-testid=reference]').innerText()).trim();
}

void describe('apply for a service', { skip }, () => {
  void test('a guest applies for a Blue Badge: error summary keeps answers, check answers, confirmation, acknowledgement queued, tracks it, sees a staff status change, then signs in by code and replies', async () => {
    const entry = installed.find((s) => s.definition.slug === 'apply-for-a-blue-badge');
    assert.ok(entry);
    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    await page.goto(`/services/${entry.slug}`);
    await check(page, true);
    await clickAndWait(page, '[data-testid=start-now]');

    // Who the badge is for: "Someone else" asks for their name on a follow-up page.
    await check(page, true);
    await page.check('#applyingFor-2');
    await page.fill('#badgeHolderDateOfBirth-day', '27');
    await page.fill('#badgeHolderDateOfBirth-month', '3');
    await page.fill('#badgeHolderDateOfBirth-year', '1948');
    await clickAndWait(page, '[data-testid=continue]');
    assert.match(new URL(page.url()).pathname, /\/who--more$/);
    await check(page, true);
    await page.fill('#badgeHolderName', 'Charles Babbage');
    await clickAndWait(page, '[data-testid=continue]');

    // Benefits.
    await check(page, true);
    await page.check('#benefit');
    await clickAndWait(page, '[data-testid=continue]');

    // Photo and proof.
    await check(page, true);
    await page.fill('#nationalInsuranceNumber', 'QQ 12 34 56 C');
    await page.setInputFiles('#photo', { name: 'face.png', mimeType: 'image/png', buffer: PNG });
    await page.setInputFiles('#proofOfAddress', {
      name: 'council-tax.pdf',
      mimeType: 'application/pdf',
      buffer: PDF,
    });
    await clickAndWait(page, '[data-testid=continue]');

    // Contact details with a bad postcode.
    await check(page, true);
    await page.fill('#givenName', 'Ada');
    await page.fill('#familyName', 'Lovelace');
    await page.fill('#email', 'ada@example.com');
    await page.fill('#phone', '07700 900 982');
    await page.fill('#address-postcode', 'NOT A POSTCODE');
    await page.check('#contactBy');
    await clickAndWait(page, '[data-testid=continue]');
    assert.match(await page.title(), /^Error: /);
    assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter a real postcode/);
    assert.equal(await page.inputValue('#givenName'), 'Ada');
    assert.equal(await page.inputValue('#familyName'), 'Lovelace');
    assert.equal(await page.inputValue('#email'), 'ada@example.com');
    assert.equal(await page.inputValue('#phone'), '07700 900 982');
    assert.equal(await page.inputValue('#address-postcode'), 'NOT A POSTCODE');
    assert.ok(await page.isChecked('#contactBy'));
    await check(page, true);
    // The error summary links to the field.
    await page.click('.govuk-error-summary a[href="#address-postcode"]');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'address-postcode');

    await page.fill('#address-postcode', 'kb1 2ab');
    await clickAndWait(page, 'button[value="find:address"]');
    await check(page, true);
    await page.selectOption('#address-uprn', { index: 1 });
    await clickAndWait(page, '[data-testid=continue]');

    // Check answers.
    assert.match(new URL(page.url()).pathname, /\/check$/);
    await check(page, true);
    const summary = await page.locator('main').innerText();
    for (const text of [
      'Someone else',
      'Charles Babbage',
      '27 March 1948',
      'face.png',
      'council-tax.pdf',
      'Ada',
      'KB1 2AB',
    ])
      assert.ok(summary.includes(text), `check answers shows ${text}`);
    await clickAndWait(page, '[data-testid=submit]');

    // Confirmation.
    await check(page, true);
    const reference = (await page.locator('[data-testid=reference]').innerText()).trim();
    assert.match(reference, /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    const db = server.database.db;
    const created = await db
      .selectFrom('cases')
      .select(['id', 'guest_email'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    assert.equal(created.guest_email, 'ada@example.com');
    const outbox = await db
      .selectFrom('outbox')
      .select(['id', 'topic'])
      .where('dedupe_key', 'like', `%case.acknowledgement:${created.id}`)
      .execute();
    assert.equal(outbox.length, 1, 'an outbox row delivers the acknowledgement');

    // Track it with a one-time code.
    await page.goto('/track');
    await check(page, true);
    await page.fill('#reference', reference.toLowerCase().replace('-', ' '));
    await page.fill('#contact', 'ada@example.com');
    await clickAndWait(page, '[data-testid=track-continue]');
    await check(page, true);
    const message = await db
      .selectFrom('messages')
      .select('body')
      .where('case_id', '=', created.id)
      .where('template', '=', 'resident.track_code')
      .executeTakeFirstOrThrow();
    await page.fill('#code', /\b(\d{6})\b/.exec(message.body)?.[1] ?? '');
    await clickAndWait(page, '[data-testid=code-continue]');
    await check(page, true);
    assert.match(await page.locator('[data-testid=request-status]').innerText(), /Received/);
    assert.match(await page.locator('[data-testid=timeline]').innerText(), /Request received/);
    await page.fill('#message', 'I have a new phone number: 07700 900 123.');
    await clickAndWait(page, '[data-testid=send-reply]');
    await check(page, true);
    assert.ok(await page.locator('[data-testid=reply-sent]').isVisible());

    // A member of the owning team opens the case and moves it on; the resident sees it and gets a message.
    const owner = await db
      .selectFrom('cases')
      .select(['authority_id', 'team_id'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    const officer = await buildStaff(db, owner.authority_id, {
      roles: ['officer'],
      teamIds: [owner.team_id],
    });
    const staffContext = await newContext(browser, server.baseURL);
    const staffPage = await staffContext.newPage();
    await staffPage.goto('/staff/sign-in');
    await staffPage.fill('#email', officer.email);
    await staffPage.fill('#password', TEST_PASSWORD);
    await clickAndWait(staffPage, '[data-testid=sign-in]');
    await staffPage.goto(`/staff/cases/${created.id}`);
    await check(staffPage, true);
    assert.match(await staffPage.locator('[data-testid=case-reference]').innerText(), new RegExp(reference));
    assert.match(await staffPage.locator('[data-testid=messages]').innerText(), /new phone number/);
    const choice = staffPage.locator('input[name=status]').first();
    const nextStatus = await choice.inputValue();
    await choice.check();
    await clickAndWait(staffPage, '[data-testid=change-status]');
    await check(staffPage, true);
    assert.ok(await staffPage.locator('[data-testid=success-banner]').isVisible());
    await staffContext.close();

    await page.reload();
    await check(page, true);
    const timeline = await page.locator('[data-testid=timeline]').innerText();
    const statusNow = await page.locator('[data-testid=request-status]').innerText();
    assert.doesNotMatch(statusNow, /^Received$/, `the resident sees the new status (${nextStatus})`);
    assert.ok(timeline.length > 0);
    const statusMessages = await db
      .selectFrom('messages')
      .select('id')
      .where('case_id', '=', created.id)
      .where('template', '=', 'case.status_changed')
      .execute();
    assert.equal(statusMessages.length, 1, 'the status change sends the resident a message');

    // The resident signs in with a code to the same email: the request is in "Your requests" with its new
    // status, and they reply from there.
    await page.goto('/account/sign-in');
    await check(page, true);
    await page.fill('#email', 'ada@example.com');
    await clickAndWait(page, '[data-testid=continue]');
    const signInCode = await db
      .selectFrom('messages')
      .select('body')
      .where('recipient', '=', 'ada@example.com')
      .where('template', '=', 'resident.sign_in_code')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    await page.fill('#code', /\b(\d{6})\b/.exec(signInCode.body)?.[1] ?? '');
    await clickAndWait(page, '[data-testid=submit-code]');
    await page.goto('/account/requests');
    await check(page, true);
    const requests = await page.locator('[data-testid=requests]').innerText();
    assert.match(requests, new RegExp(reference));
    assert.match(requests, new RegExp(statusNow.trim()));
    await clickAndWait(page, `a:has-text("${reference}")`);
    await check(page, true);
    await page.fill('#message', 'Thank you. I can send a photo of my current badge if that helps.');
    await clickAndWait(page, '[data-testid=send-reply]');
    await check(page, true);
    assert.ok(await page.locator('[data-testid=reply-sent]').isVisible());
    assert.deepEqual(context.unexpected, [], 'no requests to other origins');
    await context.close();
  });

  void test('question pages fit a 320px-wide screen', async () => {
    const entry = installed.find((s) => s.definition.slug === 'report-a-road-problem');
    assert.ok(entry);
    const context = await newContext(browser, server.baseURL, { width: 320 });
    const page = await context.newPage();
    await page.goto(`/services/${entry.slug}/start`);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `${page.url()} scrolls sideways by ${overflow}px`);
    await context.close();
  });

  void test('every service can be completed end to end with JavaScript, with no accessibility violations on any page', async () => {
    const context = await newContext(browser, server.baseURL);
    const page = await context.newPage();
    for (const entry of installed) {
      const before = (await casesFor(entry.id)).length;
      const reference = await completeService(page, entry, true);
      const after = await casesFor(entry.id);
      assert.equal(after.length, before + 1, `${entry.definition.slug}: one case created`);
      assert.ok(after.some((c) => c.reference === reference));
    }
    assert.deepEqual(context.unexpected, []);
    await context.close();
  });

  void test('every service can be completed end to end without JavaScript', async () => {
    const context = await newContext(browser, server.baseURL, { javaScriptEnabled: false });
    const page = await context.newPage();
    for (const entry of installed) {
      const before = (await casesFor(entry.id)).length;
      const reference = await completeService(page, entry, false);
      const after = await casesFor(entry.id);
      assert.equal(after.length, before + 1, `${entry.definition.slug}: one case created without JavaScript`);
      assert.ok(after.some((c) => c.reference === reference && c.origin_channel === 'web'));
    }
    await context.close();
  });
});
