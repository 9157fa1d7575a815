/**
 * Issue 12 item 14: the location step in a real browser. With a tile server configured (here a tiny local
 * one started by the test, so nothing reaches the internet) and JavaScript, the map appears; a click or
 * Enter on the map chooses a point that fills the hidden fields, and axe-core finds nothing. Without
 * JavaScript the map stays hidden and the description and postcode are enough to make the report.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, checkPage, chromiumMissing, launch, newContext } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { buildAuthority, buildTeam } from '../../test/builders/index.ts';
import { installShippedService } from '../../test/builders/services.ts';
import { seedDemoAddresses } from '../../src/modules/forms/index.ts';

const skip = chromiumMissing();
let tiles: Server;
let tileOrigin = '';
const tileRequests: string[] = [];
let server: RunningServer;
let browser: Browser;
let slug = '';

/** A 1×1 grey PNG: every tile. */
const TILE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mO8e+fOfwAI2gOqz7GE9wAAAABJRU5ErkJggg==',
  'base64',
);

before(async () => {
  if (skip) return;
  tiles = createServer((request, response) => {
    tileRequests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    response.end(TILE);
  });
  await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
  tileOrigin = `http://127.0.0.1:${(tiles.address() as AddressInfo).port}`;
  server = await startServer(
    async (t) => {
      const db = t.database.db;
      await seedDemoAddresses(db);
      const authority = await buildAuthority(db, { kind: 'county' });
      const team = await buildTeam(db, authority.id);
      slug = (
        await installShippedService(db, {
          authorityId: authority.id,
          teamId: team.id,
          slug: 'report-a-road-problem',
        })
      ).slug;
    },
    {
      env: {
        MAP_TILE_URL: `${tileOrigin}/tiles/{z}/{x}/{y}.png`,
        MAP_TILE_ATTRIBUTION: 'Test tiles',
        MAP_CENTRE: '51.062,-2.32,14',
      },
    },
  );
  browser = await launch();
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => tiles.close(resolve));
});

async function clickAndWait(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.click(selector)]);
}

/** Start → "What is the problem?" → the location step. */
async function toLocationStep(page: Page): Promise<void> {
  await page.goto(`/services/${slug}/start`);
  await page.check('input[name=problemType][value=drain]');
  await page.check('input[name=danger][value=no]');
  await clickAndWait(page, '[data-testid=continue]');
  assert.match(new URL(page.url()).pathname, /\/where$/);
}

/** The location step → photo → contact → check answers → send; returns the case's location. */
async function finish(page: Page): Promise<unknown> {
  await clickAndWait(page, '[data-testid=continue]');
  assert.equal(await page.locator('.govuk-error-summary').count(), 0, 'the location is accepted');
  assert.match(new URL(page.url()).pathname, /\/photo$/);
  await clickAndWait(page, '[data-testid=continue]');
  await page.fill('#email', 'resident@example.com');
  await clickAndWait(page, '[data-testid=continue]');
  assert.match(new URL(page.url()).pathname, /\/check$/);
  const check = await page.locator('main').innerText();
  await clickAndWait(page, '[data-testid=submit]');
  assert.match(new URL(page.url()).pathname, /\/confirmation$/);
  const reference = (await page.locator('[data-testid=reference]').innerText()).trim();
  const row = await server.database.db
    .selectFrom('cases')
    .select('location')
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
  return { check, location: row.location };
}

void describe('issue 12 item 14: the location step in a browser', { skip }, () => {
  void test('issue 12 item 14: with a tile server configured the map appears, a click and the keyboard fill the hidden point, and axe-core finds no violations', async () => {
    const context = await newContext(browser, server.baseURL);
    // The local tile server is another origin: let the map's tile requests through to it (and only those).
    await context.route(`${tileOrigin}/**`, (route) => route.continue());
    const page = await context.newPage();
    await toLocationStep(page);
    const response = await page.reload();
    const csp = (await response?.allHeaders())?.['content-security-policy'] ?? '';
    assert.match(csp, new RegExp(`img-src 'self' data: ${tileOrigin.replace(/[.:/]/g, '\\$&')}`), csp);

    const map = page.locator('[data-location-map]');
    await map.waitFor({ state: 'visible' });
    await page.locator('.leaflet-tile-loaded').first().waitFor();
    assert.ok(
      tileRequests.some((url) => /^\/tiles\/14\/\d+\/\d+\.png$/.test(url)),
      'tiles from the tile server',
    );
    assert.match(await map.innerText(), /Test tiles/, 'the tiles are credited');
    assert.equal(await page.inputValue('[name=location-lat]'), '');
    const remove = page.locator('[data-location-map-remove]');
    assert.equal(await remove.isVisible(), false, 'nothing to remove yet');
    await checkPage(page);

    // A click chooses the point under it.
    await page.locator('[data-location-map-canvas]').click({ position: { x: 100, y: 80 } });
    const lat = Number(await page.inputValue('[name=location-lat]'));
    const lng = Number(await page.inputValue('[name=location-lng]'));
    assert.ok(lat > 51 && lat < 51.2 && lng > -2.4 && lng < -2.2, `${lat}, ${lng}`);
    assert.equal(
      (await page.locator('[data-testid=location-map-status]').innerText()).trim(),
      `Point chosen on the map: ${lat}, ${lng}.`,
    );
    assert.equal(await page.locator('.leaflet-marker-icon').count(), 1);
    assert.equal(await remove.isVisible(), true);
    await assertAccessible(page);

    // "Remove the point" clears it.
    await remove.click();
    assert.equal(await page.inputValue('[name=location-lat]'), '');
    assert.equal(await page.locator('.leaflet-marker-icon').count(), 0);
    assert.match(await page.locator('[data-testid=location-map-status]').innerText(), /No point chosen/);

    // The keyboard: move the map with an arrow key, Enter chooses its middle.
    await page.locator('[data-location-map-canvas]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    const moved = Number(await page.inputValue('[name=location-lng]'));
    assert.notEqual(moved, lng, 'Enter chose the middle of the moved map');
    assert.equal(await page.locator('.leaflet-marker-icon').count(), 1, 'one marker');

    const made = (await finish(page)) as { check: string; location: { lat: number; lng: number } };
    assert.match(made.check, /Point on the map: /);
    assert.equal(made.location.lng, moved);
    assert.ok(made.location.lat > 51 && made.location.lat < 51.2);
    assert.deepEqual(context.unexpected, [], 'nothing else left the server');
    await context.close();
  });

  void test('issue 12 item 14: without JavaScript the map stays hidden and a description and postcode make the report', async () => {
    const context = await newContext(browser, server.baseURL, { javaScriptEnabled: false });
    const page = await context.newPage();
    await toLocationStep(page);
    assert.equal(await page.locator('[data-location-map]').isVisible(), false, 'no map without JavaScript');
    assert.equal(await page.locator('input[name=location-lat]').getAttribute('type'), 'hidden');
    await page.fill('#location-description', 'Blocked drain outside 14 Mill Lane');
    await page.fill('#location-postcode', 'kb1 2ab');
    const made = (await finish(page)) as { location: unknown };
    assert.deepEqual(made.location, {
      description: 'Blocked drain outside 14 Mill Lane',
      postcode: 'KB1 2AB',
    });
    await context.close();
  });
});
