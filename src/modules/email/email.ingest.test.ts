import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trimReply } from './email.ingest.ts';

void test('issue 13 staff: a reply is trimmed to what the sender wrote, whatever the client', () => {
  const cases: [string, string, string][] = [
    [
      'Gmail',
      'Still there.\n\nOn Mon, 7 Dec 2026 at 10:00, Highways <h@x.gov.uk> wrote:\n> We have your report\n',
      'Still there.',
    ],
    [
      'Outlook',
      'Thanks, that is fixed now.\n\nFrom: Highways <h@x.gov.uk>\nSent: 05 December 2026 10:00\nTo: Jo\nSubject: We have your report\n\nWe have your report.',
      'Thanks, that is fixed now.',
    ],
    ['Outlook (old)', 'Yes please.\n\n-----Original Message-----\nFrom: Highways\nOld text', 'Yes please.'],
    ['Quoted lines only', 'It is still there\n> old line\n> older line', 'It is still there'],
    ['No history', 'A new problem on Mill Lane.\nIt is deep.', 'A new problem on Mill Lane.\nIt is deep.'],
    [
      'Nothing new: the whole text is kept',
      '> only a quote\n> of our email',
      '> only a quote\n> of our email',
    ],
  ];
  for (const [client, text, expected] of cases) assert.equal(trimReply(text), expected, client);
});

void test('issue 13 staff: a long quoted history is not read past the first quote line (the cost stays flat)', () => {
  const history = `${'> quoted line of an old message\n'.repeat(20_000)}`;
  assert.equal(trimReply(`New words.\n\nOn Mon, 7 Dec 2026, Council wrote:\n${history}`), 'New words.');
});

void test('issue 13 staff: new mail with no quoted history is kept whole, however long', () => {
  const long = `${'A long request about the gritting routes. '.repeat(1_000)}End.`;
  assert.equal(trimReply(long), long);
});
