import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outboundThreading } from './email.outbound.ts';

const SETTINGS = {
  messageIdDomain: 'Mail.Frontdoor.example.gov.uk',
  replyAddress: 'reply@mail.frontdoor.example.gov.uk',
  replySecret: 'test-email-reply-secret-0123456789abcdef',
};

void test('issue 13: outboundThreading: a plain message keeps its subject and gets only its Message-ID', () => {
  assert.deepEqual(outboundThreading({ id: 'abc', subject: 'Your code' }, SETTINGS), {
    messageId: '<abc@mail.frontdoor.example.gov.uk>',
    subject: 'Your code',
    replyTo: null,
    inReplyTo: null,
    references: [],
    headers: {},
  });
});

void test('issue 13: outboundThreading: reference, signed Reply-To, thread ids and Auto-Submitted', () => {
  assert.deepEqual(
    outboundThreading(
      {
        id: 'abc',
        subject: 'Update',
        caseReference: 'KX7P-3RMD',
        inReplyTo: 'b@x',
        references: ['<a@x>', 'b@x', 'not an id', '<c@x>'],
        automated: true,
      },
      SETTINGS,
    ),
    {
      messageId: '<abc@mail.frontdoor.example.gov.uk>',
      subject: 'Update [Ref: KX7P-3RMD]',
      replyTo: 'reply+kx7p-3rmd-9690tzngrd@mail.frontdoor.example.gov.uk',
      inReplyTo: '<b@x>',
      references: ['<a@x>', '<c@x>', '<b@x>'], // each once, the answered message last
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    },
  );
  assert.equal(
    outboundThreading(
      { id: 'a', subject: 'x', caseReference: 'KX7P-3RMD' },
      { ...SETTINGS, replySecret: null },
    ).replyTo,
    null,
  );
});

void test('issue 13: outboundThreading: References keeps the first and the last nine of a long thread', () => {
  const ids = Array.from({ length: 15 }, (_, i) => `m${i}@x`);
  const { references } = outboundThreading(
    { id: 'a', subject: 'x', references: ids, inReplyTo: 'reply@x' },
    SETTINGS,
  );
  assert.deepEqual(references, ['<m0@x>', ...ids.slice(7).map((id) => `<${id}>`), '<reply@x>']);
  assert.equal(references.length, 10);
});
