import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStylesheet } from './styles.ts';

void test('a stylesheet that would download a font or any file is refused', () => {
  assert.throws(
    () => checkStylesheet('resident', '@font-face{font-family:"GDS Transport";src:url(/f.woff2)}'),
    /declares a font face/,
  );
  assert.throws(() => checkStylesheet('resident', 'a{font-family:"GDS Transport",arial}'), /font face/);
  assert.throws(
    () => checkStylesheet('staff', '.x::before{background-image:url("/assets/images/govuk-crest.svg")}'),
    /refers to files that are not served: \/assets\/images\/govuk-crest\.svg/,
  );
  assert.throws(() => checkStylesheet('staff', '.x{background:url(icon.png)}'), /icon\.png/);
});

void test('system fonts and inline data: images are fine', () => {
  checkStylesheet(
    'resident',
    'a{font-family:system-ui,arial,sans-serif}.y{background-image:url("data:image/svg+xml,%3Csvg%3E")}',
  );
});
