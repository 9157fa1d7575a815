/**
 * The front door's own look and fast pages (docs/assets.md): one fingerprinted stylesheet per page (no
 * MOJ Frontend on resident pages), no GOV.UK font, crest, crown or favicon, brotli/gzip compression, year-
 * long caching of fingerprinted assets, and the council's name, colour, logo and icon from settings.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import { signedIn } from './builders/customers.ts';
import { Browser, buildTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let serviceSlug: string;
const YEAR = 'public, max-age=31536000, immutable';

before(async () => {
  t = await buildTestApp();
  const authority = await buildAuthority(t.database.db);
  const team = await buildTeam(t.database.db, authority.id);
  serviceSlug = (await buildService(t.database.db, authority.id, team.id)).slug;
});
after(() => t.close());

const stylesheets = (html: string) =>
  [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]);
const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });

void describe('stylesheets and scripts', () => {
  void test('a resident page loads only the resident stylesheet; a staff page only the staff one, with MOJ Frontend', async () => {
    const home = await new Browser(t.app).get('/');
    assert.deepEqual(stylesheets(home.body), [t.app.assets.url('resident.css')]);
    assert.match(t.app.assets.url('resident.css'), /^\/assets\/resident\.[0-9a-f]{10}\.css$/);
    const staffSignIn = await new Browser(t.app).get('/staff/sign-in');
    assert.deepEqual(stylesheets(staffSignIn.body), [t.app.assets.url('staff.css')]);

    const resident = await get(t.app.assets.url('resident.css'));
    const staff = await get(t.app.assets.url('staff.css'));
    assert.equal(resident.statusCode, 200);
    assert.equal(resident.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(resident.headers['cache-control'], YEAR);
    assert.match(resident.body, /\.govuk-button\{/);
    assert.doesNotMatch(resident.body, /\.moj-/, 'no MOJ Frontend on resident pages');
    assert.match(staff.body, /\.moj-timeline\{/);
    assert.match(staff.body, /\.app-staff-bar\{/);
    for (const css of [resident.body, staff.body]) {
      assert.doesNotMatch(css, /GDS Transport|@font-face/i);
      assert.match(css, /font-family:system-ui,/);
      // Nothing is fetched by the stylesheet: no fonts, no crest, no images.
      assert.deepEqual(
        [...css.matchAll(/url\(\s*["']?([^"')]*)/g)].map((m) => m[1]).filter((u) => !u?.startsWith('data:')),
        [],
      );
    }
  });

  void test('scripts are fingerprinted too, and init.js imports GOV.UK Frontend by its fingerprinted name', async () => {
    const home = await new Browser(t.app).get('/');
    assert.match(
      home.body,
      new RegExp(`<script type="module" src="${t.app.assets.url('init.js')}" nonce="[0-9a-f]+">`),
    );
    const init = await get(t.app.assets.url('init.js'));
    assert.equal(init.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(init.body, new RegExp(`from '${t.app.assets.url('govuk-frontend.min.js')}'`));
    const govuk = await get(t.app.assets.url('govuk-frontend.min.js'));
    assert.equal(govuk.statusCode, 200);
    assert.equal(govuk.headers['cache-control'], YEAR);
    assert.doesNotMatch(govuk.body, /sourceMappingURL/);
  });

  void test('no GOV.UK font, crest, crown, favicon or old asset path is served or referenced', async () => {
    for (const url of [
      '/assets/fonts/light-94a07e06a1-v2.woff2',
      '/assets/fonts/bold-b542beb274-v2.woff2',
      '/assets/images/govuk-crest.svg',
      '/assets/images/favicon.ico',
      '/assets/images/govuk-icon-180.png',
      '/assets/manifest.json',
      '/assets/govuk-frontend.min.css',
      '/assets/moj-frontend.min.css',
      '/assets/govuk-frontend.min.js',
      '/assets/rebrand/images/favicon.svg',
      '/public/frontdoor.css',
      '/public/init.js',
      '/favicon.ico',
    ])
      assert.equal((await get(url)).statusCode, 404, url);
    for (const page of ['/', `/services/${serviceSlug}`, '/staff/sign-in', '/no-such-page']) {
      const html = (await new Browser(t.app).get(page)).body;
      assert.doesNotMatch(
        html,
        /favicon|govuk-crest|crown|\/assets\/images|manifest\.json|govuk-opengraph/,
        page,
      );
      assert.match(html, /<link rel="icon" href="data:,">/, page);
      assert.match(html, /<meta name="theme-color" content="#36454f">/, page);
    }
  });

  void test('a fingerprinted asset is compressed once and revalidates with its ETag', async () => {
    const url = t.app.assets.url('resident.css');
    const plain = await get(url);
    const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'accept-encoding');
    assert.equal(brotliDecompressSync(br.rawPayload).toString(), plain.body);
    assert.ok(br.rawPayload.length < plain.rawPayload.length / 5, `br ${br.rawPayload.length} bytes`);
    const gz = await get(url, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.rawPayload).toString(), plain.body);
    assert.equal((await get(url, { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding'], 'gzip');
    assert.equal(plain.headers['content-encoding'], undefined);

    const again = await get(url, { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
    assert.equal(again.statusCode, 304);
    assert.equal(again.rawPayload.length, 0);
    const head = await t.app.inject({ method: 'HEAD', url });
    assert.equal(head.statusCode, 200);
    assert.equal(head.rawPayload.length, 0);
    assert.equal(head.headers['cache-control'], YEAR);
  });

  void test('another version’s fingerprint gets this version, not cached for a year (rolling deploys)', async () => {
    const res = await get('/assets/resident.0123456789.css');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.body, (await get(t.app.assets.url('resident.css'))).body);
    assert.equal((await get('/assets/resident.css')).statusCode, 404);
    assert.equal((await get('/assets/unknown.0123456789.css')).statusCode, 404);
  });
});

void describe('compression', () => {
  void test('pages are brotli- or gzip-compressed for browsers that take it; tiny responses are not', async () => {
    const plain = await get('/staff/sign-in');
    assert.equal(plain.headers['content-encoding'], undefined);
    const br = await get('/staff/sign-in', { 'accept-encoding': 'br' });
    assert.equal(br.statusCode, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.match(brotliDecompressSync(br.rawPayload).toString(), /<h1[^>]*>Sign in/);
    const gz = await get('/staff/sign-in', { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(gz.rawPayload).toString(), /<h1[^>]*>Sign in/);
    const live = await get('/health/live', { 'accept-encoding': 'br' });
    assert.equal(live.headers['content-encoding'], undefined, 'below the threshold');
  });

  void test('a page from the page cache is compressed and still gets its own nonce', async () => {
    const first = await get('/', { 'accept-encoding': 'br' });
    const second = await get('/', { 'accept-encoding': 'br' });
    assert.equal(second.headers['content-encoding'], 'br');
    const nonce = (res: typeof first) =>
      /<script type="module" src="[^"]+" nonce="([0-9a-f]+)"/.exec(
        brotliDecompressSync(res.rawPayload).toString(),
      )?.[1];
    assert.ok(nonce(first));
    assert.notEqual(nonce(first), nonce(second));
    assert.match(String(second.headers['content-security-policy']), new RegExp(`'nonce-${nonce(second)}'`));
  });

  void test('HEAD on a page answers without a body', async () => {
    const head = await t.app.inject({ method: 'HEAD', url: '/', headers: { 'accept-encoding': 'br' } });
    assert.equal(head.statusCode, 200);
    assert.equal(head.rawPayload.length, 0);
    assert.match(String(head.headers['content-type']), /^text\/html/);
  });

  void test('signed-in staff pages are compressed too', async () => {
    const authority = await buildAuthority(t.database.db);
    const browser = await signedIn(t.app, await buildStaff(t.database.db, authority.id));
    const res = await t.app.inject({
      method: 'GET',
      url: '/staff',
      headers: {
        cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'accept-encoding': 'br',
      },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-encoding'], 'br');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(brotliDecompressSync(res.rawPayload).toString(), new RegExp(t.app.assets.url('staff.css')));
  });
});

void describe('brand settings', () => {
  let branded: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'fd-brand-'));
  const logo = join(dir, 'wessex.svg');
  writeFileSync(
    logo,
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#fff"/></svg>',
  );
  before(async () => {
    branded = await buildTestApp({
      env: {
        SITE_NAME: 'Wessex & Kingsbridge Council',
        BRAND_COLOUR: '#4c2c92',
        BRAND_LOGO: logo,
        BRAND_ICON: 'https://cdn.wessex.example/icon.png',
      },
    });
  });
  after(() => branded.close());

  void test('name, colour, logo (alt text: the name) and icon come from settings', async () => {
    const home = await new Browser(branded.app).get('/');
    assert.match(home.body, /<title>Find a council service – Wessex &amp; Kingsbridge Council<\/title>/);
    const logoUrl = branded.app.assets.url('logo.svg');
    assert.match(logoUrl, /^\/assets\/logo\.[0-9a-f]{10}\.svg$/);
    assert.match(
      home.body,
      new RegExp(`<img class="app-header__logo" src="${logoUrl}" alt="Wessex &amp; Kingsbridge Council">`),
    );
    assert.match(home.body, /<link rel="icon" href="https:\/\/cdn\.wessex\.example\/icon\.png">/);
    assert.match(home.body, /<meta name="theme-color" content="#4c2c92">/);
    assert.match(
      String(home.headers['content-security-policy']),
      /img-src 'self' data: https:\/\/cdn\.wessex\.example;/,
    );
    const image = await branded.app.inject({ method: 'GET', url: logoUrl });
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/svg+xml');
    assert.equal(image.headers['cache-control'], YEAR);
    const css = await branded.app.inject({ method: 'GET', url: branded.app.assets.url('resident.css') });
    assert.match(css.body, /:root\{--govuk-brand-colour:#4c2c92\}\s*$/);
    assert.notEqual(branded.app.assets.url('resident.css'), t.app.assets.url('resident.css'));

    // Staff pages keep their own name and show no logo.
    const staff = await new Browser(branded.app).get('/staff/sign-in');
    assert.doesNotMatch(staff.body, /app-header__logo/);
    assert.match(staff.body, /<title>[^<]*– Frontdoor staff workspace<\/title>/);
  });
});
