import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultCatalogue,
  renderMessage,
  TEMPLATE_NAMES,
  type TemplateCatalogue,
} from './notifications.templates.ts';
import { notifyTemplateId } from './notifications.adapters.ts';

const ombudsman = {
  ombudsmanName: 'Local Government and Social Care Ombudsman',
  ombudsmanWebsite: 'www.lgo.org.uk',
  ombudsmanPhone: '0300 061 0614',
};

void test('every template renders in English for every channel with only its required personalisation', () => {
  const minimal: Record<string, Record<string, string>> = {
    'case.acknowledgement': { reference: 'WX-1' },
    'case.status_changed': { reference: 'WX-1', status: 'Closed' },
    'case.message': { reference: 'WX-1', message: 'Hello' },
    'resident.sign_in_code': { code: '123456' },
    'resident.track_code': { code: '123456', reference: 'WX-1' },
    'complaint.acknowledgement': { reference: 'WX-1', stageName: 'stage 1', respondBy: '1 May 2027' },
    'complaint.extension': {
      reference: 'WX-1',
      stageName: 'stage 1',
      reason: 'We are waiting for a report',
      respondBy: '15 May 2027',
      days: '10',
      ...ombudsman,
    },
    'complaint.response': {
      reference: 'WX-1',
      stageName: 'stage 1',
      decision: 'Upheld',
      reasons: 'The bin was missed',
      escalation: 'You can ask us to look at it again.',
    },
    'complaint.escalation_acknowledgement': {
      reference: 'WX-1',
      stageName: 'stage 2 (our final review)',
      respondBy: '1 June 2027',
    },
    'complaint.final_response': {
      reference: 'WX-1',
      stageName: 'stage 2 (our final review)',
      decision: 'Not upheld',
      reasons: 'We followed our policy',
      ...ombudsman,
    },
    'complaint.refusal': { reference: 'WX-1', refusalReason: 'it is already in court', ...ombudsman },
    'feedback.request': { what: 'your request WX-1', link: 'https://example.gov.uk/feedback/abc' },
    'sar.bundle_ready': {
      reference: 'WX-1',
      downloadUrl: 'https://example.gov.uk/sar-bundles/abc',
      expiresOn: '1 June 2027',
    },
    'case.sla_warning': {
      reference: 'WX-1',
      serviceName: 'Blue Badge',
      dueDate: '1 June 2027',
      caseUrl: '/x',
    },
    'case.sla_breach': {
      reference: 'WX-1',
      serviceName: 'Blue Badge',
      dueDate: '1 June 2027',
      caseUrl: '/x',
    },
    'case.email_undeliverable': { reference: 'WX-1', status: '5.1.1', caseUrl: '/x' },
    'case.message_undeliverable': {
      what: 'text message',
      contact: 'phone number',
      reference: 'WX-1',
      status: 'permanent-failure',
      caseUrl: '/x',
    },
    'case.assigned': {
      reference: 'WX-1',
      serviceName: 'Blue Badge',
      from: 'Sam',
      note: 'Call back',
      caseUrl: '/x',
    },
    'case.transferred': {
      reference: 'WX-1',
      serviceName: 'Blue Badge',
      from: 'Sam',
      note: 'Call back',
      caseUrl: '/x',
    },
    'staff.account_locked': { attempts: '5', lockedUntil: '3 Dec 2026, 10:15' },
    'staff.account_unlocked': { unlockedBy: 'Sam Admin' },
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

void test('complaint letters give the reference, what happens next and how to get help; extensions, final responses and refusals give the Ombudsman', () => {
  const base = { authorityName: 'Wessex County Council', authorityPhone: '01632 960000', reference: 'WX-9' };
  const extension = renderMessage('complaint.extension', 'letter', 'en', {
    ...base,
    stageName: 'stage 1',
    reason: 'We are waiting for a report from the crew',
    respondBy: '15 May 2027',
    days: '10',
    ...ombudsman,
  });
  assert.match(extension.subject, /WX-9/);
  assert.match(extension.body, /Why we need more time: We are waiting for a report from the crew/);
  assert.match(extension.body, /15 May 2027/);
  assert.match(
    extension.body,
    /Local Government and Social Care Ombudsman.*www\.lgo\.org\.uk.*0300 061 0614/,
  );
  assert.match(extension.body, /Contact Wessex County Council on 01632 960000/);

  const final = renderMessage('complaint.final_response', 'email', 'en', {
    ...base,
    stageName: 'stage 2 (our final review)',
    decision: 'Partly upheld',
    reasons: 'The collection was missed twice',
    remedies: '- Apology: we are sorry, by 2 May 2027',
    ...ombudsman,
  });
  assert.match(final.body, /final response/);
  assert.match(final.body, /Our decision: Partly upheld\./);
  assert.match(final.body, /What we will do to put things right:\n- Apology/);
  assert.match(final.body, /www\.lgo\.org\.uk/);
  assert.doesNotMatch(final.body, /Actions still to do/, 'a paragraph without its data is left out');

  const refusal = renderMessage('complaint.refusal', 'sms', 'en', {
    ...base,
    refusalReason: 'you made it more than 12 months after the matter happened',
    ...ombudsman,
  });
  assert.match(refusal.body, /Ombudsman: www\.lgo\.org\.uk, 0300 061 0614/);

  const stage1 = renderMessage('complaint.response', 'email', 'en', {
    ...base,
    stageName: 'stage 1',
    decision: 'Upheld',
    reasons: 'The bin was missed',
    escalation: 'You can ask us to look at your complaint again (stage 2). You do not have to give a reason.',
  });
  assert.match(stage1.body, /look at your complaint again \(stage 2\)/);
  assert.doesNotMatch(stage1.body, /Ombudsman/);
});

void test('reasonable adjustments and the format asked for are repeated at the top and in the letter', () => {
  const out = renderMessage('complaint.acknowledgement', 'letter', 'en', {
    reference: 'WX-9',
    stageName: 'stage 1',
    respondBy: '1 May 2027',
    formats: 'large print',
    adjustments: 'Large print letters, please phone before visiting',
  });
  assert.match(out.body, /^Format you asked for: large print\./);
  assert.match(out.body, /we will keep making them: Large print letters, please phone before visiting\./);
  const plain = renderMessage('complaint.acknowledgement', 'letter', 'en', {
    reference: 'WX-9',
    stageName: 'stage 1',
    respondBy: '1 May 2027',
  });
  assert.match(plain.body, /^Hello,/);
});

void test('feedback requests and SAR bundle messages carry the link', () => {
  const feedback = renderMessage('feedback.request', 'sms', 'en', {
    authorityName: 'Kingsbridge City Council',
    what: 'your request: Report a missed bin (KX-1)',
    link: 'https://example.gov.uk/feedback/abc',
  });
  assert.match(feedback.body, /https:\/\/example\.gov\.uk\/feedback\/abc/);
  const bundle = renderMessage('sar.bundle_ready', 'email', 'en', {
    reference: 'SAR-1',
    downloadUrl: 'https://example.gov.uk/sar-bundles/abc',
    expiresOn: '1 June 2027',
  });
  assert.match(bundle.subject, /SAR-1/);
  assert.match(bundle.body, /Download it here: https:\/\/example\.gov\.uk\/sar-bundles\/abc/);
  assert.match(bundle.body, /until 1 June 2027/);
  assert.match(bundle.body, /Information Commissioner/);
});
