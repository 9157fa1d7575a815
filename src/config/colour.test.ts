import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contrastWithWhite, parseHexColour } from './colour.ts';

test('parses six- and three-digit hex colours and refuses anything else', () => {
  assert.deepEqual(parseHexColour('#1d70b8'), [0x1d, 0x70, 0xb8]);
  assert.deepEqual(parseHexColour('#FFF'), [255, 255, 255]);
  for (const bad of ['1d70b8', '#1d70b', 'blue', '#gggggg', 'rgb(0,0,0)', ''])
    assert.equal(parseHexColour(bad), null, bad);
});

test('contrast with white matches the WCAG figures', () => {
  assert.equal(contrastWithWhite([0, 0, 0]).toFixed(1), '21.0');
  assert.equal(contrastWithWhite([255, 255, 255]).toFixed(1), '1.0');
  // GOV.UK blue passes AA for white text; GOV.UK's light blue and mid grey do not.
  assert.ok(contrastWithWhite(parseHexColour('#1d70b8')!) >= 4.5);
  assert.ok(contrastWithWhite(parseHexColour('#5694ca')!) < 4.5);
  assert.equal(contrastWithWhite(parseHexColour('#767676')!).toFixed(2), '4.54');
  assert.ok(contrastWithWhite(parseHexColour('#777777')!) < 4.5);
});
