import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultCatalogue,
  renderMessage,
  TEMPLATE_NAMES,
  type TemplateCatalogue,
} from './notifications.templates.ts';
import { notifyTemplateId } from './notifications.adapters.ts';

void test('every template renders in English for every channel with only its required personalisation', () => {
  const minimal: Record<string, Record<string, string>> = {
    'case.acknowledgement': { reference: 'WX-1' },
    'case.status_changed': { reference: 'WX-1', status: 'Closed' },
    'case.message': { reference: 'WX-1', message: 'Hello' },
    'resident.sign_in_code': { code: '123456' },
    'resident.track_code': { code: '123456', reference: 'WX-1' },
  };
  for (const name of TEMPLATE_NAMES) {
    for (const channel of ['email', 'sms', 'letter'] as const) {
      const out = renderMessage(name, channel, 'en', {
        authorityName: 'Wessex County Council',
        ...minimal[name],
      });
      assert.ok(out.subject.length > 0, `${name} subject`);
      assert.ok(out.body.length > 0, `${name} ${channel} body`);
      assert.doesNotMatch(
        `${out.subject}\n${out.body}`,
        /\{\w+\}/,
        `${name} ${channel} has no unfilled placeholder`,
      );
    }
  }
  assert.ok(
    renderMessage('case.status_changed', 'sms', 'en', { reference: 'R', status: 'S' }).body.length <= 160,
  );
});

void test('alternatives: the first complete one is used, and a paragraph with none is left out', () => {
  const named = renderMessage('case.acknowledgement', 'email', 'en', { reference: 'R-1', name: 'Jo Bloggs' });
  assert.match(named.body, /^Dear Jo Bloggs,/);
  const anonymous = renderMessage('case.acknowledgement', 'email', 'en', { reference: 'R-1' });
  assert.match(anonymous.body, /^Hello,/);
  assert.doesNotMatch(anonymous.body, /We aim to finish by/);
  const dated = renderMessage('case.acknowledgement', 'email', 'en', {
    reference: 'R-1',
    dueDate: '1 May 2027',
  });
  assert.match(dated.body, /We aim to finish by 1 May 2027\./);
  assert.equal(
    renderMessage('case.acknowledgement', 'email', 'en', { reference: 'R-1', name: '  ' }).body.split(
      '\n',
    )[0],
    'Hello,',
  );
});

void test('the preferred language is used when it has a translation, English otherwise (per template)', () => {
  const catalogue: TemplateCatalogue = {
    ...defaultCatalogue,
    cy: { 'resident.sign_in_code': { subject: 'Eich cod mewngofnodi', body: ['{code}'], sms: '{code}' } },
  };
  const welsh = renderMessage('resident.sign_in_code', 'email', 'cy', { code: '123456' }, catalogue);
  assert.deepEqual([welsh.language, welsh.subject], ['cy', 'Eich cod mewngofnodi']);
  const fallback = renderMessage('case.message', 'email', 'cy', { reference: 'R', message: 'M' }, catalogue);
  assert.equal(fallback.language, 'en');
  assert.equal(
    renderMessage('resident.sign_in_code', 'email', 'pl', { code: '1' }, catalogue).language,
    'en',
  );
});

void test('Notify template ids: template and channel, then the channel, then the template for email', () => {
  const ids = {
    email: 'blank-email',
    sms: 'blank-sms',
    'case.message': 'msg-email',
    'case.message:sms': 'msg-sms',
  };
  assert.equal(notifyTemplateId(ids, 'case.message', 'sms'), 'msg-sms');
  assert.equal(notifyTemplateId(ids, 'case.acknowledgement', 'sms'), 'blank-sms');
  assert.equal(notifyTemplateId(ids, 'case.acknowledgement', 'email'), 'blank-email');
  assert.equal(notifyTemplateId({ 'case.message': 'msg-email' }, 'case.message', 'email'), 'msg-email');
  assert.equal(notifyTemplateId({ 'case.message': 'msg-email' }, 'case.message', 'sms'), null);
});
