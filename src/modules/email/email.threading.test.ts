import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  referenceInSubject,
  referencesInBody,
  signReplyAddress,
  subjectTopic,
  subjectWithReference,
  verifyReplyAddress,
} from './email.threading.ts';

const SECRET = 'test-email-reply-secret-0123456789abcdef';
const SETTINGS = { secret: SECRET, address: 'reply@mail.frontdoor.example.gov.uk' };

void test('issue 13: signReplyAddress signs the reference onto the reply mailbox', () => {
  assert.equal(
    signReplyAddress('KX7P-3RMD', SETTINGS),
    'reply+kx7p-3rmd-9690tzngrd@mail.frontdoor.example.gov.uk',
  );
  assert.equal(signReplyAddress('kx7p3rmd', SETTINGS), signReplyAddress('KX7P-3RMD', SETTINGS));
  // A base that already has a +tag, or upper case, gives the same address.
  assert.equal(
    signReplyAddress('KX7P-3RMD', { secret: SECRET, address: 'Reply+old@Mail.Frontdoor.example.gov.uk' }),
    'reply+kx7p-3rmd-9690tzngrd@mail.frontdoor.example.gov.uk',
  );
  assert.throws(() => signReplyAddress('not a ref', SETTINGS));
  assert.throws(() => signReplyAddress('KX7P-3RMD', { secret: SECRET, address: 'no-at-sign' }));
});

void test('issue 13: verifyReplyAddress is case-insensitive and forgives retyped l/1/i and o/0', () => {
  const TABLE: [string, string | null][] = [
    ['reply+kx7p-3rmd-9690tzngrd@mail.frontdoor.example.gov.uk', 'KX7P-3RMD'],
    ['REPLY+KX7P-3RMD-9690TZNGRD@MAIL.FRONTDOOR.EXAMPLE.GOV.UK', 'KX7P-3RMD'],
    ['reply+kx7p3rmd-9690tzngrd@mail.frontdoor.example.gov.uk', 'KX7P-3RMD'], // hyphen dropped
    ['  reply+kx7p-3rmd-9690tzngrd@mail.frontdoor.example.gov.uk ', 'KX7P-3RMD'],
    ['highways+kx7p-3rmd-9690tzngrd@council.example.gov.uk', 'KX7P-3RMD'], // another mailbox: the mac decides
    ['reply+hb2x-7ykc-np1zg0zb7q@mail.frontdoor.example.gov.uk', 'HB2X-7YKC'],
    ['reply+hb2x-7ykc-nplzgozb7q@mail.frontdoor.example.gov.uk', 'HB2X-7YKC'], // 1 → l, 0 → o
    ['reply+hb2x-7ykc-NPIZGOZB7Q@mail.frontdoor.example.gov.uk', 'HB2X-7YKC'], // 1 → I, 0 → O
    ['reply+qw4n-8htl-dxatfmhnef@mail.frontdoor.example.gov.uk', 'QW4N-8HTL'],
    ['reply+qw4n-8ht1-dxatfmhnef@mail.frontdoor.example.gov.uk', 'QW4N-8HTL'], // l → 1 in the reference
    ['reply+kx7p-3rmd-9690tzngre@mail.frontdoor.example.gov.uk', null], // wrong mac
    ['reply+kx7p-3rmc-9690tzngrd@mail.frontdoor.example.gov.uk', null], // another reference, same mac
    ['reply+kx7p-3rmd-9690tzngr@mail.frontdoor.example.gov.uk', null], // mac too short
    ['reply+kx7p-3rmd@mail.frontdoor.example.gov.uk', null],
    ['reply@mail.frontdoor.example.gov.uk', null],
    ['jo.bloggs@example.com', null],
    ['', null],
  ];
  for (const [address, expected] of TABLE)
    assert.equal(verifyReplyAddress(address, SECRET), expected, address);
  assert.equal(
    verifyReplyAddress(
      'reply+kx7p-3rmd-9690tzngrd@mail.frontdoor.example.gov.uk',
      'another-secret-0123456789abcdef',
    ),
    null,
  );
});

void test('issue 13: the subject carries [Ref: …] once, read back in any case', () => {
  assert.equal(
    subjectWithReference('We have your report', 'kx7p3rmd'),
    'We have your report [Ref: KX7P-3RMD]',
  );
  assert.equal(
    subjectWithReference('RE: We have your report [Ref: KX7P-3RMD]', 'KX7P-3RMD'),
    'RE: We have your report [Ref: KX7P-3RMD]',
  );
  const TABLE: [string, string | null][] = [
    ['We have your report [Ref: KX7P-3RMD]', 'KX7P-3RMD'],
    ['RE: [ref:kx7p-3rmd] pothole', 'KX7P-3RMD'],
    ['Fwd: pothole [Ref# KX7P 3RMD]', 'KX7P-3RMD'],
    ['pothole [REF: KX7P3RMD]', 'KX7P-3RMD'],
    ['pothole [Ref: QW4N-8HT1]', 'QW4N-8HTL'], // a retyped l
    ['pothole KX7P-3RMD', null], // no tag: a body-style reference is not a subject tag
    ['pothole [Ref: KX0P-3RMD]', null],
    ['', null],
  ];
  for (const [subject, expected] of TABLE) assert.equal(referenceInSubject(subject), expected, subject);
});

void test('issue 13: subjectTopic drops reply prefixes and the reference tag', () => {
  assert.equal(subjectTopic('RE: Fwd: AW: We have your report [Ref: KX7P-3RMD]'), 'We have your report');
  assert.equal(subjectTopic('Automatic reply: Pothole'), 'Pothole');
  assert.equal(subjectTopic('Re[2]: Pothole'), 'Pothole');
  assert.equal(subjectTopic('Recycling centre hours'), 'Recycling centre hours');
});

void test('issue 13: references in a body: labelled in any case, bare only in capitals, in order, each once', () => {
  assert.deepEqual(referencesInBody('Your reference is KX7P-3RMD. Ref: kx7p-3rmd again'), ['KX7P-3RMD']);
  assert.deepEqual(referencesInBody('your ref qw4n 8htl and also HB2X-7YKC'), ['QW4N-8HTL', 'HB2X-7YKC']);
  assert.deepEqual(referencesInBody('reference number: kx7p3rmd'), ['KX7P-3RMD']);
  assert.deepEqual(referencesInBody('a self-help guide and a well-made plan'), []); // bare lower case
  assert.deepEqual(referencesInBody('SELF-HELP in capitals is a reference'), ['SELF-HELP']);
  assert.deepEqual(referencesInBody('case CAS-01234-Z9Y8X7 and KX7P-3RMDX'), []);
  assert.deepEqual(referencesInBody('AAAA-AAAA BBBB-BBBB CCCC-CCCC DDDD-DDDD'), [
    'AAAA-AAAA',
    'BBBB-BBBB',
    'CCCC-CCCC',
  ]);
});

void test('issue 13: long runs of spaces after "ref" cannot make reference finding slow', () => {
  const started = performance.now();
  const body = `ref${' '.repeat(200_000)}x `.repeat(3) + `[ref${' '.repeat(200_000)}`;
  assert.deepEqual(referencesInBody(body), []);
  assert.equal(referenceInSubject(body), null);
  assert.equal(subjectTopic(`re${' '.repeat(200_000)}x`), 're x');
  assert.ok(performance.now() - started < 2_000, 'linear time');
});
