import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optWord } from './texts.service.ts';

void test('opt-out and opt-in words are whole messages, in any case, with stray spaces or a full stop', () => {
  for (const word of ['STOP', 'stop', ' Stop. ', 'STOPALL', 'unsubscribe', 'Opt out', 'QUIT!'])
    assert.equal(optWord(word), 'opt_out', word);
  for (const word of ['START', 'start', 'Unstop']) assert.equal(optWord(word), 'opt_in', word);
  for (const word of ['Please stop sending letters', 'stop the bins', 'STARTED', '', 'no'])
    assert.equal(optWord(word), null, word);
});
