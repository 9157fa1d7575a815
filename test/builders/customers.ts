/**
 * Builders for customers and what hangs off them (contact points, cases, interactions, vulnerabilities,
 * relationships). Each call makes fresh records; contact points are normalised the way the module does.
 */
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../src/platform/db/index.ts';
import type { Channel } from '../../src/platform/db/index.ts';
import { normaliseAddress, searchNameOf } from '../../src/modules/customers/index.ts';
import { normaliseEmail, normalisePhone, REFERENCE_ALPHABET } from '../../src/platform/contact/index.ts';
import type { Clock } from '../../src/platform/clock.ts';
import { SessionStore } from '../../src/platform/http/sessions.ts';
import { Browser, type TestApp } from '../support/app.ts';
import { TEST_PASSWORD } from './index.ts';

/** A random case reference like `KX7P-3RMD` (2^40 of them: collisions are negligible in tests). */
export function randomReference(): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += REFERENCE_ALPHABET[randomInt(32)];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

export interface CustomerOverrides {
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string | null;
  email?: string;
  phone?: string;
  address?: { line1: string; town?: string; postcode: string };
  communicationNeeds?: unknown[];
  preferredChannel?: 'email' | 'sms' | 'letter' | 'phone';
}

export async function buildCustomer(db: Db, authorityId: string, o: CustomerOverrides = {}) {
  const givenName = o.givenName ?? 'Alex';
  const familyName = o.familyName ?? `Person${randomInt(1_000_000)}`;
  const customer = await db
    .insertInto('customers')
    .values({
      authority_id: authorityId,
      given_name: givenName,
      family_name: familyName,
      title: null,
      organisation_name: null,
      date_of_birth: o.dateOfBirth ?? null,
      communication_needs: JSON.stringify(o.communicationNeeds ?? []),
      preferred_channel: o.preferredChannel ?? 'email',
      search_name: searchNameOf(givenName, familyName),
      merged_into: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const points: {
    kind: 'email' | 'phone' | 'address';
    value: string;
    normalised: string;
    address: string | null;
  }[] = [];
  if (o.email)
    points.push({ kind: 'email', value: o.email, normalised: normaliseEmail(o.email)!, address: null });
  if (o.phone)
    points.push({ kind: 'phone', value: o.phone, normalised: normalisePhone(o.phone)!, address: null });
  if (o.address) {
    const address = {
      line1: o.address.line1,
      town: o.address.town ?? 'Kingsbridge',
      postcode: o.address.postcode,
    };
    points.push({
      kind: 'address',
      value: `${address.line1}, ${address.town}, ${address.postcode}`,
      normalised: normaliseAddress(address),
      address: JSON.stringify(address),
    });
  }
  for (const p of points) {
    await db
      .insertInto('contact_points')
      .values({
        authority_id: authorityId,
        customer_id: customer.id,
        kind: p.kind,
        value: p.value,
        normalised: p.normalised,
        address: p.address,
        uprn: null,
        is_primary: true,
        verified_at: null,
      })
      .execute();
  }
  return customer;
}

export async function buildCase(
  db: Db,
  o: {
    authorityId: string;
    serviceId: string;
    teamId: string;
    customerId: string;
    reference?: string;
    status?: string;
    receivedAt?: Date;
    dueAt?: Date | null;
    closedAt?: Date | null;
  },
) {
  return db
    .insertInto('cases')
    .values({
      authority_id: o.authorityId,
      reference: o.reference ?? randomReference(),
      service_id: o.serviceId,
      customer_id: o.customerId,
      representative_id: null,
      status: o.status ?? 'received',
      origin_channel: 'phone',
      team_id: o.teamId,
      assignee_id: null,
      received_at: o.receivedAt ?? new Date('2026-11-01T10:00:00Z'),
      due_at: o.dueAt === undefined ? new Date('2026-12-01T17:00:00Z') : o.dueAt,
      sla_paused_at: null,
      location: null,
      outcome: null,
      closed_at: o.closedAt ?? null,
      created_by: null,
      idempotency_key: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildInteraction(
  db: Db,
  o: {
    authorityId: string;
    customerId: string;
    serviceId?: string | null;
    caseId?: string | null;
    channel?: Channel;
    occurredAt?: Date;
    summary?: string;
    agentId?: string | null;
  },
) {
  return db
    .insertInto('interactions')
    .values({
      authority_id: o.authorityId,
      customer_id: o.customerId,
      case_id: o.caseId ?? null,
      service_id: o.serviceId ?? null,
      channel: o.channel ?? 'phone',
      occurred_at: o.occurredAt ?? new Date('2026-11-10T10:00:00Z'),
      summary: o.summary ?? 'Asked about progress',
      agent_id: o.agentId ?? null,
      queued_at: null,
      answered_at: null,
      ended_at: null,
      body: null,
      outcome: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildVulnerability(
  db: Db,
  o: {
    authorityId: string;
    customerId: string;
    reason?: string;
    consentGiven?: boolean;
    reviewDate?: string | null;
  },
) {
  return db
    .insertInto('vulnerabilities')
    .values({
      authority_id: o.authorityId,
      customer_id: o.customerId,
      reason: o.reason ?? 'Recently bereaved',
      consent_given: o.consentGiven ?? true,
      review_date: o.reviewDate ?? '2027-02-01',
      recorded_by: null,
      ended_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildRelationship(
  db: Db,
  o: {
    authorityId: string;
    customerId: string;
    relatedCustomerId: string;
    kind: 'representative' | 'carer' | 'next_of_kin' | 'other';
  },
) {
  return db
    .insertInto('customer_relationships')
    .values({
      authority_id: o.authorityId,
      customer_id: o.customerId,
      related_customer_id: o.relatedCustomerId,
      kind: o.kind,
      notes: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A browser signed in as `staff` (built with the builders' test password). */
export async function signedIn(app: FastifyInstance, staff: { email: string }): Promise<Browser> {
  const browser = new Browser(app);
  const res = await browser.submit('/staff/sign-in', '/staff/sign-in', {
    email: staff.email,
    password: TEST_PASSWORD,
  });
  if (res.statusCode !== 302) throw new Error(`sign-in failed with ${res.statusCode}`);
  return browser;
}

/** A browser signed in as a resident: a session row and its signed cookie, as the residents module makes. */
export async function residentSignedIn(t: TestApp, clock: Clock, customerId: string): Promise<Browser> {
  const { token } = await new SessionStore(t.database.db, clock, 30).create('resident', { customerId });
  const browser = new Browser(t.app);
  browser.cookies.set('fd_session', t.app.signCookie(token));
  return browser;
}
