/**
 * Knowledge-base search benchmark (issue 15; budget: article search p95 ≤ 30 ms with 5,000 articles, on
 * PostgreSQL and on PGlite).
 *
 *   node --import tsx bench/knowledge.ts [--articles 5000] [--rounds 10]     (PGlite; PostgreSQL through run.ts)
 *
 * Migrates a fresh database (a temporary PGlite folder, or the PostgreSQL database at `databaseUrl`, which
 * run.ts creates and drops), makes a council with the teams the demo articles name, seeds the demo articles
 * (src/modules/knowledge/content) through the module's own loader, then adds generated published articles
 * up to `articles` in total (set-based: titles, keywords and bodies of a few hundred words drawn,
 * deterministically, from the demo articles' own vocabulary, so the search document's posting lists look
 * like real ones; one in ten internal). Then it runs every hand-written query of
 * test/fixtures/knowledge/search-queries.json through the public search (`searchArticles`, as /help, the
 * portal search and the API call it), `rounds` times after a warm-up round: p50/p95/p99 ms per search, and
 * the top-3 hit rate at this size (the generated articles compete with the demo ones).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type Database, type Db } from '../src/platform/db/index.ts';
import { loadArticleFiles, searchArticles, seedArticles } from '../src/modules/knowledge/index.ts';
import { seeded, arg, round } from './common.ts';

export interface KnowledgeBenchOptions {
  engine: 'pglite' | 'postgres';
  databaseUrl?: string;
  /** Articles in total (demo + generated). Default 5,000. */
  articles?: number;
  /** Timed rounds over the query set. Default 10. */
  rounds?: number;
  log?: boolean;
}

export interface KnowledgeBenchResult {
  engine: 'pglite' | 'postgres';
  articles: number;
  queries: number;
  searches: number;
  loadSeconds: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  top3Rate: number;
  loadAverage: number;
}

// The search document's columns are the module's (knowledge.repository.ts searchColumns), written set-based here.
const NOW = new Date('2026-12-07T10:00:00Z');

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

export async function setUp(db: Db, total: number): Promise<{ authorityId: string; seeded: number }> {
  const files = loadArticleFiles();
  const { id: authorityId } = await db
    .insertInto('authorities')
    .values({ code: 'bench-kb', name: 'Bench council', kind: 'county', website: null, phone: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const teams = new Map<string, string>();
  for (const team of new Set(files.map((f) => f.team))) {
    const { id } = await db
      .insertInto('teams')
      .values({ authority_id: authorityId, code: team, name: team, email: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const staff = await db
      .insertInto('staff_users')
      .values({
        authority_id: authorityId,
        email: `${team}@bench.example.gov.uk`,
        display_name: `Owner ${team}`,
        password_hash: 'x',
        roles: ['officer'],
        languages: [],
        specialisms: [],
        active: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('staff_team_members')
      .values({ authority_id: authorityId, staff_user_id: staff.id, team_id: id, is_leader: true })
      .execute();
    teams.set(team, id);
  }
  const result = await seedArticles(db, files, { now: NOW, authorityCode: () => 'bench-kb' });
  // Generated articles from the demo articles' own words.
  const words = [
    ...new Set(
      files.flatMap((f) => `${f.title} ${f.summary} ${f.body}`.toLowerCase().match(/[a-z]{3,}/g) ?? []),
    ),
  ];
  const r = seeded(15);
  const teamIds = [...teams.values()];
  // Each generated article has a topic of its own (40 words it mostly uses) and draws the rest from the
  // whole vocabulary: closer to real articles than uniform picks, where every word is in every article.
  let topic: string[] = [];
  const word = () => (r.int(10) < 7 ? r.pick(topic) : r.pick(words));
  const phrase = (n: number) => Array.from({ length: n }, word).join(' ');
  const generated = Math.max(0, total - result.created);
  for (let start = 0; start < generated; start += 250) {
    const batch = Array.from({ length: Math.min(250, generated - start) }, (_, k) => {
      const i = start + k;
      topic = Array.from({ length: 40 }, () => r.pick(words));
      const title = `${phrase(2 + r.int(4))} ${i}`;
      return {
        slug: `generated-${i}`,
        title: title[0].toUpperCase() + title.slice(1),
        summary: `${phrase(12 + r.int(10))}.`,
        keywords: Array.from({ length: 3 + r.int(4) }, () => phrase(1 + r.int(2))).join(', '),
        body: Array.from(
          { length: 4 + r.int(6) },
          () => `## ${phrase(3)}\n\n${phrase(30 + r.int(40))}.`,
        ).join('\n\n'),
        audience: i % 10 === 0 ? 'internal' : 'public',
        teamId: r.pick(teamIds),
      };
    });
    await db.transaction().execute(async (trx) => {
      const ids = await trx
        .insertInto('articles')
        .values(
          batch.map((b) => ({
            slug: b.slug,
            authority_id: authorityId,
            team_id: b.teamId,
            audience: b.audience as 'public' | 'internal',
            state: 'published' as const,
            published_version: 1,
            review_on: '2027-06-07',
            created_at: NOW,
            updated_at: NOW,
          })),
        )
        .returning(['id', 'slug'])
        .execute();
      const idOf = new Map(ids.map((x) => [x.slug, x.id]));
      await trx
        .insertInto('article_versions')
        .values(
          batch.map((b) => ({
            article_id: idOf.get(b.slug)!,
            number: 1,
            title: b.title,
            summary: b.summary,
            body: b.body,
            keywords: b.keywords,
            change_note: 'First version',
            published_at: NOW,
          })),
        )
        .execute();
      await trx
        .insertInto('article_search')
        .values(
          batch.map((b) => ({
            article_id: idOf.get(b.slug)!,
            authority_id: authorityId,
            audience: b.audience as 'public' | 'internal',
            terms: `${b.title} ${b.keywords}`,
            head: sql<string>`setweight(to_tsvector('english', ${b.title} || ' ' || ${b.keywords}), 'A')
              || setweight(to_tsvector('english', ${b.summary}), 'B')`,
            document: sql<string>`setweight(to_tsvector('english', ${b.title} || ' ' || ${b.keywords}), 'A')
              || setweight(to_tsvector('english', ${b.summary}), 'B')
              || setweight(to_tsvector('english', ${b.body}), 'C')`,
          })),
        )
        .execute();
    });
  }
  await sql`analyze`.execute(db);
  return { authorityId, seeded: result.created };
}

export async function run(options: KnowledgeBenchOptions): Promise<KnowledgeBenchResult> {
  const log = options.log ?? true;
  const say = (text: string) => log && process.stdout.write(`${text}\n`);
  const total = options.articles ?? 5000;
  const rounds = options.rounds ?? 10;
  const dataDir = mkdtempSync(join(tmpdir(), 'frontdoor-bench-knowledge-'));
  let database: Database;
  if (options.engine === 'postgres') {
    if (!options.databaseUrl) throw new Error('bench/knowledge: give a databaseUrl for the postgres engine');
    database = await openDatabase({ engine: 'postgres', url: options.databaseUrl, poolSize: 4 });
  } else database = await openDatabase({ engine: 'pglite', dataDir: join(dataDir, 'db') });
  const db = database.db;
  try {
    await migrateToLatest(db);
    const started = performance.now();
    await setUp(db, total);
    const loadSeconds = round((performance.now() - started) / 1000);
    const articles = Number(
      (
        await db
          .selectFrom('articles')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const queries = JSON.parse(
      readFileSync(new URL('../test/fixtures/knowledge/search-queries.json', import.meta.url), 'utf8'),
    ) as { query: string; expected: string }[];
    say(
      `knowledge bench: engine ${options.engine}, ${articles} articles (loaded in ${loadSeconds} s), ${queries.length} queries × ${rounds} rounds`,
    );
    const search = (query: string) => searchArticles(db, { query, audience: 'public', now: NOW, limit: 10 });
    let top3 = 0;
    for (const q of queries) {
      const hits = await search(q.query);
      if (hits.slice(0, 3).some((h) => h.slug === q.expected)) top3++;
    }
    const loadAverage = loadavg()[0];
    const times: number[] = [];
    for (let round = 0; round < rounds; round++)
      for (const q of queries) {
        const t0 = performance.now();
        await search(q.query);
        times.push(performance.now() - t0);
      }
    times.sort((a, b) => a - b);
    const result: KnowledgeBenchResult = {
      engine: options.engine,
      articles,
      queries: queries.length,
      searches: times.length,
      loadSeconds,
      p50: round(percentile(times, 50)),
      p95: round(percentile(times, 95)),
      p99: round(percentile(times, 99)),
      max: round(times[times.length - 1] ?? 0),
      top3Rate: round((100 * top3) / queries.length),
      loadAverage: round(loadAverage),
    };
    say(
      `  public search           p50 ${result.p50} ms  p95 ${result.p95} ms  p99 ${result.p99} ms  max ${result.max} ms  (budget p95 ≤ 30 ms: ${result.p95 <= 30 ? 'met' : 'MISSED'}); top-3 at this size ${result.top3Rate}%; load average ${result.loadAverage}`,
    );
    return result;
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if ((arg('engine') ?? 'pglite') !== 'pglite')
    throw new Error(
      'bench/knowledge: run PostgreSQL through bench/run.ts (it makes and drops a temporary database)',
    );
  await run({
    engine: 'pglite',
    articles: arg('articles') ? Number(arg('articles')) : undefined,
    rounds: arg('rounds') ? Number(arg('rounds')) : undefined,
  });
}
