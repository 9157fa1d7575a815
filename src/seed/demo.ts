/**
 * The demo council: a fictional two-tier area (Wessex County Council and Kingsbridge City Council) with
 * teams, every service in the catalogue, staff in every role, a few hundred customers and about two
 * years of cases and contacts on every channel. `npm start` runs it on an empty database so a newcomer
 * can sign in and click around straight away.
 *
 * - Idempotent: does nothing when the county already exists (the shared address gazetteer is topped up).
 * - All or nothing: one transaction, so a crash leaves nothing half-seeded.
 * - Deterministic: the same `seed` (and clock) gives the same people, cases and references.
 */
import type { Kysely } from 'kysely';
import type { Channel, DB, NewRow } from '../platform/db/index.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import { hashPassword } from '../modules/identity/index.ts';
import { seedDemoAddresses } from '../modules/forms/index.ts';
import { loadServiceDefinitions, type ServiceDefinition } from '../modules/services/index.ts';
import { AUTHORITIES, DEMO_PASSWORD, DemoNamespace, STAFF, demoSignIns, type DemoSignIn } from './area.ts';
import { insertRows } from './bulk.repository.ts';
import { findAuthorityIds } from './catalogue.ts';
import {
  customersByEmail,
  fillAuthorityContactDetails,
  insertArea,
  teamAndServiceIds,
  setDemoExtension,
} from './seed.repository.ts';
import { ensureMailbox } from '../modules/email/index.ts';
import { ensurePhoneQueue } from '../modules/telephony/index.ts';
import { loadArticleFiles, seedArticles } from '../modules/knowledge/index.ts';
import {
  HistoryBuilder,
  ServiceModel,
  type BuiltCase,
  type InteractionRow,
  type SeedService,
} from './history.ts';
import { CITY_TOWN, COUNTY_TOWNS, dramaPhone } from './names.ts';
import { PeopleFactory, personRows, type AreaRole, type Person, type PersonRows } from './people.ts';
import { IdStream, Random, WeightedPicker } from './random.ts';
import { seedHistoryRecords } from './records.ts';
import { ReferenceSequence } from './references.ts';
import { TimeModel, channelClass } from './time.ts';

export { DEMO_PASSWORD, demoSignIns, type DemoSignIn } from './area.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface SeedDemoOptions {
  /** Generated customers on top of the named ones (default 300). */
  customers?: number;
  clock?: Clock;
  /** PRNG seed (default 1). */
  seed?: number;
  /**
   * A separate copy of the demo area (codes `<ns>-county`/`<ns>-city`, prefixed slugs and emails), so
   * tests can seed in parallel in a shared database. Omit it for the real demo.
   */
  namespace?: string;
  /** Defaults to the shipped definitions. */
  definitions?: ServiceDefinition[];
}

export interface DemoSummary {
  /** False when the demo area was already there (nothing was written). */
  created: boolean;
  signIns: DemoSignIn[];
}

interface NamedCustomer {
  email: string;
  title: string | null;
  givenName: string | null;
  familyName: string | null;
  organisationName?: string;
  dateOfBirth: string | null;
  lives: AreaRole;
  address: { line1: string; line2?: string; town: string; postcode: string };
  phone: string;
  preferredChannel: 'email' | 'sms' | 'letter' | 'phone';
  preferredLanguage: string;
  communicationNeeds: string[];
  vulnerability?: string;
}

/** Stable demo customers that tests, docs and demos can rely on. */
export const DEMO_CUSTOMERS = {
  margaret: {
    email: 'margaret.thompson@example.com',
    title: 'Mrs',
    givenName: 'Margaret',
    familyName: 'Thompson',
    dateOfBirth: '1948-03-14',
    lives: 'city',
    address: { line1: '14 Cathedral Close', town: 'Kingsbridge', postcode: 'KB1 4QT' },
    phone: '07700 900123',
    preferredChannel: 'phone',
    preferredLanguage: 'en',
    communicationNeeds: ['large_print'],
  },
  tomasz: {
    email: 'tomasz.nowak@example.com',
    title: 'Mr',
    givenName: 'Tomasz',
    familyName: 'Nowak',
    dateOfBirth: '1986-07-02',
    lives: 'city',
    address: { line1: '27 Weavers Row', town: 'Kingsbridge', postcode: 'KB3 7NP' },
    phone: '07700 900124',
    preferredChannel: 'sms',
    preferredLanguage: 'pl',
    communicationNeeds: ['interpreter:pl'],
  },
  ayesha: {
    email: 'ayesha.khan@example.com',
    title: 'Ms',
    givenName: 'Ayesha',
    familyName: 'Khan',
    dateOfBirth: '1979-11-23',
    lives: 'county',
    address: { line1: 'Flat 6, Linden House', line2: 'Station Road', town: 'Lydcote', postcode: 'WX6 2HS' },
    phone: '07700 900125',
    preferredChannel: 'email',
    preferredLanguage: 'en',
    communicationNeeds: [],
    vulnerability: 'Financial hardship after losing her job: offer help with payments, prefers email',
  },
  david: {
    email: 'david.okafor@example.org',
    title: 'Mr',
    givenName: 'David',
    familyName: 'Okafor',
    dateOfBirth: '1992-05-09',
    lives: 'county',
    address: { line1: '3 Kestrel Way', town: 'Brambleford', postcode: 'WX2 5DL' },
    phone: '07700 900126',
    preferredChannel: 'sms',
    preferredLanguage: 'en',
    communicationNeeds: ['bsl'],
  },
  eileen: {
    email: 'eileen.parry@example.com',
    title: 'Mrs',
    givenName: 'Eileen',
    familyName: 'Parry',
    dateOfBirth: '1933-09-30',
    lives: 'county',
    address: { line1: 'Rose Cottage', line2: 'Church Lane', town: 'Sedgebury', postcode: 'WX9 3EB' },
    phone: '01632 960124',
    preferredChannel: 'letter',
    preferredLanguage: 'en',
    communicationNeeds: ['large_print', 'hearing_loop'],
    vulnerability: 'Lives alone and has early-stage dementia: confirm details in writing, copy her son in',
  },
  gareth: {
    email: 'gareth.parry@example.com',
    title: 'Mr',
    givenName: 'Gareth',
    familyName: 'Parry',
    dateOfBirth: '1961-02-17',
    lives: 'county',
    address: { line1: '8 Orchard Gardens', town: 'Sedgebury', postcode: 'WX9 4RT' },
    phone: '07700 900127',
    preferredChannel: 'email',
    preferredLanguage: 'en',
    communicationNeeds: [],
  },
  trust: {
    email: 'hello@brambleford-trust.example.org',
    title: null,
    givenName: null,
    familyName: null,
    organisationName: 'Brambleford Community Trust',
    dateOfBirth: null,
    lives: 'county',
    address: { line1: '2 Market Place', town: 'Brambleford', postcode: 'WX1 1AB' },
    phone: '01632 960125',
    preferredChannel: 'email',
    preferredLanguage: 'en',
    communicationNeeds: [],
  },
} as const satisfies Record<string, NamedCustomer>;

export type DemoCustomerKey = keyof typeof DEMO_CUSTOMERS;

/** The named customers' ids, found by their email addresses within the (namespaced) demo area. */
export async function demoCustomerIds(
  db: Kysely<DB>,
  options: { namespace?: string } = {},
): Promise<Record<DemoCustomerKey, string>> {
  const authorityIds = await findAuthorityIds(db, new DemoNamespace(options.namespace));
  if (!authorityIds) throw new Error('The demo area has not been seeded');
  const emails = Object.values(DEMO_CUSTOMERS).map((c) => c.email);
  const rows = await customersByEmail(db, emails, [authorityIds.county, authorityIds.city]);
  const result: Partial<Record<DemoCustomerKey, string>> = {};
  for (const [key, customer] of Object.entries(DEMO_CUSTOMERS) as [DemoCustomerKey, NamedCustomer][]) {
    const row = rows.find((r) => r.normalised === customer.email);
    if (!row) throw new Error(`Demo customer ${customer.email} is missing`);
    result[key] = row.customer_id;
  }
  return result as Record<DemoCustomerKey, string>;
}

/** A named case: who, which service, how it arrived, how long ago and where it has got to. */
interface NamedCase {
  customer: DemoCustomerKey;
  service: string;
  channel: Channel;
  daysAgo: number;
  status: string;
  /** Days from receipt to the final step, for cases already closed. */
  settledAfterDays?: number;
  followUps?: number;
  representative?: DemoCustomerKey;
}

/** The named customers' cases, in a fixed order so their references are stable. */
const NAMED_CASES: readonly NamedCase[] = [
  {
    customer: 'margaret',
    service: 'apply-for-a-blue-badge',
    channel: 'phone',
    daysAgo: 12,
    status: 'under_review',
    followUps: 1,
  },
  {
    customer: 'margaret',
    service: 'report-a-missed-bin',
    channel: 'web',
    daysAgo: 1,
    status: 'return_scheduled',
  },
  {
    customer: 'margaret',
    service: 'apply-for-an-older-persons-bus-pass',
    channel: 'letter',
    daysAgo: 420,
    status: 'pass_sent',
    settledAfterDays: 9,
  },
  { customer: 'tomasz', service: 'council-tax-enquiry', channel: 'phone', daysAgo: 3, status: 'with_team' },
  {
    customer: 'tomasz',
    service: 'apply-for-a-residents-parking-permit',
    channel: 'web',
    daysAgo: 210,
    status: 'permit_issued',
    settledAfterDays: 6,
  },
  { customer: 'ayesha', service: 'household-support-fund', channel: 'web', daysAgo: 4, status: 'assessing' },
  { customer: 'ayesha', service: 'make-a-complaint', channel: 'email', daysAgo: 8, status: 'investigating' },
  {
    customer: 'david',
    service: 'report-a-street-light-fault',
    channel: 'web',
    daysAgo: 5,
    status: 'repair_scheduled',
  },
  {
    customer: 'eileen',
    service: 'adult-social-care-referral',
    channel: 'phone',
    daysAgo: 7,
    status: 'assessment_booked',
    representative: 'gareth',
  },
  {
    customer: 'gareth',
    service: 'give-a-compliment',
    channel: 'email',
    daysAgo: 30,
    status: 'passed_on',
    settledAfterDays: 2,
  },
  {
    customer: 'trust',
    service: 'freedom-of-information-request',
    channel: 'email',
    daysAgo: 60,
    status: 'response_sent',
    settledAfterDays: 18,
  },
  {
    customer: 'trust',
    service: 'report-a-road-problem',
    channel: 'web',
    daysAgo: 10,
    status: 'repair_scheduled',
  },
];

interface StaffRow {
  id: string;
  spec: (typeof STAFF)[number];
}

/** Everything the demo writes, built in memory before the transaction opens. */
interface DemoPlan {
  authorities: NewRow<'authorities'>[];
  teams: (NewRow<'teams'> & { id: string })[];
  services: NewRow<'services'>[];
  staff: NewRow<'staff_users'>[];
  members: NewRow<'staff_team_members'>[];
  people: PersonRows[];
  relationships: NewRow<'customer_relationships'>[];
  cases: BuiltCase[];
  contacts: InteractionRow[];
}

function plan(
  options: Required<Omit<SeedDemoOptions, 'namespace' | 'clock'>> & {
    ns: DemoNamespace;
    now: number;
    passwordHash: string;
  },
): DemoPlan {
  const { ns, now, seed } = options;
  const key = `demo|${ns.key}|${seed}`;
  const ids = new IdStream('demo-records', key);
  const random = Random.derive(seed, 'demo', ns.key);

  const authorityIds: Record<AreaRole, string> = { county: ids.next(), city: ids.next() };
  const authorities: NewRow<'authorities'>[] = (['county', 'city'] as const).map((role) => ({
    id: authorityIds[role],
    code: ns.code(role),
    name: AUTHORITIES[role].name,
    kind: AUTHORITIES[role].kind,
    website: `https://www.${ns.domain(role)}`,
    phone: AUTHORITIES[role].phone,
  }));
  const teams = (['county', 'city'] as const).flatMap((role) =>
    AUTHORITIES[role].teams.map((team) => ({
      id: ids.next(),
      authority_id: authorityIds[role],
      code: team.code,
      name: team.name,
      email: `${team.code}@${ns.domain(role)}`,
    })),
  );
  const teamId = (role: AreaRole, code: string): string => {
    const team = teams.find((t) => t.authority_id === authorityIds[role] && t.code === code);
    if (!team) throw new Error(`The demo ${role} has no team "${code}"`);
    return team.id;
  };

  const staffRows: StaffRow[] = STAFF.map((spec) => ({ id: ids.next(), spec }));
  const staff: NewRow<'staff_users'>[] = staffRows.map(({ id, spec }) => ({
    id,
    authority_id: authorityIds[spec.authority],
    email: ns.email(spec.login, spec.authority),
    display_name: spec.name,
    password_hash: options.passwordHash,
    roles: [spec.role],
    languages: [...spec.languages],
    specialisms: [...spec.specialisms],
    phone_extension: spec.extension ?? null,
    active: true,
  }));
  const members: NewRow<'staff_team_members'>[] = staffRows.flatMap(({ id, spec }) =>
    spec.teams.map((team) => ({
      authority_id: authorityIds[spec.authority],
      staff_user_id: id,
      team_id: teamId(spec.authority, team.code),
      is_leader: team.leader ?? false,
    })),
  );
  const agentIds = (role: AreaRole) =>
    staffRows.filter((s) => s.spec.authority === role && s.spec.role === 'agent').map((s) => s.id);

  const models = new Map<string, ServiceModel>();
  const services: NewRow<'services'>[] = options.definitions.map((definition) => {
    if (definition.authority !== 'county' && definition.authority !== 'city') {
      throw new Error(
        `${definition.slug}: the demo area has only the authorities "county" and "city", not "${definition.authority}"`,
      );
    }
    const role: AreaRole = definition.authority;
    const seedService: SeedService = {
      id: ids.next(),
      authorityId: authorityIds[role],
      role,
      teamId: teamId(role, definition.team),
      teamCode: definition.team,
      definition,
      officerIds: staffRows
        .filter((s) => s.spec.authority === role && s.spec.teams.some((t) => t.code === definition.team))
        .map((s) => s.id),
      agentIds: agentIds(role),
    };
    models.set(definition.slug, new ServiceModel(seedService));
    return {
      id: seedService.id,
      authority_id: seedService.authorityId,
      team_id: seedService.teamId,
      slug: ns.slug(definition.slug),
      name: definition.name,
      category: definition.category,
      summary: definition.summary,
      synonyms: definition.synonyms,
      keywords: definition.synonyms.join(' '),
      sensitivity: definition.sensitivity,
      kind: definition.kind,
      definition,
      definition_version: definition.version,
      sla: definition.sla,
      retention_days: definition.retentionDays,
      annual_volume: definition.annualVolume,
      active: true,
    };
  });
  const model = (slug: string): ServiceModel => {
    const found = models.get(slug);
    if (!found) throw new Error(`The demo needs the service "${slug}", which is not in the catalogue`);
    return found;
  };

  // Customers: the named ones first, then generated ones (40% in the city, so city services have customers).
  // Records were created before the two years of history, so no case predates its customer.
  const createdFrom = now - 8 * 365 * DAY;
  const createdTo = now - 2 * 365 * DAY - DAY;
  const people: { person: Person; rows: PersonRows }[] = [];
  const named = new Map<DemoCustomerKey, Person>();
  const recorder = agentIds('county')[0] ?? null;
  for (const [name, c] of Object.entries(DEMO_CUSTOMERS) as [DemoCustomerKey, NamedCustomer][]) {
    const town =
      c.lives === 'city'
        ? CITY_TOWN
        : (COUNTY_TOWNS.find((t) => t.name === c.address.town) ?? COUNTY_TOWNS[0]);
    const mobile = c.phone.startsWith('07700');
    const person: Person = {
      id: ids.next(),
      authorityId: authorityIds[c.lives],
      lives: c.lives,
      kind: c.organisationName ? 'organisation' : 'person',
      title: c.title,
      givenName: c.givenName,
      familyName: c.familyName,
      organisationName: c.organisationName ?? null,
      dateOfBirth: c.dateOfBirth,
      town,
      address: { ...c.address },
      email: c.email,
      phone: dramaPhone(mobile ? 'mobile' : 'landline', Number(c.phone.slice(-3))),
      preferredChannel: c.preferredChannel,
      preferredLanguage: c.preferredLanguage,
      communicationNeeds: [...c.communicationNeeds],
      vulnerability: c.vulnerability
        ? {
            reason: c.vulnerability,
            consentGiven: true,
            reviewDate: new Date(now + 90 * DAY).toISOString().slice(0, 10),
          }
        : null,
      createdAt: new Date(createdFrom + random.int(5 * 365) * DAY),
    };
    named.set(name, person);
    people.push({
      person,
      rows: personRows(
        person,
        { contactPointId: () => ids.next(), vulnerabilityId: () => ids.next() },
        recorder,
      ),
    });
  }
  const factory = new PeopleFactory({
    key,
    total: options.customers,
    cityShare: 0.4,
    authorityIds,
    createdFrom,
    createdTo,
    reviewAround: now,
  });
  for (let i = 0; i < options.customers; i += 1) {
    const person = factory.person(i);
    const rows = factory.rows(person, i);
    for (const v of rows.vulnerabilities) v.recorded_by = recorder;
    people.push({ person, rows });
  }
  const namedPerson = (name: DemoCustomerKey): Person => named.get(name) as Person;

  const relationships: NewRow<'customer_relationships'>[] = [
    {
      id: ids.next(),
      authority_id: authorityIds.county,
      customer_id: namedPerson('eileen').id,
      related_customer_id: namedPerson('gareth').id,
      kind: 'carer',
      notes: 'Son. Visits every day and helps with letters.',
      created_at: new Date(now - 400 * DAY),
    },
    {
      id: ids.next(),
      authority_id: authorityIds.county,
      customer_id: namedPerson('eileen').id,
      related_customer_id: namedPerson('gareth').id,
      kind: 'representative',
      notes: 'Has lasting power of attorney for health and welfare.',
      created_at: new Date(now - 400 * DAY),
    },
  ];
  const generated = people.slice(named.size).filter((p) => p.person.kind === 'person');
  for (const { person } of generated) {
    if (!random.chance(0.03)) continue;
    const other = random.pick(generated).person;
    if (other.id === person.id) continue;
    const kind = random.pick(['carer', 'representative', 'next_of_kin'] as const);
    relationships.push({
      id: ids.next(),
      authority_id: person.authorityId,
      customer_id: person.id,
      related_customer_id: other.id,
      kind,
      notes:
        kind === 'carer'
          ? 'Helps with shopping and appointments.'
          : kind === 'representative'
            ? 'Acts on their behalf with the council.'
            : null,
      created_at: person.createdAt,
    });
  }

  // Cases and contacts over the last two years, as they stood at `now`.
  const time = new TimeModel(new Date(now - 3 * 365 * DAY), new Date(now));
  const history = new HistoryBuilder({
    time,
    now,
    ids: {
      cases: new IdStream('demo-cases', key),
      events: new IdStream('demo-events', key),
      interactions: new IdStream('demo-interactions', key),
    },
    references: new ReferenceSequence(ns.key),
    referenceStart: 0,
  });
  const cases: BuiltCase[] = [];
  for (const c of NAMED_CASES) {
    const serviceModel = model(c.service);
    const receivedTarget = now - c.daysAgo * DAY;
    const receivedAt =
      channelClass(c.channel) === 'office'
        ? Math.min(time.workingTimeAtOrAfter(random, receivedTarget - DAY), now - HOUR)
        : receivedTarget - random.between(30, 600) * 60_000;
    const built = history.buildCase(random, serviceModel, namedPerson(c.customer), {
      channel: c.channel,
      receivedAt,
      followUps: c.followUps ?? 0,
      status: c.status,
      settledAt: c.settledAfterDays === undefined ? undefined : receivedAt + c.settledAfterDays * DAY,
    });
    if (c.representative) built.case.representative_id = namedPerson(c.representative).id;
    cases.push(built);
  }

  const weights = (lives: AreaRole) =>
    new WeightedPicker(
      [...models.values()]
        .filter((m) => lives === 'city' || m.service.role === 'county')
        .map(
          (m) =>
            [m, Math.sqrt(m.service.definition.annualCases ?? m.service.definition.annualVolume)] as const,
        ),
    );
  const pickers: Record<AreaRole, WeightedPicker<ServiceModel>> = {
    county: weights('county'),
    city: weights('city'),
  };
  const from = now - 2 * 365 * DAY;
  const contacts: InteractionRow[] = [];
  for (const { person } of people.slice(named.size)) {
    const count = 1 + Math.min(7, Math.floor(random.exponential(1.6)));
    for (let k = 0; k < count; k += 1) {
      const serviceModel = pickers[person.lives].pick(random);
      const channel = serviceModel.channels.pick(random);
      // A third of the history is from the last month, so queues have open work in them.
      const since = random.chance(0.3) ? now - 30 * DAY : from;
      const receivedAt = time.contactTime(
        random,
        since,
        now - HOUR,
        channelClass(channel),
        serviceModel.service.teamCode,
      );
      cases.push(
        history.buildCase(random, serviceModel, person, {
          channel,
          receivedAt,
          followUps: random.chance(serviceModel.followUpRate) ? random.between(1, 2) : 0,
          firstContact: random.chance(serviceModel.firstContactShare),
        }),
      );
    }
    for (let k = random.int(3); k > 0; k -= 1) {
      const serviceModel = pickers[person.lives].pick(random);
      const channel = serviceModel.channels.pick(random);
      contacts.push(
        history.buildContact(
          random,
          serviceModel,
          person.id,
          channel,
          time.contactTime(random, from, now - HOUR, channelClass(channel), serviceModel.service.teamCode),
        ),
      );
    }
  }
  const margaretCouncilTax = model('council-tax-enquiry');
  contacts.push(
    history.buildContact(
      random,
      margaretCouncilTax,
      namedPerson('margaret').id,
      'phone',
      time.workingTimeAtOrAfter(random, now - 30 * DAY),
    ),
  );

  return {
    authorities,
    teams,
    services,
    staff,
    members,
    people: people.map((p) => p.rows),
    relationships,
    cases,
    contacts,
  };
}

/** Common replies every demo council starts with (the ((fields)) are filled by cases.handling.ts fillTemplate). */
const DEMO_REPLY_TEMPLATES: readonly { title: string; body: string }[] = [
  {
    title: 'We are looking into it',
    body: 'Dear ((name)),\n\nThank you for your request ((reference)). We are looking into it and will update you by the date shown on your request page.\n\n((officer))',
  },
  {
    title: 'We need more information',
    body: 'Dear ((name)),\n\nTo help with your request ((reference)) we need a little more information. Please reply to this message with the details below:\n\n\n((officer))',
  },
  {
    title: 'We will call you back',
    body: 'Dear ((name)),\n\nWe will phone you about your request ((reference)) within 2 working days. If that time does not suit you, reply to this message and tell us a better time.\n\n((officer))',
  },
];

/**
 * Seeds the demo area unless it is already there. Returns the staff sign-ins either way, so start-up
 * can print them.
 */
export async function seedDemo(db: Kysely<DB>, options: SeedDemoOptions = {}): Promise<DemoSummary> {
  const ns = new DemoNamespace(options.namespace);
  const signIns = demoSignIns(options.namespace);
  // The gazetteer is shared by every (namespaced) copy of the area: an upsert that skips addresses already
  // there, run even when the area exists so an older demo database gains postcode lookup.
  await seedDemoAddresses(db);
  const existing = await findAuthorityIds(db, ns);
  if (existing) {
    await seedContactDetails(db, ns, existing);
    await seedMailboxes(db, ns, existing);
    await seedPhoneQueues(db, ns, existing);
    await seedKnowledge(db, ns, options);
    return { created: false, signIns };
  }

  const passwordHash = await hashPassword(DEMO_PASSWORD); // argon2 is slow on purpose: once for every demo account
  const now = (options.clock ?? systemClock).now().getTime();
  const data = plan({
    ns,
    now,
    seed: options.seed ?? 1,
    customers: options.customers ?? 300,
    definitions: options.definitions ?? loadServiceDefinitions(),
    passwordHash,
  });

  const created = await db.transaction().execute(async (trx) => {
    // A concurrent seed of the same area waits on the unique code, then finds it taken and writes nothing.
    const inserted = await insertArea(trx, {
      authorities: data.authorities,
      teams: data.teams,
      services: data.services,
      staff: data.staff,
      members: data.members,
      replyTemplates: data.authorities.flatMap((a) =>
        DEMO_REPLY_TEMPLATES.map((t) => ({ authority_id: a.id!, title: t.title, body: t.body })),
      ),
    });
    if (!inserted) return false;
    await insertRows(
      trx,
      'customers',
      data.people.map((p) => p.customer),
    );
    await insertRows(
      trx,
      'contact_points',
      data.people.flatMap((p) => p.contactPoints),
    );
    await insertRows(
      trx,
      'vulnerabilities',
      data.people.flatMap((p) => p.vulnerabilities),
    );
    await insertRows(trx, 'customer_relationships', data.relationships);
    await insertRows(
      trx,
      'cases',
      data.cases.map((c) => c.case),
    );
    await insertRows(
      trx,
      'case_events',
      data.cases.flatMap((c) => c.events),
    );
    await insertRows(trx, 'interactions', [...data.cases.flatMap((c) => c.interactions), ...data.contacts]);
    // What the modules keep beside the closed cases: the reports and public pages read these.
    const authorityIds = data.authorities.map((a) => a.id!);
    const publisherIds = new Map<string, string>();
    for (const s of data.staff)
      if (!publisherIds.has(s.authority_id) && (s.roles ?? []).includes('team_leader'))
        publisherIds.set(s.authority_id, s.id!);
    await seedHistoryRecords(trx, {
      authorityIds,
      services: data.services.map((s) => ({
        id: s.id!,
        authority_id: s.authority_id,
        team_id: s.team_id,
        kind: s.kind!,
      })),
      publisherIds,
      now,
      seed: options.seed ?? 1,
      key: ns.key,
    });
    return true;
  });
  const authorityIds = await findAuthorityIds(db, ns);
  if (authorityIds) {
    await seedContactDetails(db, ns, authorityIds);
    await seedMailboxes(db, ns, authorityIds);
    await seedPhoneQueues(db, ns, authorityIds);
    await seedKnowledge(db, ns, options);
  }
  return { created, signIns };
}

/**
 * The knowledge base's demo articles (src/modules/knowledge/content/*.md), published, each owned by a member
 * of its team (the leader first). Idempotent: an article already there is left as it is, so an older demo
 * database gains new articles on the next seed.
 */
async function seedKnowledge(db: Kysely<DB>, ns: DemoNamespace, options: SeedDemoOptions) {
  const files = loadArticleFiles();
  if (files.length === 0) return;
  await seedArticles(db, files, {
    now: (options.clock ?? systemClock).now(),
    authorityCode: (code) => (code === 'county' || code === 'city' ? ns.code(code) : code),
    serviceSlug: (slug) => ns.slug(slug),
    articleSlug: (slug) => ns.slug(slug),
  });
}

/**
 * The councils' shared mailboxes (issue 13): the county's highways@ (new mail waits in triage), foi@ (an
 * FOI request from the time it arrived), its general address and reply@ (where replies to our mail come
 * back: EMAIL_REPLY_ADDRESS), and the city's general address and foi@. No IMAP settings: a council adds
 * its server's (docs/email.md); the inbound SMTP endpoint accepts mail for all of them.
 */
async function seedMailboxes(db: Kysely<DB>, ns: DemoNamespace, authorityIds: Record<AreaRole, string>) {
  const boxes: { role: AreaRole; local: string; name: string; team: string; service: string | null }[] = [
    { role: 'county', local: 'highways', name: 'Highways', team: 'highways', service: null },
    {
      role: 'county',
      local: 'foi',
      name: 'Freedom of information',
      team: 'information-governance',
      service: 'freedom-of-information-request',
    },
    {
      role: 'county',
      local: AUTHORITIES.county.contact.emailLocal,
      name: 'Customer services',
      team: 'contact-centre',
      service: null,
    },
    { role: 'county', local: 'reply', name: 'Replies', team: 'contact-centre', service: null },
    {
      role: 'city',
      local: AUTHORITIES.city.contact.emailLocal,
      name: 'Contact us',
      team: AUTHORITIES.city.teams[0].code,
      service: null,
    },
    {
      role: 'city',
      local: 'foi',
      name: 'Freedom of information',
      team: AUTHORITIES.city.teams[0].code,
      service: 'freedom-of-information-request',
    },
  ];
  for (const box of boxes) {
    const authorityId = authorityIds[box.role];
    const ids = await teamAndServiceIds(db, authorityId, box.team, box.service ? ns.slug(box.service) : null);
    if (!ids.teamId) continue;
    await ensureMailbox(db, {
      authorityId,
      teamId: ids.teamId,
      address: `${box.local}@${ns.domain(box.role)}`,
      name: box.name,
      defaultServiceId: ids.serviceId,
    });
  }
}

/**
 * The councils' main phone queues (issue 14), `county-main` and `city-main`, on each council's published
 * number and owned by its contact centre; the demo agents' extensions (older demo databases gain them).
 */
async function seedPhoneQueues(db: Kysely<DB>, ns: DemoNamespace, authorityIds: Record<AreaRole, string>) {
  for (const role of ['county', 'city'] as const) {
    const ids = await teamAndServiceIds(db, authorityIds[role], 'contact-centre', null);
    if (!ids.teamId) continue;
    await ensurePhoneQueue(db, {
      authorityId: authorityIds[role],
      teamId: ids.teamId,
      code: `${ns.code(role)}-main`,
      name: `${AUTHORITIES[role].name} main line`,
      number: AUTHORITIES[role].phone,
    });
  }
  for (const spec of STAFF)
    if (spec.extension)
      await setDemoExtension(
        db,
        ns.email(spec.login, spec.authority),
        authorityIds[spec.authority],
        spec.extension,
      );
}

/** The councils' email, postal address, phone hours, video relay link and offices (the contact page). */
async function seedContactDetails(
  db: Kysely<DB>,
  ns: DemoNamespace,
  authorityIds: Record<AreaRole, string>,
): Promise<void> {
  await fillAuthorityContactDetails(
    db,
    (['county', 'city'] as const).map((role) => {
      const { contact } = AUTHORITIES[role];
      return {
        authorityId: authorityIds[role],
        email: `${contact.emailLocal}@${ns.domain(role)}`,
        postalAddress: contact.postalAddress,
        phoneHours: contact.phoneHours,
        bslVideoRelayUrl: `https://www.${ns.domain(role)}${contact.bslVideoRelayPath}`,
        offices: contact.offices.map((office) => ({
          authority_id: authorityIds[role],
          name: office.name,
          address: office.address,
          postcode: office.postcode,
          opening_hours: office.openingHours,
          step_free: office.stepFree,
          hearing_loop: office.hearingLoop,
          parking: office.parking,
          accessible_toilet: office.accessibleToilet,
        })),
      };
    }),
  );
}
