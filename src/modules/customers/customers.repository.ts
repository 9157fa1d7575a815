/**
 * All SQL for customers: search, the single view, contacts, duplicates and merges. Functions take
 * `Db | Tx`; use-cases in customers.service.ts own the transactions.
 *
 * Reads `cases`, `services`, `interactions` and `staff_users` directly (no cases module exists yet); when
 * the cases module lands, the case reads and the merge's case moves should go through its index.ts.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx, AddressValue, Channel } from '../../platform/db/index.ts';
import { workflowStatusLabel } from '../services/index.ts';
import type { CustomerScope } from './customers.policy.ts';
import type { SearchCriteria } from './customers.normalise.ts';

type Conn = Db | Tx;

/**
 * Trigram thresholds for the `<%` (names, address words) and `%` (mistyped emails) operators, set per
 * transaction by `withSearchSettings`. 0.5 word similarity finds "Thompsen" for "Thompson" (0.67).
 */
export const NAME_WORD_SIMILARITY = 0.5;
export const SIMILARITY = 0.5;
/** How many fuzzy (name or address) candidates a search ranks at most, best first. */
export const FUZZY_CANDIDATES = 200;

const uuids = (ids: readonly string[]) => sql`${ids}::uuid[]`;

/** Words that make a free-text query an address search too. */
const STREET_WORDS = new Set(
  'street st road rd lane ln avenue ave close drive dr way court ct place crescent hill green gardens terrace view walk row square park grove mews rise vale parade house cottage farm flat'.split(
    ' ',
  ),
);

/**
 * Up to four words: numbers of any length (house numbers), other words of two or more characters (single
 * letters, such as initials, carry no trigrams worth matching).
 */
function searchWords(text: string): string[] {
  return [...new Set(text.split(' ').filter((w) => w.length >= 2 || /^\d$/.test(w)))].slice(0, 4);
}

/** Words in so many addresses that matching on them filters little and costs much. */
const COMMON_ADDRESS_WORDS = new Set(['the', 'of', 'and', 'flat', 'house']);

/** A customer is in scope: held by one of the authorities, or has a case with one of them. */
function inScope(alias: string, scope: CustomerScope) {
  const c = sql.ref(`${alias}.id`);
  const a = sql.ref(`${alias}.authority_id`);
  return sql<boolean>`(${a} = any(${uuids(scope.authorityIds)}) or exists (select 1 from cases k where k.customer_id = ${c} and k.authority_id = any(${uuids(scope.authorityIds)})))`;
}

export interface CustomerSummaryRow {
  id: string;
  given_name: string | null;
  family_name: string | null;
  organisation_name: string | null;
  date_of_birth: string | null;
  exact: number;
  sim: number;
  address: AddressValue | null;
  address_value: string | null;
  email: string | null;
  phone: string | null;
  open_cases: number;
  vulnerable: boolean;
}

/** Display columns for a CTE named `top` (id, exact, sim): one statement, no N+1. */
function summarise(scope: CustomerScope) {
  return sql`
    select c.id, c.given_name, c.family_name, c.organisation_name, c.date_of_birth, top.exact, top.sim,
      addr.address, addr.value as address_value,
      (select cp.value from contact_points cp where cp.customer_id = c.id and cp.kind = 'email'
        order by cp.is_primary desc, cp.created_at limit 1) as email,
      (select cp.value from contact_points cp where cp.customer_id = c.id and cp.kind = 'phone'
        order by cp.is_primary desc, cp.created_at limit 1) as phone,
      (select count(*) from cases k join services s on s.id = k.service_id
        where k.customer_id = c.id and k.closed_at is null
          and (s.sensitivity = 'normal' or k.team_id = any(${uuids(scope.teamIds)}))) as open_cases,
      exists (select 1 from vulnerabilities v where v.customer_id = c.id and v.ended_at is null) as vulnerable
    from top
    join customers c on c.id = top.id
    left join lateral (
      select cp.address, cp.value from contact_points cp where cp.customer_id = c.id and cp.kind = 'address'
      order by cp.is_primary desc, cp.created_at limit 1
    ) addr on true
    order by top.exact desc, top.sim desc, c.family_name, c.given_name, c.id`;
}

/**
 * The customer search as one SQL statement: each part of the query is a branch that an index serves
 * (reference: unique btree; email/phone: (kind, normalised) btree; postcode: trigram GIN with LIKE; date
 * of birth: btree; name: `customers_search_name_trgm`; address words and fuzzy email/phone:
 * `contact_points_normalised_trgm`). Hits are scored per kind (exact = 1, fuzzy = word similarity), summed
 * per customer and ranked: exact matches first, then similarity. Fuzzy branches keep their best 200 in
 * scope; merged records and customers out of scope are dropped before the limit.
 */
export function customerSearchQuery(
  criteria: SearchCriteria,
  scope: CustomerScope,
  limit = 25,
  options: SearchPass = {},
): RawBuilder<CustomerSummaryRow> {
  const branches: RawBuilder<unknown>[] = [];
  if (criteria.reference)
    branches.push(
      sql`select k.customer_id, 'reference' as kind, 1 as exact, 0::real as sim from cases k where k.reference = ${criteria.reference} and k.customer_id is not null`,
    );
  if (criteria.email) {
    branches.push(
      sql`select cp.customer_id, 'email', 1, 0::real from contact_points cp where cp.kind = 'email' and cp.normalised = ${criteria.email}`,
    );
    if (options.fuzzyEmail)
      branches.push(
        sql`select cp.customer_id, 'email', 0, similarity(cp.normalised, ${criteria.email}) from contact_points cp where cp.kind = 'email' and cp.normalised % ${criteria.email}`,
      );
  }
  if (criteria.phone) {
    branches.push(
      sql`select cp.customer_id, 'phone', 1, 0::real from contact_points cp where cp.kind = 'phone' and cp.normalised = ${criteria.phone}`,
    );
  }
  if (criteria.postcode)
    branches.push(
      sql`select cp.customer_id, 'postcode', 1, 0::real from contact_points cp where cp.kind = 'address' and (cp.normalised = ${criteria.postcode} or cp.normalised like ${`% ${criteria.postcode}`})`,
    );
  if (criteria.dateOfBirth)
    branches.push(
      sql`select c.id, 'dob', 1, 0::real from customers c where c.date_of_birth = ${criteria.dateOfBirth}::date`,
    );
  if (criteria.text) {
    const words = searchWords(criteria.text);
    const looksLikeAddress = /\d/.test(criteria.text) || words.some((w) => STREET_WORDS.has(w));
    // Every word must match a word of the name ("margret thompsen" is not every Margaret): one GIN scan
    // with one condition per word, so common given names do not flood the candidates.
    if (words.length && !/\d/.test(criteria.text)) {
      const matches = sql.join(
        words.map((w) => sql`${w} <% c.search_name`),
        sql` and `,
      );
      const score = sql`((${sql.join(
        words.map((w) => sql`word_similarity(${w}, c.search_name)`),
        sql` + `,
      )}) / ${words.length})::real`;
      // The best FUZZY_CANDIDATES in scope (a very common surname matches thousands of people)...
      if (options.broadName !== false)
        branches.push(
          sql`(select c.id, 'name', 0, ${score} from customers c
            where ${matches} and c.merged_into is null and ${inScope('c', scope)}
            order by 4 desc, length(c.search_name), c.id limit ${FUZZY_CANDIDATES})`,
        );
      // ...plus, whatever the cut-off, those who also match the date of birth or postcode given with the name.
      if (criteria.dateOfBirth)
        branches.push(
          sql`select c.id, 'name', 0, ${score} from customers c where c.date_of_birth = ${criteria.dateOfBirth}::date and ${matches}`,
        );
      if (criteria.postcode)
        branches.push(
          sql`select c.id, 'name', 0, ${score} from contact_points cp join customers c on c.id = cp.customer_id
            where cp.kind = 'address' and (cp.normalised = ${criteria.postcode} or cp.normalised like ${`% ${criteria.postcode}`}) and ${matches}`,
        );
    }
    if (words.length && looksLikeAddress) {
      // "Street", "road", "the" and the like are in most addresses: scanning their trigrams costs much and
      // filters little, so they only count towards the score when the query has another word with letters
      // ("12 high street" matches on 12 and high; "5 the green" on 5 and green).
      const hasLetters = (list: string[]) => list.some((w) => /\p{L}/u.test(w));
      const telling = words.filter((w) => !STREET_WORDS.has(w) && !COMMON_ADDRESS_WORDS.has(w));
      const plain = words.filter((w) => !COMMON_ADDRESS_WORDS.has(w));
      const required = hasLetters(telling) ? telling : hasLetters(plain) ? plain : words;
      const matches = sql.join(
        required.map((w) => sql`${w} <% cp.normalised`),
        sql` and `,
      );
      const score = sql`(0.5 * (${sql.join(
        words.map((w) => sql`word_similarity(${w}, cp.normalised)`),
        sql` + `,
      )}) / ${words.length})::real`;
      branches.push(
        sql`(select cp.customer_id, 'address', 0, ${score} from contact_points cp join customers c on c.id = cp.customer_id
          where ${matches} and cp.kind = 'address' and c.merged_into is null and ${inScope('c', scope)}
          order by 4 desc, cp.customer_id limit ${FUZZY_CANDIDATES})`,
      );
    }
  }
  if (branches.length === 0) branches.push(sql`select null::uuid, '', 0, 0::real where false`);
  return sql<CustomerSummaryRow>`
    with hits (customer_id, kind, exact, sim) as (${sql.join(branches, sql` union all `)}),
    per_kind as (
      select customer_id, kind, max(exact) as exact, max(sim) as sim from hits group by customer_id, kind
    ),
    ranked as (
      select customer_id as id, sum(exact)::int as exact, sum(sim)::real as sim from per_kind group by customer_id
    ),
    top as (
      select r.id, r.exact, r.sim from ranked r join customers c on c.id = r.id
      where c.merged_into is null and ${inScope('c', scope)}
      order by r.exact desc, r.sim desc, c.family_name, c.given_name, c.id
      limit ${limit}
    )
    ${summarise(scope)}`;
}

/**
 * Settings for the current transaction only: the trigram thresholds, and no sequential scans. The planner
 * prices `<%` like a cheap operator, so for a one-word name it often prefers scanning every customer and
 * computing `word_similarity` on each (~2.5 µs a row: 250 ms at 100,000) over the GIN index (~10 ms).
 * Every branch of the search has an index, so this only ever steers it onto one.
 */
export async function withSearchSettings(trx: Tx): Promise<void> {
  await sql`select set_config('pg_trgm.word_similarity_threshold', ${String(NAME_WORD_SIMILARITY)}, true),
    set_config('pg_trgm.similarity_threshold', ${String(SIMILARITY)}, true),
    set_config('enable_seqscan', 'off', true)`.execute(trx);
}

/** Which optional branches a search statement includes. */
export interface SearchPass {
  /** Mistyped emails by trigram similarity (expensive: every address at a common domain is similar). */
  fuzzyEmail?: boolean;
  /** The name branch over everyone (default); false keeps only names that also match the dob or postcode. */
  broadName?: boolean;
}

/** The first statement a search runs: narrow when a name comes with a date of birth or postcode. */
export function firstPass(criteria: SearchCriteria): SearchPass {
  return { broadName: !(criteria.text && (criteria.dateOfBirth || criteria.postcode)) };
}

/**
 * Runs the customer search (max 25 rows, ranked), in up to three passes in one transaction:
 * 1. a name with a date of birth or postcode first looks only for people matching both (cheap: the
 *    date or postcode narrows it to a few rows);
 * 2. if no name matched that way (a mistyped date, say), the name is matched against everyone;
 * 3. a mistyped email address is matched by trigram similarity only when nothing matched at all.
 */
export async function searchCustomers(
  db: Db,
  criteria: SearchCriteria,
  scope: CustomerScope,
  limit = 25,
): Promise<CustomerSummaryRow[]> {
  return db.transaction().execute(async (trx) => {
    await withSearchSettings(trx);
    const first = firstPass(criteria);
    let { rows } = await customerSearchQuery(criteria, scope, limit, first).execute(trx);
    if (first.broadName === false && !rows.some((r) => r.sim > 0))
      ({ rows } = await customerSearchQuery(criteria, scope, limit).execute(trx));
    if (rows.length === 0 && criteria.email)
      ({ rows } = await customerSearchQuery(criteria, scope, limit, { fuzzyEmail: true }).execute(trx));
    return rows;
  });
}

/**
 * EXPLAIN of the search's first statement (or of `options.pass`), inside the caller's transaction (so tests
 * can turn off sequential scans first). Returns PostgreSQL's JSON plan and, with `analyze`, "Execution Time".
 */
export async function explainCustomerSearch(
  trx: Tx,
  criteria: SearchCriteria,
  scope: CustomerScope,
  options: { analyze?: boolean; pass?: SearchPass } = {},
): Promise<{ plan: unknown; executionTimeMs: number | null }> {
  await withSearchSettings(trx);
  const query = customerSearchQuery(criteria, scope, 25, options.pass ?? firstPass(criteria));
  const explain = options.analyze
    ? sql<{ 'QUERY PLAN': unknown }>`explain (analyze, format json) ${query}`
    : sql<{ 'QUERY PLAN': unknown }>`explain (format json) ${query}`;
  const { rows } = await explain.execute(trx);
  const raw = rows[0]['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { 'Execution Time'?: number }[];
  return { plan, executionTimeMs: plan[0]?.['Execution Time'] ?? null };
}

/** Follows `merged_into` (at most 10 hops) to the record that survives. Null when the id is unknown. */
export async function resolveSurvivor(db: Conn, id: string): Promise<string | null> {
  const { rows } = await sql<{ id: string; merged_into: string | null; depth: number }>`
    with recursive chain as (
      select id, merged_into, 0 as depth from customers where id = ${id}::uuid
      union all
      select c.id, c.merged_into, chain.depth + 1 from customers c join chain on c.id = chain.merged_into
      where chain.depth < 10
    )
    select id, merged_into, depth from chain order by depth desc limit 1`.execute(db);
  return rows[0]?.id ?? null;
}

export function findCustomer(db: Conn, id: string, scope: CustomerScope) {
  return db
    .selectFrom('customers as c')
    .selectAll('c')
    .select(
      sql<boolean>`exists (select 1 from cases k where k.customer_id = c.id and k.authority_id = any(${uuids(scope.authorityIds)}))`.as(
        'has_case_in_scope',
      ),
    )
    .where('c.id', '=', id)
    .executeTakeFirst();
}

export function contactPointsOf(db: Conn, customerId: string) {
  return db
    .selectFrom('contact_points')
    .select(['id', 'kind', 'value', 'normalised', 'address', 'is_primary', 'verified_at'])
    .where('customer_id', '=', customerId)
    .orderBy('kind')
    .orderBy('is_primary', 'desc')
    .orderBy('created_at')
    .execute();
}

export function activeVulnerabilitiesOf(db: Conn, customerId: string) {
  return db
    .selectFrom('vulnerabilities as v')
    .leftJoin('staff_users as u', 'u.id', 'v.recorded_by')
    .select([
      'v.id',
      'v.reason',
      'v.consent_given',
      'v.review_date',
      'v.created_at',
      'u.display_name as recorded_by_name',
    ])
    .where('v.customer_id', '=', customerId)
    .where('v.ended_at', 'is', null)
    .orderBy('v.created_at', 'desc')
    .execute();
}

export interface RelationshipRow {
  id: string;
  kind: 'representative' | 'carer' | 'next_of_kin' | 'other';
  notes: string | null;
  direction: 'outgoing' | 'incoming';
  other_id: string;
  given_name: string | null;
  family_name: string | null;
  organisation_name: string | null;
}

/** Relationships in both directions: "X is this customer's carer" and "this customer is X's carer". */
export async function relationshipsOf(db: Conn, customerId: string): Promise<RelationshipRow[]> {
  const { rows } = await sql<RelationshipRow>`
    select r.id, r.kind, r.notes, 'outgoing' as direction, o.id as other_id, o.given_name, o.family_name, o.organisation_name
    from customer_relationships r join customers o on o.id = r.related_customer_id
    where r.customer_id = ${customerId}::uuid and r.related_customer_id <> ${customerId}::uuid
    union all
    select r.id, r.kind, r.notes, 'incoming', o.id, o.given_name, o.family_name, o.organisation_name
    from customer_relationships r join customers o on o.id = r.customer_id
    where r.related_customer_id = ${customerId}::uuid and r.customer_id <> ${customerId}::uuid
    order by 2, 6, 7`.execute(db);
  return rows;
}

/** Every case of the customer with what the access rule needs (sensitivity and team). */
export function casesOf(db: Conn, customerId: string) {
  return db
    .selectFrom('cases as k')
    .innerJoin('services as s', 's.id', 'k.service_id')
    .innerJoin('authorities as a', 'a.id', 'k.authority_id')
    .select([
      'k.id',
      'k.reference',
      'k.status',
      'k.due_at',
      'k.received_at',
      'k.closed_at',
      'k.team_id',
      'k.service_id',
      'k.authority_id',
      's.name as service_name',
      's.sensitivity',
      'a.name as authority_name',
      workflowStatusLabel('s.definition', 'k.status').as('status_label'),
    ])
    .where('k.customer_id', '=', customerId)
    .orderBy(sql`k.closed_at is null`, 'desc')
    .orderBy('k.received_at', 'desc')
    .limit(500)
    .execute();
}

export interface InteractionRow {
  id: string;
  channel: Channel;
  direction: 'inbound' | 'outbound';
  occurred_at: Date;
  summary: string | null;
  outcome: string | null;
  resolved_at_first_contact: boolean;
  is_repeat: boolean;
  service_name: string | null;
  case_id: string | null;
  case_reference: string | null;
  agent_name: string | null;
  total: number;
}

/**
 * One page of the customer's interactions, newest first, without those about restricted services or
 * cases outside the viewer's teams (the agent who logged one always sees it). `total` is the visible count.
 */
export async function interactionsPage(
  db: Conn,
  customerId: string,
  scope: CustomerScope,
  offset: number,
  limit: number,
): Promise<InteractionRow[]> {
  const teams = uuids(scope.teamIds);
  const { rows } = await sql<InteractionRow>`
    select i.id, i.channel, i.direction, i.occurred_at, i.summary, i.outcome, i.resolved_at_first_contact,
      i.is_repeat, s.name as service_name, k.id as case_id, k.reference as case_reference,
      u.display_name as agent_name, count(*) over () as total
    from interactions i
    left join services s on s.id = i.service_id
    left join cases k on k.id = i.case_id
    left join services ks on ks.id = k.service_id
    left join staff_users u on u.id = i.agent_id
    where i.customer_id = ${customerId}::uuid
      and (i.agent_id = ${scope.staffId}::uuid or (
        (s.id is null or s.sensitivity = 'normal' or s.team_id = any(${teams}))
        and (k.id is null or ks.sensitivity = 'normal' or k.team_id = any(${teams}))))
    order by i.occurred_at desc, i.id desc
    limit ${limit} offset ${offset}`.execute(db);
  return rows;
}

/** Active services of the given authorities, for the "log a contact" form. */
export function activeServices(db: Conn, authorityIds: string[]) {
  return db
    .selectFrom('services as s')
    .innerJoin('authorities as a', 'a.id', 's.authority_id')
    .select(['s.id', 's.name', 's.authority_id', 'a.name as authority_name'])
    .where('s.active', '=', true)
    .where('s.authority_id', 'in', authorityIds)
    .orderBy('a.name')
    .orderBy('s.name')
    .execute();
}

/** The council holding a record (its name is shown on the single view). */
export function authorityOf(db: Conn, authorityId: string) {
  return db.selectFrom('authorities').select('name').where('id', '=', authorityId).executeTakeFirstOrThrow();
}

export function findService(db: Conn, id: string) {
  return db
    .selectFrom('services')
    .select(['id', 'authority_id', 'name'])
    .where('id', '=', id)
    .where('active', '=', true)
    .executeTakeFirst();
}

/** The latest contact by this customer about this service at or before `at` (for the repeat rule). */
export async function latestContactAbout(
  db: Conn,
  customerId: string,
  serviceId: string,
  at: Date,
): Promise<Date | null> {
  const row = await db
    .selectFrom('interactions')
    .select('occurred_at')
    .where('customer_id', '=', customerId)
    .where('service_id', '=', serviceId)
    .where('occurred_at', '<=', at)
    .orderBy('occurred_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.occurred_at ?? null;
}

export function insertInteraction(
  db: Conn,
  values: {
    authorityId: string;
    customerId: string;
    caseId: string | null;
    serviceId: string | null;
    channel: Channel;
    occurredAt: Date;
    agentId: string;
    summary: string;
    outcome: string;
    resolvedAtFirstContact: boolean;
    isRepeat: boolean;
  },
) {
  return db
    .insertInto('interactions')
    .values({
      authority_id: values.authorityId,
      customer_id: values.customerId,
      case_id: values.caseId,
      service_id: values.serviceId,
      channel: values.channel,
      direction: 'inbound',
      occurred_at: values.occurredAt,
      created_at: values.occurredAt,
      agent_id: values.agentId,
      summary: values.summary,
      outcome: values.outcome,
      resolved_at_first_contact: values.resolvedAtFirstContact,
      is_repeat: values.isRepeat,
      queued_at: null,
      answered_at: null,
      ended_at: null,
      body: null,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/**
 * Likely duplicates of a new customer: same email or phone, or a similar name (similarity > 0.5) with the
 * same date of birth or postcode. Same display columns as the search.
 */
export async function likelyDuplicates(
  db: Conn,
  candidate: {
    searchName: string;
    email: string | null;
    phone: string | null;
    dateOfBirth: string | null;
    postcode: string | null;
  },
  scope: CustomerScope,
): Promise<CustomerSummaryRow[]> {
  const branches: RawBuilder<unknown>[] = [];
  if (candidate.email)
    branches.push(
      sql`select customer_id as id, 1 as exact from contact_points where kind = 'email' and normalised = ${candidate.email}`,
    );
  if (candidate.phone)
    branches.push(
      sql`select customer_id, 1 from contact_points where kind = 'phone' and normalised = ${candidate.phone}`,
    );
  const similarName = sql`c.search_name % ${candidate.searchName} and similarity(c.search_name, ${candidate.searchName}) > 0.5`;
  if (candidate.dateOfBirth)
    branches.push(
      sql`select c.id, 1 from customers c where ${similarName} and c.date_of_birth = ${candidate.dateOfBirth}::date`,
    );
  if (candidate.postcode)
    branches.push(
      sql`select c.id, 1 from customers c join contact_points cp on cp.customer_id = c.id where ${similarName} and cp.kind = 'address' and (cp.normalised = ${candidate.postcode} or cp.normalised like ${`% ${candidate.postcode}`})`,
    );
  if (branches.length === 0) return [];
  const { rows } = await sql<CustomerSummaryRow>`
    with hits (id, exact) as (${sql.join(branches, sql` union all `)}),
    top as (
      select h.id, sum(h.exact)::int as exact, max(similarity(c.search_name, ${candidate.searchName}))::real as sim
      from hits h join customers c on c.id = h.id
      where c.merged_into is null and ${inScope('c', scope)}
      group by h.id
      order by 2 desc, 3 desc
      limit 10
    )
    ${summarise(scope)}`.execute(db);
  return rows;
}

export function insertCustomer(
  db: Conn,
  values: {
    authorityId: string;
    givenName: string;
    familyName: string;
    dateOfBirth: string | null;
    searchName: string;
    at: Date;
  },
) {
  return db
    .insertInto('customers')
    .values({
      authority_id: values.authorityId,
      kind: 'person',
      title: null,
      given_name: values.givenName,
      family_name: values.familyName,
      organisation_name: null,
      date_of_birth: values.dateOfBirth,
      search_name: values.searchName,
      merged_into: null,
      created_at: values.at,
      updated_at: values.at,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

export function insertContactPoint(
  db: Conn,
  values: {
    authorityId: string;
    customerId: string;
    kind: 'email' | 'phone' | 'address';
    value: string;
    normalised: string;
    address: AddressValue | null;
    isPrimary: boolean;
  },
) {
  return db
    .insertInto('contact_points')
    .values({
      authority_id: values.authorityId,
      customer_id: values.customerId,
      kind: values.kind,
      value: values.value,
      normalised: values.normalised,
      address: values.address ? JSON.stringify(values.address) : null,
      uprn: null,
      is_primary: values.isPrimary,
      verified_at: null,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/** Locks both customer rows (in id order, so two merges cannot deadlock) and returns them. */
export function lockCustomers(trx: Tx, ids: string[]) {
  return trx
    .selectFrom('customers')
    .select(['id', 'merged_into', 'authority_id'])
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** What a merge moves, by table and column: the keys of `MovedRows`. */
export const MOVES = {
  contact_points: { table: 'contact_points', column: 'customer_id' },
  cases: { table: 'cases', column: 'customer_id' },
  cases_as_representative: { table: 'cases', column: 'representative_id' },
  interactions: { table: 'interactions', column: 'customer_id' },
  calls: { table: 'calls', column: 'customer_id' },
  callbacks: { table: 'callbacks', column: 'customer_id' },
  vulnerabilities: { table: 'vulnerabilities', column: 'customer_id' },
  relationships: { table: 'customer_relationships', column: 'customer_id' },
  relationships_as_related: { table: 'customer_relationships', column: 'related_customer_id' },
} as const;
export type MovedRows = Record<keyof typeof MOVES, string[]>;

/** Moves every row of `from` to `to`; returns the moved row ids per kind (kept in the audit row for undo). */
export async function moveAllRows(trx: Tx, from: string, to: string): Promise<MovedRows> {
  const moved = {} as MovedRows;
  for (const [key, { table, column }] of Object.entries(MOVES) as [
    keyof typeof MOVES,
    (typeof MOVES)[keyof typeof MOVES],
  ][]) {
    const { rows } = await sql<{ id: string }>`
      update ${sql.table(table)} set ${sql.ref(column)} = ${to}::uuid
      where ${sql.ref(column)} = ${from}::uuid returning id`.execute(trx);
    moved[key] = rows.map((r) => r.id).sort();
  }
  return moved;
}

/** Moves exactly the listed rows back from `to` to `from` (rows that have moved on since stay put). */
export async function moveRowsBack(trx: Tx, moved: MovedRows, from: string, to: string): Promise<MovedRows> {
  const back = {} as MovedRows;
  for (const [key, { table, column }] of Object.entries(MOVES) as [
    keyof typeof MOVES,
    (typeof MOVES)[keyof typeof MOVES],
  ][]) {
    const ids = moved[key] ?? [];
    if (ids.length === 0) {
      back[key] = [];
      continue;
    }
    const { rows } = await sql<{ id: string }>`
      update ${sql.table(table)} set ${sql.ref(column)} = ${from}::uuid
      where id = any(${uuids(ids)}) and ${sql.ref(column)} = ${to}::uuid returning id`.execute(trx);
    back[key] = rows.map((r) => r.id).sort();
  }
  return back;
}

export async function setMergedInto(trx: Tx, id: string, into: string | null, at: Date): Promise<void> {
  await trx
    .updateTable('customers')
    .set({ merged_into: into, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** The latest merge audit row for `mergedId` into `survivorId`. */
export function findMergeAudit(db: Conn, survivorId: string, mergedId: string) {
  return db
    .selectFrom('audit_log')
    .select(['id', 'at', 'details'])
    .where('action', '=', 'customer.merge')
    .where('record_type', '=', 'customer')
    .where('record_id', '=', survivorId)
    .where('outcome', '=', 'ok')
    .where(sql<boolean>`details->>'mergedId' = ${mergedId}`)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Records merged directly into this one (served by customers_merged_into_idx). */
export function mergedInto(db: Conn, survivorId: string) {
  return db
    .selectFrom('customers')
    .select(['id', 'given_name', 'family_name', 'organisation_name', 'updated_at'])
    .where('merged_into', '=', survivorId)
    .orderBy('updated_at', 'desc')
    .execute();
}
