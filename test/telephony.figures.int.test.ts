/**
 * Issue 14, contact-centre figures and wallboard, over a hand-made day of calls (Monday 7 December 2026,
 * GMT, so UK time = UTC) in a two-tier area: queue county-main (county council) and city-main (city
 * council). Rows are written directly (the event ingestion is built separately); the same day as telephony
 * events, with these hand counts, is test/fixtures/telephony/day-of-calls.json.
 *
 * Settings: short abandon < 5 s, service level within 20 s (target 80%), after-call work ≤ 10 min, repeat
 * within 7 days. "wait" = answered (or ended) − queued.
 *
 *  call  queue        arrived   what happened                                      counts as
 *  C1    county-main  09:00:00  queued 09:00:10, answered 09:00:25 (15 s), 300 s    answered ≤20 s; AHT 300+60 ACW;
 *                               talk, wrap-up 09:06:25, resolved, customer A        FCR yes (A's other contact is 8 days later)
 *  C2    county-main  09:10:00  queued 09:10:05, answered 09:10:50 (45 s), 240 s    answered >20 s; AHT 240 (wrap-up 15 min
 *                               talk, wrap-up 09:30:00, resolved, customer B,       later: no ACW); FCR no (B contacted
 *                               failure demand                                      again about Bins on 9 Dec)
 *  D1    city-main    09:30:00  queued 09:30:00, answered 09:30:20 (20 s), 600 s    answered ≤20 s (exactly 20); AHT 600+60;
 *                               talk, wrap-up 09:41:20, resolved, customer D        FCR yes (D's other contact: another service)
 *  C3    county-main  10:00:00  queued 10:00:05, hung up 10:01:05 (60 s)            abandoned
 *  C4    county-main  10:10:00  queued 10:10:04, hung up 10:10:07 (3 s)             short abandon (not offered)
 *  C5    —            10:20:00  chose 3 in the menu, hung up 10:20:30               ended in the menu (IVR abandon)
 *  C6    county-main  10:30:00  no option chosen, queued 10:30:20, answered         no option chosen; answered ≤20 s; AHT
 *                               10:30:30 (10 s), 180 s, wrap-up 10:35:30,           180+120; FCR yes (unknown caller:
 *                               resolved, unknown caller, failure demand            wrap-up alone)
 *  C7    county-main  11:00:00  queued 11:00:05, asked for a callback, ended        callback requested (not abandoned)
 *                               11:02:05 (callback CB1)
 *  C8    county-main  11:10:00  queued 11:10:05, voicemail 11:12:05                 voicemail (not abandoned)
 *  C9    county-main  12:00:00  queued 12:00:05, answered 12:00:20 (15 s), hold     answered ≤20 s; AHT 360+60; FCR no
 *                               30 s, transferred to 2002, ended 12:06:20,          (not resolved)
 *                               wrap-up 12:07:20 'transferred', customer C
 *  C10   —            13:00:00  blocked number                                      blocked (apart)
 *  C11   —            13:10:00  outbound                                            ignored
 *  D2    city-main    14:00:00  queued 14:00:00, hung up 14:00:30 (30 s)            abandoned
 *  D3    city-main    15:00:00  queued 15:00:00, answered 15:00:40 (40 s), 120 s,   answered >20 s; AHT 120; not wrapped up
 *                               no wrap-up
 *  C13   county-main  16:50:00  queued 16:50:05, answered 16:50:15 (10 s), still    answered ≤20 s; no AHT yet; on a call now
 *                               talking at 17:00
 *  C12   county-main  16:58:00  queued 16:58:10, still waiting at 17:00             offered, waiting now (1 min 50 s)
 *
 *  callbacks: CB1 from C7 due 15:00 kept on time · CB2 county web due 12:00 not reached · CB3 cancelled
 *  (ignored) · CB4 city due 16:00 still open (overdue at 17:00) · CB5 county due 18:00 still open.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TestClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/index.ts';
import { buildAuthority, buildService, buildStaff, buildTeam } from './builders/index.ts';
import { buildCustomer, signedIn } from './builders/customers.ts';
import { buildTestApp, type TestApp } from './support/app.ts';
import { openTestDatabase } from './support/db.ts';
import type { Database } from '../src/platform/db/index.ts';

const DAY = '2026-12-07';
const at = (time: string, day = DAY) => new Date(`${day}T${time}Z`);
const clock = new TestClock('2026-12-16T09:00:00Z');
let database: Database;
let t: TestApp;
let db: Db;
let leaderBoth: { email: string };
let cityLeader: { email: string };
let agent: { email: string };

type Figures = Record<string, number | boolean | null>;

// Both councils (a county team leader who also leads the city's team).
const TOTALS: Figures = {
  received: 14, // C1–C9, C12, C13 (11 county) + D1–D3 (3 city); not C10 (blocked), not C11 (outbound)
  blocked: 1, // C10
  ivrAbandoned: 1, // C5
  noOptionChosen: 1, // C6
  queued: 13, // 14 − C5
  shortAbandoned: 1, // C4
  offered: 12, // 13 − C4
  answered: 7, // C1, C2, C6, C9, C13, D1, D3
  answeredWithinTarget: 5, // C1 15 s, C6 10 s, C9 15 s, C13 10 s, D1 20 s
  abandoned: 2, // C3, D2
  callbackRequested: 1, // C7
  voicemailOrForwarded: 1, // C8
  serviceLevel: 0.4167, // 5 / 12
  serviceLevelMet: false, // below 80%
  abandonRate: 0.1667, // 2 / 12
  averageSpeedOfAnswerSeconds: 22.1, // (15 + 45 + 10 + 15 + 10 + 20 + 40) / 7 = 155 / 7
  averageHandleTimeSeconds: 350, // (360 + 240 + 300 + 420 + 660 + 120) / 6 = 2100 / 6 (C13 not ended)
  wrappedUp: 5, // C1, C2, C6, C9, D1
  resolvedFirstContact: 3, // C1, C6, D1
  firstContactResolution: 0.6, // 3 / 5
  failureDemand: 2, // C2, C6
  failureDemandShare: 0.4, // 2 / 5
  callbacksDue: 4, // CB1, CB2, CB4, CB5 (CB3 cancelled)
  callbacksKeptOnTime: 1, // CB1
  callbacksKeptRate: 0.25, // 1 / 4
};

const COUNTY_MAIN: Figures = {
  received: 10, // C1–C4, C6–C9, C12, C13
  blocked: 0,
  ivrAbandoned: 0,
  noOptionChosen: 1, // C6 (routed to county-main by default)
  queued: 10,
  shortAbandoned: 1, // C4
  offered: 9,
  answered: 5, // C1, C2, C6, C9, C13
  answeredWithinTarget: 4, // all but C2
  abandoned: 1, // C3
  callbackRequested: 1, // C7
  voicemailOrForwarded: 1, // C8
  serviceLevel: 0.4444, // 4 / 9
  serviceLevelMet: false,
  abandonRate: 0.1111, // 1 / 9
  averageSpeedOfAnswerSeconds: 19, // (15 + 45 + 10 + 15 + 10) / 5
  averageHandleTimeSeconds: 330, // (360 + 240 + 300 + 420) / 4
  wrappedUp: 4, // C1, C2, C6, C9
  resolvedFirstContact: 2, // C1, C6
  firstContactResolution: 0.5,
  failureDemand: 2, // C2, C6
  failureDemandShare: 0.5,
  callbacksDue: 1, // CB1 (asked for from C7)
  callbacksKeptOnTime: 1,
  callbacksKeptRate: 1,
};

const CITY_MAIN: Figures = {
  received: 3, // D1, D2, D3
  blocked: 0,
  ivrAbandoned: 0,
  noOptionChosen: 0,
  queued: 3,
  shortAbandoned: 0,
  offered: 3,
  answered: 2, // D1, D3
  answeredWithinTarget: 1, // D1 (exactly 20 s)
  abandoned: 1, // D2
  callbackRequested: 0,
  voicemailOrForwarded: 0,
  serviceLevel: 0.3333, // 1 / 3
  serviceLevelMet: false,
  abandonRate: 0.3333, // 1 / 3
  averageSpeedOfAnswerSeconds: 30, // (20 + 40) / 2
  averageHandleTimeSeconds: 390, // (660 + 120) / 2
  wrappedUp: 1, // D1
  resolvedFirstContact: 1, // D1
  firstContactResolution: 1,
  failureDemand: 0,
  failureDemandShare: 0,
  callbacksDue: 0, // CB4 was not asked for from a call
  callbacksKeptOnTime: 0,
  callbacksKeptRate: null,
};

// Calls that reached no queue, and callbacks not asked for from a call.
const NO_QUEUE: Figures = {
  ...Object.fromEntries(Object.keys(TOTALS).map((k) => [k, 0])),
  received: 1, // C5
  blocked: 1, // C10
  ivrAbandoned: 1, // C5
  serviceLevel: null,
  serviceLevelMet: null,
  abandonRate: null,
  averageSpeedOfAnswerSeconds: null,
  averageHandleTimeSeconds: null,
  firstContactResolution: null,
  failureDemandShare: null,
  callbacksDue: 3, // CB2, CB4, CB5
  callbacksKeptOnTime: 0,
  callbacksKeptRate: 0,
};

// The city's team leader sees the city council only: city-main, plus CB4.
const CITY_ONLY: Figures = { ...CITY_MAIN, callbacksDue: 1, callbacksKeptOnTime: 0, callbacksKeptRate: 0 };

// 10:00–10:59: C3 (abandoned), C4 (short), C5 (menu), C6 (answered in 10 s, no option chosen).
const HOUR_10: Figures = {
  ...Object.fromEntries(Object.keys(TOTALS).map((k) => [k, 0])),
  received: 4,
  ivrAbandoned: 1,
  noOptionChosen: 1,
  queued: 3,
  shortAbandoned: 1,
  offered: 2,
  answered: 1,
  answeredWithinTarget: 1,
  abandoned: 1,
  serviceLevel: 0.5,
  serviceLevelMet: false,
  abandonRate: 0.5,
  averageSpeedOfAnswerSeconds: 10,
  averageHandleTimeSeconds: 300,
  wrappedUp: 1,
  resolvedFirstContact: 1,
  firstContactResolution: 1,
  failureDemand: 1,
  failureDemandShare: 1,
  callbacksKeptRate: null,
};

interface CallSpec {
  callId: string;
  authority: 'county' | 'city';
  queue?: 'county-main' | 'city-main';
  direction?: 'inbound' | 'outbound';
  offered: string;
  queued?: string;
  answered?: string;
  ended?: string;
  cause?: string;
  ivrPath?: string[];
  noOption?: boolean;
  extension?: '2001' | '2002';
  holdSeconds?: number;
  transfers?: number;
  blocked?: boolean;
  caller?: string;
  wrapUp?: {
    at: string;
    outcome: string;
    resolved: boolean;
    customer?: 'A' | 'B' | 'C' | 'D';
    service?: 'bins' | 'parking';
    failureDemand?: 'chasing_progress' | 'wrong_information';
  };
}

// The day, as rows (the comment table above counts them).
const CALLS: CallSpec[] = [
  {
    callId: 'fx-c1',
    authority: 'county',
    queue: 'county-main',
    offered: '09:00:00',
    queued: '09:00:10',
    answered: '09:00:25',
    ended: '09:05:25',
    cause: 'normalClearing',
    ivrPath: ['1'],
    extension: '2001',
    wrapUp: { at: '09:06:25', outcome: 'resolved', resolved: true, customer: 'A', service: 'bins' },
  },
  {
    callId: 'fx-c2',
    authority: 'county',
    queue: 'county-main',
    offered: '09:10:00',
    queued: '09:10:05',
    answered: '09:10:50',
    ended: '09:14:50',
    cause: 'normalClearing',
    ivrPath: ['2'],
    extension: '2001',
    wrapUp: {
      at: '09:30:00',
      outcome: 'resolved',
      resolved: true,
      customer: 'B',
      service: 'bins',
      failureDemand: 'chasing_progress',
    },
  },
  {
    callId: 'fx-d1',
    authority: 'city',
    queue: 'city-main',
    offered: '09:30:00',
    queued: '09:30:00',
    answered: '09:30:20',
    ended: '09:40:20',
    cause: 'normalClearing',
    extension: '2002',
    wrapUp: { at: '09:41:20', outcome: 'resolved', resolved: true, customer: 'D', service: 'parking' },
  },
  {
    callId: 'fx-c3',
    authority: 'county',
    queue: 'county-main',
    offered: '10:00:00',
    queued: '10:00:05',
    ended: '10:01:05',
    cause: 'cancel',
    ivrPath: ['1'],
  },
  {
    callId: 'fx-c4',
    authority: 'county',
    queue: 'county-main',
    offered: '10:10:00',
    queued: '10:10:04',
    ended: '10:10:07',
    cause: 'cancel',
    ivrPath: ['1'],
  },
  {
    callId: 'fx-c5',
    authority: 'county',
    offered: '10:20:00',
    ended: '10:20:30',
    cause: 'cancel',
    ivrPath: ['3'],
  },
  {
    callId: 'fx-c6',
    authority: 'county',
    queue: 'county-main',
    offered: '10:30:00',
    queued: '10:30:20',
    answered: '10:30:30',
    ended: '10:33:30',
    cause: 'normalClearing',
    ivrPath: [],
    noOption: true,
    extension: '2001',
    wrapUp: { at: '10:35:30', outcome: 'resolved', resolved: true, failureDemand: 'wrong_information' },
  },
  {
    callId: 'fx-c7',
    authority: 'county',
    queue: 'county-main',
    offered: '11:00:00',
    queued: '11:00:05',
    ended: '11:02:05',
    cause: 'normalClearing',
    ivrPath: ['1'],
  },
  {
    callId: 'fx-c8',
    authority: 'county',
    queue: 'county-main',
    offered: '11:10:00',
    queued: '11:10:05',
    ended: '11:12:05',
    cause: 'voicemail',
    ivrPath: ['1'],
  },
  {
    callId: 'fx-c9',
    authority: 'county',
    queue: 'county-main',
    offered: '12:00:00',
    queued: '12:00:05',
    answered: '12:00:20',
    ended: '12:06:20',
    cause: 'normalClearing',
    ivrPath: ['2'],
    extension: '2001',
    holdSeconds: 30,
    transfers: 1,
    wrapUp: { at: '12:07:20', outcome: 'transferred', resolved: false, customer: 'C', service: 'bins' },
  },
  {
    callId: 'fx-c10',
    authority: 'county',
    offered: '13:00:00',
    ended: '13:00:01',
    cause: 'busy',
    blocked: true,
    caller: '+447700900999',
  },
  {
    callId: 'fx-c11',
    authority: 'county',
    direction: 'outbound',
    offered: '13:10:00',
    answered: '13:10:10',
    ended: '13:15:00',
    cause: 'normalClearing',
    extension: '2001',
  },
  {
    callId: 'fx-d2',
    authority: 'city',
    queue: 'city-main',
    offered: '14:00:00',
    queued: '14:00:00',
    ended: '14:00:30',
    cause: 'cancel',
  },
  {
    callId: 'fx-d3',
    authority: 'city',
    queue: 'city-main',
    offered: '15:00:00',
    queued: '15:00:00',
    answered: '15:00:40',
    ended: '15:02:40',
    cause: 'normalClearing',
    extension: '2002',
  },
  {
    callId: 'fx-c13',
    authority: 'county',
    queue: 'county-main',
    offered: '16:50:00',
    queued: '16:50:05',
    answered: '16:50:15',
    ivrPath: ['1'],
    extension: '2001',
  },
  {
    callId: 'fx-c12',
    authority: 'county',
    queue: 'county-main',
    offered: '16:58:00',
    queued: '16:58:10',
    ivrPath: ['1'],
  },
];

before(async () => {
  // A database of its own: the queue codes are the fixture's (county-main, city-main), unique everywhere.
  database = await openTestDatabase({ isolated: true });
  t = await buildTestApp({ clock, database });
  db = database.db;
  const county = await buildAuthority(db, { kind: 'county', name: 'Shireham County Council' });
  const city = await buildAuthority(db, { kind: 'city', name: 'Brackford City Council' });
  const countyTeam = await buildTeam(db, county.id, { name: 'County contact centre' });
  const cityTeam = await buildTeam(db, city.id, { name: 'City contact centre' });
  leaderBoth = await buildStaff(db, county.id, {
    roles: ['team_leader'],
    teamIds: [countyTeam.id, cityTeam.id],
  });
  cityLeader = await buildStaff(db, city.id, { roles: ['team_leader'], teamIds: [cityTeam.id] });
  const countyAgent = await buildStaff(db, county.id, { roles: ['agent'], teamIds: [countyTeam.id] });
  agent = countyAgent;
  const cityAgent = await buildStaff(db, city.id, { roles: ['agent'], teamIds: [cityTeam.id] });
  const agents = { '2001': countyAgent.id, '2002': cityAgent.id };
  const authorities = { county: county.id, city: city.id };
  const queues = {
    'county-main': await db
      .insertInto('phone_queues')
      .values({
        authority_id: county.id,
        team_id: countyTeam.id,
        code: 'county-main',
        name: 'County main line',
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
    'city-main': await db
      .insertInto('phone_queues')
      .values({ authority_id: city.id, team_id: cityTeam.id, code: 'city-main', name: 'City main line' })
      .returning('id')
      .executeTakeFirstOrThrow(),
  };
  const services = {
    bins: await buildService(db, county.id, countyTeam.id, { name: 'Bins' }),
    parking: await buildService(db, city.id, cityTeam.id, { name: 'Parking' }),
    councilTax: await buildService(db, city.id, cityTeam.id, { name: 'Council tax' }),
  };
  const customers = {
    A: await buildCustomer(db, county.id),
    B: await buildCustomer(db, county.id),
    C: await buildCustomer(db, county.id),
    D: await buildCustomer(db, city.id),
  };

  const callRows: Record<string, string> = {};
  for (const c of CALLS) {
    let interactionId: string | null = null;
    if (c.wrapUp) {
      const interaction = await db
        .insertInto('interactions')
        .values({
          authority_id: authorities[c.authority],
          customer_id: c.wrapUp.customer ? customers[c.wrapUp.customer].id : null,
          service_id: c.wrapUp.service ? services[c.wrapUp.service].id : null,
          channel: 'phone',
          direction: 'inbound',
          occurred_at: at(c.offered),
          queued_at: c.queued ? at(c.queued) : null,
          answered_at: c.answered ? at(c.answered) : null,
          ended_at: c.ended ? at(c.ended) : null,
          agent_id: c.extension ? agents[c.extension] : null,
          outcome: c.wrapUp.outcome,
          resolved_at_first_contact: c.wrapUp.resolved,
          failure_demand: c.wrapUp.failureDemand ?? null,
          wrapped_up_at: at(c.wrapUp.at),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      interactionId = interaction.id;
    }
    const row = await db
      .insertInto('calls')
      .values({
        authority_id: authorities[c.authority],
        platform: 'fixture',
        call_id: c.callId,
        direction: c.direction ?? 'inbound',
        caller_number: c.caller ?? null,
        queue_id: c.queue ? queues[c.queue].id : null,
        queue_code: c.queue ?? null,
        ivr_path: c.ivrPath ?? [],
        ivr_no_option: c.noOption ?? false,
        offered_at: at(c.offered),
        queued_at: c.queued ? at(c.queued) : null,
        ringing_at: null,
        answered_at: c.answered ? at(c.answered) : null,
        ended_at: c.ended ? at(c.ended) : null,
        hangup_cause: (c.cause ?? null) as never,
        agent_id: c.extension ? agents[c.extension] : null,
        agent_extension: c.extension ?? null,
        transfers: c.transfers ?? 0,
        hold_seconds: c.holdSeconds ?? 0,
        blocked: c.blocked ?? false,
        interaction_id: interactionId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    callRows[c.callId] = row.id;
  }

  // Other contacts after the calls: B about Bins 2 days later (a repeat: C2 is not resolved at first
  // contact); A about Bins 8 days later (outside 7 days); D about Council tax 3 days later (another service).
  const other = (customer: keyof typeof customers, serviceId: string, when: Date, authorityId: string) =>
    db
      .insertInto('interactions')
      .values({
        authority_id: authorityId,
        customer_id: customers[customer].id,
        service_id: serviceId,
        channel: 'web',
        occurred_at: when,
      })
      .execute();
  await other('B', services.bins.id, at('10:00:00', '2026-12-09'), county.id);
  await other('A', services.bins.id, at('10:00:00', '2026-12-15'), county.id);
  await other('D', services.councilTax.id, at('10:00:00', '2026-12-10'), city.id);

  const callback = (v: {
    authorityId: string;
    due: string;
    status: 'open' | 'kept' | 'not_reached' | 'cancelled';
    source: 'phone' | 'web' | 'staff';
    originCall?: string;
    completed?: string;
    keptOnTime?: boolean;
  }) =>
    db
      .insertInto('callbacks')
      .values({
        authority_id: v.authorityId,
        phone: '+447700900100',
        topic: 'A question',
        source: v.source,
        origin_call_id: v.originCall ? callRows[v.originCall] : null,
        due_at: at(v.due),
        status: v.status,
        completed_at: v.completed ? at(v.completed) : null,
        kept_on_time: v.keptOnTime ?? null,
      })
      .execute();
  await callback({
    authorityId: county.id,
    due: '15:00:00',
    status: 'kept',
    source: 'phone',
    originCall: 'fx-c7',
    completed: '14:30:00',
    keptOnTime: true,
  }); // CB1
  await callback({
    authorityId: county.id,
    due: '12:00:00',
    status: 'not_reached',
    source: 'web',
    completed: '13:00:00',
    keptOnTime: false,
  }); // CB2
  await callback({ authorityId: county.id, due: '11:00:00', status: 'cancelled', source: 'web' }); // CB3
  await callback({ authorityId: city.id, due: '16:00:00', status: 'open', source: 'staff' }); // CB4
  await callback({ authorityId: county.id, due: '18:00:00', status: 'open', source: 'web' }); // CB5
});

after(async () => {
  await t.close();
  await database.close();
});

const custom7Dec = 'period=custom&from-day=7&from-month=12&from-year=2026&to-day=7&to-month=12&to-year=2026';

interface Report {
  period: unknown;
  queue: string | null;
  settings: unknown;
  totals: Figures;
  byQueue: (Figures & { queue: string | null; name: string | null })[];
  byHour: (Figures & { hour: number })[];
  byDay: (Figures & { date: string })[];
}

const strip = <T extends Record<string, unknown>>(row: T, ...keys: string[]) =>
  Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k)));

void test('figures: offered, answered, abandoned (short, menu and callbacks apart), service level, ASA, AHT, FCR, failure demand and callbacks kept, by queue, hour and day', async () => {
  clock.set('2026-12-16T09:00:00Z');
  const browser = await signedIn(t.app, leaderBoth);
  const res = await browser.get(`/staff/phone/figures.json?${custom7Dec}`);
  assert.equal(res.statusCode, 200);
  const report = res.json<Report>();
  assert.deepEqual(report.period, { from: DAY, to: DAY, timeZone: 'Europe/London' });
  assert.deepEqual(report.totals, TOTALS);
  assert.deepEqual(
    report.byQueue.map((r) => [r.queue, r.name]),
    [
      ['city-main', 'City main line'],
      ['county-main', 'County main line'],
      [null, null],
    ],
  );
  assert.deepEqual(strip(report.byQueue[0], 'queue', 'name'), CITY_MAIN);
  assert.deepEqual(strip(report.byQueue[1], 'queue', 'name'), COUNTY_MAIN);
  assert.deepEqual(strip(report.byQueue[2], 'queue', 'name'), NO_QUEUE);
  // Hours with calls (9–16) or callbacks due (CB2 12:00, CB1 15:00, CB4 16:00, CB5 18:00).
  assert.deepEqual(
    report.byHour.map((r) => r.hour),
    [9, 10, 11, 12, 13, 14, 15, 16, 18],
  );
  assert.deepEqual(
    strip(
      report.byHour.find((r) => r.hour === 10)!,
      'hour',
    ),
    HOUR_10,
  );
  const hour13 = report.byHour.find((r) => r.hour === 13)!;
  assert.equal(hour13.blocked, 1); // C10; C11 (outbound) is nowhere
  assert.equal(hour13.received, 0);
  assert.equal(report.byHour.find((r) => r.hour === 18)!.callbacksDue, 1); // CB5
  assert.deepEqual(report.byDay, [{ date: DAY, ...TOTALS }]);

  // One queue: the same as its row.
  const one = (await browser.get(`/staff/phone/figures.json?${custom7Dec}&queue=county-main`)).json<Report>();
  assert.equal(one.queue, 'county-main');
  assert.deepEqual(one.totals, COUNTY_MAIN);

  // Yesterday (15 December): nothing.
  const empty = (await browser.get('/staff/phone/figures.json?period=yesterday')).json<Report>();
  assert.equal(empty.totals.received, 0);
  assert.equal(empty.totals.serviceLevel, null);
  assert.deepEqual(empty.byQueue, []);
});

void test('figures are scoped by council: the city team leader sees the city only', async () => {
  clock.set('2026-12-16T09:00:00Z');
  const browser = await signedIn(t.app, cityLeader);
  const report = (await browser.get(`/staff/phone/figures.json?${custom7Dec}`)).json<Report>();
  assert.deepEqual(report.totals, CITY_ONLY);
  // Another council's queue cannot be asked for.
  const res = await browser.get(`/staff/phone/figures.json?${custom7Dec}&queue=county-main`);
  assert.equal(res.statusCode, 400);
});

void test('figures JSON has the documented, stable shape', async () => {
  clock.set('2026-12-16T09:00:00Z');
  const browser = await signedIn(t.app, leaderBoth);
  const report = (await browser.get(`/staff/phone/figures.json?${custom7Dec}`)).json<
    Record<string, unknown>
  >();
  assert.deepEqual(Object.keys(report), [
    'generatedAt',
    'period',
    'queue',
    'settings',
    'totals',
    'byQueue',
    'byHour',
    'byDay',
  ]);
  assert.deepEqual(report.settings, {
    shortAbandonSeconds: 5,
    serviceLevelSeconds: 20,
    serviceLevelTarget: 0.8,
    afterCallWorkMaxMinutes: 10,
    repeatWithinDays: 7,
  });
  assert.deepEqual(Object.keys(report.totals as object), Object.keys(TOTALS));
  const bad = await browser.get(
    '/staff/phone/figures.json?period=custom&from-day=31&from-month=2&from-year=2026',
  );
  assert.equal(bad.statusCode, 400);
  assert.ok(Array.isArray(bad.json<{ errors: unknown[] }>().errors));
});

void test('the fixture of telephony events carries the same hand counts', () => {
  const fixture = JSON.parse(
    readFileSync(new URL('./fixtures/telephony/day-of-calls.json', import.meta.url), 'utf8'),
  ) as {
    events: { event: string; callId: string; timestamp: string }[];
    expected: { totals: Figures; byQueue: Record<string, Figures>; wallboard: unknown };
  };
  assert.deepEqual(fixture.expected.totals, TOTALS);
  assert.deepEqual(fixture.expected.byQueue['county-main'], COUNTY_MAIN);
  assert.deepEqual(fixture.expected.byQueue['city-main'], CITY_MAIN);
  assert.deepEqual(
    [...new Set(fixture.events.map((e) => e.callId))].sort(),
    CALLS.map((c) => c.callId).sort(),
  );
  const times = fixture.events.map((e) => e.timestamp);
  assert.deepEqual(times, [...times].sort(), 'events are in arrival order');
});

void test('figures page: summary, tables and every definition, without JavaScript', async () => {
  clock.set('2026-12-16T09:00:00Z');
  const browser = await signedIn(t.app, leaderBoth);
  const res = await browser.get(`/staff/phone/figures?${custom7Dec}`);
  assert.equal(res.statusCode, 200);
  const html = res.body;
  assert.equal(html.match(/<h1/g)?.length, 1);
  assert.match(html, /<h1 class="govuk-heading-l">Phone figures<\/h1>/);
  assert.match(html, /Monday 7 December 2026: All queues/);
  assert.match(
    html,
    /data-testid="card-serviceLevel"[\s\S]*?41\.7%[\s\S]*?5 of 12 offered\. Target 80%: not met/,
  );
  assert.match(html, /data-testid="card-firstContactResolution"[\s\S]*?60%/);
  assert.equal(html.match(/>\s*How this is counted\s*</g)?.length, 17); // one per summary card
  for (const caption of ['By queue', 'By hour of the day (UK time)', 'By day'])
    assert.ok(html.includes(caption));
  assert.match(html, /<dl class="govuk-summary-list" data-testid="definitions">/);
  assert.match(html, /href="\/staff\/phone\/figures"[^>]*>\s*(<[^>]+>\s*)?Phone figures/); // staff navigation

  const bad = await browser.get('/staff/phone/figures?period=custom&from-day=7&from-month=12&from-year=2026');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /<title>Error: Phone figures/);
  assert.match(bad.body, /href="#to-day">Enter a real end date/);
});

void test('wallboard: waiting now, longest wait, agents on a call, today so far and callbacks due, refreshing without JavaScript', async () => {
  clock.set('2026-12-07T17:00:00Z');
  const browser = await signedIn(t.app, leaderBoth);
  const res = await browser.get('/staff/phone/wallboard');
  assert.equal(res.statusCode, 200);
  const html = res.body;
  assert.match(html, /<meta http-equiv="refresh" content="15">/);
  assert.equal(html.match(/<h1/g)?.length, 1);
  const number = (id: string, label: string) =>
    new RegExp(`data-testid="${id}-${label}">([^<]*)<`).exec(html)?.[1];
  // All queues: C12 waiting since 16:58:10; C13 on a call; 7 answered, 2 abandoned, 5/12; CB4 and CB5 open.
  assert.equal(number('queue-all', 'waiting-now'), '1');
  assert.equal(number('queue-all', 'longest-wait'), '1 min 50 s');
  assert.equal(number('queue-all', 'agents-on-a-call'), '1');
  assert.equal(number('queue-all', 'answered-today'), '7');
  assert.equal(number('queue-all', 'abandoned-today'), '2');
  assert.equal(number('queue-all', 'service-level-today'), '41.7%');
  assert.equal(number('queue-all', 'callbacks-due-today'), '2');
  assert.equal(number('queue-all', 'callbacks-overdue'), '1');
  assert.match(html, /Target 80%: below target/); // not by colour alone
  assert.equal(number('queue-county-main', 'waiting-now'), '1');
  assert.equal(number('queue-county-main', 'answered-today'), '5');
  assert.equal(number('queue-county-main', 'service-level-today'), '44.4%');
  assert.equal(number('queue-city-main', 'waiting-now'), '0');
  assert.equal(number('queue-city-main', 'longest-wait'), '–');
  assert.equal(number('queue-city-main', 'abandoned-today'), '1');
  assert.match(html, /How these numbers are counted/);
  const still = (await browser.get('/staff/phone/wallboard?refresh=off')).body; // WCAG 2.2.1: it can be stopped
  assert.ok(!still.includes('http-equiv="refresh"'));
  assert.match(still, /this page does not refresh itself/);

  const city = await signedIn(t.app, cityLeader);
  const cityHtml = (await city.get('/staff/phone/wallboard')).body;
  assert.ok(!cityHtml.includes('County main line'));
  assert.ok(cityHtml.includes('City main line'));
});

void test('an agent without reports:read cannot see the figures, their JSON or the wallboard', async () => {
  const browser = await signedIn(t.app, agent);
  for (const url of ['/staff/phone/figures', '/staff/phone/figures.json', '/staff/phone/wallboard'])
    assert.equal((await browser.get(url)).statusCode, 403, url);
  assert.ok(!(await browser.get('/staff')).body.includes('Phone figures'));
});
