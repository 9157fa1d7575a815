/**
 * Page weight (issue 11; budget: a resident page under 150 KB without images, STANDARDS "Performance").
 *
 *   npm run bench -- --only weight
 *
 * Starts the real app (buildApp) on loopback over a fresh PGlite folder with the demo area seeded, and
 * fetches each page the way a browser does on a first visit: the HTML, then every stylesheet, module
 * preload and script it names, all with `accept-encoding: br, gzip`. Each figure is the bytes on the
 * wire (status line, headers and the compressed body), as Lighthouse's "transfer size" counts them; a
 * repeat visit fetches only the HTML (fingerprinted assets are cached for a year). Images are left out:
 * the default look has none.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.ts';
import { loadCaseService } from '../src/modules/cases/index.ts';
import { DEMO_PASSWORD, seedDemo } from '../src/seed/demo.ts';
import { completeAnswers } from './portal.ts';

export interface PageWeight {
  page: string;
  path: string;
  area: 'resident' | 'staff';
  /** Bytes on the wire (headers + compressed body). */
  html: number;
  css: number;
  js: number;
  total: number;
  /** The same resources uncompressed (bodies only). */
  uncompressed: number;
  /** The stylesheets and scripts the page loads. */
  assets: string[];
}

export interface WeightBenchResult {
  pages: PageWeight[];
  budgetBytes: number;
}

export const RESIDENT_PAGE_BUDGET_BYTES = 150 * 1024;

interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Status line + headers + body as sent. */
  wireBytes: number;
  body: string;
  bodyBytes: number;
}

/** A browser-like client: one cookie jar, br/gzip accepted, bytes counted as they arrive. */
class Client {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly port: number) {}

  request(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Fetched> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          headers: {
            'accept-encoding': 'br, gzip',
            accept: 'text/html,*/*',
            cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
            ...(body
              ? {
                  'content-type': 'application/x-www-form-urlencoded',
                  'content-length': String(Buffer.byteLength(body)),
                }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            for (const line of res.headers['set-cookie'] ?? []) {
              const [pair] = line.split(';');
              const [name, ...value] = (pair ?? '').split('=');
              if (name) this.cookies.set(name.trim(), value.join('='));
            }
            const raw = Buffer.concat(chunks);
            const encoding = res.headers['content-encoding'];
            const plain =
              encoding === 'br' ? brotliDecompressSync(raw) : encoding === 'gzip' ? gunzipSync(raw) : raw;
            // HTTP/1.1 framing as sent: status line, each header line, the blank line.
            const headerBytes =
              Buffer.byteLength(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`) +
              res.rawHeaders.reduce(
                (sum, value, i) =>
                  i % 2 === 0 ? sum + Buffer.byteLength(`${value}: ${res.rawHeaders[i + 1]}\r\n`) : sum,
                0,
              ) +
              2;
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              wireBytes: headerBytes + raw.length,
              body: plain.toString('utf8'),
              bodyBytes: plain.length,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Follows 30x redirects (GET) and returns the final page and its path. */
  async follow(path: string): Promise<{ page: Fetched; path: string }> {
    let current = path;
    for (let hops = 0; hops < 5; hops += 1) {
      const page = await this.request('GET', current);
      const location = page.headers.location;
      if (page.status < 300 || page.status >= 400 || !location) return { page, path: current };
      current = new URL(location, 'http://x').pathname + new URL(location, 'http://x').search;
    }
    throw new Error(`bench/weight: too many redirects from ${path}`);
  }
}

/** The stylesheets, module preloads and scripts an HTML page makes the browser fetch. */
function assetsOf(html: string): string[] {
  const urls = [
    ...html.matchAll(/<link rel="(?:stylesheet|modulepreload)" href="([^"]+)"/g),
    ...html.matchAll(/<script[^>]* src="([^"]+)"/g),
  ].map((m) => m[1] ?? '');
  return [...new Set(urls.filter((u) => u.startsWith('/')))];
}

async function weigh(
  client: Client,
  name: string,
  area: PageWeight['area'],
  page: Fetched,
  path: string,
): Promise<PageWeight> {
  if (page.status !== 200) throw new Error(`bench/weight: ${path} answered ${page.status}`);
  const assets = assetsOf(page.body);
  let css = 0;
  let js = 0;
  let uncompressed = page.bodyBytes;
  for (const url of assets) {
    const asset = await client.request('GET', url);
    if (asset.status !== 200) throw new Error(`bench/weight: ${url} answered ${asset.status}`);
    if (url.endsWith('.css')) css += asset.wireBytes;
    else js += asset.wireBytes;
    uncompressed += asset.bodyBytes;
  }
  return {
    page: name,
    path,
    area,
    html: page.wireBytes,
    css,
    js,
    total: page.wireBytes + css + js,
    uncompressed,
    assets,
  };
}

export async function run(options: { log?: boolean } = {}): Promise<WeightBenchResult> {
  const say = (text: string) => (options.log ?? true) && process.stdout.write(`${text}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-bench-weight-'));
  const database = await openDatabase({ engine: 'pglite', dataDir: join(dataDir, 'db') });
  try {
    await migrateToLatest(database.db);
    say('bench/weight: seeding the demo area');
    await seedDemo(database.db, { customers: 0 });
    const config = loadConfig({
      SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      RUN_WORKER: 'false',
    });
    const app = await buildApp({ config, database, logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    try {
      const pages: PageWeight[] = [];
      const resident = new Client(port);
      const visit = async (
        name: string,
        path: string,
        client = resident,
        area: PageWeight['area'] = 'resident',
      ) => {
        const { page, path: final } = await client.follow(path);
        const weight = await weigh(client, name, area, page, final);
        pages.push(weight);
        say(`bench/weight: ${name} ${final}: ${(weight.total / 1024).toFixed(1)} KB`);
        return { page, path: final };
      };

      await visit('Home', '/');
      const slug = 'report-a-road-problem';
      await visit('Service start page', `/services/${slug}`);
      await visit('Form question page', `/services/${slug}/start`);
      // Check answers: a general enquiry with every question answered (its questions have no conditions).
      const enquiry = await resident.follow('/services/general-enquiry/start');
      const draftId = /^\/apply\/([0-9a-f-]{36})\//.exec(enquiry.path)?.[1];
      const service = await loadCaseService(database.db, { slug: 'general-enquiry' });
      if (!draftId || !service) throw new Error(`bench/weight: no draft from ${enquiry.path}`);
      await database.db
        .updateTable('form_drafts')
        .set({ answers: JSON.stringify(completeAnswers(service)) })
        .where('id', '=', draftId)
        .execute();
      await visit('Check answers', `/apply/${draftId}/check`);
      await visit('Track a request', '/track');
      await visit('Resident sign-in', '/account/sign-in');
      await visit('Contact', '/contact');

      const staff = new Client(port);
      const signIn = await visit('Staff sign-in', '/staff/sign-in', staff, 'staff');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(signIn.page.body)?.[1] ?? '';
      const posted = await staff.request('POST', '/staff/sign-in', {
        _csrf: csrf,
        email: 'agent@county.example.gov.uk',
        password: DEMO_PASSWORD,
      });
      if (posted.status !== 303 && posted.status !== 302)
        throw new Error(`bench/weight: staff sign-in answered ${posted.status}`);
      await visit('Staff home (signed-in agent)', '/staff', staff, 'staff');
      return { pages, budgetBytes: RESIDENT_PAGE_BUDGET_BYTES };
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
