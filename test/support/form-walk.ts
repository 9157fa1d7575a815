/**
 * Walks a service's form the way a browser would (app.inject with a cookie jar): start, every question
 * page with a valid answer for its type (or the one given), check answers, submit. For tests that need a
 * real submission of a shipped service, not a particular page's behaviour (test/forms.int.test.ts tests
 * those).
 */
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from '../../src/platform/db/index.ts';
import { expandForm } from '../../src/modules/forms/index.ts';
import type { ServiceDefinition } from '../../src/modules/services/index.ts';
import type { Browser } from './app.ts';

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
const location = (res: LightMyRequestResponse) => String(res.headers.location ?? '');

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(200, 1),
]);

function multipart(fields: [string, string][], files: { field: string; filename: string }[]) {
  const boundary = `----frontdoor${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields)
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      PNG,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

function textAnswer(q: { validation?: { pattern?: string; maxLength?: number; minLength?: number } }) {
  const v = q.validation ?? {};
  const candidates = ['Some words about it', 'QQ123456C', 'AB12 CDE', '51234567'];
  return (
    candidates.find(
      (c) =>
        (!v.pattern || new RegExp(v.pattern).test(c)) &&
        c.length <= (v.maxLength ?? 500) &&
        c.length >= (v.minLength ?? 0),
    ) ?? 'x'
  );
}

export interface FormWalk {
  app: FastifyInstance;
  db: Db;
  browser: Browser;
  definition: ServiceDefinition;
  /** The slug the service is installed under. */
  slug: string;
  /** Answers for particular questions (radios: the option's value); the rest get a valid default. */
  answers?: Record<string, string>;
  /** A past date for date questions. */
  pastDate?: [day: string, month: string, year: string];
  /** A future date for date questions that must not be in the past. */
  futureDate?: [day: string, month: string, year: string];
  /** The fields posted for location questions (default: a description only). */
  locationFields?: Record<string, string>;
  /**
   * Called with each page the walk reads (every question page before its answers are posted, check answers
   * and the confirmation); `pageId` is the question page's id.
   */
  onPage?: (url: string, body: string, pageId?: string) => Promise<void> | void;
}

/** Fills in and submits the form; returns the confirmation page's URL and the case it made. */
export async function walkAndSubmit(walk: FormWalk): Promise<{ confirmation: string; caseId: string }> {
  const { app, db, browser, definition } = walk;
  const send = (method: 'GET' | 'POST', url: string, body?: { payload: string | Buffer; type: string }) =>
    app.inject({
      method,
      url,
      remoteAddress: browser.remoteAddress,
      ...(body ? { payload: body.payload } : {}),
      headers: {
        cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': body.type } : {}),
      },
    });
  const started = await browser.get(`/services/${walk.slug}/start`);
  assert.equal(started.statusCode, 303, `start ${walk.slug}`);
  const base = /^(\/apply\/[0-9a-f-]{36})\//.exec(location(started))?.[1];
  assert.ok(base, `start redirects to a question page, got ${location(started)}`);
  const uprn = (
    await db
      .selectFrom('addresses')
      .select('uprn')
      .where('postcode_key', '=', 'KB12AB')
      .orderBy('line1')
      .executeTakeFirst()
  )?.uprn;
  let url = location(started);
  const form = expandForm(definition).form;
  const chosen: Record<string, string> = {};
  for (let step = 0; step < 15 && !url.endsWith('/check'); step += 1) {
    const page = await browser.get(url);
    assert.equal(page.statusCode, 200, `${walk.slug}: GET ${url}`);
    const formPage = form.pages.find((p) => p.id === url.split('/').pop());
    assert.ok(formPage, `${walk.slug}: no page for ${url}`);
    await walk.onPage?.(url, page.body, formPage.id);
    const fields: [string, string][] = [['_csrf', csrfOf(page.body)]];
    const files: { field: string; filename: string }[] = [];
    for (const q of formPage.questions) {
      if (q.showIf && chosen[q.showIf.question] !== q.showIf.equals) continue;
      const given = walk.answers?.[q.id];
      switch (q.type) {
        case 'text':
        case 'textarea':
          fields.push([q.id, given ?? textAnswer(q)]);
          break;
        case 'number':
          fields.push([q.id, given ?? String(q.validation?.min ?? 1)]);
          break;
        case 'radios':
        case 'checkboxes':
          chosen[q.id] = given ?? q.options?.[0]?.value ?? '';
          fields.push([q.id, chosen[q.id]]);
          break;
        case 'date': {
          const [d, m, y] = q.validation?.notInPast
            ? (walk.futureDate ?? ['15', '1', '2027'])
            : (walk.pastDate ?? ['1', '12', '2026']);
          fields.push([`${q.id}-day`, d], [`${q.id}-month`, m], [`${q.id}-year`, y]);
          break;
        }
        case 'email':
          fields.push([q.id, given ?? 'resident@example.com']);
          break;
        case 'phone':
          fields.push([q.id, given ?? '07700 900 982']);
          break;
        case 'postcode':
          fields.push([q.id, 'KB1 2AB']);
          break;
        case 'address':
          assert.ok(uprn, 'demo addresses are seeded (seedDemoAddresses)');
          fields.push([`${q.id}-postcode`, 'KB1 2AB'], [`${q.id}-uprn`, uprn]);
          break;
        case 'location':
          if (walk.locationFields) fields.push(...Object.entries(walk.locationFields));
          else fields.push([`${q.id}-description`, 'Outside the library']);
          break;
        case 'file':
          files.push({ field: q.id, filename: 'evidence.png' });
          break;
      }
    }
    const body = multipart(fields, files);
    const res = await send('POST', url, { payload: body.payload, type: body.contentType });
    assert.equal(
      res.statusCode,
      303,
      `${walk.slug}: POST ${url}: ${/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(res.body)?.[1] ?? res.body.slice(0, 300)}`,
    );
    url = location(res);
  }
  const check = await browser.get(`${base}/check`);
  assert.equal(check.statusCode, 200, `${walk.slug}: check answers`);
  await walk.onPage?.(`${base}/check`, check.body);
  const token = /name="token" value="([^"]+)"/.exec(check.body)?.[1] ?? '';
  const submitted = await send('POST', `${base}/submit`, {
    payload: new URLSearchParams({ _csrf: csrfOf(check.body), token }).toString(),
    type: 'application/x-www-form-urlencoded',
  });
  assert.equal(location(submitted), `${base}/confirmation`, `${walk.slug}: submitted`);
  if (walk.onPage)
    await walk.onPage(`${base}/confirmation`, (await browser.get(`${base}/confirmation`)).body);
  const draft = await db
    .selectFrom('form_drafts')
    .select('submitted_case_id')
    .where('id', '=', base.split('/').pop() ?? '')
    .executeTakeFirstOrThrow();
  assert.ok(draft.submitted_case_id);
  return { confirmation: `${base}/confirmation`, caseId: draft.submitted_case_id };
}
