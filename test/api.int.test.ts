/**
 * The JSON API: bearer tokens (none, unknown, revoked → 401), making complaints and requests for
 * information with every deadline as an ISO date, reading them back by reference, JSON validation errors,
 * Idempotency-Key, the token administration page, the demo token and the OpenAPI document.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { ensureDemoApiToken, issueApiToken, openApiDocument } from '../src/modules/api/index.ts';
import { installShippedService } from './builders/services.ts';
import { buildAuthority, buildStaff, buildTeam } from './builders/index.ts';
import { buildCase, buildCustomer, signedIn } from './builders/customers.ts';
import { buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let db: Db;
const clock = new TestClock('2026-11-23T10:00:00Z');

before(async () => {
  t = await buildTestApp({ clock });
  db = t.database.db;
});
after(() => t.close());

async function council() {
  const authority = await buildAuthority(db);
  const team = await buildTeam(db, authority.id);
  await installShippedService(db, { authorityId: authority.id, teamId: team.id, slug: 'make-a-complaint' });
  await installShippedService(db, {
    authorityId: authority.id,
    teamId: team.id,
    slug: 'freedom-of-information-request',
  });
  await installShippedService(db, {
    authorityId: authority.id,
    teamId: team.id,
    slug: 'subject-access-request',
  });
  const bins = await installShippedService(db, {
    authorityId: authority.id,
    teamId: team.id,
    slug: 'report-a-missed-bin',
  });
  const admin = await buildStaff(db, authority.id, { roles: ['admin'] });
  const { token } = await issueApiToken(db, {
    authorityId: authority.id,
    name: 'Partner',
    createdBy: admin.id,
    now: clock.now(),
  });
  return { authorityId: authority.id, teamId: team.id, binsId: bins.id, admin, token };
}

function call(
  method: 'GET' | 'POST',
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
  });
}

const complaint = (overrides: Record<string, unknown> = {}) => ({
  complainant: { name: 'Ada Lovelace', email: 'ada@example.com' },
  summary: 'The bin crew left rubbish in the road.',
  receivedOn: '2026-11-16',
  ...overrides,
});

void describe('authentication', () => {
  void test('no token, a malformed or unknown token: 401 with a JSON error and WWW-Authenticate', async () => {
    for (const token of [undefined, 'not-a-token', `fd_${'x'.repeat(43)}`]) {
      const res = await call('POST', '/api/v1/complaints', { token, body: complaint() });
      assert.equal(res.statusCode, 401, `token ${token ?? '(none)'}`);
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'unauthorized');
    }
    assert.equal((await call('GET', '/api/v1/complaints/KX7P-3RMD')).statusCode, 401);
  });

  void test('a revoked token stops working at once', async () => {
    const c = await council();
    const admin = await signedIn(t.app, c.admin);
    const issued = await admin.submit('/staff/admin/api-tokens', '/staff/admin/api-tokens', {
      name: 'Citizens Advice referrals',
    });
    assert.equal(issued.statusCode, 200);
    const token = /data-testid="issued-token">([^<]+)</.exec(issued.body)?.[1];
    assert.ok(token?.startsWith('fd_'), 'the plaintext is shown once');
    assert.equal((await call('POST', '/api/v1/complaints', { token, body: complaint() })).statusCode, 201);
    const row = await db
      .selectFrom('api_tokens')
      .select(['id', 'token_hash'])
      .where('name', '=', 'Citizens Advice referrals')
      .where('authority_id', '=', c.authorityId)
      .executeTakeFirstOrThrow();
    assert.notEqual(row.token_hash, token, 'only the hash is stored');
    assert.equal(row.token_hash.length, 64);
    const list = await admin.get('/staff/admin/api-tokens');
    assert.doesNotMatch(list.body, new RegExp(token!), 'never shown again');
    const revoked = await admin.submit(
      '/staff/admin/api-tokens',
      `/staff/admin/api-tokens/${row.id}/revoke`,
      {},
    );
    assert.equal(revoked.statusCode, 303);
    const res = await call('POST', '/api/v1/complaints', { token, body: complaint() });
    assert.equal(res.statusCode, 401);
  });

  void test('only administrators can issue tokens', async () => {
    const c = await council();
    const officer = await buildStaff(db, c.authorityId, { roles: ['complaints_officer'] });
    const browser = await signedIn(t.app, officer);
    assert.equal((await browser.get('/staff/admin/api-tokens')).statusCode, 403);
  });
});

void describe('complaints', () => {
  void test('a good token makes a complaint (201) with every deadline as an ISO date, counted from receivedOn', async () => {
    const c = await council();
    const res = await call('POST', '/api/v1/complaints', { token: c.token, body: complaint() });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json<{
      reference: string;
      status: string;
      stage: number;
      receivedOn: string;
      deadlines: Record<string, string>;
      links: { self: string };
    }>();
    assert.match(body.reference, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    assert.equal(body.status, 'open');
    assert.equal(body.stage, 1);
    assert.equal(body.receivedOn, '2026-11-16');
    assert.deepEqual(body.deadlines, {
      acknowledgeBy: '2026-11-23',
      respondBy: '2026-12-07',
      next: '2026-11-23',
    });
    assert.equal(body.links.self, `/api/v1/complaints/${body.reference}`);

    const got = await call('GET', body.links.self, { token: c.token });
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.json(), body);
    const lower = await call('GET', `/api/v1/complaints/${body.reference.toLowerCase().replace('-', '')}`, {
      token: c.token,
    });
    assert.equal(lower.statusCode, 200, 'references are read however they are typed');

    const kase = await db
      .selectFrom('cases')
      .select(['origin_channel', 'guest_email'])
      .where('reference', '=', body.reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual(kase, { origin_channel: 'api', guest_email: 'ada@example.com' });
  });

  void test('a complaint about a request links it; another council’s token cannot read it', async () => {
    const c = await council();
    const customer = await buildCustomer(db, c.authorityId, {
      email: `${randomUUID().slice(0, 8)}@example.com`,
    });
    const bin = await buildCase(db, {
      authorityId: c.authorityId,
      serviceId: c.binsId,
      teamId: c.teamId,
      customerId: customer.id,
    });
    const res = await call('POST', '/api/v1/complaints', {
      token: c.token,
      body: complaint({ relatesTo: bin.reference }),
    });
    assert.equal(res.statusCode, 201, res.body);
    const reference = res.json<{ reference: string; relatesTo: string }>();
    assert.equal(reference.relatesTo, bin.reference);
    const other = await council();
    assert.equal(
      (await call('GET', `/api/v1/complaints/${reference.reference}`, { token: other.token })).statusCode,
      404,
    );
    const unknown = await call('POST', '/api/v1/complaints', {
      token: other.token,
      body: complaint({ relatesTo: bin.reference }),
    });
    assert.equal(unknown.statusCode, 400);
  });

  void test('validation errors come back as JSON with the fields', async () => {
    const c = await council();
    const res = await call('POST', '/api/v1/complaints', {
      token: c.token,
      body: { complainant: { name: 'No contact' }, summary: '', receivedOn: '2026-02-30', colour: 'blue' },
    });
    assert.equal(res.statusCode, 400);
    assert.match(String(res.headers['content-type']), /application\/json/);
    const { error } = res.json<{ error: { code: string; fields: { field: string; message: string }[] } }>();
    assert.equal(error.code, 'validation');
    const fields = error.fields.map((f) => f.field).sort();
    assert.deepEqual(fields, ['body', 'complainant', 'receivedOn', 'summary']);
    const future = await call('POST', '/api/v1/complaints', {
      token: c.token,
      body: complaint({ receivedOn: '2026-12-01' }),
    });
    assert.equal(future.statusCode, 400);
    assert.deepEqual(future.json<{ error: { fields: unknown[] } }>().error.fields, [
      { field: 'receivedOn', message: 'cannot be in the future' },
    ]);
  });

  void test('Idempotency-Key: a retry returns the first response and creates nothing; a different body is a conflict', async () => {
    const c = await council();
    const key = randomUUID();
    const first = await call('POST', '/api/v1/complaints', {
      token: c.token,
      body: complaint(),
      headers: { 'idempotency-key': key },
    });
    const second = await call('POST', '/api/v1/complaints', {
      token: c.token,
      body: complaint(),
      headers: { 'idempotency-key': key },
    });
    assert.equal(first.statusCode, 201);
    assert.equal(second.statusCode, 201);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.deepEqual(second.json(), first.json());
    const count = await db
      .selectFrom('complaints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('authority_id', '=', c.authorityId)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
    const different = await call('POST', '/api/v1/complaints', {
      token: c.token,
      body: complaint({ summary: 'Something else' }),
      headers: { 'idempotency-key': key },
    });
    assert.equal(different.statusCode, 409);
    assert.equal(different.json<{ error: { code: string } }>().error.code, 'conflict');
    const otherToken = (
      await issueApiToken(db, {
        authorityId: c.authorityId,
        name: 'Other',
        createdBy: null,
        now: clock.now(),
      })
    ).token;
    const sameKeyOtherToken = await call('POST', '/api/v1/complaints', {
      token: otherToken,
      body: complaint(),
      headers: { 'idempotency-key': key },
    });
    assert.equal(sameKeyOtherToken.statusCode, 201, 'keys are per token');
    assert.notEqual(
      sameKeyOtherToken.json<{ reference: string }>().reference,
      first.json<{ reference: string }>().reference,
    );
  });

  void test('concurrent retries with the same key make one complaint', async () => {
    const c = await council();
    const key = randomUUID();
    const responses = await Promise.all(
      [1, 2, 3].map(() =>
        call('POST', '/api/v1/complaints', {
          token: c.token,
          body: complaint(),
          headers: { 'idempotency-key': key },
        }),
      ),
    );
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      [201, 201, 201],
    );
    assert.equal(new Set(responses.map((r) => r.json<{ reference: string }>().reference)).size, 1);
  });
});

void describe('information requests', () => {
  void test('FOI, EIR and SAR requests get their statutory deadlines as ISO dates', async () => {
    const c = await council();
    const expected: Record<string, string> = { foi: '2026-12-15', eir: '2026-12-15', sar: '2026-12-16' };
    for (const regime of ['foi', 'eir', 'sar'] as const) {
      const res = await call('POST', '/api/v1/information-requests', {
        token: c.token,
        body: {
          regime,
          requester: { email: 'journalist@example.com' },
          request: 'How many potholes?',
          receivedOn: '2026-11-16',
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json<{
        reference: string;
        regime: string;
        deadlines: { dueOn: string; standardDueOn: string };
      }>();
      assert.equal(body.regime, regime);
      assert.equal(body.deadlines.dueOn, expected[regime], regime);
      assert.match(body.deadlines.standardDueOn, /^\d{4}-\d{2}-\d{2}$/);
      const got = await call('GET', `/api/v1/information-requests/${body.reference}`, { token: c.token });
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), body);
    }
    const bad = await call('POST', '/api/v1/information-requests', {
      token: c.token,
      body: { regime: 'xyz', requester: { email: 'a@example.com' }, request: 'x' },
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad.json<{ error: { fields: { field: string }[] } }>().error.fields.map((f) => f.field),
      ['regime'],
    );
  });
});

void describe('OpenAPI', () => {
  /** Every route the app serves under /api/v1, from Fastify's route tree. */
  function apiRoutes(): string[] {
    const lines = t.app.printRoutes({ commonPrefix: false }).split('\n');
    const stack: { depth: number; path: string }[] = [];
    const routes: string[] = [];
    for (const line of lines) {
      const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?/.exec(line);
      if (!match) continue;
      const depth = match[1].length / 4;
      while (stack.length && stack[stack.length - 1].depth >= depth) stack.pop();
      const path = (stack.length ? stack[stack.length - 1].path : '') + match[2];
      stack.push({ depth, path });
      if (!match[3] || !path.startsWith('/api/v1')) continue;
      for (const method of match[3].split(',').map((m) => m.trim()))
        if (method !== 'HEAD' && method !== 'OPTIONS')
          routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    }
    return routes.sort();
  }

  void test('is served as OpenAPI 3.1 and describes exactly the routes under /api/v1', async () => {
    const res = await call('GET', '/api/v1/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    assert.equal(doc.openapi, '3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const served = apiRoutes();
    assert.ok(served.length >= 5, `found ${served.join(', ')}`);
    assert.deepEqual(documented, served);
    assert.deepEqual(res.json(), JSON.parse(JSON.stringify(openApiDocument)));
  });

  void test('every $ref points at a schema that exists', () => {
    const text = JSON.stringify(openApiDocument);
    const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    const schemas = Object.keys(openApiDocument.components.schemas);
    assert.deepEqual(
      [...new Set(refs)].filter((r) => !schemas.includes(r)),
      [],
    );
  });
});

void describe('demo token', () => {
  void test('only with the demo seed and the demo area; deterministic, and it works', async () => {
    assert.equal(await ensureDemoApiToken(db, { demoSeed: false }), null);
    let county = await db
      .selectFrom('authorities')
      .select('id')
      .where('code', '=', 'county')
      .executeTakeFirst();
    if (!county) {
      county = await db
        .insertInto('authorities')
        .values({ code: 'county', name: 'Wessex County Council', kind: 'county', website: null, phone: null })
        .returning('id')
        .executeTakeFirstOrThrow();
    }
    const team = await buildTeam(db, county.id);
    await installShippedService(db, { authorityId: county.id, teamId: team.id, slug: 'make-a-complaint' });
    const demoStaff = await db
      .selectFrom('staff_users')
      .select('id')
      .where('email', 'like', '%@county.example.gov.uk')
      .executeTakeFirst();
    if (!demoStaff)
      await db
        .insertInto('staff_users')
        .values({
          authority_id: county.id,
          email: `admin-${randomUUID().slice(0, 6)}@county.example.gov.uk`,
          display_name: 'Demo admin',
          password_hash: null,
          roles: ['admin'],
        })
        .execute();
    const token = await ensureDemoApiToken(db);
    assert.match(token ?? '', /^fd_demo_[0-9a-f]{32}$/);
    assert.equal(await ensureDemoApiToken(db, { demoSeed: true }), token, 'the same token every start');
    const res = await call('POST', '/api/v1/complaints', { token: token!, body: complaint() });
    assert.equal(res.statusCode, 201, res.body);
  });
});
