/**
 * The webchat assistant's pieces without a database: asking for a person, words and misspellings, the
 * excerpt, the citation check, the confidence rule. The turns themselves (answer, handovers) are in
 * webchat.assistant-eval.int.test.ts, on the seeded demo articles.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  articleUnits,
  asksForPerson,
  chooseExcerpt,
  chooseMatch,
  citationHolds,
  contentWords,
  inVocabulary,
  oneEditApart,
  plainArticleText,
  saysItDidNotHelp,
  vocabulary,
  type MatchFigures,
} from './webchat.assistant.ts';

const MISSED_BIN = {
  title: 'What to do if your bin was not emptied',
  summary:
    'Tell us from the end of your collection day until 2 working days after, and we will come back within 2 working days.',
  body: [
    '## Report it in 2 working days',
    '',
    'If we did not empty your bin, [report a missed bin](/services/report-a-missed-bin).',
    '',
    'You can report it:',
    '',
    '- from the end of your collection day',
    '- until 2 working days after your collection day',
    '',
    '## Before you report it',
    '',
    'Check that:',
    '',
    '- your bin was out by **7am** on your collection day',
    '- the lid was shut',
    '',
    'If the bin was not out in time, our crew will tell us. We will not come back for it.',
    '',
    '## If it keeps happening',
    '',
    'Read [what to do about missed bins again and again](/help/complaints).',
  ].join('\n'),
};
const ARTICLE_TEXT = [MISSED_BIN.title, MISSED_BIN.summary, MISSED_BIN.body].join('\n');

describe('asking for a person', () => {
  for (const text of [
    'talk to a person',
    'Can I speak to someone please',
    'human',
    'HUMAN!!',
    'I want a real person',
    'agent',
    'agent please',
    'advisor',
    'can i talk to a real persn please',
    'put me through to an adviser',
    'speak to somone',
    'let me chat with a humna',
  ])
    test(`"${text}" asks for a person`, () => assert.equal(asksForPerson(text), true));
  for (const text of [
    'my bin was not emptied',
    'who is my local councillor',
    'the person next door dumped rubbish in the alley',
    'how do I appeal a parking ticket from a traffic agent and the council refused my request for a review',
    'hello',
  ])
    test(`"${text}" does not`, () => assert.equal(asksForPerson(text), false));
});

describe('words', () => {
  test('content words drop filler, function words and apostrophes, and are stemmed', () => {
    assert.deepEqual(contentWords("hi my bin wasn't emptied again!!"), ['bin', 'empty']);
    assert.deepEqual(contentWords('the bins were collected'), ['bin', 'collect']);
    assert.deepEqual(contentWords('hello'), []);
  });
  test('one edit apart: a letter added, dropped, changed or two swapped', () => {
    assert.equal(oneEditApart('rubish', 'rubbish'), true);
    assert.equal(oneEditApart('persn', 'person'), true);
    assert.equal(oneEditApart('humna', 'human'), true);
    assert.equal(oneEditApart('pothole', 'potholes'), true);
    assert.equal(oneEditApart('bin', 'bank'), false);
    assert.equal(oneEditApart('council', 'counsel'), false);
  });
  test('a question word is in a text misspelt, as a word start, or with a letter dropped; short words exactly', () => {
    const vocab = vocabulary('Rubbish collections and the blue recycling bin would get complaints');
    assert.equal(inVocabulary('rubish', vocab), true);
    assert.equal(inVocabulary('collect', vocab), true);
    assert.equal(inVocabulary('complain', vocab), true);
    assert.equal(inVocabulary('blu', vocab), true);
    assert.equal(inVocabulary('boiler', vocab), false);
    assert.equal(inVocabulary('tin', vocab), false);
    assert.equal(
      inVocabulary('mould', vocab),
      false,
      'not a misspelt "would": stop words are not in a vocabulary',
    );
  });
});

describe('the excerpt', () => {
  test('the article becomes quotable units: summary, sentences, lead-ins joined to their lists, plain text', () => {
    const units = articleUnits(MISSED_BIN);
    assert.equal(units[0].text, MISSED_BIN.summary);
    assert.ok(
      units.some(
        (u) =>
          u.text ===
          'You can report it: from the end of your collection day; until 2 working days after your collection day.',
      ),
    );
    assert.ok(units.some((u) => u.text === 'If we did not empty your bin, report a missed bin.'));
    assert.ok(
      units.every((u) => !/[*#[\]()]/.test(u.text)),
      'no Markdown marks',
    );
    assert.equal(units.find((u) => u.text.startsWith('Read '))?.pointer, true);
  });
  test('the unit with most of the question words, with the next of its section when short', () => {
    assert.equal(
      chooseExcerpt(MISSED_BIN, 'my bin wasnt emptied'),
      'If we did not empty your bin, report a missed bin. You can report it: from the end of your collection day; until 2 working days after your collection day.',
    );
    assert.match(chooseExcerpt(MISSED_BIN, 'does the lid need to be shut'), /the lid was shut/);
  });
  test('the summary when no unit holds a word of the question, never a sentence that is mostly a link', () => {
    assert.equal(chooseExcerpt(MISSED_BIN, 'tell me more'), MISSED_BIN.summary);
    assert.doesNotMatch(chooseExcerpt(MISSED_BIN, 'again and again'), /^Read /);
  });
  test('every excerpt passes the citation check against its article', () => {
    for (const q of ['bin not emptied', 'lid shut', 'crew', 'collection day', 'again'])
      assert.ok(citationHolds(chooseExcerpt(MISSED_BIN, q), ARTICLE_TEXT), q);
  });
});

describe('the citation check', () => {
  test('a faithful rephrasing is supported', () => {
    assert.equal(
      citationHolds(
        'Report a missed bin from the end of your collection day until 2 working days after. We will come back within 2 working days.',
        ARTICLE_TEXT,
      ),
      true,
    );
  });
  test('an invented sentence, a wrong number or an empty answer is not', () => {
    assert.equal(
      citationHolds('We will come back within 2 working days. You will get £50 compensation.', ARTICLE_TEXT),
      false,
    );
    assert.equal(citationHolds('We will come back within 5 working days.', ARTICLE_TEXT), false);
    assert.equal(citationHolds('Call the boiler engineer on the emergency line.', ARTICLE_TEXT), false);
    assert.equal(citationHolds('Yes.', ARTICLE_TEXT), false);
  });
});

describe('the confidence rule', () => {
  const c = (slug: string, f: Partial<MatchFigures>): MatchFigures => ({
    slug,
    score: 0.8,
    asked: 3,
    matched: 3,
    inHead: 2,
    inTitle: 1,
    missing: [],
    ...f,
  });
  test('an article holding all the question words, ranked well, is chosen', () => {
    assert.equal(chooseMatch([c('a', {}), c('b', { matched: 2 })])?.slug, 'a');
  });
  test('more of the question in the title ranks first, the search order breaks ties', () => {
    assert.equal(chooseMatch([c('a', { inTitle: 0 }), c('b', { inTitle: 2 })])?.slug, 'b');
    assert.equal(chooseMatch([c('a', {}), c('b', {})])?.slug, 'a');
  });
  test('too few of the question words, too few in the title and keywords, or a weak search score: none', () => {
    assert.equal(chooseMatch([c('a', { matched: 1, inTitle: 0 })]), null);
    assert.equal(chooseMatch([c('a', { inHead: 0 })]), null);
    assert.equal(chooseMatch([c('a', { score: 0.1 })]), null);
    assert.equal(chooseMatch([c('a', { asked: 0, matched: 0 })]), null);
    assert.equal(chooseMatch([]), null);
  });
  test('half the words with one in the title will do, unless another article fits as well', () => {
    const half = c('a', { asked: 4, matched: 2, inTitle: 1, missing: ['house', 'outside'] });
    const other = c('b', { asked: 4, matched: 1, inTitle: 0, missing: ['light', 'street', 'work'] });
    assert.equal(chooseMatch([half, other])?.slug, 'a');
    assert.equal(
      chooseMatch([half, other, c('c', { asked: 4, matched: 2, inTitle: 1, missing: ['x', 'y'] })]),
      null,
    );
  });
  test('half the words will not do when a word it lacks is in no candidate (a subject the articles miss)', () => {
    const house = c('a', { asked: 3, matched: 2, inTitle: 1, missing: ['mould'] });
    assert.equal(chooseMatch([house, c('b', { asked: 3, matched: 1, missing: ['mould', 'council'] })]), null);
    assert.equal(chooseMatch([c('a', { asked: 4, matched: 3, missing: ['mould'] })])?.slug, 'a', '3 of 4');
  });
});

describe('saying an answer did not help', () => {
  for (const text of [
    'no',
    'No.',
    'nope',
    "that didn't help",
    'it does not answer my question',
    'not what I asked',
    'useless',
    'no, that was not helpful',
    'No thanks!',
  ])
    test(`"${text}" says so`, () => assert.equal(saysItDidNotHelp(text), true));
  for (const text of [
    'yes thanks',
    'that helped',
    'my bin was not emptied',
    'nothing has been collected',
    'november',
    'no one came to empty my bin',
  ])
    test(`"${text}" does not`, () => assert.equal(saysItDidNotHelp(text), false));
});

test('the text a language model is given: plain, under its headings, without link addresses', () => {
  const text = plainArticleText(MISSED_BIN);
  assert.match(text, /^What to do if your bin was not emptied\n/);
  assert.match(text, /\nBefore you report it\nCheck that: your bin was out by 7am/);
  assert.doesNotMatch(text, /\/services\/|\/help\/|\*\*|##/);
});
