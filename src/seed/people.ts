/**
 * Fictional customers. A customer is a pure function of (run key, index): the generator can write a
 * million customers in one pass and later rebuild any one of them (to prefill a form's answers) without
 * keeping them in memory.
 */
import type { AddressValue, NewRow } from '../platform/db/index.ts';
import { normaliseEmail, postcodeKey } from '../platform/contact/index.ts';
import { IdStream, Random, WeightedPicker, hash32, hashString } from './random.ts';
import {
  CITY_TOWN,
  COMMUNICATION_NEEDS,
  COUNTY_TOWNS,
  NAME_GROUPS,
  ORGANISATION_KINDS,
  VULNERABILITY_REASONS,
  addressLines,
  dramaPhone,
  emailLocalPart,
  postcodeIn,
  type NameGroup,
  type Town,
} from './names.ts';

const DAY_MS = 86_400_000;

export type AreaRole = 'county' | 'city';
type PreferredChannel = 'email' | 'sms' | 'letter' | 'phone';

/** What the seed knows about a customer: enough to write their rows and to fill in a form as them. */
export interface Person {
  id: string;
  authorityId: string;
  /** Which council area they live in: city residents use both councils' services, others only the county's. */
  lives: AreaRole;
  kind: 'person' | 'organisation';
  title: string | null;
  givenName: string | null;
  familyName: string | null;
  organisationName: string | null;
  dateOfBirth: string | null;
  town: Town;
  address: AddressValue;
  email: string | null;
  phone: { value: string; normalised: string } | null;
  preferredChannel: PreferredChannel;
  preferredLanguage: string;
  communicationNeeds: string[];
  vulnerability: { reason: string; consentGiven: boolean; reviewDate: string } | null;
  createdAt: Date;
}

export interface PersonRows {
  customer: NewRow<'customers'> & { id: string };
  contactPoints: (NewRow<'contact_points'> & { id: string })[];
  vulnerabilities: (NewRow<'vulnerabilities'> & { id: string })[];
}

export function fullName(person: Pick<Person, 'givenName' | 'familyName' | 'organisationName'>): string {
  return person.organisationName ?? [person.givenName, person.familyName].filter(Boolean).join(' ');
}

/** Lower-cased "given family" (or organisation) name: what staff search matches with trigrams. */
export function searchName(person: Pick<Person, 'givenName' | 'familyName' | 'organisationName'>): string {
  return fullName(person).toLowerCase();
}

const GROUPS = new WeightedPicker(NAME_GROUPS.map((g) => [g, g.weight] as const));
const COUNTY_TOWN_PICKER = new WeightedPicker(
  COUNTY_TOWNS.map((t, i) => [t, [30, 16, 14, 10, 8, 7, 7, 8][i] ?? 5] as const),
);
const AGE_BANDS = new WeightedPicker<[number, number]>([
  [[18, 29], 17],
  [[30, 44], 24],
  [[45, 64], 33],
  [[65, 79], 19],
  [[80, 98], 7],
]);

function title(random: Random, female: boolean): string | null {
  const roll = random.next();
  if (roll < 0.07) return null;
  if (roll < 0.1) return 'Dr';
  if (roll < 0.11) return 'Mx';
  if (!female) return 'Mr';
  return roll < 0.5 ? 'Mrs' : roll < 0.85 ? 'Ms' : 'Miss';
}

export interface PeopleOptions {
  /** Distinguishes runs: the same key always gives the same people and ids. */
  key: string;
  /** How many customers the run makes; indices below `cityCount` live in the city. */
  total: number;
  cityShare: number;
  authorityIds: Record<AreaRole, string>;
  /** Customer records were created between these instants. */
  createdFrom: number;
  createdTo: number;
  /** Vulnerability flags fall due for review within a year of this instant (a few already overdue). */
  reviewAround: number;
}

export class PeopleFactory {
  readonly cityCount: number;
  private readonly seed: [number, number];
  private readonly customerIds: IdStream;
  private readonly contactPointIds: IdStream;
  private readonly vulnerabilityIds: IdStream;

  constructor(private readonly options: PeopleOptions) {
    this.cityCount = Math.round(options.total * options.cityShare);
    this.seed = hashString(`people|${options.key}`);
    this.customerIds = new IdStream('customers', options.key);
    this.contactPointIds = new IdStream('contact-points', options.key);
    this.vulnerabilityIds = new IdStream('vulnerabilities', options.key);
  }

  /** The customer id at `index`, without building the customer. */
  idAt(index: number): string {
    return this.customerIds.at(index);
  }

  person(index: number): Person {
    const random = new Random(hash32(this.seed[0], this.seed[1], index));
    const lives: AreaRole = index < this.cityCount ? 'city' : 'county';
    const town = lives === 'city' ? CITY_TOWN : COUNTY_TOWN_PICKER.pick(random);
    const createdAt = new Date(
      this.options.createdFrom + random.next() * (this.options.createdTo - this.options.createdFrom),
    );
    const lines = addressLines(random);
    const postcode = postcodeIn(random, town);
    const address: AddressValue = { ...lines, town: town.name, postcode };
    const phoneDigits = 200 + random.int(800); // 07700 900100–900199 are kept for the named demo customers
    const base = {
      id: this.idAt(index),
      authorityId: this.options.authorityIds[lives],
      lives,
      town,
      address,
      createdAt,
    };

    if (random.chance(0.03)) {
      const organisationName = `${town.name} ${random.pick(ORGANISATION_KINDS)}`;
      return {
        ...base,
        kind: 'organisation',
        title: null,
        givenName: null,
        familyName: null,
        organisationName,
        dateOfBirth: null,
        email: `${emailLocalPart(organisationName)}${index}@example.org`,
        phone: dramaPhone('landline', phoneDigits),
        preferredChannel: 'email',
        preferredLanguage: 'en',
        communicationNeeds: [],
        vulnerability: null,
      };
    }

    const group: NameGroup = GROUPS.pick(random);
    const female = random.chance(0.52);
    const givenName = random.pick(female ? group.female : group.male);
    const familyName = random.pick(group.family);
    const [minAge, maxAge] = AGE_BANDS.pick(random);
    const age = random.between(minAge, maxAge);
    const birth = new Date(this.options.createdTo - (age * 365.25 + random.int(365)) * DAY_MS);
    const dateOfBirth = birth.toISOString().slice(0, 10);

    let preferredLanguage = 'en';
    for (const [language, chance] of group.languages) {
      if (random.chance(chance)) {
        preferredLanguage = language;
        break;
      }
    }
    const needs: string[] = [];
    if (preferredLanguage !== 'en' && preferredLanguage !== 'cy' && random.chance(0.5))
      needs.push(`interpreter:${preferredLanguage}`);
    if (random.chance(age >= 75 ? 0.15 : 0.03)) needs.push(random.pick(COMMUNICATION_NEEDS));

    const older = age >= 75;
    const email = random.chance(older ? 0.55 : 0.9)
      ? `${emailLocalPart(givenName, familyName)}${index}@${random.chance(0.8) ? 'example.com' : 'example.org'}`
      : null;
    const phone = random.chance(0.92)
      ? dramaPhone(random.chance(older ? 0.35 : 0.75) ? 'mobile' : 'landline', phoneDigits)
      : null;
    const channelRoll = random.next();
    let preferredChannel: PreferredChannel = older
      ? channelRoll < 0.4
        ? 'phone'
        : channelRoll < 0.75
          ? 'letter'
          : 'email'
      : channelRoll < 0.6
        ? 'email'
        : channelRoll < 0.8
          ? 'phone'
          : channelRoll < 0.93
            ? 'sms'
            : 'letter';
    if (preferredChannel === 'email' && !email) preferredChannel = 'letter';
    if ((preferredChannel === 'sms' || preferredChannel === 'phone') && !phone) preferredChannel = 'letter';

    return {
      ...base,
      kind: 'person',
      title: title(random, female),
      givenName,
      familyName,
      organisationName: null,
      dateOfBirth,
      email,
      phone,
      preferredChannel,
      preferredLanguage,
      communicationNeeds: needs,
      vulnerability: random.chance(0.025)
        ? {
            reason: random.pick(VULNERABILITY_REASONS),
            consentGiven: random.chance(0.9),
            reviewDate: new Date(this.options.reviewAround + random.between(-30, 335) * DAY_MS)
              .toISOString()
              .slice(0, 10),
          }
        : null,
    };
  }

  rows(person: Person, index: number): PersonRows {
    return personRows(person, {
      contactPointId: (k) => this.contactPointIds.at(index * 3 + k),
      vulnerabilityId: () => this.vulnerabilityIds.at(index),
    });
  }
}

/** The database rows for a person (also used for the hand-written demo customers). */
export function personRows(
  person: Person,
  ids: { contactPointId: (k: number) => string; vulnerabilityId: () => string },
  recordedBy: string | null = null,
): PersonRows {
  const created = person.createdAt.toISOString();
  const customer = {
    id: person.id,
    authority_id: person.authorityId,
    kind: person.kind,
    title: person.title,
    given_name: person.givenName,
    family_name: person.familyName,
    organisation_name: person.organisationName,
    date_of_birth: person.dateOfBirth,
    preferred_channel: person.preferredChannel,
    preferred_language: person.preferredLanguage,
    communication_needs: person.communicationNeeds,
    search_name: searchName(person),
    merged_into: null,
    created_at: created,
    updated_at: created,
  };
  const point = (
    k: number,
    kind: 'email' | 'phone' | 'address',
    value: string,
    normalised: string,
    address: AddressValue | null,
  ) => ({
    id: ids.contactPointId(k),
    authority_id: person.authorityId,
    customer_id: person.id,
    kind,
    value,
    normalised,
    address,
    uprn: null,
    is_primary: true,
    verified_at: kind === 'email' ? created : null,
    created_at: created,
  });
  const contactPoints = [
    point(
      0,
      'address',
      [person.address.line1, person.address.line2, person.address.town, person.address.postcode]
        .filter(Boolean)
        .join(', '),
      postcodeKey(person.address.postcode) ?? person.address.postcode,
      person.address,
    ),
  ];
  if (person.email)
    contactPoints.push(
      point(1, 'email', person.email, normaliseEmail(person.email) ?? person.email.toLowerCase(), null),
    );
  if (person.phone) contactPoints.push(point(2, 'phone', person.phone.value, person.phone.normalised, null));
  const vulnerabilities = person.vulnerability
    ? [
        {
          id: ids.vulnerabilityId(),
          authority_id: person.authorityId,
          customer_id: person.id,
          reason: person.vulnerability.reason,
          consent_given: person.vulnerability.consentGiven,
          review_date: person.vulnerability.reviewDate,
          recorded_by: recordedBy,
          created_at: created,
          ended_at: null,
        },
      ]
    : [];
  return { customer, contactPoints, vulnerabilities };
}
