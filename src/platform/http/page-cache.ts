/**
 * A cache of the rendered HTML of anonymous resident pages (the home page, service pages), so the busiest
 * pages skip the database and the template engine: GOV.UK Nunjucks layouts take about a millisecond to
 * render, which alone would cap a 2-core server well below the 2,500 req/s budget.
 *
 * Correctness rules, in order:
 * - Opt-in by route: only routes the composition root names (`routes`), and only for GET without a query
 *   string. Pages that read cookies (drafts, tracking, sign-in) are never named.
 * - Only for requests with no session at all (no signed-in resident or staff), so no personal data is ever
 *   stored; only 200 responses rendered through `reply.view` are kept.
 * - Per-request values are not cached: the page is rendered with placeholders for the CSP nonce and the
 *   CSRF token, which are substituted on every hit (the CSRF cookie is still set by the usual hook).
 * - Keyed by (language, path). Entries live `ttlMs` (catalogue changes made elsewhere, e.g. by another
 *   process, show within that time); `invalidate()` drops everything at once for changes made here.
 */
import { randomBytes } from 'node:crypto';

export interface PageCacheOptions {
  /** Route patterns (as declared, e.g. `/services/:slug`) whose anonymous GET pages may be cached. */
  routes: readonly string[];
  /** How long an entry is served. */
  ttlMs: number;
  /** Most entries kept (oldest dropped first). Default 1,000. */
  maxEntries?: number;
  /** Milliseconds clock (injectable for tests). */
  now?: () => number;
}

interface Entry {
  /** The page split at the placeholders: text, slot, text, slot, …, text. */
  parts: string[];
  slots: ('nonce' | 'csrf')[];
  expires: number;
}

export class PageCache {
  /** Random per process, so page content can never forge a placeholder. */
  readonly noncePlaceholder = `fdnonce${randomBytes(12).toString('hex')}`;
  readonly csrfPlaceholder = `fdcsrf${randomBytes(12).toString('hex')}`;
  private readonly routes: ReadonlySet<string>;
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Bumped by invalidate(), so a page rendered from data read before it is not stored after it. */
  generation = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly options: PageCacheOptions) {
    this.routes = new Set(options.routes);
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? (() => performance.now());
  }

  /** The cache key for this request, or null when it must not be cached (or served from the cache). */
  keyFor(request: {
    method: string;
    url: string;
    routeUrl: string | undefined;
    hasSession: boolean;
    locale: string;
  }): string | null {
    if (request.method !== 'GET' || request.hasSession || request.url.includes('?')) return null;
    if (!request.routeUrl || !this.routes.has(request.routeUrl)) return null;
    return `${request.locale}\u0000${request.url}`;
  }

  /** The cached page with this request's nonce and CSRF token put in, or null. */
  get(key: string, nonce: string, csrfToken: string): string | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    let html = entry.parts[0];
    for (let i = 0; i < entry.slots.length; i++)
      html += (entry.slots[i] === 'nonce' ? nonce : csrfToken) + entry.parts[i + 1];
    return html;
  }

  set(key: string, html: string, generation: number): void {
    if (generation !== this.generation) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const parts: string[] = [];
    const slots: ('nonce' | 'csrf')[] = [];
    const pattern = new RegExp(`${this.noncePlaceholder}|${this.csrfPlaceholder}`, 'g');
    let last = 0;
    for (const match of html.matchAll(pattern)) {
      parts.push(html.slice(last, match.index));
      slots.push(match[0] === this.noncePlaceholder ? 'nonce' : 'csrf');
      last = match.index + match[0].length;
    }
    parts.push(html.slice(last));
    this.entries.set(key, { parts, slots, expires: this.now() + this.options.ttlMs });
  }

  /** Drops every cached page (call after changing what public pages show, e.g. the service catalogue). */
  invalidate(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** The cached page with this request's nonce and CSRF token put in. */
  fill(html: string, nonce: string, csrfToken: string): string {
    return html.replaceAll(this.noncePlaceholder, nonce).replaceAll(this.csrfPlaceholder, csrfToken);
  }
}
