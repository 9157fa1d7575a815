/**
 * Static assets with fingerprinted names (docs/assets.md): the two stylesheets, GOV.UK Frontend's script,
 * our progressive-enhancement scripts and the council's own logo and icon. Each is read (or compiled) once
 * at start-up, named by its content (`/assets/resident.3f2a9c1d0b.css`) and kept in memory with its
 * brotli and gzip forms (made on first request), so a browser may cache it for a year
 * (`immutable`): a new version has a new name. Nothing else is served from /assets/ — in particular no
 * GOV.UK font, crest or crown file.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { govukFrontendDist } from '../views/index.ts';
import { loadStylesheet } from '../views/styles.ts';

/** A logo or icon from the settings: an https URL used as it is, or a file served from here. */
export type BrandImage = { url: string } | { file: string };

/** The front door's own look (the `brand` settings in config). */
export interface BrandSettings {
  siteName: string | null;
  /** `#rrggbb`; config has checked white text on it passes WCAG AA. */
  colour: string;
  logo: BrandImage | null;
  icon: BrandImage | null;
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
};
const COMPRESSIBLE = new Set(['.css', '.js', '.svg', '.ico']);
const YEAR = 'public, max-age=31536000, immutable';

interface Asset {
  /** `resident.3f2a9c1d0b.css` */
  file: string;
  hash: string;
  type: string;
  body: Buffer;
  compressible: boolean;
  /** Compressed once, off the event loop, on the first request that asks for each encoding. */
  encoded: { br?: Promise<Buffer>; gzip?: Promise<Buffer> };
}

export class Assets {
  private readonly byName = new Map<string, Asset>();
  private readonly byFile = new Map<string, Asset>();

  add(name: string, body: Buffer | string): Asset {
    const ext = extname(name).toLowerCase();
    const type = TYPES[ext];
    if (!type) throw new Error(`No content type for asset ${name}`);
    const buffer = typeof body === 'string' ? Buffer.from(body) : body;
    const hash = createHash('sha256').update(buffer).digest('hex').slice(0, 10);
    const file = `${name.slice(0, -ext.length)}.${hash}${ext}`;
    const asset: Asset = { file, hash, type, body: buffer, compressible: COMPRESSIBLE.has(ext), encoded: {} };
    this.byName.set(name, asset);
    this.byFile.set(file, asset);
    return asset;
  }

  /** The fingerprinted URL of an asset by its plain name (`resident.css`); throws for an unknown name. */
  url(name: string): string {
    const asset = this.byName.get(name);
    if (!asset) throw new Error(`Unknown asset ${name}`);
    return `/assets/${asset.file}`;
  }

  /**
   * The asset a requested file name means: exactly (`current`), or the same asset with another content
   * hash (a page from another version, during a rolling deploy: served, but not cached for a year).
   */
  find(file: string): { asset: Asset; current: boolean } | null {
    const exact = this.byFile.get(file);
    if (exact) return { asset: exact, current: true };
    const match = /^(.+)\.[0-9a-f]{10}(\.[a-z]+)$/.exec(file);
    const other = match ? this.byName.get(`${match[1]}${match[2]}`) : undefined;
    return other ? { asset: other, current: false } : null;
  }
}

const GOVUK_SCRIPT = 'govuk-frontend.min.js';
const leafletDist = join(dirname(createRequire(import.meta.url).resolve('leaflet/package.json')), 'dist');

/**
 * The location map (forms' location step, docs/forms.md): Leaflet's script, its stylesheet with our few
 * rules after it and its images by fingerprinted names, our `location-map.js`. Pages load them only when a
 * tile server is configured and the page asks for a location.
 */
function addLocationMap(assets: Assets, scriptsDir: string): void {
  for (const image of ['layers', 'layers-2x', 'marker-icon', 'marker-icon-2x', 'marker-shadow'])
    assets.add(`leaflet-${image}.png`, readFileSync(join(leafletDist, 'images', `${image}.png`)));
  const leafletCss = readFileSync(join(leafletDist, 'leaflet.css'), 'utf8')
    .replace(/^.*behavior: url\(#default#VML\);\s*$/m, '')
    .replace(
      /url\(images\/([a-z0-9-]+)\.png\)/g,
      (_all, image: string) => `url(${assets.url(`leaflet-${image}.png`)})`,
    );
  const ours = readFileSync(join(scriptsDir, 'location-map.css'), 'utf8');
  assets.add('location-map.css', `${leafletCss}\n${ours}`);
  assets.add(
    'leaflet.js',
    readFileSync(join(leafletDist, 'leaflet.js'), 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n'),
  );
  assets.add('location-map.js', readFileSync(join(scriptsDir, 'location-map.js')));
}

/**
 * Reads, compiles and fingerprints every asset once. `scriptsDir` is `views/public` (our scripts).
 * The brand colour is appended to both stylesheets as `--govuk-brand-colour`, which GOV.UK Frontend's
 * components read (header, footer border, notification banners).
 */
export async function loadAssets(brand: BrandSettings, scriptsDir: string): Promise<Assets> {
  const assets = new Assets();
  const brandRule = `:root{--govuk-brand-colour:${brand.colour}}`;
  for (const name of ['resident', 'staff'] as const)
    assets.add(`${name}.css`, `${await loadStylesheet(name)}\n${brandRule}\n`);

  // GOV.UK Frontend's script without its source-map comment (the map is not served).
  const govuk = readFileSync(join(govukFrontendDist, 'govuk', GOVUK_SCRIPT), 'utf8').replace(
    /\n?\/\/# sourceMappingURL=\S+\s*$/,
    '\n',
  );
  assets.add(GOVUK_SCRIPT, govuk);
  // init.js imports GOV.UK Frontend by its plain URL; it gets the fingerprinted one.
  const init = readFileSync(join(scriptsDir, 'init.js'), 'utf8');
  const plain = `'/assets/${GOVUK_SCRIPT}'`;
  if (!init.includes(plain)) throw new Error(`init.js must import ${plain}`);
  assets.add('init.js', init.replace(plain, `'${assets.url(GOVUK_SCRIPT)}'`));
  assets.add('session-timeout.js', readFileSync(join(scriptsDir, 'session-timeout.js')));
  assets.add('staff-push.js', readFileSync(join(scriptsDir, 'staff-push.js')));
  assets.add('knowledge-answers.js', readFileSync(join(scriptsDir, 'knowledge-answers.js')));
  addLocationMap(assets, scriptsDir);

  for (const [name, image] of [
    ['logo', brand.logo],
    ['icon', brand.icon],
  ] as const)
    if (image && 'file' in image)
      assets.add(`${name}${extname(image.file).toLowerCase()}`, readFileSync(image.file));
  return assets;
}

/** The URL of the council's logo or icon: its own https URL, the served file, or null. */
export function brandImageUrl(
  assets: Assets,
  name: 'logo' | 'icon',
  image: BrandImage | null,
): string | null {
  if (!image) return null;
  if ('url' in image) return image.url;
  return assets.url(`${name}${extname(image.file).toLowerCase()}`);
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

function encode(asset: Asset, encoding: 'br' | 'gzip'): Promise<Buffer> {
  const done = asset.encoded[encoding];
  if (done) return done;
  const body =
    encoding === 'br'
      ? brotliAsync(asset.body, {
          params: {
            [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
            [zlib.BROTLI_PARAM_SIZE_HINT]: asset.body.length,
          },
        })
      : gzipAsync(asset.body, { level: 9 });
  asset.encoded[encoding] = body;
  return body;
}

/** br when the browser takes it, else gzip, else none (q=0 refuses an encoding). */
function negotiate(header: string | undefined): 'br' | 'gzip' | null {
  if (!header) return null;
  const accepted = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [coding, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (coding) accepted.set(coding.trim(), q === undefined ? 1 : Number(q));
  }
  const ok = (coding: string) => (accepted.get(coding) ?? accepted.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : null;
}

/** GET (and HEAD) /assets/:file from memory, with ETag and 304 for revalidation. */
export function registerAssets(app: FastifyInstance, assets: Assets): void {
  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { config: { permission: 'public' }, compress: false },
    async (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
      const found = assets.find(request.params.file);
      if (!found) return reply.callNotFound();
      const { asset, current } = found;
      const encoding = asset.compressible ? negotiate(request.headers['accept-encoding']) : null;
      const etag = `"${asset.hash}${encoding ? `-${encoding}` : ''}"`;
      reply
        .header('content-type', asset.type)
        .header('cache-control', current ? YEAR : 'no-cache')
        .header('etag', etag);
      if (asset.compressible) reply.header('vary', 'accept-encoding');
      const match = request.headers['if-none-match'];
      if (match && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))
        return reply.status(304).send();
      if (!encoding) return reply.send(asset.body);
      return reply.header('content-encoding', encoding).send(await encode(asset, encoding));
    },
  );
}
