/**
 * Builds one case's history (the case row, its timeline events and the contacts about it) and stand-alone
 * contacts, following the service's own workflow, SLA and form. Shared by the demo seed and the bulk
 * generator so both produce the same shapes of data.
 */
import type { Channel, NewRow } from '../platform/db/index.ts';
import type { FormQuestion, ServiceDefinition, WorkflowStatus } from '../modules/services/index.ts';
import { CUSTOMER_MESSAGES, CUSTOMER_REPLIES, INTERNAL_NOTES, QUICK_ANSWERS } from './names.ts';
import { fullName, type AreaRole, type Person } from './people.ts';
import { WeightedPicker, type IdStream, type Random } from './random.ts';
import type { ReferenceSequence } from './references.ts';
import { channelClass, type TimeModel } from './time.ts';
import { loadDefaultCalendar, type WorkingDayCalendar } from '../platform/calendar/index.ts';
import { SlaClock } from '../platform/clocks/index.ts';

let calendar: WorkingDayCalendar | null = null;
/** The cases calendar (17:00 cut-off); history older than the shipped bank holidays counts weekends only. */
function caseCalendar(): WorkingDayCalendar {
  calendar ??= loadDefaultCalendar({ outOfRange: 'weekends-only' });
  return calendar;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export type CaseRow = NewRow<'cases'> & { id: string };
export type EventRow = NewRow<'case_events'> & { id: string };
export type InteractionRow = NewRow<'interactions'> & { id: string };

export interface BuiltCase {
  case: CaseRow;
  events: EventRow[];
  interactions: InteractionRow[];
}

/** A service as stored, with the staff who work on it. */
export interface SeedService {
  id: string;
  authorityId: string;
  role: AreaRole;
  teamId: string;
  teamCode: string;
  definition: ServiceDefinition;
  /** Officers in the service's team (assignees, outbound calls). */
  officerIds: readonly string[];
  /** Contact-centre agents of the owning authority (phone, webchat, face to face). */
  agentIds: readonly string[];
}

type Mix = Partial<Record<Channel, number>>;
const CHANNEL_MIX: Record<
  'county' | 'city' | 'application' | 'information' | 'complaint' | 'compliment',
  Mix
> = {
  county: { phone: 50, web: 32, email: 8, webchat: 4, face_to_face: 3, letter: 3 },
  // The city's published year: telephone 261,850, web forms 25,000, face to face 15,600.
  city: { phone: 84, web: 8.5, face_to_face: 5, email: 1.5, webchat: 0.5, letter: 0.5 },
  application: { web: 52, phone: 30, email: 4, face_to_face: 6, letter: 8 },
  information: { email: 60, web: 35, letter: 5 },
  complaint: { web: 40, email: 25, phone: 25, letter: 7, face_to_face: 3 },
  compliment: { email: 40, web: 30, phone: 20, letter: 10 },
};
const FOLLOW_UP_MIX = new WeightedPicker<Channel>([
  ['phone', 58],
  ['email', 24],
  ['web', 8],
  ['webchat', 5],
  ['face_to_face', 3],
  ['letter', 2],
]);

/** The workflow, channels and case mix of one service, precomputed once. */
export class ServiceModel {
  readonly statuses: Map<string, WorkflowStatus>;
  readonly channels: WeightedPicker<Channel>;
  readonly paths: WeightedPicker<string[]>;
  /** Shortest route to the first (main) closed status: what a case resolved at first contact takes. */
  readonly quickPath: string[];
  /** Share of cases closed during the first contact (enquiries answered there and then). */
  readonly firstContactShare: number;
  /** Expected follow-up contacts (chasers, call-backs) per case. */
  readonly followUpRate: number;
  readonly locationQuestion: string | null;

  constructor(readonly service: SeedService) {
    const { definition } = service;
    this.statuses = new Map(definition.workflow.statuses.map((s) => [s.code, s]));
    const kind = definition.kind;
    const mix =
      kind === 'foi' || kind === 'sar'
        ? CHANNEL_MIX.information
        : kind === 'complaint'
          ? CHANNEL_MIX.complaint
          : kind === 'compliment'
            ? CHANNEL_MIX.compliment
            : service.role === 'city'
              ? CHANNEL_MIX.city
              : kind === 'application'
                ? CHANNEL_MIX.application
                : CHANNEL_MIX.county;
    this.channels = new WeightedPicker(Object.entries(mix) as [Channel, number][]);
    const all = this.allPaths();
    const shortestTo = new Map<string, number>();
    for (const path of all) {
      const end = path[path.length - 1];
      shortestTo.set(end, Math.min(shortestTo.get(end) ?? Infinity, path.length));
    }
    const main = definition.workflow.closed[0];
    this.paths = new WeightedPicker(
      all.map((path) => {
        const end = path[path.length - 1];
        const outcome = end === main ? 1 : 0.12;
        const longer = 0.5 ** (path.length - (shortestTo.get(end) ?? path.length));
        const pauses = 0.3 ** path.filter((code) => this.statuses.get(code)?.pausesSla).length;
        return [path, outcome * longer * pauses] as const;
      }),
    );
    this.quickPath = this.shortestPath(definition.workflow.initial, main) ?? [
      definition.workflow.initial,
      main,
    ];
    this.firstContactShare = kind === 'enquiry' ? 0.45 : 0;
    this.followUpRate =
      kind === 'enquiry' || kind === 'compliment' ? 0.15 : kind === 'foi' || kind === 'sar' ? 0.2 : 0.35;
    this.locationQuestion =
      definition.form.pages.flatMap((page) => page.questions).find((question) => question.type === 'location')
        ?.id ?? null;
  }

  private allPaths(): string[][] {
    const { initial, closed } = this.service.definition.workflow;
    const closedSet = new Set(closed);
    const out: string[][] = [];
    const walk = (path: string[]) => {
      if (out.length >= 200) return;
      const last = path[path.length - 1];
      if (closedSet.has(last)) {
        out.push(path);
        return;
      }
      for (const next of this.statuses.get(last)?.next ?? []) if (!path.includes(next)) walk([...path, next]);
    };
    walk([initial]);
    return out;
  }

  shortestPath(from: string, to: string): string[] | null {
    const previous = new Map<string, string | null>([[from, null]]);
    const queue = [from];
    while (queue.length) {
      const current = queue.shift() ?? '';
      if (current === to) {
        const path: string[] = [];
        for (let at: string | null = to; at !== null; at = previous.get(at) ?? null) path.unshift(at);
        return path;
      }
      for (const next of this.statuses.get(current)?.next ?? []) {
        if (!previous.has(next)) {
          previous.set(next, current);
          queue.push(next);
        }
      }
    }
    return null;
  }
}

export interface CaseOptions {
  channel: Channel;
  receivedAt: number;
  /** Follow-up contacts about the case (chasers and call-backs). */
  followUps: number;
  /** Closed during the first contact. */
  firstContact?: boolean;
  /** Force the case to end in this status, with its steps spread between receipt and now (named demo cases). */
  status?: string;
  /** With `status`: when the last step happened (default: just before now). */
  settledAt?: number;
}

export interface HistoryOptions {
  time: TimeModel;
  /** History is written as it stood at this instant: later steps have not happened yet. */
  now: number;
  ids: { cases: IdStream; events: IdStream; interactions: IdStream };
  references: ReferenceSequence;
  /** Counter of the first reference this builder hands out. */
  referenceStart: number;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class HistoryBuilder {
  private referenceCounter: number;

  constructor(private readonly options: HistoryOptions) {
    this.referenceCounter = options.referenceStart;
  }

  /** How many references this builder has handed out. */
  get referencesUsed(): number {
    return this.referenceCounter - this.options.referenceStart;
  }

  buildCase(random: Random, model: ServiceModel, person: Person, options: CaseOptions): BuiltCase {
    const { time, now, ids } = this.options;
    const { service } = model;
    const { definition } = service;
    const receivedAt = options.receivedAt;
    const caseId = ids.cases.next();
    const reference = this.options.references.at(this.referenceCounter);
    this.referenceCounter += 1;
    const office = channelClass(options.channel) === 'office';
    const agent = office && service.agentIds.length ? random.pick(service.agentIds) : null;
    const officer = service.officerIds.length ? random.pick(service.officerIds) : null;
    const answers = buildAnswers(random, definition, person, receivedAt);
    const location = model.locationQuestion
      ? ((answers[model.locationQuestion] as Record<string, unknown> | undefined) ?? null)
      : null;
    const firstContact = options.firstContact ?? false;

    // The route through the workflow and when each step happened.
    let path: string[];
    const stepTimes: number[] = [receivedAt];
    if (options.status) {
      path = model.shortestPath(definition.workflow.initial, options.status) ?? [definition.workflow.initial];
      const span = Math.max(MINUTE, Math.min(options.settledAt ?? now, now) - receivedAt - 30 * MINUTE);
      for (let i = 1; i < path.length; i += 1)
        stepTimes.push(receivedAt + Math.round((span * i) / path.length));
    } else if (firstContact) {
      path = model.quickPath;
      for (let i = 1; i < path.length; i += 1) stepTimes.push(receivedAt + i * random.between(2, 9) * MINUTE);
    } else {
      path = model.paths.pick(random);
      const due = time.dueAt(receivedAt, definition.sla);
      const factor = Math.min(3, Math.max(0.03, random.logNormal(0.55, 0.55)));
      const closeAt = receivedAt + factor * (due - receivedAt);
      for (let i = 1; i < path.length; i += 1) {
        const target = receivedAt + (closeAt - receivedAt) * (i / (path.length - 1));
        stepTimes.push(Math.max(stepTimes[i - 1] + 5 * MINUTE, time.workingTimeAtOrAfter(random, target)));
      }
    }
    let reached = 1;
    while (reached < path.length && stepTimes[reached] <= now) reached += 1;
    const current = path[reached - 1];
    const closedSet = new Set(definition.workflow.closed);
    const closedAt = closedSet.has(current) ? stepTimes[reached - 1] : null;

    const events: EventRow[] = [];
    let latest = receivedAt;
    const event = (
      at: number,
      kind: string,
      visible: boolean,
      body: string | null,
      data: Record<string, unknown>,
      actor: { staff?: string | null; customer?: string | null },
    ) => {
      latest = Math.max(latest, at);
      events.push({
        id: ids.events.next(),
        authority_id: service.authorityId,
        case_id: caseId,
        kind,
        visible_to_customer: visible,
        body,
        data,
        actor_staff_id: actor.staff ?? null,
        actor_customer_id: actor.customer ?? null,
        created_at: iso(at),
      });
    };

    event(
      receivedAt,
      'created',
      true,
      null,
      { status: path[0], channel: options.channel },
      options.channel === 'web' ? { customer: person.id } : { staff: agent },
    );
    const assignee = reached > 1 && officer && !firstContact && random.chance(0.85) ? officer : null;
    if (assignee)
      event(
        stepTimes[1] - MINUTE,
        'assigned',
        false,
        null,
        { assigneeId: assignee, teamId: service.teamId },
        { staff: officer },
      );
    let pausedAt: number | null = null;
    // Completed pauses, as the real clock records them (`sla_resumed` carries { from, to }).
    const pauses: { from: Date; to: Date }[] = [];
    for (let i = 1; i < reached; i += 1) {
      const from = this.status(model, path[i - 1]);
      const to = this.status(model, path[i]);
      const actor = { staff: firstContact ? agent : (assignee ?? officer) };
      if (from.pausesSla && pausedAt !== null) {
        const pause = { from: new Date(pausedAt), to: new Date(stepTimes[i]) };
        pauses.push(pause);
        pausedAt = null;
        event(
          stepTimes[i],
          'sla_resumed',
          false,
          null,
          { from: pause.from.toISOString(), to: pause.to.toISOString() },
          actor,
        );
      }
      event(
        stepTimes[i],
        'status_changed',
        to.customerVisible,
        null,
        // As changeStatus writes it: the labels of the day, so the timeline names the status the same way.
        { from: from.code, to: to.code, label: to.label, customerLabel: to.customerLabel },
        actor,
      );
      if (to.pausesSla) {
        pausedAt = stepTimes[i];
        event(stepTimes[i], 'sla_paused', false, null, { reason: 'awaiting_customer' }, actor);
      }
    }
    const activeUntil = closedAt ?? now;
    if (!firstContact && activeUntil - receivedAt > 10 * MINUTE) {
      const between = () =>
        receivedAt + 5 * MINUTE + random.int(Math.max(1, activeUntil - receivedAt - 10 * MINUTE));
      if (random.chance(0.4))
        event(between(), 'note', false, random.pick(INTERNAL_NOTES), {}, { staff: assignee ?? officer });
      if (random.chance(0.3)) {
        const at = between();
        event(
          at,
          'message',
          true,
          random.pick(CUSTOMER_MESSAGES),
          { direction: 'outbound' },
          { staff: assignee ?? officer },
        );
        if (random.chance(0.35) && at + DAY < activeUntil) {
          event(
            at + random.between(1, 24) * 3_600_000,
            'message',
            true,
            random.pick(CUSTOMER_REPLIES),
            { direction: 'inbound' },
            { customer: person.id },
          );
        }
      }
    }

    const interactions: InteractionRow[] = [
      this.interaction(random, service, person.id, caseId, options.channel, receivedAt, {
        agent,
        summary: `${originVerb(options.channel)}: ${definition.name}`,
        outcome: firstContact ? 'resolved' : 'case_created',
        resolved: firstContact,
      }),
    ];
    const followUpEnd = Math.min(closedAt ?? now, now);
    for (let i = 0; i < options.followUps && followUpEnd - receivedAt > DAY; i += 1) {
      const outbound = random.chance(0.25);
      let channel: Channel = outbound
        ? random.chance(0.7)
          ? 'phone'
          : random.chance(0.6)
            ? 'email'
            : 'letter'
        : FOLLOW_UP_MIX.pick(random);
      let at = time.timeBetween(random, receivedAt + DAY, followUpEnd, channelClass(channel));
      if (at === null) {
        channel = 'email'; // no office hours in the window: they wrote instead
        at = time.timeBetween(random, receivedAt + DAY, followUpEnd, 'digital') ?? receivedAt + DAY;
      }
      interactions.push(
        this.interaction(random, service, person.id, caseId, channel, at, {
          agent: outbound
            ? (assignee ?? officer)
            : channelClass(channel) === 'office' && service.agentIds.length
              ? random.pick(service.agentIds)
              : null,
          summary: outbound ? `Update given on ${reference}` : `Asked for an update on ${reference}`,
          outcome: 'update_given',
          resolved: !outbound && random.chance(0.7),
          outbound,
          repeat: !outbound,
        }),
      );
    }

    const priority: CaseRow['priority'] =
      answers.danger === 'yes' || answers.safeNow === 'no' || answers.faultType === 'exposed_wires'
        ? 'urgent'
        : random.chance(0.08)
          ? 'high'
          : random.chance(0.05)
            ? 'low'
            : 'normal';
    // The same clock as real cases (cut-off, weekends, bank holidays, pauses), so queues, the case page and
    // the SLA scan agree about the demo history.
    const due = firstContact
      ? null
      : new SlaClock({ policy: definition.sla, startedAt: new Date(receivedAt), pauses }, caseCalendar())
          .dueAt()
          .getTime();
    const row: CaseRow = {
      id: caseId,
      authority_id: service.authorityId,
      reference,
      service_id: service.id,
      customer_id: person.id,
      representative_id: null,
      status: current,
      priority,
      origin_channel: options.channel,
      team_id: service.teamId,
      assignee_id: assignee,
      received_at: iso(receivedAt),
      due_at: due === null ? null : iso(due),
      sla_paused_at: pausedAt === null ? null : iso(pausedAt),
      answers,
      form_version: definition.version,
      location,
      tags: path.includes('escalated') ? ['stage-2'] : [],
      outcome: closedAt === null ? null : this.status(model, current).label,
      resolved_at_first_contact: firstContact,
      closed_at: closedAt === null ? null : iso(closedAt),
      created_by: agent,
      idempotency_key: null,
      created_at: iso(receivedAt),
      updated_at: iso(latest),
    };
    return { case: row, events, interactions };
  }

  /** A contact that needed no case: a question answered, a signpost, a transfer, or an abandoned call. */
  buildContact(
    random: Random,
    model: ServiceModel,
    personId: string | null,
    channel: Channel,
    at: number,
  ): InteractionRow {
    const { service } = model;
    const abandoned = channel === 'phone' && random.chance(0.06);
    const office = channelClass(channel) === 'office';
    const answer = random.pick(QUICK_ANSWERS);
    return this.interaction(random, service, personId, null, channel, at, {
      agent: office && !abandoned && service.agentIds.length ? random.pick(service.agentIds) : null,
      summary: abandoned
        ? `Call abandoned in the queue: ${service.definition.name}`
        : `${service.definition.name}: ${answer}`,
      outcome: abandoned
        ? 'abandoned'
        : answer === 'Transferred to the service team'
          ? 'transferred'
          : answer === 'Signposted to a partner organisation'
            ? 'signposted'
            : 'answered',
      resolved:
        !abandoned &&
        answer !== 'Transferred to the service team' &&
        answer !== 'Booked a call back' &&
        random.chance(0.93),
      abandoned,
    });
  }

  private status(model: ServiceModel, code: string): WorkflowStatus {
    const status = model.statuses.get(code);
    if (!status) throw new Error(`${model.service.definition.slug}: unknown status ${code}`);
    return status;
  }

  private interaction(
    random: Random,
    service: SeedService,
    customerId: string | null,
    caseId: string | null,
    channel: Channel,
    at: number,
    details: {
      agent: string | null;
      summary: string;
      outcome: string;
      resolved: boolean;
      outbound?: boolean;
      repeat?: boolean;
      abandoned?: boolean;
    },
  ): InteractionRow {
    let queued: number | null = null;
    let answered: number | null = null;
    let ended: number | null = null;
    const seconds = (s: number) => Math.round(s * 1000);
    if (channel === 'phone' && !details.outbound) {
      queued = at;
      const wait = random.exponential(service.role === 'city' ? 14 : 30);
      if (details.abandoned) {
        ended = at + seconds(10 + random.exponential(70));
      } else {
        answered = at + seconds(wait);
        ended = answered + seconds(Math.min(2700, Math.max(40, random.logNormal(300, 0.6))));
      }
    } else if (channel === 'phone') {
      answered = at;
      ended = at + seconds(Math.min(1800, Math.max(30, random.logNormal(240, 0.6))));
    } else if (channel === 'webchat') {
      queued = at;
      answered = at + seconds(random.exponential(60));
      ended = answered + seconds(Math.min(3600, Math.max(60, random.logNormal(480, 0.5))));
    } else if (channel === 'face_to_face') {
      queued = at;
      answered = at + seconds(random.exponential(360));
      ended = answered + seconds(Math.min(3600, Math.max(120, random.logNormal(600, 0.5))));
    }
    return {
      id: this.options.ids.interactions.next(),
      authority_id: service.authorityId,
      customer_id: customerId,
      case_id: caseId,
      service_id: service.id,
      channel,
      direction: details.outbound ? 'outbound' : 'inbound',
      queued_at: queued === null ? null : iso(queued),
      answered_at: answered === null ? null : iso(answered),
      ended_at: ended === null ? null : iso(ended),
      occurred_at: iso(at),
      agent_id: details.agent,
      summary: details.summary,
      body: null,
      outcome: details.outcome,
      resolved_at_first_contact: details.resolved,
      is_repeat: details.repeat ?? false,
      created_at: iso(ended ?? at),
    };
  }
}

function originVerb(channel: Channel): string {
  switch (channel) {
    case 'web':
      return 'Online form';
    case 'email':
      return 'Email';
    case 'phone':
      return 'Phone call';
    case 'webchat':
      return 'Webchat';
    case 'face_to_face':
      return 'Visit';
    case 'letter':
      return 'Letter';
    case 'sms':
      return 'Text message';
    case 'open311':
    case 'api':
      return 'Partner system';
    case 'social':
      return 'Social media';
  }
}

const TEXT_ANSWERS: Record<string, (random: Random, person: Person) => string> = {
  registration: (random) =>
    `${random.pick(['AB', 'KL', 'WX', 'YR', 'LD', 'GF'])}${random.between(10, 74)} ${[0, 1, 2].map(() => random.pick([...'ABCDEFGHJKLMNPRSTUVWXYZ'])).join('')}`,
  nationalInsuranceNumber: (random) =>
    `QQ ${random.between(10, 99)} ${random.between(10, 99)} ${random.between(10, 99)} C`,
  accountNumber: (random) => `5${String(random.int(10_000_000)).padStart(7, '0')}`,
  claimReference: (random) => `HB${random.between(100000, 999999)}`,
  lightNumber: (random) => `SL${random.between(1, 9999)}`,
  applicationReference: (random) => `ADM-${random.between(10000, 99999)}`,
};

function dateOnly(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function prefill(question: FormQuestion, person: Person): unknown {
  switch (question.prefill) {
    case 'given_name':
      return person.givenName ?? person.organisationName;
    case 'family_name':
      return person.familyName ?? person.organisationName;
    case 'full_name':
      return fullName(person);
    case 'email':
      return person.email;
    case 'phone':
      return person.phone?.value ?? null;
    case 'address':
      return person.address;
    case 'postcode':
      return person.address.postcode;
    case 'date_of_birth':
      return person.dateOfBirth;
    case undefined:
      return undefined;
  }
}

/** Plausible answers to a service's form, as if the person had filled it in on `at`. */
export function buildAnswers(
  random: Random,
  definition: ServiceDefinition,
  person: Person,
  at: number,
): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const page of definition.form.pages) {
    for (const question of page.questions) {
      if (question.showIf) {
        const shown = answers[question.showIf.question];
        const match = Array.isArray(shown)
          ? shown.includes(question.showIf.equals)
          : shown === question.showIf.equals;
        if (!match) continue;
      }
      const filled = prefill(question, person);
      if (filled !== undefined) {
        if (filled !== null) answers[question.id] = filled;
        continue;
      }
      if (!question.required && random.chance(0.5)) continue;
      const value = answerFor(random, question, person, at);
      if (value !== undefined) answers[question.id] = value;
    }
  }
  return answers;
}

function answerFor(random: Random, question: FormQuestion, person: Person, at: number): unknown {
  const v = question.validation ?? {};
  switch (question.type) {
    case 'text':
    case 'textarea': {
      const special = TEXT_ANSWERS[question.id];
      if (special) return special(random, person);
      if (question.examples) return random.pick(question.examples);
      return /name/i.test(question.id) ? fullName(person) : undefined;
    }
    case 'number': {
      const min = v.min ?? 0;
      const max = Math.min(v.max ?? min + 5, min + (question.id === 'amountLost' ? 5000 : 4));
      return min + random.int(max - min + 1);
    }
    case 'radios':
      return question.options ? random.pick(question.options).value : undefined;
    case 'checkboxes':
      return question.options
        ? random.sample(question.options, random.between(1, 2)).map((option) => option.value)
        : undefined;
    case 'date':
      return v.notInPast
        ? dateOnly(at + random.between(1, 14) * DAY)
        : dateOnly(at - random.between(1, 30) * DAY);
    case 'email':
      return person.email ?? undefined;
    case 'phone':
      return person.phone?.value;
    case 'postcode':
      return person.address.postcode;
    case 'address':
      return person.address;
    case 'location':
      return {
        lat: Math.round((person.town.lat + (random.next() - 0.5) * 0.04) * 1e5) / 1e5,
        lng: Math.round((person.town.lng + (random.next() - 0.5) * 0.06) * 1e5) / 1e5,
        description: `${person.address.line2 ?? person.address.line1.replace(/^\d+\s+/, '')}, ${person.town.name}`,
      };
    case 'file':
      return Array.from({ length: Math.min(v.maxFiles ?? 1, random.between(1, 2)) }, (_, i) => ({
        filename: `${question.id}-${i + 1}.${random.chance(0.8) ? 'jpg' : 'pdf'}`,
        sizeBytes: random.between(80_000, 4_000_000),
      }));
  }
}
