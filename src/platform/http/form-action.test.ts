import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { z } from 'zod';
import { DomainRuleError } from './errors.ts';
import { formAction, type FormProblems } from './form-action.ts';
import { parseForm } from './validation.ts';

async function appWith(run: (name: string) => Promise<string>) {
  const app = Fastify();
  await app.register(formbody);
  const rendered: FormProblems[] = [];
  app.post(
    '/things',
    formAction({
      parse: (request) =>
        parseForm(z.object({ name: z.string().trim().min(1, 'Enter a name') }), request.body),
      run: (value) => run(value.name),
      render: (_request, reply, problems) => {
        rendered.push(problems);
        return reply.send({ page: 'again' });
      },
      errorField: 'name',
    }),
  );
  return { app, rendered };
}

const post = (app: Awaited<ReturnType<typeof appWith>>['app'], payload: string) =>
  app.inject({
    method: 'POST',
    url: '/things',
    payload,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

void test('formAction: valid answers run the use-case once and redirect (303)', async () => {
  const names: string[] = [];
  const { app, rendered } = await appWith(async (name) => {
    names.push(name);
    return `/things/${name}`;
  });
  const res = await post(app, 'name=Ada');
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/things/Ada');
  assert.deepEqual([names, rendered], [['Ada'], []]);
});

void test('formAction: invalid answers show the page again (400) with the answers kept; the use-case does not run', async () => {
  let ran = false;
  const { app, rendered } = await appWith(async () => {
    ran = true;
    return '/';
  });
  const res = await post(app, 'name=+&other=kept');
  assert.equal(res.statusCode, 400);
  assert.equal(ran, false);
  assert.deepEqual(rendered[0].errors.errorList, [{ text: 'Enter a name', href: '#name' }]);
  assert.deepEqual({ ...rendered[0].values }, { name: ' ', other: 'kept' });
});

void test('formAction: a refusal is shown against the error field (422); other errors are not swallowed', async () => {
  const { app, rendered } = await appWith(async (name) => {
    if (name === 'taken') throw new DomainRuleError('That name is taken');
    throw new Error('database gone');
  });
  const refused = await post(app, 'name=taken');
  assert.equal(refused.statusCode, 422);
  assert.deepEqual(rendered[0].errors.errorList, [{ text: 'That name is taken', href: '#name' }]);
  const broken = await post(app, 'name=other');
  assert.equal(broken.statusCode, 500);
  assert.equal(rendered.length, 1);
});
