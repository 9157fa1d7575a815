/**
 * "Track a request" as a guest: reference + contact → one-time code → the request page and its reply
 * form. Codes are single use, expire after 15 minutes (moved with a TestClock), allow 5 attempts, and the
 * first step answers the same whether or not anything matched.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { buildAuthority, buildTeam, uniq } from './builders/index.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';
import { TestClock } from '../src/platform/clock.ts';
import { withTransaction, type Db } from '../src/platform/db/index.ts';
import {
  changeStatus,
  createCase,
  getCaseTimeline,
  loadCaseService,
  type CreatedCase,
} from '../src/modules/cases/index.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
});
after(() => t.close());

async function makeCase(
  contact: { email?: string; phone?: string } = { email: 'ada@example.com' },
): Promise<CreatedCase> {
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id);
  const slug = uniq('track');
  const definition = {
    version: 1,
    slug,
    name: 'Apply for a track test permit',
    authority: 'county',
    team: 'permits',
    category: 'Test services',
    summary: 'A service used by the tracking tests.',
    beforeYouStart: [],
    synonyms: [],
    sensitivity: 'normal',
    kind: 'application',
    sla: { unit: 'working_days', amount: 10 },
    retentionDays: 365,
    annualVolume: 0,
    workflow: {
      statuses: [
        {
          code: 'received',
          label: 'Received',
          customerLabel: 'Received',
          customerVisible: true,
          next: ['checking'],
        },
        {
          code: 'checking',
          label: 'Checking',
          customerLabel: 'We are checking your application',
          customerVisible: true,
          next: ['done'],
        },
        { code: 'done', label: 'Done', customerLabel: 'Permit sent', customerVisible: true, next: [] },
      ],
      initial: 'received',
      closed: ['done'],
    },
    form: {
      pages: [
        {
          id: 'details',
          title: 'Details',
          questions: [{ id: 'details', type: 'text', label: 'Details', required: true }],
        },
      ],
    },
  };
  const row = await db
    .insertInto('services')
    .values({
      authority_id: authority.id,
      team_id: team.id,
      slug,
      name: definition.name,
      category: 'Test services',
      summary: definition.summary,
      definition: JSON.stringify(definition),
      sla: JSON.stringify(definition.sla),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const service = await loadCaseService(db, { id: row.id });
  assert.ok(service);
  const created = await withTransaction(db, (trx) =>
    createCase(trx, {
      service,
      contact: { name: 'Ada Lovelace', ...contact },
      answers: { details: 'x' },
      formVersion: 1,
      channel: 'web',
      receivedAt: clock.now(),
      idempotencyKey: uniq('track'),
    }),
  );
  await withTransaction(db, (trx) =>
    changeStatus(trx, created.id, 'checking', { kind: 'system' }, { at: clock.now() }),
  );
  return created;
}

const location = (res: LightMyRequestResponse) => String(res.headers.location ?? '');

async function askForCode(browser: Browser, reference: string, contact: string) {
  return browser.submit('/track', '/track', { reference, contact });
}

async function latestCode(caseId: string): Promise<string> {
  const message = await db
    .selectFrom('messages')
    .select('body')
    .where('case_id', '=', caseId)
    .where('template', '=', 'resident.track_code')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  const code = /\b(\d{6})\b/.exec(message.body)?.[1];
  assert.ok(code, 'the message holds a 6-digit code');
  return code;
}

const codeMessages = async (caseId: string) =>
  (
    await db
      .selectFrom('messages')
      .select('id')
      .where('case_id', '=', caseId)
      .where('template', '=', 'resident.track_code')
      .execute()
  ).length;

void describe('track a request', () => {
  void test('asking for a code answers the same whether or not the reference and contact match', async () => {
    const created = await makeCase();
    const browser = new Browser(t.app);
    const form = await browser.get('/track');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Check the progress of your request/);
    const matched = await askForCode(browser, created.reference.toLowerCase(), 'ADA@example.com');
    const wrongContact = await askForCode(new Browser(t.app), created.reference, 'someone@example.com');
    const noSuchCase = await askForCode(new Browser(t.app), 'ZZZZ-ZZZZ', 'ada@example.com');
    for (const res of [matched, wrongContact, noSuchCase]) {
      assert.equal(res.statusCode, 303);
      assert.equal(location(res), '/track/code');
    }
    assert.equal(await codeMessages(created.id), 1, 'only the matching request is sent a code');
    const codes = await db
      .selectFrom('one_time_codes')
      .select(['subject', 'code_hash'])
      .where('created_at', '=', clock.now())
      .execute();
    assert.ok(
      codes.every((c) => /^[0-9a-f]{64}$/.test(c.code_hash)),
      'codes are stored hashed',
    );
    // Format problems are shown on the form with the answers kept.
    const bad = await new Browser(t.app).submit('/track', '/track', {
      reference: 'AB',
      contact: 'not a contact',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /<title>Error: /);
    assert.match(bad.body, /href="#reference">Enter a reference number like KX7P-3RMD/);
    assert.match(bad.body, /href="#contact">Enter an email address/);
    assert.match(bad.body, /value="not a contact"/);
  });

  void test('the right code opens the request page once: status, what happens next, expected date and the timeline', async () => {
    const created = await makeCase({ phone: '07700 900 982' });
    const browser = new Browser(t.app);
    await askForCode(browser, created.reference.replace('-', ''), '+44 7700 900982');
    const code = await latestCode(created.id);
    const entry = await browser.get('/track/code');
    assert.equal(entry.statusCode, 200);
    const challengeCookie = browser.cookies.get('fd_track');
    assert.ok(challengeCookie);
    const ok = await browser.submit('/track/code', '/track/code', { code });
    assert.equal(ok.statusCode, 303);
    assert.equal(location(ok), `/track/requests/${created.id}`);
    const page = await browser.get(location(ok));
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(created.reference));
    assert.match(page.body, /data-testid="request-status"><strong>We are checking your application/);
    assert.match(page.body, /get back to you by 7 December 2026/);
    assert.match(page.body, /Expect an answer by/);
    assert.match(page.body, /moj-timeline/);
    assert.match(page.body, /Request received/);
    // The same code cannot be used again, even with its challenge cookie put back.
    browser.cookies.set('fd_track', challengeCookie);
    const reuse = await browser.submit('/track/code', '/track/code', { code });
    assert.equal(reuse.statusCode, 400);
    assert.match(reuse.body, /You cannot use this code any more/);
    // Another browser cannot see the request.
    assert.equal((await new Browser(t.app).get(`/track/requests/${created.id}`)).statusCode, 404);
    const views = await db
      .selectFrom('audit_log')
      .select('action')
      .where('record_id', '=', created.id)
      .where('action', '=', 'case.viewed')
      .execute();
    assert.ok(views.length >= 1, 'reading the request is audited');
  });

  void test('issue 12 item 6: a message the resident wrote shows as sent by them, not "Message from the council", also when written without a direction (as the demo seed did)', async () => {
    const created = await makeCase({ email: 'six@example.com' });
    const { authority_id: authorityId } = await db
      .selectFrom('cases')
      .select('authority_id')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    const customer = await db
      .insertInto('customers')
      .values({ authority_id: authorityId, given_name: 'Six', family_name: 'Resident' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.updateTable('cases').set({ customer_id: customer.id }).where('id', '=', created.id).execute();
    await db
      .insertInto('case_events')
      .values({
        authority_id: authorityId,
        case_id: created.id,
        kind: 'message',
        visible_to_customer: true,
        body: 'Thanks, I will leave the gate open.',
        data: JSON.stringify({}),
        actor_customer_id: customer.id,
        created_at: new Date(clock.now().getTime() + 60_000),
      })
      .execute();
    const [event] = (await getCaseTimeline(db, created.id, { customerVisibleOnly: true })).filter(
      (e) => e.kind === 'message',
    );
    assert.equal(event.direction, 'inbound');
    const browser = new Browser(t.app);
    await askForCode(browser, created.reference, 'six@example.com');
    const ok = await browser.submit('/track/code', '/track/code', { code: await latestCode(created.id) });
    const page = await browser.get(location(ok));
    assert.equal(page.statusCode, 200);
    const item =
      page.body.split('class="moj-timeline__item"').find((i) => i.includes('leave the gate open')) ?? '';
    assert.match(item, /You sent a message/);
    assert.doesNotMatch(item, /Message from the council/);
  });

  void test('a wrong code is refused, and after 5 attempts the code is used up', async () => {
    const created = await makeCase();
    const browser = new Browser(t.app);
    await askForCode(browser, created.reference, 'ada@example.com');
    const code = await latestCode(created.id);
    const wrong = code === '000000' ? '111111' : '000000';
    const first = await browser.submit('/track/code', '/track/code', { code: wrong });
    assert.equal(first.statusCode, 400);
    assert.match(first.body, /The code is not right/);
    for (let i = 0; i < 4; i += 1) await browser.submit('/track/code', '/track/code', { code: wrong });
    const locked = await browser.submit('/track/code', '/track/code', { code });
    assert.equal(locked.statusCode, 400);
    assert.match(locked.body, /You cannot use this code any more/);
    const format = await browser.submit('/track/code', '/track/code', { code: '12ab' });
    assert.match(format.body, /Enter the 6-digit code/);
  });

  void test('a code expires after 15 minutes', async () => {
    const created = await makeCase();
    const browser = new Browser(t.app);
    await askForCode(browser, created.reference, 'ada@example.com');
    const code = await latestCode(created.id);
    clock.advance(15 * 60_000 + 1000);
    try {
      const expired = await browser.submit('/track/code', '/track/code', { code });
      assert.equal(expired.statusCode, 400);
      assert.match(expired.body, /The code has expired/);
    } finally {
      clock.advance(-(15 * 60_000 + 1000));
    }
  });

  void test('codes are limited per request: after 5 in an hour no more are sent, though the answer looks the same', async () => {
    const created = await makeCase();
    for (let i = 0; i < 7; i += 1) {
      const res = await askForCode(new Browser(t.app), created.reference, 'ada@example.com');
      assert.equal(location(res), '/track/code');
    }
    assert.equal(await codeMessages(created.id), 5);
  });

  void test('the reply form adds a message (and a document) to the request; bad documents are refused', async () => {
    const created = await makeCase();
    const browser = new Browser(t.app);
    await askForCode(browser, created.reference, 'ada@example.com');
    await browser.submit('/track/code', '/track/code', { code: await latestCode(created.id) });
    const page = await browser.get(`/track/requests/${created.id}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    assert.match(page.body, /enctype="multipart\/form-data"/);
    const post = (fields: [string, string][], file?: { name: string; content: Buffer }) => {
      const boundary = 'xxBOUNDARYxx';
      const parts = fields.map(
        ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
      );
      const chunks: Buffer[] = parts.map((p) => Buffer.from(p));
      if (file)
        chunks.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
          ),
          file.content,
          Buffer.from('\r\n'),
        );
      chunks.push(Buffer.from(`--${boundary}--\r\n`));
      return t.app.inject({
        method: 'POST',
        url: `/track/requests/${created.id}/reply`,
        remoteAddress: browser.remoteAddress,
        payload: Buffer.concat(chunks),
        headers: {
          cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
      });
    };
    const empty = await post([
      ['_csrf', csrf],
      ['message', ''],
    ]);
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /href="#message">Enter your message/);
    const exe = await post(
      [
        ['_csrf', csrf],
        ['message', 'See attached'],
      ],
      { name: 'virus.exe', content: Buffer.from('MZ......') },
    );
    assert.equal(exe.statusCode, 400);
    assert.match(exe.body, /must be a PDF, JPG or PNG/);
    assert.match(exe.body, /See attached/, 'the message is kept');
    const forged = await post([['message', 'no token']]);
    assert.equal(forged.statusCode, 403);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(100, 0x20)]);
    const sent = await post(
      [
        ['_csrf', csrf],
        ['message', 'Here is my proof of address.'],
      ],
      { name: 'bill.pdf', content: pdf },
    );
    assert.equal(sent.statusCode, 303);
    assert.equal(location(sent), `/track/requests/${created.id}?sent=1`);
    const after = await browser.get(location(sent));
    assert.match(after.body, /Your message has been sent/);
    assert.match(after.body, /Here is my proof of address\./);
    assert.match(after.body, /bill.pdf/);
    const event = await db
      .selectFrom('case_events')
      .select(['kind', 'visible_to_customer', 'body'])
      .where('case_id', '=', created.id)
      .where('kind', '=', 'message')
      .executeTakeFirstOrThrow();
    assert.deepEqual(event, {
      kind: 'message',
      visible_to_customer: true,
      body: 'Here is my proof of address.',
    });
    const attachment = await db
      .selectFrom('attachments')
      .select(['id', 'case_event_id'])
      .where('case_id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.ok(attachment.case_event_id);
    const download = await browser.get(`/attachments/${attachment.id}`);
    assert.equal(download.statusCode, 200);
    assert.match(String(download.headers['content-disposition']), /^attachment;/);
    assert.equal((await new Browser(t.app).get(`/attachments/${attachment.id}`)).statusCode, 404);
  });
});
